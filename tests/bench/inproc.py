"""In-process search latency: `Archive.search` and the FTS5 reference, query by query.

Why interleaved: on a shared machine the load drifts over a minute; running our
search and FTS5's back to back on each query (who goes first alternates by round)
lets drift hit both alike, so the ratio holds even when the absolute times wander.
A warm-up pass runs every query once on both first (it loads the facet tables,
fills caches and is not counted; its times are kept as `warmup_ms`).

Samples are pooled over queries and rounds: the median and p95 are of single
requests, as a user meets them. Totals are recorded per query for both engines so
anyone can check that the two did comparable work.
"""
from __future__ import annotations

import sys
import time

from indexer.search import Archive, parse_request

from .fts5 import Fts5
from .queries import BenchQuery
from .stats import summary


def _ours(archive: Archive, bq: BenchQuery) -> tuple[float, int]:
    t0 = time.perf_counter()
    res = archive.search(parse_request(bq.params()))
    return (time.perf_counter() - t0) * 1000, res.total


def _ref(ref: Fts5, bq: BenchQuery) -> tuple[float, int]:
    t0 = time.perf_counter()
    res = ref.search(bq)
    return (time.perf_counter() - t0) * 1000, res["total"]


def run(archive: Archive, ref: Fts5, queries: list[BenchQuery], rounds: int, empty_reps: int,
        budget_s: float | None = None) -> dict:
    """Warm-up, then up to `rounds` timed rounds: fewer when the warm-up pass says that
    `rounds` would not fit in `budget_s` (at least 2), so a slow build cannot run away."""
    per_query = {bq.label: {"kind": bq.kind, "ours_ms": [], "fts5_ms": [], "ours_total": None,
                            "fts5_total": None} for bq in queries}
    errors: list[str] = []
    warm = {"ours": [], "fts5": []}
    for bq in queries:
        try:
            ms, per_query[bq.label]["ours_total"] = _ours(archive, bq)
            warm["ours"].append(ms)
        except Exception as exc:           # a failing query is reported, not fatal
            errors.append(f"ours: {bq.label}: {type(exc).__name__}: {exc}")
        ms, per_query[bq.label]["fts5_total"] = _ref(ref, bq)
        warm["fts5"].append(ms)
    pass_s = (sum(warm["ours"]) + sum(warm["fts5"])) / 1000
    planned = rounds
    if budget_s and pass_s * rounds > budget_s:
        rounds = max(2, int(budget_s / pass_s))
        print(f"[bench]   a pass takes ~{pass_s:.0f} s: {rounds} rounds instead of {planned} "
              f"to stay within {budget_s:.0f} s", file=sys.stderr, flush=True)
    ours, theirs = [], []
    for r in range(rounds):
        started = time.perf_counter()
        for bq in queries:
            pair = [("ours", lambda bq=bq: _ours(archive, bq)), ("fts5", lambda bq=bq: _ref(ref, bq))]
            for name, fn in (pair if r % 2 == 0 else pair[::-1]):
                try:
                    ms, _ = fn()
                except Exception as exc:
                    errors.append(f"{name}: {bq.label}: {type(exc).__name__}: {exc}")
                    continue
                (ours if name == "ours" else theirs).append(ms)
                per_query[bq.label][f"{name}_ms"].append(round(ms, 2))
        print(f"[bench]   round {r + 1}/{rounds}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)

    empty = next((bq for bq in queries if bq.is_empty), BenchQuery(kind="empty", q="", fts=""))
    e_ours, e_ref = [], []
    for _ in range(empty_reps):
        e_ours.append(_ours(archive, empty)[0])
        e_ref.append(_ref(ref, empty)[0])
    return {
        "queries": len(queries), "rounds": rounds, "rounds_planned": planned,
        "ours": summary(ours), "fts5": summary(theirs),
        "empty_ours": summary(e_ours), "empty_fts5": summary(e_ref),
        "warmup_ms": {k: round(sum(v), 1) for k, v in warm.items()},
        "errors": errors[:20], "error_count": len(errors),
        "per_query": per_query,
    }
