"""Helpers for the reliability tests: the real CLI, a real gunicorn server, corpora, root.

Imported by name from the test modules: they are helpers, not fixtures.

Running as root (CI does) makes `chmod 000` meaningless: root reads every file. The
tests that need an unreadable file therefore drop CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH: `without_dac()` for this thread (in-process calls), and
`drop_dac_on_exec` as a subprocess's `preexec_fn` (it leaves the bounding set, so the
command started runs without them).
"""
from __future__ import annotations

import contextlib
import ctypes
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
from corpora import built_once, corpus_records, needs_corpus  # noqa: E402

_EXE = Path(sys.executable).parent / "newsfacet"
NEWSFACET = [str(_EXE)] if _EXE.exists() else [sys.executable, "-m", "indexer.cli"]


# ---------------------------------------------------------------- root and unreadable files

_libc = ctypes.CDLL(None, use_errno=True)
_DAC_CAPS = (1, 2)                 # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
_PR_CAPBSET_DROP = 24
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


@contextlib.contextmanager
def without_dac():
    """This thread cannot bypass file permissions for the duration (a no-op unless root)."""
    if os.geteuid() != 0:
        yield
        return
    header, data = _CapHeader(_CAP_VERSION_3, 0), (_CapData * 2)()
    if _libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    saved = data[0].effective
    data[0].effective = saved & ~sum(1 << c for c in _DAC_CAPS)
    if _libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    try:
        yield
    finally:
        data[0].effective = saved
        _libc.capset(ctypes.byref(header), data)


def drop_dac_on_exec() -> None:
    """preexec_fn: the command started cannot bypass file permissions, even as root."""
    if os.geteuid() == 0:
        for cap in _DAC_CAPS:
            _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)


def newsfacet(*args, timeout: float = 120, unprivileged: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run the real `newsfacet` command; text output captured."""
    return subprocess.run(NEWSFACET + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True,
                          errors="replace", timeout=timeout,
                          preexec_fn=drop_dac_on_exec if unprivileged else None, **kw)


# ---------------------------------------------------------------- corpora

@needs_corpus
def write_reuters(folder: Path, n: int, shards: int = 4, marker: str = "", year: int | None = None,
                  start: int = 0) -> list[str]:
    """`n` Reuters stories as JSON Lines in `shards` files; returns their ids.

    `marker` is prepended to every body and `year` replaces every date, so that a
    test can tell which version of a corpus an answer came from.
    """
    folder.mkdir(parents=True, exist_ok=True)
    recs = list(corpus_records(start + n))[start:]
    ids = []
    size = -(-len(recs) // shards)
    for s in range(shards):
        with open(folder / f"shard-{s:02d}.jsonl", "w", encoding="utf-8") as f:
            for rec in recs[s * size:(s + 1) * size]:
                rec = dict(rec)
                if marker:
                    rec["body"] = f"{marker} {rec.get('body') or ''}"
                    rec["title"] = f"{rec.get('title') or ''} {marker}"
                if year:
                    rec["date"] = f"{year}-{(len(ids) % 12) + 1:02d}-15"
                f.write(json.dumps(rec) + "\n")
                ids.append(str(rec["id"]))
    return ids


def write_gz(path: Path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def index_ids(index_dir: Path) -> Counter:
    """Every live story id in the live generation, counted (Whoosh read directly)."""
    from indexer.index import store
    ix, _ = store.open_live(index_dir)
    with ix.searcher() as s:
        return Counter(f["id"] for f in s.all_stored_fields())


# ---------------------------------------------------------------- a real server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    """`newsfacet serve` (gunicorn) on loopback, in its own session so that it stops as a whole."""

    def __init__(self, index_dir: Path, workers: int = 2, log: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "wb") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            NEWSFACET + ["serve", "--index-dir", str(index_dir), "--host", "127.0.0.1",
                         "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers = workers
        self._wait_up()

    def _wait_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"newsfacet serve exited with {self.proc.returncode}")
            try:
                if http_get(self.base + "/healthz", timeout=5)[0] == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("newsfacet serve did not start")

    def master_pid(self) -> int:
        """`newsfacet serve` runs gunicorn's arbiter in its own process."""
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        return children(self.master_pid())

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


@needs_corpus
def reuters_index(tmp_path_factory, n: int = 2000) -> Path:
    """An index of the first `n` Reuters stories, built once per test run (every worker reads it)."""
    def build(base: Path) -> None:
        from indexer.index.build import build_index
        write_reuters(base / "docs", n)
        build_index([base / "docs"], base / "ix", progress=False)
    return built_once(tmp_path_factory, f"reuters-{n}", build) / "ix"
