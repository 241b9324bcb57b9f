"""`make soak`: a bounded load run on loopback against `newsfacet serve` (gunicorn, 2 workers).

CLIENTS threads (stdlib http.client, keep-alive) send a mix of searches (words,
phrases, prefixes, facets, dates, sorts, pages), story pages and a few bad requests
for SOAK_SECONDS. It reports requests served, errors (a 5xx, a dropped connection,
or a status the request should not get; must be 0), p50/p95/p99 latency and the
workers' resident memory (VmRSS from /proc) after warm-up and at the end; growth
must stay under RSS_GROWTH_BOUND. The figures are printed and written to
soak-report.json (or $NEWSFACET_SOAK_REPORT).

Sizes: NEWSFACET_SOAK_SECONDS (default 180), NEWSFACET_SOAK_CLIENTS (8),
NEWSFACET_SOAK_STORIES (5000 Reuters stories).
"""
from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
from pathlib import Path

import pytest
from relfixtures import ROOT, Server, rss_kb, write_reuters

from indexer.index.build import build_index

pytestmark = [pytest.mark.soak, pytest.mark.corpus]

SECONDS = float(os.environ.get("NEWSFACET_SOAK_SECONDS", 180))
CLIENTS = int(os.environ.get("NEWSFACET_SOAK_CLIENTS", 8))
STORIES = int(os.environ.get("NEWSFACET_SOAK_STORIES", 5000))
RSS_GROWTH_BOUND = 0.5          # end RSS of a worker at most 1.5x its RSS after warm-up
RSS_GROWTH_FLOOR_MB = 32        # ... or 32 MB more, whichever is larger
REPORT = Path(os.environ.get("NEWSFACET_SOAK_REPORT", ROOT / "soak-report.json"))

WORDS = ["oil", "coffee", "prices", "bank", "trade", "export*", "dollar", "grain", "wheat", "opec",
         '"interest rates"', "gold OR silver", "sugar -brazil", "title:merger", "org:imf", "country:japan",
         "stocks", "shares", "profit", "tonnes", "crude", "(oil OR gas) AND prices", "cofee", "yen"]
FILTERS = ["", "&country=US", "&country=JP&country=GB", "&org=OPEC", "&date=1987", "&from=1987-03-01&to=1987-03-31",
           "&sort=newest", "&sort=oldest", "&page=2", "&page=5&per_page=20", "&region=Western+Europe"]
BAD = ["/?page=abc", "/api/search?from=1987-02-30", "/api/search?q=" + "x" * 1200, "/api/search?per_page=1000"]


class Load(threading.Thread):
    def __init__(self, port: int, seed: int, until: float, ids: list[str]):
        super().__init__(daemon=True)
        self.port, self.until, self.ids = port, until, ids
        self.rnd = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def pick(self) -> tuple[str, set[int]]:
        r = self.rnd.random()
        if r < 0.05:
            return self.rnd.choice(BAD), {400}
        if r < 0.2:
            doc = self.rnd.choice(self.ids)
            return self.rnd.choice(["/doc/", "/api/doc/"]) + doc + "?q=oil", {200}
        path = self.rnd.choice(["/", "/api/search"])
        q = self.rnd.choice(WORDS + [""])
        from urllib.parse import quote
        return f"{path}?q={quote(q)}{self.rnd.choice(FILTERS)}", {200}

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.until:
            path, ok = self.pick()
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                if r.status not in ok:
                    self.errors.append(f"{path[:100]}: {r.status}")
            except (OSError, http.client.HTTPException) as e:
                self.errors.append(f"{path[:100]}: {type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.latencies.append(time.perf_counter() - started)
        conn.close()


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0


@pytest.mark.timeout(SECONDS + 900)
def test_soak(tmp_path):
    ids = write_reuters(tmp_path / "docs", STORIES)
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False)
    server = Server(tmp_path / "ix", workers=2, log=tmp_path / "serve.log")
    try:
        warm = Load(server.port, 0, time.monotonic() + 10, ids)     # every worker past its first requests
        warm.run()
        workers = server.worker_pids()
        rss_start = {pid: rss_kb(pid) for pid in workers}
        started = time.monotonic()
        clients = [Load(server.port, n + 1, started + SECONDS, ids) for n in range(CLIENTS)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=SECONDS + 60)
        elapsed = time.monotonic() - started
        assert server.worker_pids() == workers, "a worker was replaced during the run"
        rss_end = {pid: rss_kb(pid) for pid in workers}
    finally:
        server.stop()
    latencies = [x for c in clients for x in c.latencies]
    errors = [e for c in clients for e in c.errors] + warm.errors
    report = {
        "seconds": round(elapsed, 1), "clients": CLIENTS, "workers": len(workers), "stories": len(ids),
        "requests": len(latencies), "requests_per_s": round(len(latencies) / elapsed, 1),
        "errors": len(errors), "error_samples": errors[:10],
        "latency_ms": {p: round(percentile(latencies, q) * 1000, 1)
                       for p, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
        "worker_rss_mb": {"start": [round(rss_start[p] / 1024, 1) for p in workers],
                          "end": [round(rss_end[p] / 1024, 1) for p in workers]},
        "rss_growth_bound": f"end <= max(start x {1 + RSS_GROWTH_BOUND}, start + {RSS_GROWTH_FLOOR_MB} MB)",
    }
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print("\nsoak:", json.dumps(report, indent=2))
    assert not errors, errors[:10]
    assert len(latencies) > 100
    for pid in workers:
        bound = max(rss_start[pid] * (1 + RSS_GROWTH_BOUND), rss_start[pid] + RSS_GROWTH_FLOOR_MB * 1024)
        assert rss_end[pid] <= bound, (pid, rss_start[pid], rss_end[pid])
