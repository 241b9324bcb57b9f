"""What opening a generation costs a fresh process, and what of its memory is its own (issue 20.1).

Why: the facet tables and near-duplicate groups are written with each commit and mapped
when a generation opens (indexer/index/derived.py), so opening should cost the same at any size
and the mapped pages should be file-backed (shared by every worker), not anonymous. This
opens the index in a new process, runs the first search (the front page's facets
included) and reads /proc/self/smaps_rollup: `Anonymous` is the process's own memory,
`Rss - Anonymous` the file-backed pages it shares with other processes.

`--computed` opens as an index written before the derived files would (the tables computed
from the postings at open: the old path), for the figure beside it.

Run as `python -m tests.bench.open_cost INDEX_DIR [--computed] [--query Q]`; prints one JSON object.
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


def memory() -> dict:
    """MB of this process's resident memory: all, anonymous, file-backed (Linux; {} elsewhere)."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return {}
    kb = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if line.split()[-1] == "kB"}
    rss, anon = kb.get("Rss", 0), kb.get("Anonymous", 0)
    return {"rss_mb": round(rss / 1024, 1), "anon_mb": round(anon / 1024, 1), "file_mb": round((rss - anon) / 1024, 1)}


def _measure(index_dir: str, q: str, computed: bool) -> dict:
    from indexer.index import derived
    from indexer.search import Archive, SearchRequest, parse_request

    if computed:
        derived.load = lambda gen, number: None
    before = memory()
    w0, c0 = time.perf_counter(), time.process_time()
    archive = Archive(index_dir)
    _ = archive.generation                # opens the generation: tables, parsers, name table
    w1, c1 = time.perf_counter(), time.process_time()
    archive.search(SearchRequest())        # the front page: every facet over the whole archive
    total = archive.search(parse_request({"q": [q]})).total
    w2, c2 = time.perf_counter(), time.process_time()
    return {"open_ms": round((w1 - w0) * 1000, 1), "open_cpu_ms": round((c1 - c0) * 1000, 1),
            "first_ms": round((w2 - w1) * 1000, 1), "first_cpu_ms": round((c2 - c1) * 1000, 1),
            "total": total, "mapped": not computed, "memory_before_open": before, "memory": memory()}


def run(index_dir: Path, reps: int = 3, computed: bool = False, q: str = "oil") -> dict:
    """Medians over `reps` fresh processes (each run's figures kept)."""
    runs = []
    for _ in range(reps):
        args = [sys.executable, "-m", "tests.bench.open_cost", str(index_dir), "--query", q]
        out = subprocess.run(args + (["--computed"] if computed else []), cwd=ROOT, capture_output=True,
                             text=True, timeout=900, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: round(statistics.median(r[k] for r in runs), 1) for k in ("open_ms", "open_cpu_ms", "first_ms", "first_cpu_ms")}
    mem = {k: round(statistics.median(r["memory"].get(k, 0) for r in runs), 1) for k in ("rss_mb", "anon_mb", "file_mb")}
    return {"reps": reps, "mapped": not computed, **med, **mem, "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index_dir")
    ap.add_argument("--computed", action="store_true", help="compute the tables at open (the old path)")
    ap.add_argument("--query", default="oil")
    args = ap.parse_args()
    print(json.dumps(_measure(args.index_dir, args.query, args.computed)))


if __name__ == "__main__":
    main()
