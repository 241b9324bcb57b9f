"""Two indexers at once, and `kill -9` in the middle of a run (incremental and --rebuild).

The run killed indexes a couple of thousand Reuters stories, so that it is killed
while its forked workers extract and write. `kill -9` goes to the indexer's own pid,
as a user or a cron supervisor would send it, not to its process group. Afterwards
the site keeps answering from the last good index, and the next `newsfacet index`
finishes with every story in the index exactly once.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pytest
from relfixtures import NEWSFACET, ROOT, children, index_ids, newsfacet, write_reuters

from indexer.index.build import build_index
from web.app import create_app

pytestmark = pytest.mark.corpus

FIRST = 200          # stories in the last good index
MORE = 2000          # stories the killed run adds


def start_indexer(docs, ix, log, *extra) -> subprocess.Popen:
    return subprocess.Popen(NEWSFACET + ["index", str(docs), "--index-dir", str(ix), "--procs", "2", *extra],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_for_workers(proc: subprocess.Popen, seconds: float = 60) -> list[int]:
    """The indexer's forked workers, once they exist (the run is then extracting and writing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the indexer finished before it could be killed"
        kids = children(proc.pid)
        if len(kids) >= 2:
            return kids
        time.sleep(0.05)
    raise AssertionError("the indexer never started its workers")


def cpu_seconds(pid: int) -> float:
    """The CPU time `pid` has used (user + system), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def working(proc: subprocess.Popen, workers: list[int], cpu: float = 0.5, seconds: float = 120) -> None:
    """Wait until every worker has done `cpu` seconds of work (extracting and writing its share):
    an event of the run, not a guess at the wall-clock time it takes on a machine, busy or not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before the kill; make it longer"
        if all(cpu_seconds(p) >= cpu for p in workers):
            return
        time.sleep(0.05)
    raise AssertionError(f"the indexer's workers did not work {cpu} s of CPU within {seconds} s")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "zombie" not in f.read()
    except OSError:
        return False


def gone(pids: list[int], seconds: float = 1.5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def killed_mid_run(docs, ix, log_path, *extra):
    """Start `newsfacet index`, let the body run while its workers write, wait until they have
    worked a while (`working`), then kill -9 it (still mid-run) and check that its workers died with it."""
    with open(log_path, "wb") as log:
        proc = start_indexer(docs, ix, log, *extra)
        try:
            workers = wait_for_workers(proc)
            yield proc
            working(proc, workers)
            assert proc.poll() is None, "the run ended before the kill; make it longer"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert gone(workers), "the killed indexer's workers went on running"


def total(client) -> int:
    r = client.get("/api/search", query_string={"per_page": 1})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["total"]


@pytest.fixture
def first_index(tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    first = write_reuters(docs / "first", FIRST, shards=2)
    build_index([docs], ix, procs=1, progress=False)
    more = write_reuters(docs / "more", MORE, shards=4, start=FIRST)
    return docs, ix, set(first), set(first) | set(more)


def check_after_kill(ix, open_client, good_gen: str, first: set[str]) -> None:
    """The site (a worker that was up, and one started now) still answers from the last good index."""
    assert total(open_client) == FIRST
    assert open_client.get("/healthz").get_json()["generation"] == good_gen
    fresh = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    assert total(fresh) == FIRST
    assert fresh.get("/api/search", query_string={"q": "oil"}).status_code == 200
    assert set(index_ids(ix)) == first


def check_next_run(docs, ix, everything: set[str]) -> None:
    run = newsfacet("index", docs, "--index-dir", ix, "--procs", 2, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    ids = index_ids(ix)
    assert set(ids) == everything
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1][:10]
    fresh = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    assert total(fresh) == len(everything)


@pytest.mark.timeout(300)
def test_second_indexer_stops_and_kill_9_mid_incremental_run(first_index, tmp_path):
    docs, ix, first, everything = first_index
    client = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    assert total(client) == FIRST
    good_gen = client.get("/healthz").get_json()["generation"]

    with killed_mid_run(docs, ix, tmp_path / "killed.log") as proc:
        # a second indexer meanwhile: stops at once, saying who holds the folder
        second = newsfacet("index", docs, "--index-dir", ix, timeout=60)
        assert second.returncode == 3, second.stdout + second.stderr
        assert f"another `newsfacet index` (pid {proc.pid})" in second.stderr
        assert "Traceback" not in second.stderr
        assert total(client) == FIRST
    check_after_kill(ix, client, good_gen, first)
    check_next_run(docs, ix, everything)


@pytest.mark.timeout(300)
def test_kill_9_mid_rebuild(first_index, tmp_path):
    docs, ix, first, everything = first_index
    client = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    good_gen = client.get("/healthz").get_json()["generation"]

    with killed_mid_run(docs, ix, tmp_path / "killed.log", "--rebuild"):
        pass
    check_after_kill(ix, client, good_gen, first)
    check_next_run(docs, ix, everything)
