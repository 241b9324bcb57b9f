"""HTTP latency, throughput and worker memory against `newsfacet serve` on loopback.

Why this shape: the issue asks what a small newsroom would see with the shipped
server (gunicorn, 2 threaded workers) under a bounded concurrent load. Eight client
threads with `http.client` keep both workers busy without the client becoming the
bottleneck (a request costs the client far less than the search costs a worker);
the run stops at a fixed number of requests or a time limit, whichever comes
first, so a slow build cannot make `make bench` run away. Errors are every non-200
and every exception (refused, reset, timed out).

The client shares the machine's two cores with the workers, so the figure is a
floor for what a separate client would measure; it is the same floor every run.

Memory is VmRSS from /proc of each worker (the master's children) right after the
load, when the facet tables and caches are as large as that query mix makes them.
"""
from __future__ import annotations

import http.client
import itertools
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .corpus import ROOT
from .queries import BenchQuery
from .stats import summary

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_command(index_dir: Path, port: int, workers: int) -> tuple[list[str], str]:
    """`newsfacet serve ...`; until that command exists, web.serve.serve() directly (labelled)."""
    exe = Path(sys.executable).with_name("newsfacet")
    args = ["--index-dir", str(index_dir), "--host", HOST, "--port", str(port), "--workers", str(workers)]
    probe = subprocess.run([str(exe), "serve", "--help"], capture_output=True, text=True)
    if probe.returncode == 0:
        return [str(exe), "serve", *args], "newsfacet serve"
    code = (f"from web.serve import serve; serve({str(index_dir)!r}, host={HOST!r}, port={port}, "
            f"workers={workers})")
    return [sys.executable, "-c", code], "web.serve.serve() (no `newsfacet serve` command yet)"


def _get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(x) for x in text.split()]
    except OSError:     # kernels without CONFIG_PROC_CHILDREN: scan every process's parent
        out = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    stat = (d / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d.name))
                except (OSError, ValueError, IndexError):
                    pass
        return out


def memory_mb(pid: int) -> dict:
    """VmRSS (the target's figure) and its parts: RssAnon is the worker's own memory,
    RssFile pages of mapped files (the index, shared with the page cache and the other
    worker), so the two tell a heap that grows from an index that is mapped."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"pid": pid, "rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM"),
            "anon_mb": fields.get("RssAnon"), "file_mb": fields.get("RssFile"), "shmem_mb": fields.get("RssShmem")}


class Server:
    """A `newsfacet serve` we started (and only that one is stopped, by its pid)."""

    def __init__(self, index_dir: Path, log_path: Path, workers: int = 2):
        self.port = _free_port()
        self.cmd, self.how = server_command(index_dir, self.port, workers)
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_ready(self, timeout: float) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                status, _ = _get(self.port, "/healthz", timeout=timeout)
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"no 200 from /healthz within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _took_ms(body: bytes) -> float | None:
    """`took_ms` of a search response: time in Archive.search, without queueing and HTTP."""
    try:
        return float(json.loads(body)["took_ms"])
    except (ValueError, KeyError, TypeError):
        return None


def _load(port: int, queries: list[BenchQuery], threads: int, max_requests: int, seconds: float) -> dict:
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    took: list[float] = []        # the search's own time, as the server reports it (took_ms)
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        while True:
            with lock:
                i = next(counter)
            if i >= max_requests or time.perf_counter() >= deadline:
                return
            path = queries[i % len(queries)].url()
            t0 = time.perf_counter()
            try:
                status, body = _get(port, path)
                ok = status == 200
                why = f"HTTP {status}: {path}"
            except Exception as exc:
                ok, why = False, f"{type(exc).__name__}: {exc}: {path}"
            ms = (time.perf_counter() - t0) * 1000
            server_ms = _took_ms(body) if ok else None
            with lock:
                if ok:
                    latencies.append(ms)
                    if server_ms is not None:
                        took.append(server_ms)
                else:
                    errors.append(why)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    done = len(latencies) + len(errors)
    return {"threads": threads, "requests": done, "ok": len(latencies), "errors": len(errors),
            "error_samples": errors[:10], "seconds": round(elapsed, 2),
            "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
            "latency": summary(latencies), "server_took": summary(took)}


def run(index_dir: Path, log_path: Path, queries: list[BenchQuery], *, workers: int = 2, threads: int = 8,
        max_requests: int = 3000, seconds: float = 20.0, ready_timeout: float = 300.0) -> dict:
    server = Server(index_dir, log_path, workers)
    try:
        ready_s = server.wait_ready(ready_timeout)
        print(f"[bench]   server up in {ready_s:.1f} s ({server.how}); warming both workers", file=sys.stderr, flush=True)
        warm = _load(server.port, queries, threads=workers, max_requests=len(queries) * workers, seconds=120)
        print(f"[bench]   load: {threads} threads, up to {max_requests} requests or {seconds:.0f} s",
              file=sys.stderr, flush=True)
        result = _load(server.port, queries, threads, max_requests, seconds)
        workers_mem = [memory_mb(pid) for pid in children(server.proc.pid)]
        return {"server": server.how, "workers": workers, "ready_s": round(ready_s, 2),
                "warmup": {"requests": warm["requests"], "errors": warm["errors"], "seconds": warm["seconds"]},
                **result, "worker_memory": workers_mem,
                "max_worker_rss_mb": max((w["rss_mb"] or 0 for w in workers_mem), default=None)}
    finally:
        server.stop()
