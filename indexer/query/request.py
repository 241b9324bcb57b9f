"""What a search asks for and what it answers: requests, their validation, result records.

Shared by the web app and the CLI (through `parse_request`) so that both accept and
refuse the same things, and by `search.py`, which fills the result records. Plain
dataclasses only: nothing here knows Whoosh or HTTP.
"""
from __future__ import annotations

import datetime as _dt
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Mapping

from indexer.facets import DATE, DEFAULT_MATCH, FACETS, MATCHES

SORTS = ("relevance", "newest", "oldest")
ORG_KINDS = FACETS.get("org").kind_choices()    # the organisation facet's kinds (`kind_org`, `org_kind`)
MAX_QUERY_CHARS = 1000
MAX_PAGE = 10_000
MAX_PER_PAGE = 100
MAX_FILTER_VALUES = 50



class QueryError(ValueError):
    """A request that cannot be answered as asked; the message is for the user."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


# ---------------------------------------------------------------- requests

@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)    # facet param -> wanted values (OR)
    exclude: dict[str, list[str]] = field(default_factory=dict)    # facet param -> values left out
    match: str = DEFAULT_MATCH  # "mention": every story naming a value; "about": the salience rules
    resolved: dict[tuple[str, str], list[str]] = field(default_factory=dict)   # (param, as asked) -> as indexed
    facet_find: dict[str, str] = field(default_factory=dict)   # facet param -> only values whose name holds it
    facet_sort: dict[str, str] = field(default_factory=dict)   # facet param -> "count" (default) or "name"
    kinds: dict[str, str] = field(default_factory=dict)   # facet param -> show only its values of this kind
    date_from: _dt.date | None = None
    date_to: _dt.date | None = None
    undated: bool = False       # only stories without a date (the date facet's "Undated" bucket)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    group: bool = True          # show near-duplicate versions of a story once (collapse.py)
    correct: bool = True        # a query finding nothing shows its correction's stories (`correct=off`: not)

    @property
    def org_kind(self) -> str:
        """The kind the organisation facet is narrowed to (`org_kind`, `kind_org`)."""
        return self.kinds.get("org", "")

    @property
    def orgs(self) -> list[str]:
        return self.filters.get("org", [])

    @property
    def countries(self) -> list[str]:
        return self.filters.get("country", [])

    @property
    def regions(self) -> list[str]:
        return self.filters.get("region", [])

    @property
    def languages(self) -> list[str]:
        """ISO 639-1 codes asked for; also the languages the query's words are analysed in."""
        return self.filters.get("language", [])

    def filter_key(self) -> tuple:
        """Everything that decides which stories match besides the words (a cache key)."""
        return (self.match, tuple((k, tuple(v)) for k, v in sorted(self.filters.items()) if v),
                tuple((k, tuple(v)) for k, v in sorted(self.exclude.items()) if v),
                self.date_from, self.date_to, self.undated)


EXCLUDE_PREFIX = "not_"      # `not_country=BR`: leave out the stories naming Brazil
FIND_PREFIX, SORT_PREFIX = "find_", "sort_"   # `find_country=bra`, `sort_country=name`: the panel's view
FACET_SORTS = ("count", "name")


def _clean_text(value: str) -> str:
    """Drop control and bidi-override characters; they only hide what a query says."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n")


def _fail(message: str, param: str):
    raise QueryError(message, param)


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


def parse_request(params: Mapping[str, list[str]]) -> SearchRequest:
    """Validate HTTP-style parameters (each a list of strings) into a SearchRequest.

    Shared by the web app and the CLI so that both accept and refuse the same things.
    """
    def one(name: str) -> str:
        vals = [v for v in params.get(name, []) if v is not None]
        return vals[-1] if vals else ""

    def many(name: str) -> list[str]:
        out = []
        for v in params.get(name, []):
            v = _clean_text(v or "").strip()
            if v and v not in out:
                out.append(v)
        if len(out) > MAX_FILTER_VALUES:
            raise QueryError(f"at most {MAX_FILTER_VALUES} values of '{name}'", name)
        return out

    q = one("q")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(q):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "q")
    req = SearchRequest(q=_clean_text(q).strip())
    for spec in FACETS:
        req.filters[spec.param] = many(spec.param)
        req.exclude[spec.param] = many(EXCLUDE_PREFIX + spec.param)
        find = _clean_text(one(FIND_PREFIX + spec.param)).strip()[:100]
        if find:
            req.facet_find[spec.param] = find
        req.facet_sort[spec.param] = _choice(one(SORT_PREFIX + spec.param).strip(), SORT_PREFIX + spec.param,
                                             FACET_SORTS, "count")
    req.match = _choice(one("match").strip(), "match", MATCHES, DEFAULT_MATCH)
    for spec in FACETS.kinded():     # `kind_org` (or its older name `org_kind`): one kind of the facet
        name = next((p for p in spec.kind_params if one(p).strip()), spec.kind_params[0])
        kind = _choice(one(name).strip(), name, spec.kind_choices(), "")
        if kind:
            req.kinds[spec.param] = kind
    req.date_from, req.date_to, req.undated = DATE.parse(one, _fail)
    req.sort = _choice(one("sort").strip(), "sort", SORTS, "relevance")
    if one("page"):
        req.page = _int_param(one("page"), "page", 1, MAX_PAGE)
    req.group = _choice(one("group").strip().lower(), "group", ("on", "off"), "on") == "on"
    req.correct = _choice(one("correct").strip().lower(), "correct", ("on", "off"), "on") == "on"
    if one("per_page"):
        req.per_page = _int_param(one("per_page"), "per_page", 1, MAX_PER_PAGE)
    return req


# ---------------------------------------------------------------- results

@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    name: str = ""          # long form (an organisation's full name), "" when same as label
    kind: str = ""          # organisation kind
    excluded: bool = False  # left out by a `not_<param>` filter (shown struck)


@dataclass
class Ref:
    value: str
    label: str


@dataclass
class Version:
    id: str
    title: str
    date: str | None


class _Chips:
    """A record whose chips are carried per facet (`chips`, from the registry), read as attributes
    (`hit.countries`) and spread into its JSON under each facet's key ("organisations": [...]), as
    DESIGN.md's result object has them, whatever facets are registered."""

    def __getattr__(self, name: str):
        chips = self.__dict__.get("chips")
        if chips is not None and name in chips:
            return chips[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


# The chips' keys in the order the result object has always written them (the CLI's `--json` prints
# them in order); a facet registered since comes after them, in the registry's order.
_CHIP_KEY_ORDER = {key: i for i, key in enumerate(("organisations", "countries", "regions", "companies", "people"))}


def _spread(record: dict) -> dict:
    """asdict() of a record with its chips in place of the `chips` key."""
    out: dict = {}
    for key, value in record.items():
        if key == "chips":
            out.update(sorted(value.items(), key=lambda kv: _CHIP_KEY_ORDER.get(kv[0], len(_CHIP_KEY_ORDER))))
        else:
            out[key] = value
    return out


@dataclass
class Hit(_Chips):
    id: str
    title: str
    date: str | None
    dateline: str
    snippet: str            # HTML: escaped text and <mark> only (bleach-clean)
    chips: dict[str, list[Ref]]     # facet plural -> the story's values ("organisations": [Ref]), _Chips
    source: str = ""
    url: str = ""
    language: str = ""      # ISO 639-1 code ("" = not known)
    score: float | None = None
    versions_count: int = 0                                  # other matching versions of this story
    versions: list[Version] = field(default_factory=list)   # the first MAX_VERSIONS of them


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    pages: int
    took_ms: float
    suggestion: str | None
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    sort: str = "relevance"
    date_granularity: str = "year"
    notice: str | None = None   # e.g. "searched for the words only: ..." after a parse fallback
    groups: int = 0             # entries in the list: stories, near-duplicate versions counted once
    grouped: bool = False       # whether versions were collapsed (`group=off` lists each story)
    facet_counts: str = "stories"   # what facet counts count: every matching story, versions included
    match: str = DEFAULT_MATCH      # which strength of tagging the facets and filters use
    newest: str | None = None       # the newest story's date in the index (date presets count back from it)
    showing_results_for: str | None = None   # `query` found nothing: these are the hits of this correction

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hits"] = [_spread(hit) for hit in d["hits"]]
        for hit in d["hits"]:
            hit.pop("score", None)
        return d


@dataclass
class Story(_Chips):
    id: str
    title: str
    date: str | None
    dateline: str
    place: str
    source: str
    url: str
    path: str
    paragraphs: list[str]       # HTML: escaped text and <mark> only
    body: str
    chips: dict[str, list[Ref]]     # facet plural -> the story's values, every facet with chips
    language: str = ""
    similar: list[Version] = field(default_factory=list)    # related stories (related.py)
    versions: list[Version] = field(default_factory=list)   # near-duplicates of this story
    truncated: bool = False     # body and paragraphs hold only the first part of a long story
    body_chars: int = 0         # length of the whole body

    def to_dict(self) -> dict:
        return _spread(asdict(self))
