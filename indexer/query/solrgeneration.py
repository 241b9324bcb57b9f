"""What NewsFacet's query parser needs of an index, answered by a SolrCloud collection.

`parse.parse` reads the query with NewsFacet's own parsers and semantics and expands its
patterns against the index's word lists (`semantics.expand_patterns`, `budget.check_scan`),
resolving facet values by the names stored with the stories. On the Whoosh engine the open
`generation.Generation` answers those questions; here `SolrGeneration` does, from Solr's
TermsComponent and the JSON Facet API, so the typed query is parsed and expanded by NewsFacet
exactly as on Whoosh and only then translated (`solrquery.py`). Word lists and labels are cached
for REFRESH_S. The query modules call either one `gen`: one word for one meaning.
"""
from __future__ import annotations

import bisect
import threading
import time
import urllib.parse
from types import SimpleNamespace

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from indexer.index import names as known_names
from indexer.facets import FACETS
from indexer.index.nametable import NameTable
from indexer.index.schema import current_schema
from . import budget
from .caches import Caches
from .parse import NOTHING, make_parsers
from .solrtyped import SolrTyped

# positions: phrases, word lists, `title:*`; the typed sub-fields (typed.py) hold `word|weight` terms
SOLR_FIELD = {"title": "title_t", "body": "body_t", "title_typed": "title_typed", "body_typed": "body_typed"}
SCORED_FIELD = {"title": "title_f", "body": "body_t"}         # a term's score (title weighted as Whoosh)
SEP = "\t"
REFRESH_S = 60.0
SAMPLED = 40                  # stories read to see how a stem is written (spellwords.SAMPLE_STORIES)
FIRST_READ = 8                # ... of which read first (suggest.SURFACE_STORIES)
PREFIXES_KEPT = 256           # word lists by prefix kept while a SolrGeneration lives (REFRESH_S)


def solr_field(name: str) -> str:
    return SOLR_FIELD.get(name, name)


def scored_field(name: str) -> str:
    return SCORED_FIELD.get(name, name)


def _b(text) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


class SolrReader:
    """The part of Whoosh's IndexReader the parser, pattern expansion and spelling help use."""

    def __init__(self, client):
        self.client = client
        self.schema = current_schema()     # the registry's facets now (a Whoosh reader: its index's)
        self._lexicons: dict[str, list[tuple[bytes, int]]] = {}
        self._frequencies: dict[str, dict[bytes, int]] = {}
        self._prefixed: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self._count: int | None = None

    def _terms(self, field: str, **params) -> list[tuple[str, int]]:
        params = {"terms.fl": solr_field(field), "terms.limit": -1, "terms.sort": "index", "terms.mincount": 1,
                  "terms.maxcount": -1, **params}
        if len(params.get("terms.list", "")) > 1000:       # hundreds of words: in the body, not the URL
            res = self.client.request(f"{self.client.url.collection}/terms", {}, urllib.parse.urlencode(
                params).encode("utf-8"), content_type="application/x-www-form-urlencoded")
        else:
            res = self.client.request(f"{self.client.url.collection}/terms", params)
        flat = res.get("terms", {}).get(solr_field(field), [])
        if isinstance(flat, dict):
            return list(flat.items())
        return [(flat[i], int(flat[i + 1])) for i in range(0, len(flat), 2)]

    def counted_words(self, fieldname: str, prefix: str = "") -> list[tuple[str, int]]:
        """The field's terms with the prefix and their document frequencies, sorted (read once per
        prefix while this reader lives; the whole list is `lexicon`'s)."""
        if not prefix:
            self.lexicon(fieldname)
            return [(t.decode("utf-8"), n) for t, n in self._lexicons[fieldname]]
        key = (fieldname, prefix)
        got = self._prefixed.get(key)
        if got is None:
            got = self._terms(fieldname, **{"terms.prefix": prefix})
            if len(self._prefixed) > PREFIXES_KEPT:
                self._prefixed.clear()
            self._prefixed[key] = got
        return got

    def expand_prefix(self, fieldname: str, prefix):
        """The field's terms with the prefix, sorted (read once per prefix while this reader lives)."""
        prefix = prefix.decode("utf-8") if isinstance(prefix, bytes) else prefix
        return [_b(t) for t, _ in self.counted_words(fieldname, prefix)]

    def lexicon(self, fieldname: str):
        got = self._lexicons.get(fieldname)
        if got is None:
            got = self._lexicons[fieldname] = [(_b(t), n) for t, n in self._terms(fieldname)]
            self._frequencies[fieldname] = dict(got)      # every word's count: no look-up needed
        return [t for t, _ in got]

    def doc_frequency(self, fieldname: str, btext) -> int:
        """From the field's word list when it was read, else from one look-up (remembered)."""
        known = self._frequencies.setdefault(fieldname, {})
        btext = _b(btext)
        if fieldname not in self._lexicons and btext not in known:
            text = btext.decode("utf-8")
            known[btext] = dict(self._terms(fieldname, **{"terms.list": text})).get(text, 0)
        return known.get(btext, 0)

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

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0):
        """The field's terms within `maxdist` edits of `text` sharing its first `prefix` letters: Whoosh's
        own Levenshtein automaton run over the terms with that prefix, so the same terms as on Whoosh."""
        words = [t.decode("utf-8") for t in self.expand_prefix(fieldname, text[:prefix])]
        dfa = levenshtein_automaton(text, maxdist, prefix).to_dfa()

        def first_at_least(word: str):
            i = bisect.bisect_left(words, word)
            return words[i] if i < len(words) else None
        return list(find_all_matches(dfa, first_at_least))

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


class SolrSearcher:
    """The two calls of Whoosh's Searcher the spelling help and suggestions make to see how stories
    write a stem (`docs_for_query` of one term, then `stored_fields`): the first SAMPLED stories
    holding it in indexing order, as Whoosh's docnum order gives them."""

    def __init__(self, client, reader: SolrReader):
        self.client = client
        self._reader = reader
        self.schema = reader.schema

    def reader(self) -> SolrReader:
        return self._reader

    def docs_for_query(self, q):
        """Keys of the stories holding a one-term query's term (a `whoosh.query.Term`), read as they
        are taken: FIRST_READ stories (suggestions take 6), then the rest of SAMPLED (spelling, 40)."""
        query = "{!term f=%s}%s" % (solr_field(q.fieldname), q.text)
        start = 0
        for rows in (FIRST_READ, SAMPLED - FIRST_READ):
            docs = self.client.select({"q": query, "start": start, "rows": rows, "fl": "body",
                                       "sort": "seq asc"})["response"]["docs"]
            for d in docs:
                yield _Stored(d)
            if len(docs) < rows:
                return
            start += rows

    def stored_fields(self, key: "_Stored") -> dict:
        return key.fields


class _Stored:
    """A story `SolrSearcher.docs_for_query` read, standing where Whoosh hands out a docnum."""
    __slots__ = ("fields",)

    def __init__(self, fields: dict):
        self.fields = fields


class SolrGeneration:
    """A `generation.Generation` look-alike over a collection, for `parse.parse` and `facetcounts.value_named`."""

    remote = True           # Solr counts the stories: no masks of the tables (parse.present_values)

    def __init__(self, client):
        self.client = client
        self.reader = SolrReader(client)
        self.searcher = SolrSearcher(client, self.reader)
        self.parser, self.plain_parser = make_parsers(self.reader.schema)
        self.typed = SolrTyped(self.reader)      # patterns of many words at constant score, as on Whoosh
        self.lexicons = budget.Lexicons(self.reader, self.typed)
        self._names: NameTable | None = None
        self._labels: dict | None = None
        self._folded: dict[str, dict[str, str]] = {}
        self._twins: dict[str, dict[str, list[str]]] = {}
        self.caches = Caches()           # as a Generation's: parsers, corrections, the suggester ...
        self._names_lock = threading.Lock()
        self.opened = time.monotonic()
        self.facets_version = FACETS.version     # a facet registered since: read again (stale)
        # `values._held` asks `tables.facets[field].index` whether a value is held: each facet's
        # values, case twins folded into the commonest spelling (as Whoosh's tables hold them)
        self.tables = SimpleNamespace(facets=_HeldValues(self))

    def stale(self) -> bool:
        return time.monotonic() - self.opened > REFRESH_S or FACETS.version != self.facets_version

    def count_matches(self, q, within: list[str] | None = None) -> int:
        """Stories a parsed query finds under filter queries (`solrquery.filters`): what the spelling
        help asks of each correction it tries (didyoumean._count)."""
        from .solrquery import to_solr
        if q is NOTHING:
            return 0
        res = self.client.select({}, {"query": to_solr(q), "filter": list(within or []), "limit": 0,
                                      "params": {"q.op": "OR"}})
        return int(res["response"]["numFound"])

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
                for v in self.values(spec.mention_field):
                    found = spec.label_of(v)
                    if found is None:          # its labels are stored with the stories
                        break
                    labels.setdefault((spec.param, v), found)
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

    def __init__(self, gen: SolrGeneration):
        super().__init__()
        self.gen = gen

    def get(self, field, default=None):
        if field not in self:
            self[field] = SimpleNamespace(index=self.gen.twins(field))
        return super().get(field, default)
