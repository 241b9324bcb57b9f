"""The validation of a search's parameters: each group of names and the typed fields it decides.

Why groups: a changed copy of a request (a link) derives only the fields of the names it changed,
with the same functions a whole request is validated with (`_fields`), so validation is written
once. The groups are listed in the order their errors are reported (the first error wins), the
messages are the user's (a QueryError is a 400 naming the parameter).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from indexer.facets import DATE, DEFAULT_MATCH, FACETS, MATCHES
from .paramlist import (EXCLUDE_PREFIX, FACET_SORTS, FIND_PREFIX, MAX_FIND_CHARS, MAX_FILTER_VALUES, MAX_PAGE,
                        MAX_PER_PAGE, MAX_QUERY_CHARS, SORT_PREFIX, SORTS)

_EMPTY: Mapping = MappingProxyType({})


class QueryError(ValueError):
    """A request that cannot be answered as asked; the message is for the user."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param



def _clean_text(value: str) -> str:
    """Drop control and bidi-override characters; they only hide what a query says."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n")


def _choice(value: str, param: str, choices: tuple[str, ...], default: str) -> str:
    """`value` if it is one of `choices`, `default` when empty; otherwise a QueryError naming them."""
    if not value:
        return default
    if value not in choices:
        raise QueryError(f"'{param}' must be one of {', '.join(choices)} (got {value[:40]!r})", param)
    return value


def _int_param(value: str, param: str, lo: int, hi: int) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise QueryError(f"'{param}' must be a whole number (got {value[:40]!r})", param) from None
    if not lo <= n <= hi:
        raise QueryError(f"'{param}' must be between {lo} and {hi:,} (got {n})", param)
    return n


class _Values:
    """The values of each parameter name, read as the validation reads them."""

    def __init__(self, by_name: Mapping[str, list]):
        self._by_name = by_name

    def one(self, name: str) -> str:
        """The last value given (a later `page=` overrides an earlier one); "" when none."""
        vals = [v for v in self._by_name.get(name, []) if v is not None]
        return vals[-1] if vals else ""

    def many(self, name: str) -> tuple[str, ...]:
        """Every distinct non-empty value, cleaned, in order; at most MAX_FILTER_VALUES."""
        out: list[str] = []
        for v in self._by_name.get(name, []):
            v = _clean_text(v or "").strip()
            if v and v not in out:
                out.append(v)
        if len(out) > MAX_FILTER_VALUES:
            raise QueryError(f"at most {MAX_FILTER_VALUES} values of '{name}'", name)
        return tuple(out)


def _dates(vals: _Values) -> dict:
    """`date`, `from` and `to`, as the date facet reads them (`DATE.parse`, the one owner)."""
    def fail(message: str, param: str):
        raise QueryError(message, param)

    date_from, date_to, undated = DATE.parse(vals.one, fail)
    return {"date_from": date_from, "date_to": date_to, "undated": undated}


def _q(vals: _Values) -> dict:
    q = vals.one("q")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(q):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "q")
    return {"q": _clean_text(q).strip()}


def _facet(param: str) -> Callable[[_Values], dict]:
    """One facet's parameters: its wanted and left-out values, and how its panel is shown."""
    def fields_of(vals: _Values) -> dict:
        find = _clean_text(vals.one(FIND_PREFIX + param)).strip()[:MAX_FIND_CHARS]
        return {("filters", param): vals.many(param), ("exclude", param): vals.many(EXCLUDE_PREFIX + param),
                ("facet_find", param): find or None,
                ("facet_sort", param): _choice(vals.one(SORT_PREFIX + param).strip(), SORT_PREFIX + param,
                                               FACET_SORTS, "count")}
    return fields_of


def _on_off(name: str) -> Callable[[_Values], dict]:
    return lambda vals: {name: _choice(vals.one(name).strip().lower(), name, ("on", "off"), "on") == "on"}


def _number(name: str, hi: int, default: int) -> Callable[[_Values], dict]:
    return lambda vals: {name: _int_param(vals.one(name), name, 1, hi) if vals.one(name) else default}


def _kind(spec) -> Callable[[_Values], dict]:
    """A kinded facet's kind (`kind_org`, or its older name `org_kind`): one kind of its values."""
    def fields_of(vals: _Values) -> dict:
        name = next((p for p in spec.kind_params if vals.one(p).strip()), spec.kind_params[0])
        return {("kinds", spec.param): _choice(vals.one(name).strip(), name, spec.kind_choices(), "") or None}
    return fields_of


# Each group of parameter names and the typed fields it decides, in the order they are validated
# (the first error of a request is the one reported); the facet registry's as it is now.
@FACETS.derived
def groups() -> tuple[tuple[tuple[str, ...], Callable[[_Values], dict]], ...]:
    return (
        (("q",), _q),
        *(((f.param, EXCLUDE_PREFIX + f.param, FIND_PREFIX + f.param, SORT_PREFIX + f.param), _facet(f.param))
          for f in FACETS),
        (("match",), lambda vals: {"match": _choice(vals.one("match").strip(), "match", MATCHES, DEFAULT_MATCH)}),
        *((tuple(f.kind_params), _kind(f)) for f in FACETS.kinded()),
        (DATE.params, _dates),
        (("sort",), lambda vals: {"sort": _choice(vals.one("sort").strip(), "sort", SORTS, "relevance")}),
        (("page",), _number("page", MAX_PAGE, 1)),
        (("group",), _on_off("group")),
        (("correct",), _on_off("correct")),
        (("per_page",), _number("per_page", MAX_PER_PAGE, 10)),
    )


@FACETS.derived
def group_of() -> dict[str, int]:
    return {name: i for i, (names, _) in enumerate(groups()) for name in names}


def _fields(base, vals: _Values, groups: Iterable[int], strict: bool) -> dict:
    """The typed fields these parameter groups decide, from `vals` (the maps: `base`'s, updated)."""
    changes: dict = {}
    maps: dict[str, dict] = {}
    all_groups = globals()["groups"]()
    for i in sorted(set(groups)):
        try:
            found = all_groups[i][1](vals)
        except QueryError:
            if strict:
                raise
            found = all_groups[i][1](_Values({}))        # a link is checked when it is followed
        for key, value in found.items():
            if isinstance(key, tuple):
                name, param = key
                if name not in maps:
                    maps[name] = dict(getattr(base, name))
                if not value or (name == "facet_sort" and value == "count"):   # the default: not kept
                    maps[name].pop(param, None)
                else:
                    maps[name][param] = value
            else:
                changes[key] = value
    changes.update((name, MappingProxyType(m) if m else _EMPTY) for name, m in maps.items())
    return changes


@FACETS.derived
def group_fields() -> tuple[frozenset[str], ...]:
    """The typed fields each group decides (a facet's group: the four maps, shared by every facet)."""
    return tuple(frozenset(k if isinstance(k, str) else k[0] for k in fn(_Values({}))) for _, fn in groups())
