"""Whoosh's implementation of the `Engine` protocol (engines/__init__.py): the embedded default.

The index is a folder; one `Generation` of it is open at a time (current.py hands out the
current one, generation.py holds its parts and caches), and this module is the only one of
the query side that asks for it: the other query modules are handed the open generation
(matching, facetcounts, hits, suggest ...), and none opens index files itself
(tests/test_engines.py checks that). `search.Archive` picks this engine for an index folder.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import math
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

import numpy as np

from indexer.extract.language import analysis_language
from indexer.index import whoosh_ext
from indexer.index.store import RECOVER, IndexDamaged, IndexNotFound, changed_file
from indexer.index.typed import typed_field
from . import budget, didyoumean, export, hits, matching, related
from .arrays import first_k_by_rank, top_k_ids
from .current import REFRESH_EVERY_S, CurrentGeneration
from .export import CHUNK as _EXPORT_CHUNK
from .facetcounts import facets
from .generation import Generation
from .highlight import sanitize_many
from .parse import NOTHING, highlight_terms, parse
from .request import FacetValue, QueryError, SearchRequest, SearchResult, Story, Version, _clean_text
from .suggest import Suggestion

WARM_RECENT = 32        # searches remembered to warm the next generation with
WARM_SECONDS = 3.0      # at most this long warming one


def _locked(method):
    """Run the method under the engine's lock (see `WhooshEngine`); a failed read of a damaged
    index becomes IndexDamaged (a 503, exit 6), not a 500 or a traceback (`CurrentGeneration.diagnose`)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            try:
                return method(self, *args, **kwargs)
            except (QueryError, IndexDamaged, IndexNotFound):
                raise
            except Exception as exc:
                self._current.diagnose(exc)
                raise
    return wrapper


class WhooshEngine:
    """One open index folder for this process, shared by its threads.

    Safe to share: the per-generation caches are changed under their own locks (generation.py,
    index/caches.py; the evaluator's in arrays.py) and Whoosh's segment files keep a read position per thread
    (whoosh_ext/patches.py); tests/test_threads.py hammers one Archive from 8 threads.
    On top of that every use of the index holds one lock per engine (`lock`): searching is
    CPU-bound Python, so threads would not search faster side by side anyway, and a
    request then never waits for more than the one search before it. An export reads
    its rows a chunk at a time under the lock and streams them without it, so a slow
    reader of an export never holds it.
    """

    def __init__(self, index_dir: Path | str, refresh_every: float = REFRESH_EVERY_S, background: bool = False):
        whoosh_ext.install()          # Whoosh's reading fixes, before any segment is opened
        self._current = CurrentGeneration(index_dir, refresh_every, warm=self._warm, background=background)
        self._serving = background
        self.index_dir = self._current.index_dir
        self.lock = threading.RLock()
        self._recent: collections.deque[SearchRequest] = collections.deque(maxlen=WARM_RECENT)

    def _warm(self, gen: Generation) -> None:
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
                gen.lexicons.size(typed if typed in gen.searcher.schema else fieldname)
        deadline = time.monotonic() + WARM_SECONDS
        for req in [SearchRequest()] + list(self._recent)[::-1]:
            if time.monotonic() > deadline:
                break
            try:
                with self.lock:       # a serving worker warms in a thread, beside its requests, one search at a time
                    self._search(gen, req)
            except QueryError:
                pass

    def close(self) -> None:
        self._current.close()

    def current(self) -> Generation:
        """The open generation, checked first (`CurrentGeneration.current`): its parts and caches."""
        return self._current.current()

    @_locked
    def generation(self) -> str:
        """Identifies the index a result came from (the generation folder and its Whoosh TOC)."""
        gen = self._current.current()
        return f"{gen.folder.name}/{gen.commit}"

    @_locked
    def search(self, req: SearchRequest) -> SearchResult:
        result = self._search(self._current.current(), req)
        if req.q or req.orgs or req.countries or req.regions:
            recent = dataclasses.replace(req, page=1)
            if recent not in self._recent:
                self._recent.append(recent)
        return result

    def _search(self, gen, req: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        t = gen.tables
        m = matching.match(gen, req)
        req = m.req                              # its facet values as the index holds them
        ids = np.flatnonzero(m.final)            # the one pass over the archive; the rest is O(matches)
        total = int(ids.size)
        collapsed = matching.collapsed(gen, req, m, ids)
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

        terms = highlight_terms(gen.searcher.reader(), m.query)
        analyzer = gen.searcher.schema["body"].analyzer
        page = [hits.hit(gen, docnum, score, terms, analyzer, req.match) for docnum, score in page_docs]
        for h, clean in zip(page, sanitize_many([h.snippet for h in page])):
            h.snippet = clean                    # bleach, once for the page
        if collapsed:
            for h, (docnum, _) in zip(page, page_docs):
                docs, h.versions_count = collapsed.versions(docnum)
                h.versions = [hits.version(gen, d) for d in docs]
        counted, granularity = facets(gen, req, m.text_mask, m.masks, m.final, ids,
                                      cacheable=m.query is None and not m.masks)
        suggestion, notice = None, m.notice
        if m.query is not None and m.query is not NOTHING and total < 3:
            within = None                                          # corrections that find stories here
            for mask in m.masks.values():
                within = mask if within is None else within & mask
            scope = repr(req.filter_key()) if within is not None or req.languages else ""
            suggestion, cut = didyoumean.correct(gen, req.q, within=within, scope=scope, languages=req.languages)
            notice = didyoumean.noticed(notice, cut)
        fixed = didyoumean.showing_correction(lambda r: self._search(gen, r), req, suggestion, total, started)
        if fixed is not None:
            return fixed
        result = SearchResult(
            query=req.q, total=total, page=req.page, pages=pages,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            suggestion=suggestion, hits=page, facets=counted, sort=m.sort,
            date_granularity=granularity, notice=notice, groups=groups, grouped=collapsed is not None,
            match=req.match, newest=t.newest())
        result.params = req                      # the web writes its links from it
        return result

    @_locked
    def export(self, req: SearchRequest) -> tuple[int, Iterator[dict]]:
        """(count, rows) of every story matching `req`, in its order, versions included.

        The query is parsed and evaluated here (a QueryError is raised now, not while
        streaming); the rows are read lazily (`query/export.py`).
        """
        gen = self._current.current()
        m = matching.match(gen, req)
        docs = export.ordered(m.final, m.scores, m.sort, gen.tables)
        return len(docs), self._in_chunks(export.rows(gen.searcher, docs, match=req.match), gen)

    def _in_chunks(self, rows: Iterator[dict], gen, chunk: int = _EXPORT_CHUNK) -> Iterator[dict]:
        """`rows` read `chunk` at a time under the lock, handed out without it.

        The generation's files are checked before each chunk, as before each request: an
        export streams for as long as its reader reads, and a segment cut short meanwhile
        would kill the worker with SIGBUS on the next memory-mapped page it reads.
        """
        while True:
            with self.lock:
                problem = changed_file(gen.files, deleted_ok=True)   # deleted by a reindex: still readable
                if problem is not None:
                    raise IndexDamaged(f"the index at {gen.folder} is damaged: {problem}; {RECOVER}")
                try:
                    batch = list(itertools.islice(rows, chunk))
                except Exception as exc:    # the response has begun: the stream ends, the next request is a 503
                    self._current.diagnose(exc)
                    raise
            if not batch:
                return
            yield from batch

    @_locked
    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Words and facet values completing the last word of `q` (query/suggest.py)."""
        gen = self._current.current()
        with budget.running(budget.Deadline(budget.DEFAULT.seconds)):     # it runs the words before
            return gen.suggester.suggest(_clean_text(q), limit)

    @_locked
    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        """(title, whole body) of a story, unhighlighted: what a long story's "whole story" link shows."""
        gen = self._current.current()
        docnum = gen.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        f = gen.searcher.stored_fields(docnum)
        return f.get("title", "") or "", f.get("body", "") or ""

    @_locked
    def document(self, doc_id: str, q: str = "") -> Story | None:
        """The story page: its text highlighted with `q`'s words, related stories and versions."""
        gen = self._current.current()
        docnum = gen.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        terms: frozenset[str] = frozenset()
        if q:
            try:
                with budget.running(budget.Deadline(budget.DEFAULT.seconds)):
                    parsed, _ = parse(gen, q)
                terms = highlight_terms(gen.searcher.reader(), parsed)
            except QueryError:
                terms = frozenset()
        return hits.story(gen, docnum, terms)

    def health(self) -> dict:
        """What `/healthz` reports, without the engine's lock.

        A health check must answer while searches queue for the lock (50 clients of a
        0.37 s query kept it waiting 8.8 s): it needs only the current generation (its own
        short lock, `CurrentGeneration.current`, which also raises IndexDamaged) and figures of
        that generation, computed once from its read-only tables (`Generation.health`).
        """
        return self._current.current().health()

    @_locked
    def related(self, doc_id: str, rows: int = related.TOP) -> list[Version]:
        """Stories most like `doc_id` (query/related.py), one per near-duplicate group: what the
        story page lists, found from the story's title and first part as `hits.story` does."""
        gen = self._current.current()
        docnum = gen.searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        f = gen.searcher.stored_fields(docnum)
        text = f"{f.get('title', '')}\n{hits.first_part(f.get('body', '') or '')[:related.MAX_TEXT]}"
        return [hits.version(gen, d) for d, _ in related.similar(
            gen.searcher, gen.evaluator, gen.tables, docnum, text, top=rows,
            language=analysis_language(f.get("language", "")))]

    @_locked
    def facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        """The facets of every story matching `req` (what `search` counts), without a page of hits."""
        gen = self._current.current()
        m = matching.match(gen, req)
        req = m.req
        counted, _ = facets(gen, req, m.text_mask, m.masks, m.final, np.flatnonzero(m.final),
                            cacheable=m.query is None and not m.masks)
        return counted

    @_locked
    def document_count(self) -> int:
        """Stories in the gen generation (O(1): Whoosh keeps the count); 0 is an empty archive, not an error."""
        return self._current.current().searcher.doc_count()

    @_locked
    def sizes(self) -> dict:
        """Where the gen generation's bytes go: each field's postings, term texts and (estimated)
        stored share, the segments' parts and the files beside them (`newsfacet stats --sizes`)."""
        from indexer.index.whoosh_ext import sizes
        gen = self._current.current()
        return sizes.measure(gen.ix, gen.searcher.reader(), gen.folder).to_dict()

    def stats(self, top: int = 10) -> dict:
        """Figures of the gen generation, its files verified against their checksums first."""
        gen = self._current.current()
        if gen.verify() is not None:
            raise IndexDamaged(gen.damage)
        whole = self.facets(SearchRequest(per_page=1))
        size = sum(p.stat().st_size for p in gen.folder.iterdir() if p.is_file())
        return {
            **self.health(),
            "index_dir": str(self.index_dir), "index_bytes": size,
            "facets": {name: [asdict(v) for v in values[:top]] for name, values in whole.items()
                       if name != "date"},
        }
