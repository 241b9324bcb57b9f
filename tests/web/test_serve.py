"""`web.serve.serve`: gunicorn with several workers; a reindex is picked up without a restart."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from indexer.index.build import build_index
from web import serve as serve_mod

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def wait_up(url: str, proc, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read().decode(errors='replace')}")
        try:
            get(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_options_defaults():
    opts = serve_mod.options()
    assert opts["bind"] == "127.0.0.1:8000" and opts["workers"] == 2 and opts["preload_app"] is False
    assert serve_mod.options("::1", 9000, 0)["bind"] == "[::1]:9000"
    assert serve_mod.options(workers=0)["workers"] == 1


class Server:
    """`serve()` in a subprocess (its own session, so the whole gunicorn tree stops together)."""

    def __init__(self, index_dir: Path, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        code = ("from web.serve import serve; "
                f"serve({str(index_dir)!r}, host='127.0.0.1', port={self.port}, workers={workers})")
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_up(self.base + "/healthz", self.proc)

    def total(self, q: str) -> int:
        status, body, _ = get(f"{self.base}/api/search?q={q}")
        assert status == 200, body
        return json.loads(body)["total"]

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture
def served(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(" date 2020-01-02 PARIS, Jan 2 - The first gazelle story.\n")
    index_dir = tmp_path / "index"
    build_index([docs], index_dir, progress=False, procs=1)
    server = Server(index_dir)
    try:
        yield server, docs, index_dir
    finally:
        server.stop()


def test_gunicorn_serves_the_app(served):
    server, _, _ = served
    status, body, headers = get(server.base + "/?q=gazelle")
    assert status == 200 and b"<mark>gazelle</mark>" in body
    assert headers["Server"] == "gunicorn" and headers["X-Frame-Options"] == "DENY"
    assert server.total("gazelle") == 1
    assert get(server.base + "/?page=abc")[0] == 400
    assert get(server.base + "/api/doc/nope")[0] == 404


def _reindex_seen(server, docs, index_dir, gap: float) -> set[int]:
    (docs / "b.txt").write_text(" date 2020-01-03 PARIS, Jan 3 - A second gazelle story.\n")
    build_index([docs], index_dir, progress=False, procs=1)
    build_index([docs], index_dir, rebuild=True, progress=False, procs=1)
    deadline = time.monotonic() + 10
    totals: set[int] = set()
    while time.monotonic() < deadline:
        totals = {server.total("gazelle") for _ in range(6)}     # several, so that both workers answer
        if totals == {2}:
            break
        time.sleep(gap)
    return totals


def test_a_reindex_is_picked_up_without_a_restart(served):
    server, docs, index_dir = served
    assert server.total("gazelle") == 1
    assert _reindex_seen(server, docs, index_dir, gap=1.2) == {2}


def test_a_reindex_is_picked_up_under_steady_load(served):
    """Requests closer together than the refresh interval must not postpone the check forever."""
    server, docs, index_dir = served
    assert server.total("gazelle") == 1
    assert _reindex_seen(server, docs, index_dir, gap=0.3) == {2}


def test_newsfacet_serve_command(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(" date 2020-01-02 PARIS, Jan 2 - An antelope story.\n")
    build_index([docs], tmp_path / "index", progress=False, procs=1)
    port = free_port()
    exe = Path(sys.executable).parent / "newsfacet"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer.cli"]
    proc = subprocess.Popen(cmd + ["serve", "--index-dir", str(tmp_path / "index"), "--port", str(port),
                                   "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz", proc)
        status, body, _ = get(f"http://127.0.0.1:{port}/api/search?q=antelope")
        assert status == 200 and json.loads(body)["total"] == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        proc.stdout.close()


def test_warming_never_stops_a_worker(tmp_path, web_index):
    from web.app import create_app
    from web.archive import EXTENSION, warm
    assert warm(create_app({"INDEX_DIR": str(tmp_path / "none")})) is False
    broken = create_app({"INDEX_DIR": str(tmp_path)})
    broken.extensions[EXTENSION] = object()          # .search raises AttributeError
    assert warm(broken) is False
    assert warm(create_app({"INDEX_DIR": str(web_index)})) is True


@pytest.fixture
def busy_port():
    """A port some other program listens on (our own socket on 127.0.0.1, port chosen by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_check_port_names_a_busy_port_and_the_next_free_one(busy_port):
    with pytest.raises(serve_mod.CannotListen) as caught:
        serve_mod.check_port("127.0.0.1", busy_port)
    message = str(caught.value)
    assert message.startswith(f"port {busy_port} is in use; try --port ")
    suggested = int(message.rsplit(" ", 1)[1])
    assert suggested > busy_port
    serve_mod.check_port("127.0.0.1", free_port())        # a free port passes


@pytest.mark.parametrize("makelevel, hint", [(None, "--port "), ("1", "PORT=")])
def test_newsfacet_serve_on_a_busy_port_says_so_in_one_line(tmp_path, busy_port, makelevel, hint):
    """Not gunicorn's five "Connection in use" retries: one line, exit 2, before anything starts."""
    exe = Path(sys.executable).parent / "newsfacet"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer.cli"]
    env = {k: v for k, v in os.environ.items() if k != "MAKELEVEL"}
    if makelevel:
        env["MAKELEVEL"] = makelevel        # as `make run` runs it
    proc = subprocess.run(cmd + ["serve", "--index-dir", str(tmp_path / "index"), "--host", "127.0.0.1",
                                 "--port", str(busy_port), "--workers", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, start_new_session=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: port {busy_port} is in use; try {hint}")
    if makelevel:
        assert lines[0].endswith(" make run")
    assert "Connection in use" not in proc.stderr and "Traceback" not in proc.stderr


def test_healthz_does_not_wait_for_the_search_lock(app):
    """/healthz answers while another thread holds the archive's search lock (50 clients of a
    0.37 s query made it wait 8.8 s, issue 24.5): it reads only the live generation's figures."""
    import threading

    from web.archive import get_archive
    client = app.test_client()
    assert client.get("/healthz").status_code == 200       # the archive is open
    with app.app_context():
        archive = get_archive()
    answers = []
    worker = threading.Thread(target=lambda: answers.append(app.test_client().get("/healthz")), daemon=True)
    with archive.engine.lock:                   # a search in progress, for as long as the test likes
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), "/healthz waited for the search lock"
    assert answers[0].status_code == 200 and answers[0].get_json()["documents"] > 0


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
                    reason="mallopt is glibc's")
def test_a_worker_bounds_its_heaps_before_serving(monkeypatch):
    """Each worker (web/worker.py) lets its threads share ARENA_MAX heaps before it serves: with
    a heap per thread, a worker kept 329 MB of anonymous memory after the bench's load at 50x
    Reuters (157 MB with two). glibc accepts the setting, and init_process makes it first."""
    from gunicorn.workers.gthread import ThreadWorker

    from web import worker
    assert worker.bound_malloc() is True
    calls = []
    monkeypatch.setattr(worker, "bound_malloc", lambda: calls.append("heaps") or True)
    monkeypatch.setattr(worker, "configure", lambda threads: calls.append("configure"))
    monkeypatch.setattr(ThreadWorker, "init_process", lambda self: calls.append("serve"))
    fake = worker.SecureThreadWorker.__new__(worker.SecureThreadWorker)
    fake.cfg = type("Cfg", (), {"threads": 2})()
    worker.SecureThreadWorker.init_process(fake)
    assert calls[0] == "heaps" and calls[-1] == "serve"
