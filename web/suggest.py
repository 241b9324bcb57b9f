"""`GET /api/suggest?q=...`: words and facet values that complete what is typed.

The search box asks this as you type (`static/suggest.js`); the page works without
it. Each suggestion carries the query text after choosing it (`q`), for a facet value
the filter it adds (`param`, `value`), and a ready-made search `url`.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request, url_for

from indexer.search import MAX_QUERY_CHARS, QueryError

from . import urls
from .archive import get_archive

bp = Blueprint("suggest", __name__)
MAX_LIMIT = 20


@bp.get("/api/suggest")
def api_suggest():
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(q):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "q")
    try:
        limit = max(1, min(MAX_LIMIT, int(request.args.get("limit", "8"))))
    except ValueError:
        raise QueryError("'limit' must be a whole number", "limit") from None
    out = []
    for s in get_archive().suggest(q, limit):
        item = asdict(s)
        params = [("q", s.q)] + ([(s.param, s.value)] if s.param else [])
        item["url"] = urls.href(params, url_for("views.search_page"))
        if not s.param:
            del item["param"], item["value"]
        out.append(item)
    resp = jsonify({"q": q, "suggestions": out})
    resp.headers["Cache-Control"] = "private, max-age=60"
    return resp
