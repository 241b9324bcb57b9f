"""The public face of the query engine: what the CLI and `web/` may import.

`Archive` owns one open index for a process (a web worker or a CLI run) and answers
searches, exports, suggestions, stories and statistics as plain dataclasses;
nothing here knows about HTTP. The work is done in `indexer/query/` (see its
`__init__`): this module only composes those parts and re-exports the request and
result types, so that the rest of the query package can change without callers
noticing.
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import functools
import itertools
import math
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

import numpy as np

from .index import whoosh_ext
from .facets import BY_NAME, BY_PARAM, DATE, DEFAULT_MATCH, FACETS, MATCHES, FacetSpec
from .extract.language import label as language_label  # noqa: F401 (re-exported: the web's language chips)
from .query import budget, export, hits, matching
from .query import didyoumean
from .query.arrays import first_k_by_rank, top_k_ids
from .query.export import CHUNK as _EXPORT_CHUNK
from .query.facetcounts import FACET_LIMIT, label_of, facets
from .query.highlight import sanitize_many
from .query.live import REFRESH_EVERY_S, LiveIndex
from .query.parse import MAX_EXPANSIONS, NOTHING, highlight_terms, parse
from .query.request import (EXCLUDE_PREFIX, MAX_QUERY_CHARS, ORG_KINDS, SORTS, FacetValue, Hit, QueryError, Ref,
                            SearchRequest, SearchResult, Story, Version, _clean_text, parse_request)
from .query.suggest import Suggester, Suggestion
from .engines import EngineError  # noqa: F401 (re-exported: the web's 503 when an engine is down)
from .index.store import ENV_INDEX, RECOVER, IndexDamaged, IndexNotFound, changed_file, default_index_dir
from .index.typed import typed_field

WARM_RECENT = 32        # searches remembered to warm the next generation with
WARM_SECONDS = 3.0      # at most this long warming one

__all__ = ["Archive", "open_archive", "EngineError", "QueryError", "SearchRequest", "SearchResult", "Story", "Hit", "FacetValue", "Ref",
           "Version", "Suggestion", "parse_request", "MAX_QUERY_CHARS", "MAX_EXPANSIONS", "ORG_KINDS",
           "SORTS", "FACET_LIMIT", "ENV_INDEX", "IndexNotFound", "IndexDamaged", "default_index_dir",
           "FACETS", "DATE", "FacetSpec", "BY_NAME", "BY_PARAM", "MATCHES", "DEFAULT_MATCH", "EXCLUDE_PREFIX"]


def _locked(method):
    """Run the method under the archive's lock (see `Archive`); a failed read of a damaged
    index becomes IndexDamaged (a 503, exit 6), not a 500 or a traceback (`LiveIndex.diagnose`)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except (QueryError, IndexDamaged, IndexNotFound):
                raise
            except Exception as exc:
                self._index.diagnose(exc)
                raise
    return wrapper


class Archive:
    """One open index for this process, shared by its threads.

    Safe to share: the per-generation caches are changed under locks (query/evaluate.py,
    live.py, matching.py) and Whoosh's segment files keep a read position per thread
    (whoosh_ext/patches.py); tests/test_threads.py hammers one Archive from 8 threads.
    On top of that every use of the index holds one lock per archive: searching is
    CPU-bound Python, so threads would not search faster side by side anyway, and a
    request then never waits for more than the one search before it. An export reads
    its rows a chunk at a time under the lock and streams them without it, so a slow
    reader of an export never holds it.
    """

    def __init__(self, index_dir: Path | str, refresh_every: float = REFRESH_EVERY_S, background: bool = False):
        whoosh_ext.install()          # Whoosh's reading fixes, before any segment is opened
        self._index = LiveIndex(index_dir, refresh_every, warm=self._warm, background=background)
        self._serving = background
        self.index_dir = self._index.index_dir
        self._lock = threading.RLock()
        self._recent: collections.deque[SearchRequest] = collections.deque(maxlen=WARM_RECENT)

    def _warm(self, live) -> None:
        """Before a new generation serves: the front page, then the searches asked here lately.

        Each fills what the next request would otherwise pay for (the whole archive's
        facets and collapsed groups, the postings cache of frequent words, the phrase
        cache), at most WARM_SECONDS of it. A serving process also builds the word lists
        that leading wildcards scan where the generation has no words-as-typed postings (an
        index from before them; else they are mapped: typedsets.py), which would otherwise
        cost the first such request about a second at 215,780 stories (the CLI, answering
        one query, does not).
        """
        if self._serving:       # a web worker: the word lists a leading wildcard needs (~1 s at 10x)
            for fieldname in ("title", "body"):      # patterns are matched in the words as typed (typed.py)
                typed = typed_field(fieldname)
                live.lexicons.size(typed if typed in live.searcher.schema else fieldname)
        deadline = time.monotonic() + WARM_SECONDS
        for req in [SearchRequest()] + list(self._recent)[::-1]:
            if time.monotonic() > deadline:
                break
            try:
                with self._lock:      # a serving worker warms in a thread, beside its requests, one search at a time
                    self._search(live, req)
            except QueryError:
                pass

    def close(self) -> None:
        self._index.close()

    @property
    @_locked
    def generation(self) -> str:
        """Identifies the index a result came from (the generation folder and its Whoosh TOC)."""
        live = self._index.current()
        return f"{live.gen.name}/{live.searcher.reader().generation()}"

    @_locked
    def search(self, req: SearchRequest) -> SearchResult:
        result = self._search(self._index.current(), req)
        if req.q or req.orgs or req.countries or req.regions:
            recent = dataclasses.replace(req, page=1)
            if recent not in self._recent:
                self._recent.append(recent)
        return result

    def _search(self, live, req: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        t = live.tables
        m = matching.match(live, req)
        ids = np.flatnonzero(m.final)            # the one pass over the archive; the rest is O(matches)
        total = int(ids.size)
        collapsed = matching.collapsed(live, req, m, ids)
        shown = collapsed.shown_ids if collapsed else ids
        groups = int(shown.size)
        pages = max(1, math.ceil(groups / req.per_page))
        offset = (req.page - 1) * req.per_page

        page_docs: list[tuple[int, float | None]] = []
        if offset < groups:
            if m.sort == "relevance":
                best = top_k_ids(shown, m.scores, offset + req.per_page)[offset:]
                page_docs = [(int(d), float(m.scores[d])) for d in best]
            else:                                # by each docnum's place in date order (per generation)
                chosen = first_k_by_rank(shown, t.rank(m.sort), offset + req.per_page)[offset:]
                page_docs = [(int(d), None) for d in chosen]

        terms = highlight_terms(live.searcher.reader(), m.query)
        analyzer = live.searcher.schema["body"].analyzer
        page = [hits.hit(live, docnum, score, terms, analyzer, req.match) for docnum, score in page_docs]
        for h, clean in zip(page, sanitize_many([h.snippet for h in page])):
            h.snippet = clean                    # bleach, once for the page
        if collapsed:
            for h, (docnum, _) in zip(page, page_docs):
                docs, h.versions_count = collapsed.versions(docnum)
                h.versions = [hits.version(live, d) for d in docs]
        counted, granularity = facets(live, req, m.text_mask, m.masks, m.final, ids,
                                      cacheable=m.query is None and not m.masks)
        suggestion, notice = None, m.notice
        if m.query is not None and m.query is not NOTHING and total < 3:
            within = None                                          # corrections that find stories here
            for mask in m.masks.values():
                within = mask if within is None else within & mask
            scope = repr(req.filter_key()) if within is not None or req.languages else ""
            suggestion, cut = didyoumean.correct(live, req.q, within=within, scope=scope, languages=req.languages)
            if cut:
                cut = didyoumean.CUT_NOTICE.format(seconds=didyoumean.SECONDS)
                notice = f"{notice}; {cut}" if notice else cut
        if suggestion and total == 0 and req.correct:     # show what the correction finds, as search engines do
            fixed = self._search(live, dataclasses.replace(req, q=suggestion, correct=False))
            if fixed.total:
                fixed.query, fixed.suggestion, fixed.showing_results_for = req.q, suggestion, suggestion
                fixed.took_ms = round((time.perf_counter() - started) * 1000, 1)
                return fixed
        return SearchResult(
            query=req.q, total=total, page=req.page, pages=pages,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            suggestion=suggestion, hits=page, facets=counted, sort=m.sort,
            date_granularity=granularity, notice=notice, groups=groups, grouped=collapsed is not None,
            match=req.match, newest=t.newest())

    @_locked
    def export(self, req: SearchRequest) -> tuple[int, Iterator[dict]]:
        """(count, rows) of every story matching `req`, in its order, versions included.

        The query is parsed and evaluated here (a QueryError is raised now, not while
        streaming); the rows are read lazily (`query/export.py`).
        """
        live = self._index.current()
        m = matching.match(live, req)
        docs = export.ordered(m.final, m.scores, m.sort, live.tables)
        return len(docs), self._in_chunks(export.rows(live.searcher, docs, match=req.match), live)

    def _in_chunks(self, rows: Iterator[dict], live, chunk: int = _EXPORT_CHUNK) -> Iterator[dict]:
        """`rows` read `chunk` at a time under the lock, handed out without it.

        The generation's files are checked before each chunk, as before each request: an
        export streams for as long as its reader reads, and a segment cut short meanwhile
        would kill the worker with SIGBUS on the next memory-mapped page it reads.
        """
        while True:
            with self._lock:
                problem = changed_file(live.files, deleted_ok=True)   # deleted by a reindex: still readable
                if problem is not None:
                    raise IndexDamaged(f"the index at {live.gen} is damaged: {problem}; {RECOVER}")
                try:
                    batch = list(itertools.islice(rows, chunk))
                except Exception as exc:    # the response has begun: the stream ends, the next request is a 503
                    self._index.diagnose(exc)
                    raise
            if not batch:
                return
            yield from batch

    @_locked
    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Words and facet values completing the last word of `q` (query/suggest.py)."""
        live = self._index.current()
        with live.lock:                      # built once per generation, whichever thread asks first
            if live.suggester is None:
                live.suggester = Suggester(live, lambda f, v: label_of(live, f, v))
        with budget.running(budget.Deadline(budget.DEFAULT.seconds)):     # it runs the words before
            return live.suggester.suggest(_clean_text(q), limit)

    @_locked
    def story_text(self, doc_id: str) -> tuple[str, str] | None:
        """(title, whole body) of a story, unhighlighted: what a long story's "whole story" link shows."""
        live = self._index.current()
        docnum = live.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        f = live.searcher.stored_fields(docnum)
        return f.get("title", "") or "", f.get("body", "") or ""

    @_locked
    def story(self, doc_id: str, q: str = "") -> Story | None:
        live = self._index.current()
        docnum = live.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        terms: frozenset[str] = frozenset()
        if q:
            try:
                with budget.running(budget.Deadline(budget.DEFAULT.seconds)):
                    parsed, _ = parse(live, q)
                terms = highlight_terms(live.searcher.reader(), parsed)
            except QueryError:
                terms = frozenset()
        return hits.story(live, docnum, terms)

    def health(self) -> dict:
        """What `/healthz` reports, without the archive's lock.

        A health check must answer while searches queue for the lock (50 clients of a
        0.37 s query kept it waiting 8.8 s): it needs only the live generation (its own
        short lock, `LiveIndex.current`, which also raises IndexDamaged) and figures of
        that generation, computed once from its read-only tables.
        """
        live = self._index.current()
        if live.health is None:
            t = live.tables
            dated = t.day[t.live & (t.day != 0)]
            live.health = {
                "documents": int(t.live.sum()),
                "undated": int((t.live & (t.day == 0)).sum()),
                "first_date": _dt.date.fromordinal(int(dated.min())).isoformat() if dated.size else None,
                "last_date": _dt.date.fromordinal(int(dated.max())).isoformat() if dated.size else None,
                "generation": live.gen.name, "segments": whoosh_ext.segment_count(live.ix)}
        return dict(live.health)

    @_locked
    def document_count(self) -> int:
        """Stories in the live generation (O(1): Whoosh keeps the count); 0 is an empty archive, not an error."""
        return self._index.current().searcher.doc_count()

    @_locked
    @_locked
    def sizes(self) -> dict:
        """Where the live generation's bytes go: each field's postings, term texts and (estimated)
        stored share, the segments' parts and the files beside them (`newsfacet stats --sizes`)."""
        from .index.whoosh_ext import sizes
        live = self._index.current()
        return sizes.measure(live.ix, live.searcher.reader(), live.gen).to_dict()

    def stats(self, top: int = 10) -> dict:
        """Figures of the live generation, its files verified against their checksums first."""
        live = self._index.current()
        if live.verify() is not None:
            raise IndexDamaged(live.damage)
        whole = self.search(SearchRequest(per_page=1))
        size = sum(p.stat().st_size for p in live.gen.iterdir() if p.is_file())
        return {
            **self.health(),
            "index_dir": str(self.index_dir), "index_bytes": size,
            "facets": {name: [asdict(v) for v in values[:top]] for name, values in whole.facets.items()
                       if name != "date"},
        }


def open_archive(location, **kwargs):
    """The one place an engine is chosen: Whoosh's `Archive` for an index folder, the SolrCloud
    engine's for a `solr://` URL (`--engine`, $NEWSFACET_ENGINE; engines/__init__.py)."""
    from .engines import is_engine_url
    if is_engine_url(str(location)):
        from .engines.solr.client import SolrClient
        from .query.solrsearch import SolrArchive
        return SolrArchive(SolrClient(str(location)))
    return Archive(location, **kwargs)
