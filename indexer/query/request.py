"""What a search answers: the result records, and the request's names re-exported.

The request itself, its parameters, validation and links, is `params.SearchParams` (one owner);
`SearchRequest` and `parse_request` remain its names for the engines, the CLI and the tests.
Plain dataclasses only: nothing here knows Whoosh or HTTP.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from indexer.facets import DEFAULT_MATCH
from .params import (EXCLUDE_PREFIX, FACET_SORTS, FIND_PREFIX, MAX_FILTER_VALUES, MAX_PAGE,  # noqa: F401 (re-exported)
                     MAX_PER_PAGE, MAX_QUERY_CHARS, ORG_KINDS, SORT_PREFIX, SORTS, QueryError, SearchParams,
                     _clean_text)

SearchRequest = SearchParams


def parse_request(params) -> SearchParams:
    """Validate HTTP-style parameters (each a list of strings): `SearchParams.parse`."""
    return SearchParams.parse(params)


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
    # Not a field (not in `to_dict`, the result object's JSON): the request as the engine resolved
    # its facet values (`SearchParams.resolve`), from which the web writes the result's links.
    params = None

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
