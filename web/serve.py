"""`newsfacet serve`: the app under gunicorn, several worker processes.

Why gunicorn and several workers: searching is CPU-bound Python, so one process
serves one search at a time whatever its threads do. `preload_app` stays off so
that each worker imports the app itself and opens its own `Archive` (an open Whoosh
searcher must not be shared across a fork); each Archive picks up a reindex on its
own, so a reindex needs no restart.
"""
from __future__ import annotations

import os
from pathlib import Path

from gunicorn.app.base import BaseApplication

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2


class NewsFacetServer(BaseApplication):
    def __init__(self, index_dir: str, options: dict):
        self.index_dir = index_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        """Runs in each worker (preload_app is off): its own app, archive opened and warmed."""
        from .app import create_app
        from .archive import warm
        app = create_app({"INDEX_DIR": self.index_dir})
        warm(app)
        return app


def options(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = DEFAULT_WORKERS,
            **extra) -> dict:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": max(1, int(workers)),
        "worker_class": "sync",
        "preload_app": False,
        "timeout": 30,             # a search has a bounded cost; a stuck worker is replaced
        "graceful_timeout": 10,
        "max_requests": 0,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "newsfacet",
        "control_socket_disable": True,   # gunicorn >= 25: one shared ~/.gunicorn socket would clash between servers
        **extra,
    }


def serve(index_dir: str | os.PathLike | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          workers: int = DEFAULT_WORKERS, **extra) -> None:
    """Run the app under gunicorn until interrupted (blocks)."""
    from indexer.search import default_index_dir
    index_dir = str(Path(index_dir) if index_dir else default_index_dir())
    NewsFacetServer(index_dir, options(host, port, workers, **extra)).run()
