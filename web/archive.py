"""One `Archive` per worker process, opened on first use and kept.

Why: opening a Whoosh index and loading its facet tables costs far more than a
search, so (like the Flask tutorial's `db.py` owns its connection) this module owns
the archive: created lazily on the first request that needs it, stored on
`app.extensions`, and never reopened per request. The Archive itself notices when
a reindex lands and swaps its searcher, so nothing here watches the folder.

When there is no index yet, `IndexNotFound` propagates (the app turns it into a
503 that says to run `newsfacet index`) and the next request tries again.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from indexer import search

EXTENSION = "newsfacet.archive"
_lock = threading.Lock()


def get_archive() -> "search.Archive":
    app = current_app
    archive = app.extensions.get(EXTENSION)
    if archive is None:
        with _lock:
            archive = app.extensions.get(EXTENSION)
            if archive is None:
                archive = search.open_archive(app.config["INDEX_DIR"],      # Whoosh, or an engine's URL
                                              background=app.config.get("WARM_IN_BACKGROUND", True))
                app.extensions[EXTENSION] = archive
    return archive


def warm(app: Flask) -> bool:
    """Open the archive and count the whole archive's facets once, before the first visitor.

    Opening an index generation builds its facet tables (about a second on 20,000
    stories); a worker that does it on start spares its first visitor the wait.
    Returns False when that failed (no index yet, or a damaged one): the worker still
    starts, and its requests get the app's 503 page instead of no server.
    """
    with app.app_context():
        try:
            get_archive().search(search.SearchRequest())
        except (search.IndexNotFound, search.IndexDamaged) as exc:     # said plainly: no traceback
            app.logger.warning("could not warm the archive: %s", exc)
            return False
        except Exception:   # noqa: BLE001 - never let warming stop a worker from booting
            app.logger.warning("could not warm the archive at %s", app.config["INDEX_DIR"], exc_info=True)
            return False
    return True
