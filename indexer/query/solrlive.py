"""What NewsFacet's query parser needs of an index, answered by a SolrCloud collection.

`parse.parse` reads the query with NewsFacet's own parsers and semantics and expands its
patterns against the index's word lists (`semantics.expand_patterns`, `budget.check_scan`),
resolving facet values by the names stored with the stories. On the Whoosh engine a `live.Live`
generation answers those questions; here `SolrLive` does, from Solr's TermsComponent and the
JSON Facet API, so the typed query is parsed and expanded by NewsFacet exactly as on Whoosh
and only then translated (`solrquery.py`). Word lists and labels are cached for REFRESH_S.
"""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from .. import names as known_names
from ..facetspec import FACETS
from ..nametable import NameTable
from ..schema import SCHEMA
from . import budget
from .parse import make_parsers

# positions: phrases, word lists, `title:*`; the typed sub-fields (typed.py) hold `word|weight` terms
SOLR_FIELD = {"title": "title_t", "body": "body_t", "title_typed": "title_typed", "body_typed": "body_typed"}
SCORED_FIELD = {"title": "title_f", "body": "body_t"}         # a term's score (title weighted as Whoosh)
SEP = "\t"
REFRESH_S = 60.0


def solr_field(name: str) -> str:
    return SOLR_FIELD.get(name, name)


def scored_field(name: str) -> str:
    return SCORED_FIELD.get(name, name)


def _b(text) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


class SolrReader:
    """The part of Whoosh's IndexReader the parser and pattern expansion use."""

    schema = SCHEMA

    def __init__(self, client):
        self.client = client
        self._lexicons: dict[str, list[tuple[bytes, int]]] = {}
        self._count: int | None = None

    def _terms(self, field: str, **params) -> list[tuple[str, int]]:
        res = self.client.request(f"{self.client.url.collection}/terms", {
            "terms.fl": solr_field(field), "terms.limit": -1, "terms.sort": "index", "terms.mincount": 1,
            "terms.maxcount": -1, **params})
        flat = res.get("terms", {}).get(solr_field(field), [])
        if isinstance(flat, dict):
            return list(flat.items())
        return [(flat[i], int(flat[i + 1])) for i in range(0, len(flat), 2)]

    def expand_prefix(self, fieldname: str, prefix):
        prefix = prefix.decode("utf-8") if isinstance(prefix, bytes) else prefix
        return [_b(t) for t, _ in self._terms(fieldname, **({"terms.prefix": prefix} if prefix else {}))]

    def lexicon(self, fieldname: str):
        got = self._lexicons.get(fieldname)
        if got is None:
            got = self._lexicons[fieldname] = [(_b(t), n) for t, n in self._terms(fieldname)]
        return [t for t, _ in got]

    def doc_frequency(self, fieldname: str, btext) -> int:
        self.lexicon(fieldname)
        return dict(self._lexicons[fieldname]).get(_b(btext), 0)

    def doc_count_all(self) -> int:
        if self._count is None:
            self._count = int(self.client.select({"q": "*:*", "rows": 0})["response"]["numFound"])
        return self._count

    def doc_frequencies(self, words: dict[str, set[str]]) -> dict[tuple[str, str], int]:
        """(field, word) -> stories holding it, one TermsComponent request per field."""
        out = {}
        for field, ws in words.items():
            if ws:
                for t, n in self._terms(field, **{"terms.list": ",".join(sorted(ws))}):
                    out[(field, t)] = n
        return out

    def with_field(self) -> dict[str, int]:
        """Stories with a word in each text field (Lucene's docCount), and every story under "*"."""
        if getattr(self, "_with_field", None) is None:
            res = self.client.select({}, {"query": "*:*", "limit": 0, "facet": {
                name: {"type": "query", "q": f"{solr_field(name)}:[* TO *]"} for name in SOLR_FIELD}})
            counts = {name: int(res.get("facets", {}).get(name, {}).get("count", 0)) for name in SOLR_FIELD}
            counts["*"] = int(res["response"]["numFound"])
            self._with_field = counts
        return self._with_field

    def __contains__(self, pair) -> bool:
        field, text = pair
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        return any(t == text for t, _ in self._terms(field, **{"terms.list": text}))


class SolrLive:
    """A `live.Live` look-alike over a collection, for `parse.parse` and `facetcounts.value_named`."""

    def __init__(self, client):
        self.client = client
        self.reader = SolrReader(client)
        self.searcher = SimpleNamespace(schema=SCHEMA, reader=lambda: self.reader)
        self.parser, self.plain_parser = make_parsers(SCHEMA)
        self.parsers: dict = {}
        self.lexicons = budget.Lexicons(self.reader)
        self._names: NameTable | None = None
        self._labels: dict | None = None
        self._folded: dict[str, dict[str, str]] = {}
        self._twins: dict[str, dict[str, list[str]]] = {}
        self.lock = threading.Lock()
        self._names_lock = threading.Lock()
        self.opened = time.monotonic()
        # `valuenames._held` asks `tables.facets[field].index` whether a value is held: each facet's
        # values, case twins folded into the commonest spelling (as Whoosh's tables hold them)
        self.tables = SimpleNamespace(facets=_HeldValues(self))

    def stale(self) -> bool:
        return time.monotonic() - self.opened > REFRESH_S

    def folded_values(self, fieldname: str) -> dict[str, str]:
        found = self._folded.get(fieldname)
        if found is None:
            found = {v.casefold(): v for v in self.twins(fieldname)}
            self._folded[fieldname] = found
        return found

    def counted_values(self, fieldname: str) -> list[tuple[str, int]]:
        """Every value of a facet field with its stories, bytewise (Lucene's and Whoosh's term order)."""
        res = self.client.select({}, {"query": "*:*", "limit": 0, "facet": {
            "v": {"type": "terms", "field": fieldname, "limit": -1, "sort": "index"}}})
        return [(b["val"], int(b["count"])) for b in res.get("facets", {}).get("v", {}).get("buckets", [])]

    def values(self, fieldname: str) -> list[str]:
        return [v for v, _ in self.counted_values(fieldname)]

    def twins(self, fieldname: str) -> dict[str, list[str]]:
        """value -> its spellings, for the value a facet shows of spellings that differ only by case:
        the one most stories use, then the first bytewise (derivedmerge.fold_case_twins); the index
        keeps every spelling, so a filter on the value asks for all of them."""
        found = self._twins.get(fieldname)
        if found is None:
            found = fold_twins(self.counted_values(fieldname))
            self._twins[fieldname] = found
        return found

    @property
    def names(self) -> NameTable:
        """The name table (names.py) of what the collection holds, built in memory on first use: the
        known names (the gazetteers, loaded once per process) and every held value's value, label and
        long name, as the Whoosh indexer writes it beside a generation."""
        with self._names_lock:
            if self._names is None:
                def held():
                    for spec in FACETS:
                        for value, _ in self.counted_values(spec.mention_field):
                            stored = []
                            if spec.stored_labels:
                                label, name, _ = self.labels.get((spec.param, value), ("", "", ""))
                                stored = [n for n in (label, name) if n]
                            yield spec.param, value, stored
                self._names = known_names.engine_table(held())
            return self._names

    @property
    def labels(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(param, value) -> (label, long name, kind), from one facet over the stories' `facet_labels`."""
        if self._labels is None:
            res = self.client.select({}, {"query": "*:*", "limit": 0, "facet": {
                "l": {"type": "terms", "field": "facet_labels", "limit": -1, "sort": "count desc"}}})
            labels: dict = {}
            for b in res.get("facets", {}).get("l", {}).get("buckets", []):
                param, value, label, name, kind = (b["val"].split(SEP) + ["", "", "", ""])[:5]
                labels.setdefault((param, value), (label or value, "" if name == label else name, kind))
            for spec in FACETS:      # facets whose label is not stored: as Whoosh labels them
                if not spec.stored_labels and spec.label:
                    for v in self.values(spec.mention_field):
                        labels.setdefault((spec.param, v), (spec.label(v), "", spec.kind))
            self._labels = labels
        return self._labels


def fold_twins(counted: list[tuple[str, int]]) -> dict[str, list[str]]:
    """value -> [value, its case twins...] for (value, stories) in bytewise order."""
    best: dict[str, tuple[str, int]] = {}
    for value, n in counted:
        key = value.casefold()
        if key not in best or n > best[key][1]:
            best[key] = (value, n)
    out: dict[str, list[str]] = {}
    for value, _ in counted:
        out.setdefault(best[value.casefold()][0], []).append(value)
    return {v: sorted(spellings, key=lambda s: s != v) for v, spellings in out.items()}


class _HeldValues(dict):
    """field -> an object whose `index` holds the field's values (twins folded), read when first asked."""

    def __init__(self, live: SolrLive):
        super().__init__()
        self.live = live

    def get(self, field, default=None):
        if field not in self:
            self[field] = SimpleNamespace(index=self.live.twins(field))
        return super().get(field, default)
