"""Building NewsFacet's index for a corpus folder, timed end to end.

Why `build_index` and not the CLI: the figure should be the library's work (read,
extract entities in the process pool, write, merge, swap), without click and
without process start-up; `build_index` is what `newsfacet index` calls.

A marker beside the index (`<index>.bench.json`) records what was built and how
fast, so `--reuse` can skip a long rebuild and still show where the index came
from (its figures are then flagged `reused`: they belong to an earlier run, possibly
of other code).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

from indexer.index import store
from indexer.index.build import build_index


def index_bytes(index_dir: Path) -> int:
    """Bytes on disk of the live generation (the files a searcher reads)."""
    gen = store.live_dir(index_dir)
    if gen is None:
        return 0
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())


class Heartbeat:
    """A stderr line every `every` seconds while a long step runs, so a person sees it move."""

    def __init__(self, label: str, every: float = 30.0, expected_s: float | None = None):
        self.label, self.every, self.expected_s = label, every, expected_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.perf_counter()
        while not self._stop.wait(self.every):
            elapsed = time.perf_counter() - started
            tail = f" of ~{self.expected_s:.0f} s expected" if self.expected_s else ""
            print(f"[bench]   {self.label}: {elapsed:.0f} s{tail}", file=sys.stderr, flush=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    """User + system CPU of this process and of the children it has waited for (the pool)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def _same_schema(index_dir: Path) -> bool:
    """Whether the index was written with the schema the code now has (a new field
    means the index must be rebuilt, whatever --reuse says)."""
    from indexer.index.schema import SCHEMA
    try:
        ix, _gen = store.open_live(index_dir)
    except Exception:
        return False
    have = {name: type(ix.schema[name]).__name__ for name in ix.schema.names()}
    want = {name: type(SCHEMA[name]).__name__ for name in SCHEMA.names()}
    return have == want


def build(corpus: Path, index_dir: Path, corpus_key: dict, *, reuse: bool = False,
          expected_s: float | None = None, code: dict | None = None) -> dict:
    """Index `corpus` into `index_dir` (from scratch unless reusing); the indexing figures."""
    marker = index_dir.with_name(index_dir.name + ".bench.json")
    if reuse and store.live_dir(index_dir) is not None:
        try:
            old = json.loads(marker.read_text())
        except (OSError, ValueError):
            old = {}
        if old.get("corpus") != corpus_key:
            why = "has no record of being built from this corpus"
        elif not _same_schema(index_dir):
            why = "was built with another schema"
        else:
            print(f"[bench] reusing {index_dir}/ (built {old.get('built_at')} by commit "
                  f"{(old.get('code') or {}).get('commit')}; rebuild after changing the indexer)",
                  file=sys.stderr, flush=True)
            return {**old, "reused": True, "bytes": index_bytes(index_dir)}
        print(f"[bench] {index_dir}/ {why}; rebuilding", file=sys.stderr, flush=True)
    if index_dir.exists():
        shutil.rmtree(index_dir)
    marker.unlink(missing_ok=True)
    label = f"indexing {corpus.name}"
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    with Heartbeat(label, expected_s=expected_s):
        report = build_index([corpus], index_dir, rebuild=True, progress=sys.stderr.isatty())
    cpu = _cpu_seconds() - cpu_before
    cores = len(os.sched_getaffinity(0))
    if report.problems:
        print(f"[bench]   {len(report.problems)} problems while indexing, first: {report.problems[0]}",
              file=sys.stderr, flush=True)
    figures = {
        "corpus": corpus_key,
        "documents": report.documents,
        "seconds": round(report.seconds, 2),
        "stories_per_s": round(report.documents / report.seconds, 1) if report.seconds else None,
        "bytes": index_bytes(index_dir),
        # On a busy machine the wall-clock rate says little: the CPU seconds of this process
        # and its pool, and stories per CPU-second times the cores (the rate if both cores
        # were idle and kept busy: an upper bound), are recorded beside it.
        "cpu_seconds": round(cpu, 2),
        "idle_estimate_stories_per_s": round(cores * report.documents / cpu, 1) if cpu else None,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "problems": len(report.problems),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "reused": False,
        "code": code,
    }
    marker.write_text(json.dumps(figures))
    return figures
