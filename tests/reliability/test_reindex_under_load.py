"""Reindexing while clients search: no failed request, and no answer mixes two indexes.

`newsfacet serve` (gunicorn, 2 workers, loopback) serves version 1 of a corpus while
client threads search without pause; meanwhile an incremental run replaces it by
version 2 and a `--rebuild` by version 3. Every story of version v carries the word
`markv` and a date in year 2000+v, and the versions have different sizes, so one
response tells which index it came from: its total, its date facet and its hits
must all agree on exactly one version.
"""
from __future__ import annotations

import http.client
import json
import shutil
import threading
import time

import pytest
from relfixtures import Server, newsfacet, write_reuters

pytestmark = pytest.mark.corpus

SIZES = {1: 300, 2: 360, 3: 420}
CLIENTS = 4


def write_version(docs, v: int) -> None:
    shutil.rmtree(docs, ignore_errors=True)
    write_reuters(docs, SIZES[v], shards=3, marker=f"mark{v}", year=2000 + v)


def version_of(path: str, data: dict) -> int | None:
    """The one version this response is consistent with (None: a marker word of another
    version, found nowhere); AssertionError if it agrees with no single version."""
    years: dict[str, int] = {}
    for f in data["facets"]["date"]:        # by year, or by month when all are in one year
        years[f["value"][:4]] = years.get(f["value"][:4], 0) + f["count"]
    hit_years = {h["date"][:4] for h in data["hits"]}
    asked = int(path.split("q=mark")[1][0]) if "q=mark" in path else None
    if asked is not None and data["total"] == 0 and not years and not data["hits"]:
        return None
    for v, n in SIZES.items():
        year = str(2000 + v)
        if asked in (None, v) and data["total"] == n and years == {year: n} and hit_years <= {year}:
            return v
    raise AssertionError(f"{path}: answer from no single version: total {data['total']}, years {years}, "
                         f"hit years {hit_years}")


class Client(threading.Thread):
    PATHS = ["/api/search?per_page=20", "/api/search?q=mark{v}&per_page=20", "/api/search?sort=oldest&per_page=20",
             "/api/search?q=mark{v}&sort=newest&page=2"]

    def __init__(self, port: int, n: int):
        super().__init__(daemon=True)
        self.port, self.n = port, n
        self.stop = threading.Event()
        self.requests = 0
        self.failures: list[str] = []
        self.versions: list[tuple[float, int]] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = self.n
        while not self.stop.is_set():
            i += 1
            path = self.PATHS[i % len(self.PATHS)].format(v=1 + i % 3)
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                self.requests += 1
                if r.status != 200:
                    self.failures.append(f"{path}: {r.status} {body[:200]!r}")
                    continue
                v = version_of(path, json.loads(body))
                if v is not None:
                    self.versions.append((time.monotonic(), v))
            except AssertionError as e:
                self.failures.append(str(e))
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(f"{path}: {type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()


def _until(condition, seconds: float) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a bound, not a timing: no fixed sleep)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _seen(clients, version: int) -> bool:
    return any(v == version for c in clients for _, v in c.versions[-50:])


@pytest.mark.timeout(300)
def test_reindex_and_rebuild_under_load(tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_version(docs, 1)
    assert newsfacet("index", docs, "--index-dir", ix, "-q").returncode == 0
    server = Server(ix, workers=2, log=tmp_path / "serve.log")
    clients = [Client(server.port, n) for n in range(CLIENTS)]
    try:
        for c in clients:
            c.start()
        assert _until(lambda: sum(c.requests for c in clients) >= 20 and _seen(clients, 1), 60)
        write_version(docs, 2)                          # same ids, changed bodies and dates, more stories
        run = newsfacet("index", docs, "--index-dir", ix, "-q")
        assert run.returncode == 0, run.stderr
        assert _until(lambda: _seen(clients, 2), 60), "no worker picked up the incremental update"
        write_version(docs, 3)
        run = newsfacet("index", docs, "--index-dir", ix, "--rebuild", "-q")
        assert run.returncode == 0, run.stderr
        deadline = time.monotonic() + 20                # every worker picks the last one up
        while time.monotonic() < deadline:
            time.sleep(1)
            recent = [v for c in clients for t, v in c.versions[-8:]]
            if recent and set(recent) == {3}:
                break
    finally:
        for c in clients:
            c.stop.set()
        for c in clients:
            c.join(timeout=40)
        server.stop()
    failures = [f for c in clients for f in c.failures]
    served = sum(c.requests for c in clients)
    seen = {v for c in clients for _, v in c.versions}
    print(f"reindex under load: {served} requests, {len(failures)} failed, versions seen {sorted(seen)}")
    assert not failures, failures[:5]
    assert served > 50
    assert seen == {1, 2, 3}
    for c in clients:
        assert c.versions[-1][1] == 3
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in log
