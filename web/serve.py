"""`newsfacet serve`: the app under gunicorn, several worker processes.

Why gunicorn and several workers: searching is CPU-bound Python, so one process
serves one search at a time whatever its threads do. Each worker still has a few
threads (`web/worker.py`: gunicorn's gthread worker with client timeouts), so that a
client that stalls mid-request or never reads its answer holds one thread for at most
`CLIENT_TIMEOUT` seconds a call (and whole-request and whole-response deadlines) instead of the whole process. `preload_app` stays off so
that each worker imports the app itself and opens its own `Archive` (an open Whoosh
searcher must not be shared across a fork); each Archive picks up a reindex on its
own, so a reindex needs no restart.
"""
from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from gunicorn.app.base import BaseApplication

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8        # connections a worker holds at once; searches still run one at a time


class NewsFacetServer(BaseApplication):
    def __init__(self, index_dir: str, options: dict, base_url: str = ""):
        self.index_dir = index_dir
        self.options = options
        self.base_url = base_url
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        """Runs in each worker (preload_app is off): its own app, archive opened and warmed."""
        from .app import create_app
        from .archive import warm
        app = create_app({"INDEX_DIR": self.index_dir, "BASE_URL": self.base_url})
        warm(app)
        return app


def options(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = DEFAULT_WORKERS,
            **extra) -> dict:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": max(1, int(workers)),
        "worker_class": "web.worker.SecureThreadWorker",
        "threads": DEFAULT_THREADS,
        "keepalive": 5,
        "preload_app": False,
        "timeout": 30,             # a search has a bounded cost (query budget); a stuck worker is replaced
        "graceful_timeout": 10,
        "max_requests": 0,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "newsfacet",
        "control_socket_disable": True,   # gunicorn >= 25: one shared ~/.gunicorn socket would clash between servers
        **extra,
    }


class CannotListen(Exception):
    """The address cannot be listened on; the message is one line a user can act on."""


def _can_bind(host: str, port: int) -> OSError | None:
    """Try to listen where gunicorn would (same SO_REUSEADDR), and let go at once: None if it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen(1)
        except OSError as exc:
            return exc
    return None


def check_port(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, hint: str = "--port {port}") -> None:
    """Raise CannotListen with one line when (host, port) is taken, before gunicorn starts.

    Why: gunicorn meets a busy port by printing "Connection in use" five times, a second
    apart, then exits 1; a newcomer running `make run` twice reads a wall of retries.
    `hint` is how the caller changes the port (`PORT={port} make run` from the Makefile);
    it names the next free port. A narrow race remains (someone binds between this check
    and gunicorn's own bind): gunicorn's retries then cover it as before.
    """
    problem = _can_bind(host, port)
    if problem is None:
        return
    if getattr(problem, "errno", None) == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + 50, 65536)) if _can_bind(host, p) is None), None)
        advice = f"; try {hint.format(port=free)}" if free else ""
        raise CannotListen(f"port {port} is in use{advice}")
    raise CannotListen(f"cannot listen on {host}:{port}: {getattr(problem, 'strerror', None) or problem}")


def base_url_for(host: str, port: int, base_url: str | None = None) -> str:
    """The site's address in feeds, exports and absolute links: `--base-url`, else where it listens.

    Never the request's Host header (a client sets that). Listening on every address
    (0.0.0.0, ::) names no host a reader could use: give `--base-url` then.
    """
    from .urls import ENV_BASE_URL, check_base_url
    given = base_url or os.environ.get(ENV_BASE_URL)
    if given:
        return check_base_url(given)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(index_dir: str | os.PathLike | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          workers: int = DEFAULT_WORKERS, base_url: str | None = None, **extra) -> None:
    """Run the app under gunicorn until interrupted (blocks)."""
    from indexer.search import default_index_dir
    index_dir = str(index_dir if index_dir and "://" in str(index_dir)       # an engine URL (solr://)
                    else Path(index_dir) if index_dir else default_index_dir())
    NewsFacetServer(index_dir, options(host, port, workers, **extra), base_url_for(host, port, base_url)).run()
