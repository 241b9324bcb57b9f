"""`make bench` / `python -m tests.bench`: the benchmark of issue 5, side by side with SQLite FTS5.

For each scale (1x = Reuters-21578, 10x = ten renamed copies, 215,780 stories):
index the corpus with `build_index` (timed end to end), load the same stories and
facet values into an FTS5 database, run the fixed query mix in process on both
(interleaved), time the first search of a fresh process on both, then load
`newsfacet serve` (2 workers) over HTTP and read the workers' memory. Prints a
Markdown table on stdout (progress goes to stderr) and writes the figures as JSON
to $BENCH_REPORT (default bench-report.json).

Working files (corpus copies, indexes, the FTS5 databases, the server log) live in
$BENCH_DIR (default .bench/ in the repository). `--reuse` keeps an index built by an
earlier run for the same corpus instead of rebuilding it; the indexing figures are
then the earlier run's, and marked so.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from . import corpus, first_search, fts5, hostile, http_load, indexing, inproc, open_cost, pages, queries, report
from .report import log

FULL = {"rounds": 5, "empty_reps": 30, "first_reps": 3, "http_seconds": 20.0, "http_requests": 3000}
QUICK = {"rounds": 2, "empty_reps": 10, "first_reps": 1, "http_seconds": 8.0, "http_requests": 400}
BUDGET_S = 15 * 60


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default=None, help="comma-separated copies of the corpus [default: 1,10; --quick: 1]")
    ap.add_argument("--quick", action="store_true", help="1x only, fewer rounds and a shorter HTTP load")
    ap.add_argument("--reuse", action="store_true", help="keep indexes an earlier run built from the same corpus")
    ap.add_argument("--rounds", type=int, default=None, help="timed rounds over the query mix")
    ap.add_argument("--inproc-budget", type=float, default=180.0,
                    help="seconds for the timed in-process rounds per scale (fewer rounds if needed, at least 2)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP load")
    ap.add_argument("--no-pages", action="store_true", help="skip indexing the saved web pages")
    ap.add_argument("--solr", default=None, metavar="URL",
                    help="the SolrCloud engine's cluster [default: the one `make cluster` runs; none: skipped]")
    ap.add_argument("--no-solr", action="store_true", help="skip the SolrCloud engine")
    ap.add_argument("--solr-only", action="store_true", help="only the SolrCloud engine (its rows of the report)")
    ap.add_argument("--http-seconds", type=float, default=None)
    ap.add_argument("--http-requests", type=int, default=None)
    ap.add_argument("--threads", type=int, default=8, help="HTTP client threads")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target of the issue fails")
    ap.add_argument("--bench-dir", type=Path, default=Path(os.environ.get("BENCH_DIR") or corpus.ROOT / ".bench"))
    ap.add_argument("--report", type=Path, default=Path(os.environ.get("BENCH_REPORT") or "bench-report.json"))
    args = ap.parse_args(argv)
    preset = QUICK if args.quick else FULL
    args.scales = [int(s) for s in (args.scale or ("1" if args.quick else "1,10")).split(",") if s.strip()]
    args.rounds = args.rounds or preset["rounds"]
    args.http_seconds = args.http_seconds or preset["http_seconds"]
    args.http_requests = args.http_requests or preset["http_requests"]
    args.empty_reps, args.first_reps = preset["empty_reps"], preset["first_reps"]
    return args


def check_filters(db: Path, mix: list[queries.BenchQuery]) -> list[str]:
    """Filter values of the query mix that no story carries (a renamed facet value would
    silently turn a filtered query into one that finds nothing)."""
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    known = set(con.execute("SELECT DISTINCT facet, value FROM tags WHERE facet IN ('org', 'country')"))
    con.close()
    missing = {f"{facet}={v}" for bq in mix for facet, values in (("org", bq.org), ("country", bq.country))
               for v in values if (facet, v) not in known}
    return sorted(missing)


def bench_scale(scale: int, args, mix, rep: dict, expected_rate: float | None) -> dict:
    out: dict = {}
    rep["scales"][str(scale)] = out
    src = corpus.source_path()
    folder, stories = corpus.corpus_dir(args.bench_dir, scale, src)
    ix_dir = args.bench_dir / f"index-x{scale}"
    expected = stories / expected_rate if expected_rate else None
    if args.solr_only:                 # the SolrCloud rows alone (issue 23)
        bench_solr(scale, args, mix, folder, out)
        report.write(rep, args.report)
        return {"index": {"reused": True}, **out}
    log(f"{scale}x: indexing {stories:,} stories"
        + (f" (~{expected:.0f} s at the 1x rate)" if expected else ""))
    out["index"] = indexing.build(folder, ix_dir, {**corpus.source_key(src), "scale": scale},
                                  reuse=args.reuse, expected_s=expected, code=rep["code"])
    log(f"{scale}x: indexed {out['index']['documents']:,} in {out['index']['seconds']} s "
        f"({out['index']['stories_per_s']} stories/s), {out['index']['bytes'] / 1e6:.0f} MB")

    db = args.bench_dir / f"fts5-x{scale}.db"
    log(f"{scale}x: loading FTS5 from the index's stored fields")
    out["fts5_build"] = fts5.build(ix_dir, db)
    log(f"{scale}x: FTS5 loaded in {out['fts5_build']['seconds']} s, {out['fts5_build']['bytes'] / 1e6:.0f} MB")
    out["missing_filter_values"] = check_filters(db, mix)
    if out["missing_filter_values"]:
        log(f"{scale}x: WARNING no story carries {', '.join(out['missing_filter_values'])} (fix queries.json)")

    log(f"{scale}x: in-process search, {len(mix)} queries x {args.rounds} rounds, both engines")
    from indexer.search import Archive
    t0 = time.perf_counter()
    archive, ref = Archive(ix_dir), fts5.Fts5(db)
    archive.generation          # opens the index and builds the facet tables (not a search)
    open_ms = round((time.perf_counter() - t0) * 1000, 1)
    try:
        out["inproc"] = inproc.run(archive, ref, mix, args.rounds, args.empty_reps, budget_s=args.inproc_budget)
    finally:
        archive.close()
        ref.close()
        del archive, ref
        gc.collect()
    ip = out["inproc"]
    ip["open_ms"] = open_ms

    log(f"{scale}x: hostile mix ({len(hostile.mix())} requests x {args.rounds} rounds) and the first search "
        "after a reindex")
    archive = Archive(ix_dir)
    try:
        out["hostile"] = hostile.run(archive, rounds=args.rounds)
    finally:
        archive.close()
    out["after_reindex"] = hostile.first_after_reindex(ix_dir, [bq.params() for bq in mix if bq.q][:32])
    h, ar = out["hostile"], out["after_reindex"]
    log(f"{scale}x: hostile p50 {h['median_ms']} ms, p99 {h['p99_ms']} ms, max {h['max_ms']} ms; "
        f"first search after a reindex {ar['first_ms']} ms (slowest while warming {ar['max_while_warming_ms']} ms)")
    log(f"{scale}x: search median {ip['ours']['median_ms']} ms (FTS5 {ip['fts5']['median_ms']}), "
        f"p95 {ip['ours']['p95_ms']} ms (FTS5 {ip['fts5']['p95_ms']}); "
        f"empty {ip['empty_ours']['median_ms']} ms (FTS5 {ip['empty_fts5']['median_ms']})")
    report.write(rep, args.report)

    log(f"{scale}x: first search after start ({args.first_reps} fresh processes each)")
    out["first_search"] = {"ours": first_search.run("ours", ix_dir, reps=args.first_reps),
                           "fts5": first_search.run("fts5", db, reps=args.first_reps)}
    fs = out["first_search"]
    log(f"{scale}x: first search {fs['ours']['first_ms']} ms (+{fs['ours']['import_ms']} ms imports), "
        f"FTS5 {fs['fts5']['first_ms']} ms")
    report.write(rep, args.report)

    log(f"{scale}x: opening the index in a fresh process: tables mapped, then computed as before (issue 20)")
    out["open"] = {"mapped": open_cost.run(ix_dir, reps=args.first_reps),
                   "computed": open_cost.run(ix_dir, reps=1, computed=True)}
    op = out["open"]
    log(f"{scale}x: open + front page + first search, CPU {op['mapped']['open_cpu_ms']} + {op['mapped']['first_cpu_ms']} ms "
        f"(computed: {op['computed']['open_cpu_ms']} + {op['computed']['first_cpu_ms']} ms); anonymous "
        f"{op['mapped']['anon_mb']} MB, file-backed {op['mapped']['file_mb']} MB")
    report.write(rep, args.report)

    if not args.no_http:
        log(f"{scale}x: HTTP against newsfacet serve")
        try:
            out["http"] = http_load.run(ix_dir, args.bench_dir / f"serve-x{scale}.log", mix,
                                        threads=args.threads, max_requests=args.http_requests,
                                        seconds=args.http_seconds)
            h = out["http"]
            log(f"{scale}x: HTTP {h['requests_per_s']} req/s, {h['errors']} errors of {h['requests']}, "
                f"worker RSS {[w['rss_mb'] for w in h['worker_memory']]} MB "
                f"(anon {[w['anon_mb'] for w in h['worker_memory']]})")
        except Exception as exc:       # the rest of the report still stands
            out["http"] = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"{scale}x: HTTP failed: {exc}")
    report.write(rep, args.report)
    if not args.no_solr:
        bench_solr(scale, args, mix, folder, out)
        report.write(rep, args.report)
    return out


def bench_solr(scale: int, args, mix, folder: Path, out: dict) -> None:
    """Issue 23: the same corpus and query mix on SolrCloud (tests/bench/solr.py)."""
    from . import solr
    url = solr.engine_url(args.solr)
    if url is None:
        out["solr"] = {"skipped": "no SolrCloud running (make cluster, or --solr URL)"}
        return
    log(f"{scale}x: SolrCloud at {url}: indexing and the query mix")
    try:
        out["solr"] = s = solr.run(url, scale, folder, mix, max(2, args.rounds // 2))
        log(f"{scale}x: SolrCloud {s['stories_per_s']} stories/s ({s['seconds']} s, groups {s['group_seconds']} s), "
            f"search p50 {s['search']['median_ms']} ms, p95 {s['search']['p95_ms']} ms, "
            f"{s['index_bytes'] / 1e6:.0f} MB (2 shards x 2 replicas)")
    except Exception as exc:   # the rest of the report still stands
        out["solr"] = {"error": f"{type(exc).__name__}: {exc}"}
        log(f"{scale}x: SolrCloud failed: {exc}")


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.bench_dir.mkdir(parents=True, exist_ok=True)
    mix = queries.load()
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    rep = report.new_report(options)
    log(report.header(rep))
    log(f"scales {args.scales}, {len(mix)} queries, working files in {args.bench_dir}/, report to {args.report}")
    rate = None
    for scale in args.scales:
        t0 = time.perf_counter()
        figures = bench_scale(scale, args, mix, rep, rate)
        if not figures["index"].get("reused"):
            rate = figures["index"]["stories_per_s"]
        log(f"{scale}x done in {time.perf_counter() - t0:.0f} s")
    if not args.no_pages and not args.solr_only:
        log("saved web pages: newsfacet index (trafilatura)")
        rep["pages"] = pages.run(args.bench_dir)
        log(f"pages: {rep['pages']}")
    rep["seconds"] = round(time.perf_counter() - started, 1)
    report.write(rep, args.report)
    print(report.header(rep))
    print()
    print(report.table(rep))
    if rep.get("pages", {}).get("pages_per_s") is not None:
        p = rep["pages"]
        print(f"\nsaved web pages through `newsfacet index`: {p['pages']} pages in {p['seconds']} s, "
              f"{p['pages_per_s']} pages/s (target >= {p['target_pages_per_s']}: {'pass' if p['pass'] else 'FAIL'}); "
              f"{p['cpu_seconds']} CPU s, {p['idle_estimate_pages_per_s']} pages/s on {p['cores']} idle cores "
              f"(load average {p['load_average']:.1f})")
    print(f"\n{rep['seconds']:.0f} s in all (budget {BUDGET_S} s); figures in {args.report}")
    failed = [t["target"] for t in rep["targets"] if t["pass"] is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
