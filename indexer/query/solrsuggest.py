"""Suggestions while typing over a SolrCloud collection: `suggest.Suggester`, counted by Solr.

The choices are the Whoosh path's own (suggest.py): the last word completed with stems of the
body's word list (Solr's TermsComponent, through `SolrReader.expand_prefix`) and with facet
values matched on any word of their label, each ranked by how many stories the whole query finds
with it, a stem shown as the word the first stories holding it write. Only the counting differs:
where Whoosh intersects masks, here the words before the last are parsed by NewsFacet and
translated (`solrquery.to_solr`), and one request with a query facet per candidate counts them
all among the stories those words find.

Cost, measured on the 5,000 stories of the differential test on the local 2-node cluster: 0.03
to 0.8 s a suggestion list (Whoosh: 0.01 to 0.08 s), most of it reading how each offered stem
is written (one request of a few stories per stem shown, remembered per SolrGeneration); the first
list after SolrGeneration is renewed also reads every facet value with its label (~1 s). The same
lists as on Whoosh, counts included (tests/solr/test_engine_spelling.py).
"""
from __future__ import annotations

from indexer.index.caches import BytesCache
from indexer.facets import FACETS
from .parse import NOTHING, parse
from .solrquery import escape, to_solr, values_query
from .suggest import SURFACES_BYTES, Suggester, _FacetEntry, _WORD, min_stories

_NONE = "-*:*"               # the context of words that find nothing (or could not be read)


class SolrSuggester(Suggester):
    """Per `SolrGeneration` (renewed with it, every REFRESH_S): the collection and a label function."""

    def __init__(self, gen, label):      # not super().__init__: it reads Whoosh tables
        self.gen = gen
        self.searcher = gen.searcher
        self.reader = gen.reader
        self.analyzer = gen.searcher.schema["body"].analyzer
        self.tables = None
        self._surfaces = BytesCache(SURFACES_BYTES)
        self._facets = self._entries(gen, label)
        self.min_stories = min_stories(gen.reader.doc_count_all())

    @staticmethod
    def _entries(gen, label) -> list[_FacetEntry]:
        """Every facet value with its stories, case twins one value, in the order Whoosh's tables give."""
        out = []
        for spec in FACETS:
            field = spec.mention_field
            counts = dict(gen.counted_values(field))
            twins = gen.twins(field)
            grouped = {v: s for v, s in twins.items() if len(s) > 1}
            if grouped:          # stories with either spelling, each once
                res = gen.client.select({}, {"query": "*:*", "limit": 0, "facet": {
                    f"t{i}": {"type": "query", "q": values_query(field, s)} for i, s in enumerate(grouped.values())}})
                for i, value in enumerate(grouped):
                    counts[value] = int(res.get("facets", {}).get(f"t{i}", {}).get("count", 0))
            for value in sorted(twins, key=lambda v: v.encode("utf-8")):
                if not counts.get(value):
                    continue
                text, name, _ = label(spec.param, value)
                shown = f"{text} ({name})" if name else text
                words = tuple(w.lower() for w in _WORD.findall(f"{value} {text} {name}"))
                out.append(_FacetEntry(words, shown, spec.param, value, counts[value]))
        out.sort(key=lambda e: -e.count)
        return out

    def _matches(self, text: str):
        """The Lucene query of what `text` finds, None for no text (every story)."""
        if not text:
            return None
        try:
            q, _ = parse(self.gen, text)
        except Exception:                  # a half-typed query the search would refuse
            return _NONE
        if q is None:
            return None
        return _NONE if q is NOTHING else to_solr(q)

    def _select_counts(self, context, queries: list[str]) -> list[int]:
        if not queries:
            return []
        res = self.gen.client.select({}, {"query": context or "*:*", "limit": 0, "params": {"q.op": "OR"},
                                           "facet": {f"c{i}": {"type": "query", "q": q} for i, q in enumerate(queries)}})
        got = res.get("facets", {})
        return [int(got.get(f"c{i}", {}).get("count", 0)) for i in range(len(queries))]

    def _count(self, text: str) -> int:
        m = self._matches(text)
        if m is None:
            return self.reader.doc_count_all()
        if m == _NONE:
            return 0
        res = self.gen.client.select({}, {"query": m, "limit": 0, "params": {"q.op": "OR"}})
        return int(res["response"]["numFound"])

    def _finds_nothing(self, context) -> bool:
        return context == _NONE or (context is not None and not self._select_counts(context, ["*:*"])[0])

    def _stems_found(self, context, stems: list[bytes]) -> list[int]:
        terms = [escape(b.decode("utf-8")) for b in stems]
        return self._select_counts(context, [f"body_t:{t} OR title_t:{t}" for t in terms])

    def _values_found(self, context, entries: list[_FacetEntry]) -> list[int]:
        return self._select_counts(context, [values_query(FACETS.by_param[e.param].mention_field, [e.value], self.gen.twins)
                                             for e in entries])
