"""Links that change one search parameter and keep every other one.

Why: the URL is the whole state of a search (a GET form, bookmarkable), so every
facet value, chip, sort option and page link is "this URL with one thing changed".
As in Datasette, each link is built here once, server-side, so the page works
without JavaScript and the JSON API can hand out the same ready-made links.

The parameters, their order, the page-reset and date rules are `SearchParams`'s
(`indexer/query/params.py`, the one owner); the search page builds its links from a
`SearchParams` (`params.toggle(...).href(base)`). The functions here are the same rules over
plain `list[tuple[str, str]]` parameter lists (ordered, repeatable), for the feed, the
suggestions and a story's way back.
"""
from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.datastructures import MultiDict

from indexer.search import SearchParams, parameters

FIND_PREFIX, SORT_PREFIX = parameters.FIND_PREFIX, parameters.SORT_PREFIX


def __getattr__(name: str):
    """SEARCH_PARAMS (the parameters a search URL may carry, in the order they are written out) and
    PANEL_PARAMS: `SearchParams`'s, as the facet registry has them now."""
    if name == "SEARCH_PARAMS":
        return parameters.PARAMS
    if name == "PANEL_PARAMS":
        return parameters.PANEL_PARAMS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

Params = list[tuple[str, str]]


DEFAULT_BASE_URL = "http://localhost"
ENV_BASE_URL = "NEWSFACET_BASE_URL"


def check_base_url(value: str) -> str:
    """`value` if it is an http(s) URL with a host and no query; a ValueError saying why if not."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"the base URL must look like https://news.example.org (got {value[:80]!r})")
    return value.strip().rstrip("/")


def external(path: str) -> str:
    """An absolute link to `path` on this site, from the configured base URL.

    Never from the request's Host header: a client chooses that, and feeds and exports
    are read elsewhere, so a forged Host would put its links into them.
    """
    return (current_app.config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/") + path


def search_params(args: MultiDict | Iterable[tuple[str, str]]) -> Params:
    """The known, non-empty search parameters of `args`, in a stable order."""
    return parameters.known_pairs(args)


def add(params: Params, name: str, value: str) -> Params:
    """Add one value of a repeatable filter: a facet's parameter (`FACETS`) or its `not_` exclusion."""
    return parameters.added(params, name, value)


def remove(params: Params, name: str, value: str | None = None) -> Params:
    """Remove one value of `name` (or all of them)."""
    return parameters.removed(params, name, value)


def replace(params: Params, name: str, value: str | None) -> Params:
    """Set a single-valued parameter (q, sort, page, date); None or "" removes it."""
    return parameters.replaced(params, name, value)


def toggle(params: Params, name: str, value: str) -> Params:
    """Select a facet value if it is not selected, else unselect it (an excluded value: include it)."""
    return parameters.toggled(params, name, value)


def toggle_exclude(params: Params, name: str, value: str) -> Params:
    """Leave a facet value out (Kibana's "filter out"), or stop leaving it out."""
    return parameters.toggled_exclude(params, name, value)


def href(params: Params | SearchParams, path: str = "/") -> str:
    """`path?query` for a parameter list or a `SearchParams`, in SEARCH_PARAMS order."""
    if isinstance(params, SearchParams):
        return params.href(path)
    query = parameters.query_string(params)
    return f"{path}?{query}" if query else path


def query_string(params: Params | SearchParams) -> str:
    return params.to_query() if isinstance(params, SearchParams) else parameters.query_string(params)
