"""`create_app`: configuration, error pages, security headers.

Why here and not in the views: every response, the static files and the error
pages included, must carry the same security headers, and every failure must
become a page or a JSON error that says what happened without a traceback.
Errors under `/api/` and `/healthz` are JSON; everything else is an HTML page.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import bleach
from flask import Flask, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from indexer.search import QueryError
from indexer.search import ENV_INDEX, EngineError, IndexDamaged, IndexNotFound

from . import urls

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=os.environ.get(ENV_INDEX) or "index",
                            BASE_URL=os.environ.get(urls.ENV_BASE_URL) or "")
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["BASE_URL"]:
        app.config["BASE_URL"] = urls.check_base_url(app.config["BASE_URL"])
    if "://" not in str(app.config["INDEX_DIR"]):      # an engine URL (solr://) is kept as given
        app.config["INDEX_DIR"] = str(Path(app.config["INDEX_DIR"]))
    app.json.sort_keys = False
    app.url_map.merge_slashes = False       # story ids may hold "//" or start with "/"
    app.url_map.converters["docid"] = DocIdConverter
    app.jinja_env.filters["marked"] = marked
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from . import export, feeds, suggest, views
    app.register_blueprint(views.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(suggest.bp)

    app.after_request(_security_headers)
    app.register_error_handler(QueryError, _bad_request)
    app.register_error_handler(IndexNotFound, _no_index)
    app.register_error_handler(IndexDamaged, _damaged_index)
    app.register_error_handler(EngineError, _engine_down)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


class DocIdConverter(PathConverter):
    """A story id in a URL: any non-empty text, slashes included, even a leading one."""
    regex = ".+?"
    part_isolating = False       # werkzeug would infer True from a regex without "/"


_ONLY_TEXT_AND_MARK = re.compile(r"(?:[^<>]|<mark>|</mark>)*")


def marked(html: str | None) -> Markup:
    """Snippets and paragraphs from the public face (`query/highlight.py` makes them), which bleach has
    already reduced to <mark>.

    They are the only document-derived HTML a page shows, so they are checked again
    here: text with no angle brackets but bare <mark> and </mark> is passed as it is,
    anything else goes through bleach a second time, so one bug upstream cannot become
    an XSS. (Running bleach twice on every snippet cost 1 ms each, 10 ms a page.)
    """
    html = html or ""
    if _ONLY_TEXT_AND_MARK.fullmatch(html):
        return Markup(html)
    return Markup(bleach.clean(html, tags={"mark"}, attributes={}, strip=True))


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error(status: int, title: str, message: str, template: str = "error.html", **context):
    if wants_json():
        return jsonify({"error": message, **{k: v for k, v in context.items() if k == "param"}}), status
    return render_template(template, status=status, title=title, message=message, **context), status


def _bad_request(exc: QueryError):
    return _error(400, "Bad request", str(exc), param=exc.param)


def _no_index(exc: IndexNotFound):
    return _error(503, "No index yet",
                  f"There is no search index yet. Run `newsfacet index` to build it, then reload. ({exc})",
                  no_index=True)


def _damaged_index(exc: IndexDamaged):
    """503, not 500: the server is fine, the index folder is not; say what and how to recover."""
    log.error("damaged index: %s", exc)
    if wants_json():
        return jsonify({"status": "unavailable", "reason": "damaged index", "error": str(exc),
                        "recover": "newsfacet index --rebuild"}), 503
    return _error(503, "The search index is damaged",
                  f"The search index cannot be read: {exc}. Searching will work again once it is rebuilt.",
                  damaged=True)


def _engine_down(exc: EngineError):
    """503: the search engine (a SolrCloud of `--engine`) cannot be reached or refused; say which and why."""
    log.error("engine unavailable: %s", exc)
    return _error(503, "The search engine is unavailable", f"The search engine could not answer: {exc}")


def _http_error(exc: HTTPException):
    return _error(exc.code or 500, f"{exc.code} {exc.name}", exc.description or exc.name)


def _server_error(exc: Exception):
    log.exception("unhandled error on %s", request.path)
    return _error(500, "Something went wrong",
                  "The server could not answer this request. It has been logged; please try again.")
