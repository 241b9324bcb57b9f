"""The public face's searches answered by a SolrCloud collection (the `solr://` engine).

Same requests, same results as `search.Archive` on Whoosh: the request is validated and its
facet values resolved as there (`values.resolve` over `SolrGeneration`), the query parsed
and expanded by NewsFacet (`parse.parse`) and translated (`solrquery.py`), and the page's hits
built by the Whoosh path's own code (`hits.hit`: chips, snippets marked by NewsFacet's
highlighter, then bleach's allow-list). Solr counts and ranks: one /select with the JSON Facet
API gives the total, the page, every facet without its own filter, the days of the timeline
and the near-duplicate groups matched; a page whose matches hold versions costs two or three more
(solrgroups.py). Did-you-mean and suggestions are NewsFacet's own (didyoumean.py, solrsuggest.py)
over what SolrGeneration reads from the collection.

The query budget: NewsFacet's caps (clauses, pattern words) apply before Solr is asked; Solr's
`timeAllowed` bounds the search itself, and a partial answer says so in `notice`.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import time
from dataclasses import asdict

from indexer.engines.solr.client import SolrError
from indexer.facets import BY_PARAM, DATE, FACETS
import numpy as np

from . import budget, didyoumean, export, hits, solrgroups, values
from .facetcounts import FACET_LIMIT, facet_value, label_of
from .highlight import highlight_paragraphs, sanitize_many
from .parse import NOTHING, highlight_terms, parse
from .request import FacetValue, QueryError, SearchRequest, SearchResult, Story, Version, _clean_text
from .solrgeneration import SolrGeneration
from .solrsuggest import SolrSuggester
from .solrquery import facet_request, filters, idf_boosts, to_solr, words_of


@FACETS.derived
def stored_fields() -> str:
    """The stored fields a hit, a story or an export reads: the fixed ones and every registered facet's
    display list or one-value field, asked when a search runs (a facet may be registered after import)."""
    facet_fields = (name for f in FACETS for name, what in f.schema_fields().items() if what in ("stored", "value"))
    return ",".join(dict.fromkeys(("id", "path", "title", "body", "date", "dateline", "place", "source", "url",
                                   "language", *facet_fields)))


SORT = {"relevance": "score desc, seq asc", "newest": "date desc, seq asc", "oldest": "date asc, seq asc"}


def _stored(doc: dict) -> dict:
    """A Solr document as Whoosh's stored fields (display lists decoded, the date a datetime)."""
    f = dict(doc)
    for spec in FACETS:
        if spec.display and isinstance(f.get(spec.display), str):
            f[spec.display] = json.loads(f[spec.display])
    if f.get("date"):
        f["date"] = _dt.datetime.strptime(f["date"][:19], "%Y-%m-%dT%H:%M:%S")
    return f


class _Page:
    """hits.hit reads `gen.searcher.stored_fields(docnum)`: here the docnums are places on the page."""

    def __init__(self, docs: list[dict], schema):
        self.docs = [_stored(d) for d in docs]
        self.searcher = self
        self.schema = schema

    def stored_fields(self, docnum: int) -> dict:
        return self.docs[docnum]


def date_buckets(days: dict[str, int], undated: int) -> tuple[list[tuple[str, int]], str]:
    """`tables.Tables.date_counts` from per-day counts: the date facet's timeline (facets/date.py)."""
    return DATE.buckets(days, undated)


def _fold_buckets(got: dict, param: str, twins: dict[str, list[str]]) -> list[dict]:
    """A facet's buckets with case twins made one value (the spelling `twins` shows, counted by its
    `{param}__t{j}` query facet), in Whoosh's order: count descending, then bytewise."""
    buckets = got.get(param, {}).get("buckets", [])
    groups = [s for s in twins.values() if len(s) > 1]
    if not groups:
        return buckets
    shown_as = {s: spellings[0] for spellings in groups for s in spellings}
    counts = {spellings[0]: int(got.get(f"{param}__t{j}", {}).get("count", 0)) for j, spellings in enumerate(groups)}
    out, seen = [], set()
    for b in buckets:
        value = shown_as.get(b["val"], b["val"])
        if value in seen:
            continue
        seen.add(value)
        out.append({"val": value, "count": counts.get(value, b["count"])})
    out.sort(key=lambda b: (-int(b["count"]), b["val"].encode("utf-8")))
    return [b for b in out if int(b["count"]) > 0]


class SolrEngine:
    """The `Engine` protocol (engines/__init__.py) over a collection: `search.Archive` answers the
    same calls from it as from Whoosh's (the CLI and the web app cannot tell them apart)."""

    def __init__(self, client):
        self.client = client
        self.index_dir = str(client.url)
        self._gen = SolrGeneration(client)

    def current(self) -> SolrGeneration:
        """What is read from the collection (word lists, labels), renewed every REFRESH_S."""
        if self._gen.stale():                   # word lists and labels follow the collection
            self._gen = SolrGeneration(self.client)
        return self._gen

    def generation(self) -> str:
        return str(self.client.url)

    def close(self) -> None:
        pass

    def _query(self, gen, req: SearchRequest):
        """(parsed query, notice, deadline, the request resolved: a new object, `req` is unchanged)."""
        req = values.resolve(gen, req)
        deadline = budget.Deadline(budget.DEFAULT.seconds)
        with budget.running(deadline):
            q, notice = parse(gen, req.q, req.match, req.languages)
        return q, notice, deadline, req

    def _select(self, body: dict) -> dict:
        try:
            return self.client.select({}, body)
        except SolrError as exc:
            if exc.status == 400:          # Solr could not run what the query became: the user's 400
                raise QueryError(f"the search engine could not run this query: {exc}", "q") from None
            raise

    def search(self, req: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        gen = self.current()
        q, notice, deadline, req = self._query(gen, req)
        sort = req.sort if (q is not None or req.sort != "relevance") else "newest"
        offset = (req.page - 1) * req.per_page
        base = {"query": self._translate(gen, q), "filter": filters(req, gen.twins),
                "params": {"q.op": "OR", "timeAllowed": int(budget.DEFAULT.seconds * 1000 * 5)}}
        facet = facet_request(req, FACET_LIMIT, gen.twins)
        if req.group:
            facet[solrgroups.FACET] = solrgroups.facet()
        res = self._select({**base, "offset": offset, "limit": req.per_page, "fields": stored_fields() + ",dup_group,score",
                            "sort": SORT[sort], "facet": facet})
        if res.get("responseHeader", {}).get("partialResults"):
            cut = budget.CUT_NOTICE.format(seconds=budget.DEFAULT.seconds * 5)
            notice = f"{notice}; {cut}" if notice else cut
        total = int(res["response"]["numFound"])
        docs = res["response"]["docs"]
        matched = solrgroups.Matched(total, res.get("facets", {})) if req.group and total else None
        if matched is not None and matched.sizes:       # the matches hold versions: one hit per group
            docs = matched.page_docs(self._select, base, SORT[sort], offset, req.per_page, docs, stored_fields())
        groups = matched.count if matched is not None else total
        page = _Page(docs, gen.searcher.schema)
        terms = highlight_terms(gen.reader, q) if q is not None and q is not NOTHING else frozenset()
        analyzer = gen.searcher.schema["body"].analyzer
        shown = [hits.hit(page, i, d.get("score"), terms, analyzer, req.match) for i, d in enumerate(page.docs)]
        for h, clean in zip(shown, sanitize_many([h.snippet for h in shown])):
            h.snippet = clean
        if matched is not None and matched.sizes:
            found = matched.versions(self._select, base, SORT[sort], [(d["id"], int(d.get("dup_group") or 0))
                                                                      for d in docs])
            for h in shown:
                others, h.versions_count = found.get(h.id, ([], 0))
                h.versions = [solrgroups.as_version(d) for d in others]
        facets, granularity = self._facets(gen, req, res.get("facets", {}))
        suggestion = None
        if q is not None and q is not NOTHING and total < 3:       # did you mean, as search.Archive asks
            scope = repr(req.filter_key()) if base["filter"] or req.languages else ""
            suggestion, cut = didyoumean.correct(gen, req.q, within=base["filter"] or None, scope=scope,
                                                 languages=req.languages)
            notice = didyoumean.noticed(notice, cut)
        fixed = didyoumean.showing_correction(self.search, req, suggestion, total, started)
        if fixed is not None:
            return fixed
        result = SearchResult(
            query=req.q, total=total, page=req.page, pages=max(1, math.ceil(groups / req.per_page)),
            took_ms=round((time.perf_counter() - started) * 1000, 1), suggestion=suggestion, hits=shown,
            facets=facets, sort=sort, date_granularity=granularity, notice=notice, groups=groups,
            grouped=matched is not None, match=req.match, newest=self._newest())
        result.params = req                      # the web writes its links from it
        return result

    def _translate(self, gen, q) -> str:
        if q is NOTHING:
            return "id:__nothing__"
        words = words_of(q)
        if not words:
            return to_solr(q)
        counts = gen.reader.with_field()
        return to_solr(q, idf_boosts(gen.reader.doc_frequencies(words), counts["*"], counts))

    def _facets(self, gen, req: SearchRequest, got: dict):
        days = {b["val"]: int(b["count"]) for b in got.get("days", {}).get("buckets", [])}
        buckets, granularity = date_buckets(days, int(got.get("undated", {}).get("count", 0)))
        out: dict[str, list[FacetValue]] = {"date": [FacetValue(value=k, label=k, count=c) for k, c in buckets]}
        for spec in FACETS:
            chosen = req.filters.get(spec.param) or []
            excluded = req.exclude.get(spec.param) or []
            shown_values = list(dict.fromkeys([*chosen, *excluded]))
            values = [facet_value(gen, spec.param, v, int(got.get(f"{spec.param}__{i}", {}).get("count", 0)),
                                  v in chosen, v in excluded) for i, v in enumerate(shown_values)]
            kind = req.kinds.get(spec.param, "")     # a facet with kinds narrowed to one (`kind_org`)
            find = req.facet_find.get(spec.param, "").casefold()
            rest = []
            for b in _fold_buckets(got, spec.param, gen.twins(spec.field_for(req.match)) if not kind else {}):
                if len(rest) >= FACET_LIMIT:
                    break
                value = b["val"].split("|", 1)[1] if kind else b["val"]
                if value in shown_values:
                    continue
                fv = facet_value(gen, spec.param, value, int(b["count"]), False, False)
                if not find or find in f"{value} {fv.label} {fv.name}".casefold():
                    if kind:
                        fv.kind = kind
                    rest.append(fv)
            if req.facet_sort.get(spec.param) == "name":
                rest.sort(key=lambda fv: fv.label.casefold())
            out[spec.name] = values + rest
        return out, granularity

    def _newest(self) -> str | None:
        res = self.client.select({"q": "date:[* TO *]", "rows": 1, "fl": "date", "sort": "date desc"})
        docs = res["response"]["docs"]
        return docs[0]["date"][:10] if docs else None

    def document(self, doc_id: str, q: str = "") -> Story | None:
        res = self.client.select({"q": "{!term f=id}" + doc_id, "rows": 1, "fl": stored_fields() + ",dup_group"})
        docs = res["response"]["docs"]
        if not docs:
            return None
        f = _stored(docs[0])
        versions = [solrgroups.as_version(d)
                    for d in solrgroups.story_versions(self.client, doc_id, int(f.get("dup_group") or 0))]
        terms: frozenset[str] = frozenset()
        if q:
            try:
                parsed, _, _, _ = self._query(self.current(), SearchRequest(q=q))
                terms = highlight_terms(self.current().reader, parsed) if parsed not in (None, NOTHING) else frozenset()
            except QueryError:
                pass
        lang = f.get("language", "")
        analyzer = hits.in_language(self.current().searcher.schema["body"].analyzer, lang)
        whole = f.get("body", "") or ""
        body = hits.first_part(whole)
        return Story(
            id=f["id"], title=f.get("title", ""), date=hits.iso(f.get("date")), dateline=f.get("dateline", ""),
            place=f.get("place", ""), source=f.get("source", ""), url=f.get("url", ""), path=f.get("path", ""),
            paragraphs=highlight_paragraphs(body, terms, analyzer), body=body, truncated=len(body) < len(whole),
            body_chars=len(whole), chips=hits.story_chips(f), language=lang,
            similar=self.related(doc_id), versions=versions)

    def related(self, doc_id: str, rows: int = 5) -> list[Version]:
        """Solr's MoreLikeThis query parser (distributed) over the story's English-analysed text;
        not NewsFacet's related.py."""
        try:
            res = self.client.select({"q": "{!mlt qf=mlt_text mintf=2 mindf=2}" + doc_id, "rows": rows,
                                      "fl": "id,title,date"})
        except Exception:          # related stories are a nicety: the page shows without them
            return []
        docs = (res.get("response") or {}).get("docs") or []
        return [solrgroups.as_version(d) for d in docs if d.get("id") != doc_id]

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        res = self.client.select({"q": "{!term f=id}" + doc_id, "rows": 1, "fl": "title,body"})
        docs = res["response"]["docs"]
        return (docs[0].get("title", ""), docs[0].get("body", "")) if docs else None

    def suggest(self, q: str, limit: int = 8) -> list:
        """Words and facet values completing the last word of `q`, as on Whoosh (solrsuggest.py)."""
        gen = self.current()
        suggester = gen.caches.parts.computed(      # one per SolrGeneration, whichever thread asks first
            "suggester", lambda: SolrSuggester(gen, lambda f, v: label_of(gen, f, v)))
        with budget.running(budget.Deadline(budget.DEFAULT.seconds)):
            return suggester.suggest(_clean_text(q), limit)

    def export(self, req: SearchRequest):
        """(count, rows) of every match in the search's order, read CHUNK at a time with Solr's
        cursorMark (deep paging that costs the same on the last chunk as on the first)."""
        gen = self.current()
        q, _, _, req = self._query(gen, req)
        sort = req.sort if (q is not None or req.sort != "relevance") else "newest"
        base = {"query": self._translate(gen, q), "filter": filters(req, gen.twins), "params": {"q.op": "OR"}}
        count = int(self.client.select({}, {**base, "limit": 0})["response"]["numFound"])

        def rows():
            cursor = "*"
            while True:
                res = self.client.select({}, {**base, "limit": export.CHUNK, "fields": stored_fields(),
                                              "sort": SORT[sort] + ", id asc",
                                              "params": {"q.op": "OR", "cursorMark": cursor}})
                docs = res["response"]["docs"]
                page = _Page(docs, gen.searcher.schema)
                yield from export.rows(page, np.arange(len(docs)), match=req.match)
                if not docs or res.get("nextCursorMark", cursor) == cursor:
                    return
                cursor = res["nextCursorMark"]
        return count, rows()

    def health(self) -> dict:
        """What `/healthz` reports: the collection's figures and the cluster's shape (two requests)."""
        res = self.client.select({}, {"query": "*:*", "limit": 0, "facet": {
            "first": "min(date)", "last": "max(date)", "undated": {"type": "query", "q": "(*:* -date:[* TO *])"}}})
        status = self.client.cluster_status()["cluster"]
        coll = status["collections"][self.client.url.collection]
        f = res.get("facets", {})

        def day(v):
            return str(v)[:10] if v is not None else None
        return {
            "documents": int(res["response"]["numFound"]), "undated": int(f.get("undated", {}).get("count", 0)),
            "first_date": day(f.get("first")), "last_date": day(f.get("last")),
            "engine": str(self.client.url), "shards": len(coll["shards"]),
            "replicas": sum(len(s["replicas"]) for s in coll["shards"].values()),
            "live_nodes": len(status.get("live_nodes", [])),
        }

    def document_count(self) -> int:
        return int(self.client.select({"q": "*:*", "rows": 0})["response"]["numFound"])

    def facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        """The facets of every story matching `req`: one search of one hit (the counts come with it)."""
        return self.search(dataclasses.replace(req, per_page=1)).facets

    def stats(self, top: int = 10) -> dict:
        whole = self.facets(SearchRequest(per_page=1))
        return {**self.health(), "facets": {name: [asdict(v) for v in values[:top]]
                                           for name, values in whole.items() if name != "date"}}


__all__ = ["SolrEngine", "BY_PARAM"]
