"""The one Whoosh schema NewsFacet writes and reads.

Why these fields:
- `title` and `body` are stemmed so "merger" finds "mergers"; the title is boosted
  because a word in a headline says more about a story than one in paragraph six.
  There is no separate spelling field (Whoosh's `spelling=True` indexes the body a
  second time, unstemmed: +65% indexing time); "did you mean" corrects against the
  stemmed words and turns the stem back into a word found in a story (`query/didyoumean.py`).
- `title_typed` and `body_typed` hold the same words as typed (case-folded, accents kept,
  plus an accent-folded form; every word, stop words included), without positions: what
  patterns (`pers*`, `*oney`, `wh??t`) are matched against, so that a pattern finds
  exactly the stories holding a word it matches (`typed.py`; +37% index size, +36%
  indexing CPU at 1x Reuters: docs/performance.md). Did-you-mean does not use them (yet).
- every facet of `facets.FACETS` has a field of canonical values its story is
  *about* (`org`, `company`, `country`, `region`) and one of every value it *mentions*
  (`org_any` ...): comma-separated KEYWORDs, case kept (`UNDP`, `TM`), indexed, not
  stored: the searcher turns their postings into numpy arrays once per index
  generation and counts facets with `bincount` (see `query/tables.py`). The facet's
  stored `display` field holds the labels of its values for the hits.
- `language` is the story's ISO 639-1 code (`language.py`), stored for the story page
  and counted as a facet like the others (a `single` facet of the registry); `title` and
  `body` are analysed in that language (`analysis.py`), the English analyzer's terms
  being unchanged.
- `day` (YYYY-MM-DD), `month` (YYYY-MM) and `year` feed the date facet and the
  date filter the same way; `date` is the stored, sortable datetime.
- `path` is indexed so that a changed or removed file's stories can be deleted by term.
- `minhash` is a column (not a term): the story's MinHash, from which near-duplicate
  groups are formed when a generation is opened (`dedup.py`; indexes written before it
  have a `simhash` column instead, still read).
"""
from __future__ import annotations

from whoosh.columns import FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from .analysis import NewsAnalyzer
from indexer.facets import FACETS
from .typed import TypedAnalyzer, typed_field
from .whoosh_ext import PackedCodec

TITLE_BOOST = 2.0
MINHASH_BYTES = 128          # dedup.SIGNATURE_BYTES: 64 16-bit minima per story

# What the index derives from the facet registry, computed when asked (the registry may change:
# FACETS.register), memoised until it does. FACET_FIELDS, SINGLE_FIELDS, KIND_FIELDS and SCHEMA are
# still importable names (module __getattr__ below), read at import time by whoever imports them.

@FACETS.derived
def facet_fields_counted() -> tuple[str, ...]:
    """Facet fields the searcher counts: every facet's about and mention fields."""
    return tuple(dict.fromkeys(f for spec in FACETS for f in spec.facet_fields()))


@FACETS.derived
def single_fields() -> tuple[str, ...]:
    return tuple(name for spec in FACETS for name, what in spec.schema_fields().items() if what == "value")


@FACETS.derived
def kind_fields() -> tuple[str, ...]:
    """"government|ICC": a value under the kind it has in this story, so a value shared by bodies of
    several kinds is counted per kind (query/kinds.py); per strength of tagging, as the facets."""
    return tuple(dict.fromkeys(f for spec in FACETS for f in spec.kind_fields()))


def table_fields() -> tuple[str, ...]:
    """Every field the index writes a facet table of (derived.py) and the searcher opens (live.py)."""
    return facet_fields_counted() + kind_fields()


def build_schema() -> Schema:
    analyzer = NewsAnalyzer()      # Whoosh's StemmingAnalyzer, fused (analysis.py)
    typed = TypedAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=analyzer, stored=True),
        # words as typed, for patterns: no positions (phrase=False), not stored (typed.py)
        **{typed_field("title"): TEXT(analyzer=typed, phrase=False, field_boost=TITLE_BOOST),
           typed_field("body"): TEXT(analyzer=typed, phrase=False)},
        date=DATETIME(stored=True, sortable=True),
        day=ID,
        month=ID,
        year=ID,
        dateline=STORED,
        place=STORED,
        **({} if "source" in single_fields() else {"source": STORED}),    # the source facet stores it
        url=STORED,
        minhash=COLUMN(FixedBytesColumn(MINHASH_BYTES, default=bytes(MINHASH_BYTES))),
        **{name: _FIELD_TYPES[what]() for spec in FACETS for name, what in spec.schema_fields().items()},
    )


# facets.Facet.schema_fields -> Whoosh: comma-separated terms; one stored term (the language);
# stored only: [{"value": "UNDP", "label": "UNDP", "name": "...", "kind": "...", "about": false (only when false)}]
_FIELD_TYPES = {"keyword": lambda: KEYWORD(commas=True, lowercase=False, scorable=False),
                "value": lambda: ID(stored=True), "stored": lambda: STORED}

current_schema = FACETS.derived(build_schema)
_DERIVED = {"SCHEMA": current_schema, "FACET_FIELDS": facet_fields_counted, "SINGLE_FIELDS": single_fields,
            "KIND_FIELDS": kind_fields}


def __getattr__(name: str):
    if name in _DERIVED:
        return _DERIVED[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def facet_fields(doc, ents) -> dict:
    """Every facet's fields of one story (the indexer's way to the facet registry)."""
    out: dict = {}
    for spec in FACETS:
        out.update(spec.index_fields(doc, ents))
    return out


def codec() -> PackedCodec:
    """Whoosh's W3 codec with larger posting blocks packed as integer arrays (whoosh_ext/compact.py).

    The searcher reads whole posting lists into arrays (query/arrays.py); with 512 postings
    a block and no zlib, that was 4x faster to read and 15% faster to write than Whoosh's
    default (128, zlib), for an index about 1.8x larger on disk (measured on 8,000 Reuters
    stories). Packed blocks are smaller than even the zlib pickles (body postings 7x smaller
    than the plain pickles at 1x Reuters) and are read by numpy without unpickling.
    """
    return PackedCodec(blocklimit=512, compression=0)
