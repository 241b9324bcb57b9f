"""Bytes changed in place (size, inode and header kept) are damage too (issue 24.9).

Truncated and deleted segments were caught (test_damaged_index.py); random bytes written
over a segment were not: `/healthz` said 200, searches were 500 "Block tag error", the
CLI printed a traceback, `stats` exited 0 and `index` wrote into the damaged index.
Checksums written at commit (indexer/index/checksums.py) now name the file: `newsfacet check`
exits 6, as do `stats`, `search` and `index`; a serving worker verifies each generation
in the background and answers 503, and a read that fails on damage is a 503, not a 500.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from relfixtures import Server, http_get, newsfacet, write_reuters

from indexer.index.build import build_index
from web.app import create_app

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def good_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("corrupt")
    write_reuters(base / "docs", 300, shards=2)
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base


@pytest.fixture
def index(good_index, tmp_path) -> tuple[Path, Path]:
    shutil.copytree(good_index / "ix", tmp_path / "ix", symlinks=True)
    return tmp_path / "ix", good_index / "docs"


def biggest_segment(index_dir: Path) -> Path:
    return max((index_dir / "current").resolve().glob("*.seg"), key=lambda p: p.stat().st_size)


def corrupt(path: Path, whole: bool) -> None:
    """Random bytes over the segment's contents (`whole`: all of it but the header and the
    directory of its sub-files, so every read of it fails) or over 4 KB in its middle.
    Written in place: the size, the inode and the directory stay as they were."""
    st = path.stat()
    with open(path, "r+b") as f:
        diroffset = int.from_bytes(f.read(8), "big", signed=True)
        start, length = (12, diroffset - 12) if whole else (diroffset // 2, 4096)
        f.seek(start)
        f.write(os.urandom(length))
    after = path.stat()
    assert (after.st_size, after.st_ino) == (st.st_size, st.st_ino)


def one_error_line(r, code: int = 6) -> str:
    assert r.returncode == code, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    return lines[0]


def test_check_says_a_sound_index_is_sound(index):
    index_dir, _ = index
    r = newsfacet("check", "--index-dir", index_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok: ") and "match their checksums" in r.stdout
    gen = (index_dir / "current").resolve()
    listed = json.loads((gen / "checksums.json").read_text())["files"]
    assert {p.name for p in gen.glob("*.seg")} <= set(listed) and any(n.endswith(".toc") for n in listed)


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "4KB"])
def test_the_cli_names_a_segment_whose_bytes_changed(index, whole):
    index_dir, docs = index
    seg = biggest_segment(index_dir)
    corrupt(seg, whole)
    line = one_error_line(newsfacet("check", "--index-dir", index_dir))
    assert seg.name in line and "checksum" in line and "newsfacet index --rebuild" in line
    line = one_error_line(newsfacet("stats", "--index-dir", index_dir))
    assert seg.name in line and "--rebuild" in line
    if whole:                        # every read of the segment fails: so does a search
        line = one_error_line(newsfacet("search", "oil", "--index-dir", index_dir))
        assert "--rebuild" in line
    before = sorted(p.name for p in seg.parent.iterdir())
    line = one_error_line(newsfacet("index", docs, "-q", "--index-dir", index_dir))
    assert seg.name in line and "newsfacet index --rebuild" in line
    assert sorted(p.name for p in seg.parent.iterdir()) == before, "index wrote into the damaged generation"
    r = newsfacet("index", docs, "-q", "--rebuild", "--index-dir", index_dir, timeout=180)
    assert r.returncode == 0, r.stderr
    assert newsfacet("check", "--index-dir", index_dir).returncode == 0


def test_a_failed_read_of_a_corrupt_index_is_a_503_on_every_route(index):
    """The archive is open (as in a worker) when the bytes change: the next reads fail inside
    Whoosh, which is named damage (checksums verified), not a 500."""
    index_dir, _ = index
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    hit = client.get("/api/search?q=oil").get_json()["hits"][0]["id"]
    corrupt(biggest_segment(index_dir), whole=True)
    for path in ("/api/search?q=sugar+exports", f"/api/doc/{hit}", "/?q=wheat+harvest", f"/doc/{hit}",
                 "/api/suggest?q=gra", "/healthz", "/api/search?q=oil"):
        r = client.get(path)
        assert r.status_code == 503, (path, r.status_code, r.get_data(as_text=True)[:300])
        text = r.get_data(as_text=True)
        assert "rebuild" in text and "Traceback" not in text


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "4KB"])
def test_a_server_says_503_for_a_corrupt_index(index, tmp_path, whole):
    index_dir, _ = index
    seg = biggest_segment(index_dir)
    corrupt(seg, whole)
    server = Server.__new__(Server)       # started by hand: its /healthz is not expected to say 200
    started = _start(server, index_dir, tmp_path / "serve.log")
    try:
        statuses = []
        deadline = time.monotonic() + 60          # the workers verify the generation in the background
        while time.monotonic() < deadline:
            statuses = [http_get(server.base + "/healthz")[0] for _ in range(4)]    # both workers
            if statuses == [503] * 4:
                break
            time.sleep(0.5)
        assert statuses == [503] * 4, statuses
        status, body = http_get(server.base + "/healthz")
        data = json.loads(body)
        assert data["reason"] == "damaged index" and seg.name in data["error"]
        assert http_get(server.base + "/api/search?q=oil")[0] == 503
    finally:
        started.stop()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in log and "SIGBUS" not in log


def idle(pids: list[int], seconds: float = 60) -> None:
    """Until the workers' CPU time stops moving (three looks in a row): a segment cut short
    while a chunk is being read can still end a worker (README, known limits); the test cuts
    it between two chunks, which is the window the per-chunk check closes."""
    last, still = None, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and still < 3:
        now = [sum(int(x) for x in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
               for pid in pids]
        still = still + 1 if now == last else 0
        last = now
        time.sleep(0.2)


def _start(server, index_dir: Path, log: Path):
    """`Server` without its wait for a 200 from /healthz: up when /healthz answers at all."""
    import subprocess

    from relfixtures import NEWSFACET, ROOT, free_port
    server.port = free_port()
    server.base = f"http://127.0.0.1:{server.port}"
    server.log = open(log, "wb")
    server.workers = 2
    server.proc = subprocess.Popen(
        NEWSFACET + ["serve", "--index-dir", str(index_dir), "--host", "127.0.0.1", "--port", str(server.port),
                     "--workers", "2"], cwd=ROOT, stdout=server.log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            http_get(server.base + "/healthz", timeout=5)
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError("newsfacet serve did not start")


def test_a_segment_cut_short_during_an_export_kills_no_worker(tmp_path):
    """The export checks the files before each chunk it reads: reading on into a memory-mapped
    segment cut short used to end the worker with SIGBUS (both, with two exports)."""
    import socket
    docs = tmp_path / "docs"
    docs.mkdir()
    with open(docs / "stories.jsonl", "w", encoding="utf-8") as f:
        for n in range(2000):          # 4 KB source addresses: an 8 MB export, far more than socket buffers
            f.write(json.dumps({"id": f"s{n}", "date": f"2020-{n % 12 + 1:02d}-15", "title": f"Oil prices {n}",
                                "body": f"Oil prices moved in report {n}.",
                                "url": f"https://news.example/{'x' * 4000}/{n}"}) + "\n")
    build_index([docs], tmp_path / "ix", progress=False, procs=1)
    server = Server(tmp_path / "ix", workers=2, log=tmp_path / "serve.log")
    try:
        pids = sorted(server.worker_pids())
        readers = []
        for _ in range(2):              # one export for each worker, most likely
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)     # small: the worker blocks mid-export
            s.sendall(b"GET /export.jsonl?group=off HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
            readers.append(s)
        idle(pids)                     # both exports wait on their readers (between two chunks)
        for seg in (tmp_path / "ix" / "current").resolve().glob("*.seg"):
            os.truncate(seg, 4096)
        for s in readers:              # read on: the servers read the next chunks of a cut segment
            with s:
                received = 0
                while received < 20_000_000:
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        break
                    if not chunk:
                        break
                    received += len(chunk)
                assert not chunk or received < 20_000_000
        for _ in range(4):
            status, body = http_get(server.base + "/healthz")
            assert status == 503 and json.loads(body)["reason"] == "damaged index"
        assert sorted(server.worker_pids()) == pids, "a worker died"
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    # gunicorn names a worker that died ("Worker (pid:N) was sent SIGBUS!", "... exited with code");
    # the SIGTERM of server.stop() above is the only one allowed
    deaths = [line for line in log.splitlines() if "SIGBUS" in line or ("Worker (pid" in line and "SIGTERM" not in line)]
    assert not deaths, log[-3000:]


_READ_A_CUT_SEGMENT = """
import glob, os, sys
from indexer.search import Archive
archive = Archive(sys.argv[1])
live = archive.current_generation()           # open, as a worker is, before the file is cut
for seg in glob.glob(os.path.join(sys.argv[1], "current", "*.seg")):
    os.truncate(seg, 4096)
try:                                       # past every size check: the reader itself
    for docnum in range(live.searcher.doc_count_all()):
        live.searcher.stored_fields(docnum)
except Exception as exc:
    print("error", type(exc).__name__)
"""


@pytest.mark.parametrize("mode, expected", [("pread", 0), ("mmap", -7)])
def test_reading_a_segment_cut_short(index, mode, expected):
    """With pread (the default) a read past the end of a segment cut short is an error;
    with NEWSFACET_SEGMENT_READS=mmap it is SIGBUS, which is why the query side also checks
    sizes before each request and each export chunk (the window left is one read)."""
    import subprocess
    import sys
    index_dir, _ = index
    r = subprocess.run([sys.executable, "-c", _READ_A_CUT_SEGMENT, str(index_dir)], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "NEWSFACET_SEGMENT_READS": mode},
                       cwd=Path(__file__).resolve().parent.parent.parent)
    assert r.returncode == expected, (r.returncode, r.stdout, r.stderr[-2000:])
    if mode == "pread":
        assert r.stdout.startswith("error"), r.stdout
