"""The first search after start: a new process, from opening the index to the first result.

Why a separate process: in the benchmark's own process the modules are imported,
numpy is warm and Whoosh's files are already open; a user who restarts the server
(or runs `newsfacet search` once) meets the cold path: open the index, build the
facet tables, search. The OS page cache is warm (the index was just built or read),
so this is the cost of our own start-up, not of the disk.

Run as `python -m tests.bench.first_search (--ours INDEX_DIR | --fts5 DB) QUERY`;
prints one JSON object: `import_ms` (modules), `first_ms` (open to first result),
`second_ms` (the same query again, for scale).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _measure(engine: str, target: str, q: str) -> dict:
    t0 = time.perf_counter()
    if engine == "ours":
        from indexer.search import Archive, parse_request
        t1 = time.perf_counter()
        archive = Archive(target)
        first = archive.search(parse_request({"q": [q]})).total
        t2 = time.perf_counter()
        archive.search(parse_request({"q": [q]}))
    else:
        from tests.bench.fts5 import Fts5
        from tests.bench.queries import BenchQuery
        t1 = time.perf_counter()
        ref = Fts5(Path(target))
        first = ref.search(BenchQuery(kind="word", q=q, fts=q))["total"]
        t2 = time.perf_counter()
        ref.search(BenchQuery(kind="word", q=q, fts=q))
    t3 = time.perf_counter()
    return {"import_ms": round((t1 - t0) * 1000, 1), "first_ms": round((t2 - t1) * 1000, 1),
            "second_ms": round((t3 - t2) * 1000, 1), "total": first}


def run(engine: str, target: Path, q: str = "oil", reps: int = 3) -> dict:
    """Median over `reps` fresh processes (each prints its own figures)."""
    runs = []
    for _ in range(reps):
        out = subprocess.run([sys.executable, "-m", "tests.bench.first_search", f"--{engine}", str(target), q], cwd=ROOT,
                             capture_output=True, text=True, timeout=600, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"query": q, "reps": reps, "runs": runs,
            **{k: round(statistics.median(r[k] for r in runs), 1) for k in ("import_ms", "first_ms", "second_ms")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--ours", metavar="INDEX_DIR")
    g.add_argument("--fts5", metavar="DB")
    ap.add_argument("query")
    args = ap.parse_args()
    engine, target = ("ours", args.ours) if args.ours else ("fts5", args.fts5)
    print(json.dumps(_measure(engine, target, args.query)))


if __name__ == "__main__":
    main()
