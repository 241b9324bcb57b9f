"""Trickling clients and slow readers against `newsfacet serve` (issue 24.5, the server side).

The per-read client timeout alone let 20 connections that send one byte every few
seconds, or 20 clients reading `/export.jsonl` at 8 KB/s, hold every thread of both
workers for as long as they liked: `/healthz` timed out for the whole attack. Here
the server runs with short deadlines (environment variables, web/worker.py) so that
the attacks and their end fit in seconds: a request must arrive whole within
REQUEST_S, a response must be read at MIN_RATE after RESPONSE_S, and each worker
holds at most MAX_SLOW connections that wait on their client. Every socket here has
a timeout and every attacker stops when the test ends, so nothing can hang.
"""
from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import threading
import time

import pytest
from relfixtures import Server

from indexer.index.build import build_index

pytestmark = [pytest.mark.timeout(300)]

REQUEST_S, RESPONSE_S, MIN_RATE, SLOW_AFTER, MAX_SLOW = 3, 3, 64 * 1024, 0.5, 2
ATTACKERS = 20
PROBE_S = 10.0          # a generous bound: before the deadlines, /healthz did not answer at all
STORIES = 2000          # with a 4 KB source address each: an export of 8 MB, more than socket buffers hold


def write_stories(folder) -> None:
    folder.mkdir(parents=True)
    with open(folder / "stories.jsonl", "w", encoding="utf-8") as f:
        for n in range(STORIES):
            f.write(json.dumps({"id": f"s{n}", "date": f"2020-{n % 12 + 1:02d}-15", "title": f"Oil prices {n}",
                                "body": f"Oil prices moved in report {n}.",
                                "url": f"https://news.example/{'x' * 4000}/{n}"}) + "\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"NEWSFACET_REQUEST_DEADLINE": REQUEST_S, "NEWSFACET_RESPONSE_DEADLINE": RESPONSE_S,
           "NEWSFACET_MIN_SEND_RATE": MIN_RATE, "NEWSFACET_SLOW_AFTER": SLOW_AFTER, "NEWSFACET_MAX_SLOW": MAX_SLOW}
    base = tmp_path_factory.mktemp("trickle")
    write_stories(base / "docs")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    index_dir = base / "ix"
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: str(v) for k, v in env.items()})
    try:
        s = Server(index_dir, workers=2, log=tmp_path_factory.mktemp("serve") / "serve.log")
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    yield s
    s.stop()


def connect(port: int, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(PROBE_S)
    s.connect(("127.0.0.1", port))
    return s


def get(port: int, path: str = "/healthz") -> int:
    """The status of one GET on a fresh connection; raises socket.timeout past PROBE_S."""
    with connect(port) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def trickle(port: int, stop: threading.Event, gap: float = 1.0) -> None:
    """Send a request one byte every `gap` seconds; start again whenever the server hangs up."""
    raw = b"GET /api/search?q=oil HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"y" * 10_000
    while not stop.is_set():
        with contextlib.suppress(OSError), connect(port) as s:
            for i in range(len(raw)):
                s.sendall(raw[i:i + 1])
                if stop.wait(gap):
                    return


def read_slowly(port: int, stop: threading.Event, rate: int = 8 * 1024) -> None:
    """Ask for the whole export and read it at `rate` bytes a second; again when dropped."""
    while not stop.is_set():
        with contextlib.suppress(OSError), connect(port, rcvbuf=4096) as s:
            s.sendall(b"GET /export.jsonl?group=off HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            while not stop.is_set():
                if not s.recv(1024):
                    break
                if stop.wait(1024 / rate):
                    return


def probes_under(server, attack, path: str, warmup: float = 3.0, probes: int = 6) -> list[int]:
    stop = threading.Event()
    threads = [threading.Thread(target=attack, args=(server.port, stop), daemon=True) for _ in range(ATTACKERS)]
    for t in threads:
        t.start()
    try:
        stop.wait(warmup)             # let the attackers take the threads (not a timing assertion)
        statuses = []
        for _ in range(probes):
            try:
                statuses.append(get(server.port, path))
            except OSError as exc:          # no answer within PROBE_S
                statuses.append(repr(exc))
        return statuses
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)


@pytest.mark.parametrize("attack, path", [
    (trickle, "/healthz"), (read_slowly, "/healthz"), (trickle, "/api/search?q=oil+prices"),
    pytest.param(read_slowly, "/api/search?q=oil+prices", marks=pytest.mark.timing),
], ids=["trickling-healthz", "slow-readers-healthz", "trickling-search", "slow-readers-search"])
def test_attackers_do_not_stop_the_server_answering(server, attack, path):
    """/healthz has threads of its own; a search gets a thread because each worker holds at
    most MAX_SLOW slow connections and drops the rest. (A search under 20 slow export readers
    also waits for the CPU each new export costs before it is found slow: `timing` only.)"""
    pids = sorted(server.worker_pids())
    assert probes_under(server, attack, path) == [200] * 6
    assert sorted(server.worker_pids()) == pids


def closed_by_server(s: socket.socket) -> bool:
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        return s.recv(65536, socket.MSG_DONTWAIT) == b""
    except ConnectionResetError:
        return True


def test_a_trickled_request_is_closed_at_its_deadline(server):
    """One byte every half second never stalls a read for CLIENT_TIMEOUT; the whole request is bounded."""
    raw = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"y" * 100
    with connect(server.port) as s:
        started = time.monotonic()
        closed = False
        for i in range(len(raw)):            # 65 s of request
            try:
                s.sendall(raw[i:i + 1])
            except OSError:
                closed = True
            closed = closed or closed_by_server(s)
            if closed:
                break
            time.sleep(0.5)
        assert closed, "the server was still reading a request that had taken 65 s"
        assert time.monotonic() - started < REQUEST_S + 10


def test_a_slow_reader_is_dropped_before_the_end_of_its_export(server):
    """Read at 8 KB/s well past the response deadline (3 s + what was taken at 64 KB/s), then read
    on at full speed: what the server still had in its socket buffers arrives, then the end of a
    connection cut short, never the export's last chunk. (Reading the buffers at 8 KB/s to the
    end took 47 s of the suite.)"""
    slow_s = RESPONSE_S + 5
    with connect(server.port, rcvbuf=4096) as s:
        s.sendall(b"GET /export.jsonl?group=off HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 60:
            slow = time.monotonic() - started < slow_s
            try:
                chunk = s.recv(1024 if slow else 1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed = True
                break
            data += chunk
            if slow:
                time.sleep(1024 / (8 * 1024))
    assert data.startswith(b"HTTP/1.1 200")
    assert closed, "the connection of a reader that was at 8 KB/s for 8 s was still open after 60 s"
    assert not data.endswith(b"0\r\n\r\n"), "the slow reader got the whole export"


@pytest.mark.soak
@pytest.mark.timeout(600)
def test_both_attacks_for_minutes(server):
    """`make soak`: 20 trickling clients and 20 slow export readers at once for SOAK_S seconds;
    /healthz answers every probe, no worker dies, and the workers' memory stays bounded."""
    from relfixtures import rss_kb
    soak_s = float(os.environ.get("NEWSFACET_SOAK_SECONDS", "180"))
    pids = sorted(server.worker_pids())
    rss_before = sum(rss_kb(p) for p in pids)
    stop = threading.Event()
    threads = [threading.Thread(target=attack, args=(server.port, stop), daemon=True)
               for attack in (trickle, read_slowly) for _ in range(ATTACKERS)]
    for t in threads:
        t.start()
    failures, probes = [], 0
    try:
        end = time.monotonic() + soak_s
        while time.monotonic() < end:
            try:
                status = get(server.port)
            except OSError as exc:
                status = repr(exc)
            probes += 1
            if status != 200:
                failures.append(status)
            stop.wait(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert probes and not failures, (probes, failures[:10])
    assert sorted(server.worker_pids()) == pids
    assert sum(rss_kb(p) for p in pids) < rss_before * 1.5 + 64 * 1024
