"""`SearchParams`: the one owner of a search's parameters, from the URL to the engine and back.

Why one object: the parameter list, its prefixes and its validation used to live twice (the
web's link helpers and `parse_request`), the engine wrote the resolved facet values back into the
request so that the web could map its own parameters to them, and every link re-implemented "this
URL with one thing changed". Now one frozen dataclass parses and validates (`parse`), resolves its
facet values into a *new* object (`resolve`: the engine never changes what it was handed), and
writes itself out again (`to_pairs`, `to_query`) or changed by one parameter (`with_filter`,
`without`, `with_`, `toggle`, `toggle_exclude`), which is what the web builds every link from.

Two views of one request are kept together: the typed fields the engines read (`q`, `filters`,
`date_from` ...) and `asked`, the parameters as written (known names, non-empty, in `PARAMS`
order), from which links are written back byte for byte (`from=1987` stays `from=1987`, not the
date it means). A changed copy re-derives only the typed fields of the parameters it changed, so
a page of several hundred links does not parse each one again; a link is validated when it is
followed, not when it is written (`strict=False`: a link never raises).

Plain data only: nothing here knows Whoosh or HTTP.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Callable, Iterable, Mapping
from urllib.parse import urlencode

from indexer.facets import DEFAULT_MATCH, FACETS, MATCHES

SORTS = ("relevance", "newest", "oldest")
ORG_KINDS = ("intergovernmental", "government", "company", "news agency", "other")
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

FILTER_PARAMS = tuple(f.param for f in FACETS)
PANEL_PARAMS = tuple(p + f.param for f in FACETS for p in (FIND_PREFIX, SORT_PREFIX))
# The parameters a search may carry, in the order they are written out.
PARAMS = ("q", *FILTER_PARAMS, *(EXCLUDE_PREFIX + p for p in FILTER_PARAMS), "match",
          "date", "from", "to", "org_kind", "sort", "group", "correct", "page", "per_page", *PANEL_PARAMS)
_ORDER = {name: i for i, name in enumerate(PARAMS)}
# Changing any of these makes a new result list, so the page number no longer applies.
RESETS_PAGE = frozenset(PARAMS) - {"page", *PANEL_PARAMS}
# A date facet value replaces an explicit range and the other way round.
EXCLUSIVE = {"date": ("from", "to"), "from": ("date",), "to": ("date",)}
_DATE_PART = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"

Pairs = tuple[tuple[str, str], ...]
_EMPTY: Mapping = MappingProxyType({})


class QueryError(ValueError):
    """A request that cannot be answered as asked; the message is for the user."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


def _frozen(mapping: Mapping | None, values: bool = False) -> Mapping:
    """A read-only copy (its lists as tuples, empty entries left out: `filters={"org": []}` asks
    nothing), so that no holder of a request can change it and equal requests compare equal."""
    if not mapping:
        return _EMPTY
    return MappingProxyType({k: tuple(v) if values else v for k, v in mapping.items() if v})


# ---------------------------------------------------------------- parameter lists

def known_pairs(args) -> list[tuple[str, str]]:
    """The known, non-empty parameters of `args` (a MultiDict, a mapping of lists, or pairs), in
    `PARAMS` order (values of one name keep theirs)."""
    if hasattr(args, "items") and callable(getattr(args, "getlist", None)):
        items = args.items(multi=True)
    elif isinstance(args, Mapping):
        items = [(k, v) for k, vs in args.items() for v in ([vs] if isinstance(vs, str) else vs or ())]
    else:
        items = list(args)
    items = [(k, v) for k, v in items if k in _ORDER and v not in ("", None)]
    return sorted(items, key=lambda kv: _ORDER[kv[0]])


def _drop(pairs, name: str, value: str | None = None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not (k == name and (value is None or v == value))]


def _tidy(pairs, changed: str) -> list[tuple[str, str]]:
    """What changing `changed` takes with it: the page number, and a date value or range it replaces."""
    if changed in RESETS_PAGE:
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


# ---------------------------------------------------------------- validation

def _clean_text(value: str) -> str:
    """Drop control and bidi-override characters; they only hide what a query says."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n")


def _parse_date(value: str, param: str, end: bool = False) -> _dt.date:
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return _dt.date(int(value), 12, 31) if end else _dt.date(int(value), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            y, m = map(int, value.split("-"))
            first = _dt.date(y, m, 1)
            if not end:
                return first
            nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"'{param}' must be a date as YYYY-MM-DD (got {value[:40]!r})", param) from None


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
    out: dict = {"date_from": None, "date_to": None, "undated": False}
    if vals.one("from"):
        out["date_from"] = _parse_date(vals.one("from"), "from")
    if vals.one("to"):
        out["date_to"] = _parse_date(vals.one("to"), "to", end=True)
    if vals.one("date"):   # a date facet value: YYYY, YYYY-MM, YYYY-MM-DD, a span A..B of those, or "undated"
        d = vals.one("date").strip()
        if d == "undated":
            out["undated"] = True
        elif re.fullmatch(_DATE_PART + r"(?:\.\." + _DATE_PART + ")?", d):
            start, _, end = d.partition("..")
            out["date_from"] = _parse_date(start, "date")
            out["date_to"] = _parse_date(end or start, "date", end=True)
        else:
            raise QueryError(f"'date' must be YYYY, YYYY-MM, YYYY-MM-DD, FROM..TO or undated (got {d[:40]!r})",
                             "date")
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        raise QueryError(f"'from' ({out['date_from']}) is after 'to' ({out['date_to']})", "from")
    return out


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


# Each group of parameter names and the typed fields it decides, in the order they are validated
# (the first error of a request is the one reported).
_GROUPS: tuple[tuple[tuple[str, ...], Callable[[_Values], dict]], ...] = (
    (("q",), _q),
    *(((f.param, EXCLUDE_PREFIX + f.param, FIND_PREFIX + f.param, SORT_PREFIX + f.param), _facet(f.param))
      for f in FACETS),
    (("match",), lambda vals: {"match": _choice(vals.one("match").strip(), "match", MATCHES, DEFAULT_MATCH)}),
    (("org_kind",), lambda vals: {"org_kind": _choice(vals.one("org_kind").strip(), "org_kind", ORG_KINDS, "")}),
    (("from", "to", "date"), _dates),
    (("sort",), lambda vals: {"sort": _choice(vals.one("sort").strip(), "sort", SORTS, "relevance")}),
    (("page",), _number("page", MAX_PAGE, 1)),
    (("group",), _on_off("group")),
    (("correct",), _on_off("correct")),
    (("per_page",), _number("per_page", MAX_PER_PAGE, 10)),
)
_GROUP_OF = {name: i for i, (names, _) in enumerate(_GROUPS) for name in names}


# ---------------------------------------------------------------- the request

@dataclass(frozen=True)
class SearchParams:
    """A search as asked: validated, immutable; changed copies are new objects."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # facet param -> wanted values (OR)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # facet param -> values left out
    match: str = DEFAULT_MATCH  # "mention": every story naming a value; "about": the salience rules
    facet_find: Mapping[str, str] = field(default_factory=dict)    # facet param -> only values whose name holds it
    facet_sort: Mapping[str, str] = field(default_factory=dict)    # facet param -> "count" (default) or "name"
    org_kind: str = ""          # show only organisations of this kind in the organisation facet
    date_from: _dt.date | None = None
    date_to: _dt.date | None = None
    undated: bool = False       # only stories without a date (the date facet's "Undated" bucket)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    group: bool = True          # show near-duplicate versions of a story once (collapse.py)
    correct: bool = True        # a query finding nothing shows its correction's stories (`correct=off`: not)
    # (param, as asked) -> as indexed, filled by `resolve` ("country=Brazil" -> BR)
    resolved: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    # the parameters as written (None: made in code, written out from the typed fields)
    asked: Pairs | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        for name in ("filters", "exclude", "facet_find", "facet_sort", "resolved"):
            object.__setattr__(self, name, _frozen(getattr(self, name), values=name in ("filters", "exclude", "resolved")))
        if self.asked is not None and not isinstance(self.asked, tuple):
            object.__setattr__(self, "asked", tuple(self.asked))

    # -------------------------------------------------------- parse and validate

    @classmethod
    def parse(cls, args, strict: bool = True) -> "SearchParams":
        """Validate HTTP-style parameters (a MultiDict, a mapping of lists, or pairs).

        Shared by the web app, its feeds and exports, and the CLI, so that all of them accept
        and refuse the same things (a QueryError, a 400, names the parameter).
        """
        by_name = _by_name(args)
        return cls._derive(cls(), _Values(by_name), range(len(_GROUPS)), strict,
                           asked=tuple(known_pairs(by_name)))

    @classmethod
    def _derive(cls, base: "SearchParams", vals: _Values, groups: Iterable[int], strict: bool,
                asked: Pairs) -> "SearchParams":
        """`base` with the typed fields of these parameter groups derived from `vals`."""
        changes: dict = {"resolved": _EMPTY, "asked": asked}
        maps: dict[str, dict] = {}
        for i in sorted(set(groups)):
            try:
                found = _GROUPS[i][1](vals)
            except QueryError:
                if strict:
                    raise
                found = _GROUPS[i][1](_Values({}))        # a link is checked when it is followed
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
        return base._evolve(changes)

    def _evolve(self, changes: dict) -> "SearchParams":
        """A copy with these fields changed, already in their frozen forms (a link is made hundreds
        of times a page: `dataclasses.replace` would check and convert every field again)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def _changed(self, pairs: list[tuple[str, str]]) -> "SearchParams":
        """This request written as `pairs`: only the typed fields of the names that changed are derived."""
        pairs = known_pairs(pairs)
        names = {k for k, _ in set(self.to_pairs()).symmetric_difference(pairs)}
        if not names:
            return self._evolve({"resolved": _EMPTY, "asked": tuple(pairs)})
        groups = {_GROUP_OF[n] for n in names}
        wanted = {n for i in groups for n in _GROUPS[i][0]}       # a facet's group reads all four of its names
        by_name: dict[str, list[str]] = {}
        for k, v in pairs:
            if k in wanted:
                by_name.setdefault(k, []).append(v)
        return self._derive(self, _Values(by_name), groups, strict=False, asked=tuple(pairs))

    # -------------------------------------------------------- views the engines read

    @property
    def orgs(self) -> tuple[str, ...]:
        return self.filters.get("org", ())

    @property
    def countries(self) -> tuple[str, ...]:
        return self.filters.get("country", ())

    @property
    def regions(self) -> tuple[str, ...]:
        return self.filters.get("region", ())

    @property
    def languages(self) -> tuple[str, ...]:
        """ISO 639-1 codes asked for; also the languages the query's words are analysed in."""
        return self.filters.get("language", ())

    def filter_key(self) -> tuple:
        """Everything that decides which stories match besides the words (a cache key)."""
        return (self.match, tuple((k, tuple(v)) for k, v in sorted(self.filters.items()) if v),
                tuple((k, tuple(v)) for k, v in sorted(self.exclude.items()) if v),
                self.date_from, self.date_to, self.undated)

    # -------------------------------------------------------- resolve

    def resolve(self, lookup: Callable[[str, str, str], list[str]]) -> "SearchParams":
        """A new request whose facet values are as the index holds them (`country=Brazil` -> BR,
        `region=Oceania` -> its four sub-regions), its written parameters mapped the same way so
        that links carry the indexed values. `lookup(param, text, prefix)` -> values, or raises
        QueryError for text that names nothing (`values.for_filter`). This request is unchanged."""
        resolved: dict[tuple[str, str], tuple[str, ...]] = {}
        stores: dict[str, dict[str, tuple[str, ...]]] = {"filters": {}, "exclude": {}}
        for name, prefix in (("filters", ""), ("exclude", EXCLUDE_PREFIX)):
            for param, values in getattr(self, name).items():
                for v in values:
                    resolved[(prefix + param, v)] = tuple(lookup(param, v, prefix))
                stores[name][param] = tuple(dict.fromkeys(x for v in values for x in resolved[(prefix + param, v)]))
        asked = None
        if self.asked is not None:   # "country=Brazil" is BR from here on: Oceania is 4 sub-regions
            asked = tuple((k, r) for k, v in self.asked for r in resolved.get((k, v.strip()), (v,)))
        return replace(self, **stores, resolved=resolved, asked=asked)

    # -------------------------------------------------------- write out

    def to_pairs(self) -> list[tuple[str, str]]:
        """The parameters, as written (in `PARAMS` order): what every link starts from."""
        if self.asked is not None:
            return list(self.asked)
        return known_pairs(self._written())

    def _written(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("q", self.q)]
        out += [(p, v) for p, vs in self.filters.items() for v in vs]
        out += [(EXCLUDE_PREFIX + p, v) for p, vs in self.exclude.items() for v in vs]
        if self.match != DEFAULT_MATCH:
            out.append(("match", self.match))
        if self.undated:
            out.append(("date", "undated"))
        out += [(n, d.isoformat()) for n, d in (("from", self.date_from), ("to", self.date_to)) if d]
        out += [("org_kind", self.org_kind), ("sort", "" if self.sort == "relevance" else self.sort),
                ("group", "" if self.group else "off"), ("correct", "" if self.correct else "off"),
                ("page", "" if self.page == 1 else str(self.page)),
                ("per_page", "" if self.per_page == 10 else str(self.per_page))]
        out += [(FIND_PREFIX + p, v) for p, v in self.facet_find.items()]
        out += [(SORT_PREFIX + p, v) for p, v in self.facet_sort.items() if v != "count"]
        return out

    def to_query(self) -> str:
        """The query string (`q=oil&country=BR`), "" when nothing is asked."""
        return urlencode(self.to_pairs())

    def href(self, path: str = "/") -> str:
        """`path?query`, or `path` alone when nothing is asked."""
        query = self.to_query()
        return f"{path}?{query}" if query else path

    def has(self, name: str, value: str | None = None) -> bool:
        """Whether `name` is written (with this value)."""
        return any(k == name and (value is None or v == value) for k, v in self.to_pairs())

    def get(self, name: str, default: str = "") -> str:
        """The last written value of a single-valued parameter, as written."""
        return dict(self.to_pairs()).get(name, default)

    # -------------------------------------------------------- changed copies (links)

    def with_filter(self, param: str, value: str) -> "SearchParams":
        """One more value of a repeatable filter; the page number goes."""
        return self._changed(added(self.to_pairs(), param, value))

    def without(self, param: str, value: str | None = None) -> "SearchParams":
        """Without one value of `param` (or every value); the page number goes if the results change."""
        return self._changed(removed(self.to_pairs(), param, value))

    def with_(self, param: str, value) -> "SearchParams":
        """A single-valued parameter (q, sort, page, date, match ...) set; None or "" removes it.
        A date value replaces `from`/`to` and the other way round."""
        return self._changed(replaced(self.to_pairs(), param, value))

    def toggle(self, param: str, value: str) -> "SearchParams":
        """Select a facet value, or unselect it (an excluded one: include it)."""
        return self._changed(toggled(self.to_pairs(), param, value))

    def toggle_exclude(self, param: str, value: str) -> "SearchParams":
        """Leave a facet value out, or stop leaving it out."""
        return self._changed(toggled_exclude(self.to_pairs(), param, value))

    def keep(self, keep: Callable[[str, str], bool]) -> "SearchParams":
        """Only the written parameters `keep(name, value)` accepts (the feed drops `sort` and `page`)."""
        return self._changed([(k, v) for k, v in self.to_pairs() if keep(k, v)])


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

