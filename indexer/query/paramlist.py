"""The parameters a search may carry, in the order they are written, and the rules of a link.

Why a module of its own: these names and rules are what `SearchParams` (params.py) writes itself
out with, and what the web's list helpers (`web/urls.py`) apply to a plain parameter list; one
definition serves both. A link is "this search with one parameter changed", and changing one
parameter can take others with it: a new result list drops the page number, a date facet value
replaces an explicit range and the other way round.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from indexer.facets import DATE, FACETS

SORTS = ("relevance", "newest", "oldest")
ORG_KINDS = FACETS.get("org").kind_choices()    # the organisation facet's kinds (`kind_org`, `org_kind`)
FACET_SORTS = ("count", "name")
MAX_QUERY_CHARS = 1000
MAX_PAGE = 10_000
MAX_PER_PAGE = 100
MAX_FILTER_VALUES = 50
MAX_FIND_CHARS = 100

EXCLUDE_PREFIX = "not_"      # `not_country=BR`: leave out the stories naming Brazil
# How the panel shows one facet (not which stories match): `find_org=bank` keeps the values whose
# name holds "bank", `sort_org=name` lists them A-Z.
FIND_PREFIX, SORT_PREFIX = "find_", "sort_"



# The lists below are the facet registry's as it is now (a facet registered at run time has its
# parameters): functions memoised until the registry changes, and the module's old names
# (`PARAMS`, `PANEL_PARAMS` ...) read through `__getattr__`.
@FACETS.derived
def filter_params() -> tuple[str, ...]:
    return tuple(f.param for f in FACETS)


@FACETS.derived
def panel_params() -> tuple[str, ...]:
    return tuple(p + f.param for f in FACETS for p in (FIND_PREFIX, SORT_PREFIX))


@FACETS.derived
def params() -> tuple[str, ...]:
    """The parameters a search may carry, in the order they are written out (each kinded facet's
    `kind_<param>` and older names after the date facet's)."""
    fps = filter_params()
    return ("q", *fps, *(EXCLUDE_PREFIX + p for p in fps), "match", *DATE.params,
            *(p for f in FACETS.kinded() for p in f.kind_params),
            "sort", "group", "correct", "page", "per_page", *panel_params())


@FACETS.derived
def _order() -> dict[str, int]:
    return {name: i for i, name in enumerate(params())}


@FACETS.derived
def resets_page() -> frozenset[str]:
    """Changing any of these makes a new result list, so the page number no longer applies."""
    return frozenset(params()) - {"page", *panel_params()}


# A date facet value replaces an explicit range and the other way round.
EXCLUSIVE = DATE.exclusive

DYNAMIC = {"FILTER_PARAMS": filter_params, "PANEL_PARAMS": panel_params, "PARAMS": params,
            "RESETS_PAGE": resets_page, "_ORDER": _order}


def __getattr__(name: str):
    """FILTER_PARAMS, PANEL_PARAMS, PARAMS, RESETS_PAGE: as the facet registry has them now."""
    if name in DYNAMIC:
        return DYNAMIC[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Pairs = tuple[tuple[str, str], ...]


def known_pairs(args) -> list[tuple[str, str]]:
    """The known, non-empty parameters of `args` (a MultiDict, a mapping of lists, or pairs), in
    `PARAMS` order (values of one name keep theirs)."""
    if isinstance(args, (list, tuple)):          # the common case: a link's own pairs
        items = args
    elif hasattr(args, "items") and callable(getattr(args, "getlist", None)):
        items = args.items(multi=True)
    elif isinstance(args, Mapping):
        items = [(k, v) for k, vs in args.items() for v in ([vs] if isinstance(vs, str) else vs or ())]
    else:
        items = list(args)
    order = _order()
    return sorted([(k, v) for k, v in items if k in order and v not in ("", None)], key=lambda kv: order[kv[0]])


def _drop(pairs, name: str, value: str | None = None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not (k == name and (value is None or v == value))]


def _tidy(pairs, changed: str) -> list[tuple[str, str]]:
    """What changing `changed` takes with it: the page number, and a date value or range it replaces."""
    if changed in resets_page():
        pairs = _drop(pairs, "page")
    for other in EXCLUSIVE.get(changed, ()):
        pairs = _drop(pairs, other)
    return list(pairs)


def added(pairs, name: str, value: str) -> list[tuple[str, str]]:
    """One more value of a repeatable filter (org, country, region, language ...)."""
    if (name, value) in pairs:
        return list(pairs)
    return _tidy(pairs, name) + [(name, value)]


def removed(pairs, name: str, value: str | None = None) -> list[tuple[str, str]]:
    """Without one value of `name` (or all of them)."""
    return _tidy(_drop(pairs, name, value), name)


def replaced(pairs, name: str, value) -> list[tuple[str, str]]:
    """A single-valued parameter (q, sort, page, date) set; None or "" removes it."""
    out = _drop(pairs, name)
    if name != "page":
        out = _tidy(out, name)
    if value not in (None, ""):
        out.append((name, str(value)))
    return out


def toggled(pairs, name: str, value: str) -> list[tuple[str, str]]:
    """A facet value selected if it is not, else unselected (an excluded value: included)."""
    if name == "date":
        return replaced(pairs, "date", None if ("date", value) in pairs else value)
    if (EXCLUDE_PREFIX + name, value) in pairs:
        return added(removed(pairs, EXCLUDE_PREFIX + name, value), name, value)
    return removed(pairs, name, value) if (name, value) in pairs else added(pairs, name, value)


def toggled_exclude(pairs, name: str, value: str) -> list[tuple[str, str]]:
    """A facet value left out (Kibana's "filter out"), or no longer left out."""
    out_name = EXCLUDE_PREFIX + name
    if (out_name, value) in pairs:
        return removed(pairs, out_name, value)
    return added(removed(pairs, name, value), out_name, value)


def query_string(pairs) -> str:
    """`a=1&b=2` for a parameter list, in `PARAMS` order (known, non-empty names only)."""
    return urlencode(known_pairs(pairs))



def _by_name(args) -> dict[str, list[str]]:
    """Parameter name -> its values (None kept: `one` skips them), from any form `parse` takes."""
    if hasattr(args, "getlist") and hasattr(args, "keys"):
        return {k: args.getlist(k) for k in args.keys()}
    if isinstance(args, Mapping):
        return {k: ([v] if isinstance(v, str) else list(v or ())) for k, v in args.items()}
    out: dict[str, list[str]] = {}
    for k, v in args:
        out.setdefault(k, []).append(v)
    return out
