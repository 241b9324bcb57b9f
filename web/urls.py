"""Links that change one search parameter and keep every other one.

Why: the URL is the whole state of a search (a GET form, bookmarkable), so every
facet value, chip, sort option and page link is "this URL with one thing changed".
As in Datasette, each link is built here once, server-side, so the page works
without JavaScript and the JSON API can hand out the same ready-made links.

All functions take and return plain `list[tuple[str, str]]` parameter lists
(ordered, repeatable), built from `request.args`.
"""
from __future__ import annotations

from typing import Iterable
from urllib.parse import urlencode, urlsplit

from flask import current_app
from werkzeug.datastructures import MultiDict

from indexer.search import DATE, EXCLUDE_PREFIX, FACETS

# How the panel shows one facet (not which stories match): `find_org=bank` keeps the values whose
# name holds "bank", `sort_org=name` lists them A-Z.
FIND_PREFIX, SORT_PREFIX = "find_", "sort_"


@FACETS.derived
def panel_params() -> tuple[str, ...]:
    return tuple(p + f.param for f in FACETS for p in (FIND_PREFIX, SORT_PREFIX))


@FACETS.derived
def search_param_names() -> tuple[str, ...]:
    """The parameters a search URL may carry, in the order they are written out (the registry's
    facets, the date facet's, each kinded facet's `kind_<param>` and older names)."""
    return ("q", *(f.param for f in FACETS), *(EXCLUDE_PREFIX + f.param for f in FACETS), "match",
            *DATE.params, *(p for f in FACETS.kinded() for p in f.kind_params),
            "sort", "group", "correct", "page", "per_page", *panel_params())


@FACETS.derived
def _order() -> dict[str, int]:
    return {name: i for i, name in enumerate(search_param_names())}


@FACETS.derived
def _resets_page() -> frozenset[str]:
    """Changing any of these makes a new result list, so the page number no longer applies."""
    return frozenset(search_param_names()) - {"page", *panel_params()}


_EXCLUSIVE = DATE.exclusive      # a date facet value replaces an explicit range and the other way round


def __getattr__(name: str):
    """SEARCH_PARAMS and PANEL_PARAMS: the names as the facet registry has them now."""
    if name == "SEARCH_PARAMS":
        return search_param_names()
    if name == "PANEL_PARAMS":
        return panel_params()
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
    items = args.items(multi=True) if isinstance(args, MultiDict) else list(args)
    order = _order()
    items = [(k, v) for k, v in items if k in order and v not in ("", None)]
    return sorted(items, key=lambda kv: order[kv[0]])


def _drop(params: Params, name: str, value: str | None = None) -> Params:
    return [(k, v) for k, v in params if not (k == name and (value is None or v == value))]


def _tidy(params: Params, changed: str) -> Params:
    if changed in _resets_page():
        params = _drop(params, "page")
    for other in _EXCLUSIVE.get(changed, ()):
        params = _drop(params, other)
    return params


def add(params: Params, name: str, value: str) -> Params:
    """Add one value of a repeatable filter (org, country, region, language)."""
    if (name, value) in params:
        return list(params)
    return _tidy(params, name) + [(name, value)]


def remove(params: Params, name: str, value: str | None = None) -> Params:
    """Remove one value of `name` (or all of them)."""
    return _tidy(_drop(params, name, value), name)


def replace(params: Params, name: str, value: str | None) -> Params:
    """Set a single-valued parameter (q, sort, page, date); None or "" removes it."""
    out = _drop(params, name)
    if name != "page":
        out = _tidy(out, name)
    if value not in (None, ""):
        out.append((name, str(value)))
    return out


def toggle(params: Params, name: str, value: str) -> Params:
    """Select a facet value if it is not selected, else unselect it (an excluded value: include it)."""
    if name == "date":
        return replace(params, "date", None if ("date", value) in params else value)
    if (EXCLUDE_PREFIX + name, value) in params:
        return add(remove(params, EXCLUDE_PREFIX + name, value), name, value)
    return remove(params, name, value) if (name, value) in params else add(params, name, value)


def toggle_exclude(params: Params, name: str, value: str) -> Params:
    """Leave a facet value out (Kibana's "filter out"), or stop leaving it out."""
    out_name = EXCLUDE_PREFIX + name
    if (out_name, value) in params:
        return remove(params, out_name, value)
    return add(remove(params, name, value), out_name, value)


def href(params: Params, path: str = "/") -> str:
    """`path?query` for a parameter list, in SEARCH_PARAMS order."""
    params = search_params(params)
    return f"{path}?{urlencode(params)}" if params else path


def query_string(params: Params) -> str:
    return urlencode(search_params(params))
