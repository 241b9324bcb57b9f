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
date it means). A changed copy (a link) derives the typed fields of the parameters it changed only
when one is first read, with the validation's own functions (`paramcheck.py`), so a page of
several hundred links does not parse each one again; a link is validated when it is followed, not
when it is written (a link never raises). The names and the link rules are `paramlist.py`'s.

Plain data only: nothing here knows Whoosh or HTTP.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from urllib.parse import urlencode

from indexer.facets import DEFAULT_MATCH
from indexer.facets import FACETS
from . import paramcheck, paramlist
from .paramcheck import _EMPTY, _fields, _Values
from .paramcheck import QueryError, _clean_text  # noqa: F401 (re-exported)
from .paramlist import (EXCLUDE_PREFIX, EXCLUSIVE, FACET_SORTS, FIND_PREFIX,  # noqa: F401 (re-exported)
                        MAX_FILTER_VALUES, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, ORG_KINDS,
                        SORT_PREFIX, SORTS, Pairs, _by_name, added, known_pairs, query_string,
                        removed, replaced, toggled, toggled_exclude)


def __getattr__(name: str):
    """FILTER_PARAMS, PANEL_PARAMS, PARAMS, RESETS_PAGE: paramlist's, as the facet registry has them now."""
    if name in paramlist.DYNAMIC:
        return paramlist.DYNAMIC[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _frozen(mapping: Mapping | None, values: bool = False) -> Mapping:
    """A read-only copy (its lists as tuples, empty entries left out: `filters={"org": []}` asks
    nothing), so that no holder of a request can change it and equal requests compare equal."""
    if not mapping:
        return _EMPTY
    return MappingProxyType({k: tuple(v) if values else v for k, v in mapping.items() if v})


def _default(value):
    """A field's default given by a factory, so that the class holds no attribute of that name: a
    link whose fields are not derived yet has them missing, and reading one calls `__getattr__`."""
    return field(default_factory=lambda: value)


@dataclass(frozen=True)
class SearchParams:
    """A search as asked: validated, immutable; changed copies are new objects."""

    q: str = _default("")
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # facet param -> wanted values (OR)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # facet param -> values left out
    match: str = _default(DEFAULT_MATCH)  # "mention": every story naming a value; "about": the salience rules
    facet_find: Mapping[str, str] = field(default_factory=dict)    # facet param -> only values whose name holds it
    facet_sort: Mapping[str, str] = field(default_factory=dict)    # facet param -> "count" (default) or "name"
    kinds: Mapping[str, str] = field(default_factory=dict)    # facet param -> show only its values of this kind
    date_from: _dt.date | None = _default(None)
    date_to: _dt.date | None = _default(None)
    undated: bool = _default(False)       # only stories without a date (the date facet's "Undated" bucket)
    sort: str = _default("relevance")
    page: int = _default(1)
    per_page: int = _default(10)
    group: bool = _default(True)          # show near-duplicate versions of a story once (collapse.py)
    correct: bool = _default(True)        # a query finding nothing shows its correction's stories (`correct=off`: not)
    # (param, as asked) -> as indexed, filled by `resolve` ("country=Brazil" -> BR)
    resolved: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    # the parameters as written (None: made in code, written out from the typed fields)
    asked: Pairs | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        for name in ("filters", "exclude", "facet_find", "facet_sort", "kinds", "resolved"):
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
        base = cls()
        found = _fields(base, _Values(by_name), range(len(paramcheck.groups())), strict)
        return base._evolve({**found, "asked": tuple(known_pairs(by_name))})

    def _evolve(self, changes: dict) -> "SearchParams":
        """A copy with these fields changed, already in their frozen forms (a link is made hundreds
        of times a page: `dataclasses.replace` would check and convert every field again)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def _changed(self, pairs: list[tuple[str, str]], touched: tuple[str, ...] | None = None) -> "SearchParams":
        """This request written as `pairs`; `touched`: the names that may have changed (None: compare).

        The typed fields of those names are derived when first read (`__getattr__`): most links
        are only written out, several hundred a page, so a link costs little more than its list.
        """
        pairs = known_pairs(pairs)
        if touched is None:
            before = self.asked if self.asked is not None else self.to_pairs()
            touched = tuple(sorted({k for k, _ in set(before).symmetric_difference(pairs)}))
        groups = _groups_of(touched)
        new = object.__new__(type(self))
        d = new.__dict__
        d["resolved"], d["asked"] = _EMPTY, tuple(pairs)
        d["_pending"] = (self, groups)      # its typed fields: `self`'s, those of `groups` derived
        return new

    def _settle(self) -> None:
        """Derive the fields a changed copy left pending (leniently: a link is checked when followed)."""
        pending = self.__dict__.get("_pending")
        if pending is None:
            return
        base, groups = pending
        stale = _stale_fields(groups)
        found = {name: getattr(base, name) for name in _TYPED if name not in stale}
        all_groups = paramcheck.groups()
        wanted = {n for i in groups for n in all_groups[i][0]}       # a facet's group reads all four of its names
        by_name: dict[str, list[str]] = {}
        for k, v in self.asked:
            if k in wanted:
                by_name.setdefault(k, []).append(v)
        found.update(_fields(base, _Values(by_name), groups, strict=False))
        self.__dict__.update(found)
        self.__dict__.pop("_pending", None)

    def __getattr__(self, name: str):
        """Only for a field a changed copy has not derived yet (`_changed`); anything else is missing."""
        if name in _TYPED and "_pending" in self.__dict__:
            self._settle()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -------------------------------------------------------- views the engines read

    @property
    def org_kind(self) -> str:
        """The kind the organisation facet is narrowed to (`org_kind`, `kind_org`)."""
        return self.kinds.get("org", "")

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
        kind_param = {f.param: f.kind_params[0] for f in FACETS.kinded()}
        out += [(kind_param[p], k) for p, k in self.kinds.items() if p in kind_param]
        out += [("sort", "" if self.sort == "relevance" else self.sort),
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
        return self._changed(added(self.to_pairs(), param, value), _touches(param))

    def without(self, param: str, value: str | None = None) -> "SearchParams":
        """Without one value of `param` (or every value); the page number goes if the results change."""
        return self._changed(removed(self.to_pairs(), param, value), _touches(param))

    def with_(self, param: str, value) -> "SearchParams":
        """A single-valued parameter (q, sort, page, date, match ...) set; None or "" removes it.
        A date value replaces `from`/`to` and the other way round."""
        return self._changed(replaced(self.to_pairs(), param, value), _touches(param))

    def toggle(self, param: str, value: str) -> "SearchParams":
        """Select a facet value, or unselect it (an excluded one: include it)."""
        return self._changed(toggled(self.to_pairs(), param, value), _touches(param, EXCLUDE_PREFIX + param))

    def toggle_exclude(self, param: str, value: str) -> "SearchParams":
        """Leave a facet value out, or stop leaving it out."""
        return self._changed(toggled_exclude(self.to_pairs(), param, value), _touches(param, EXCLUDE_PREFIX + param))

    def keep(self, keep: Callable[[str, str], bool]) -> "SearchParams":
        """Only the written parameters `keep(name, value)` accepts (the feed drops `sort` and `page`)."""
        return self._changed([(k, v) for k, v in self.to_pairs() if keep(k, v)])



# (each memo is keyed by the facet registry's version too: a facet registered since renumbers the groups)
def _touches(*names: str) -> tuple[str, ...]:
    return _touches_at(names, FACETS.version)


@functools.lru_cache(maxsize=256)
def _touches_at(names: tuple[str, ...], version) -> tuple[str, ...]:
    """The names changing these may change: themselves, the page number, a date value or range they replace."""
    group_of = paramcheck.group_of()
    return tuple(n for n in dict.fromkeys((*names, "page", *(x for n in names for x in EXCLUSIVE.get(n, ()))))
                 if n in group_of)


def _groups_of(names: tuple[str, ...]) -> frozenset[int]:
    return _groups_of_at(names, FACETS.version)


@functools.lru_cache(maxsize=256)
def _groups_of_at(names: tuple[str, ...], version) -> frozenset[int]:
    """The parameter groups of these names."""
    group_of = paramcheck.group_of()
    return frozenset(group_of[n] for n in names if n in group_of)


def _stale_fields(groups: frozenset[int]) -> frozenset[str]:
    return _stale_fields_at(groups, FACETS.version)


@functools.lru_cache(maxsize=256)
def _stale_fields_at(groups: frozenset[int], version) -> frozenset[str]:
    """The typed fields these groups decide."""
    group_fields = paramcheck.group_fields()
    return frozenset(f for i in groups for f in group_fields[i])


_TYPED = frozenset(f.name for f in fields(SearchParams)) - {"resolved", "asked"}

