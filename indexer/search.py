"""The query side of the index: parse, filter, count facets, rank, page, highlight.

`Archive` owns one open index for a process (a web worker or a CLI run). It keeps
one Whoosh searcher and its facet tables, and swaps both when a reindex lands (a
new Whoosh generation or a new `current` symlink), so readers never reopen the
index per request. Everything it returns is plain dataclasses; nothing here knows
about HTTP.

The text query decides which documents match (Whoosh), the filters are numpy masks
(`facets.py`), so facet counts over every hit cost one `bincount` per facet; only
the page shown is ranked in full and highlighted.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh import qparser, query as wq

from . import entities, export, related, store
from .request import (FacetValue, Hit, QueryError, Ref, SearchRequest,  # noqa: F401 (parse_request re-exported)
                      SearchResult, Story, Version, _clean_text, parse_request)
from .suggest import Suggester, Suggestion
from .facets import Tables, read_labels
from .fastquery import Evaluator, Postings, first_k_by_rank, top_k_ids
from .collapse import Collapsed
from .didyoumean import did_you_mean
from .highlight import highlight_paragraphs, sanitize_many, snippet
from .schema import FACET_FIELDS

MAX_EXPANSIONS = 1024        # words one wildcard or prefix may stand for
FACET_LIMIT = 50             # values returned per facet (the page shows 8, the rest under "more")
REFRESH_EVERY_S = 1.0
COLLAPSED_CACHE = 16         # browsing (no words) results collapsed, kept per generation

FACET_NAMES = {"org": "organisation", "country": "country", "region": "region"}
PARAM_FOR = {"org": "org", "country": "country", "region": "region"}


# ---------------------------------------------------------------- the archive

_MULTITERM = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Regex, wq.TermRange)
_WORD = re.compile(r"\w+", re.UNICODE)
FIELD_ALIASES = {"org": ["organisation", "organization", "agency"], "country": ["place"],
                 "title": ["headline"]}


def _make_parsers(schema):
    full = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
    full.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    full.add_plugin(qparser.PlusMinusPlugin())
    full.remove_plugin_class(qparser.BoostPlugin)
    plain = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup, plugins=[])
    for cls in (qparser.WildcardPlugin, qparser.PhrasePlugin, qparser.FieldsPlugin, qparser.OperatorsPlugin,
                qparser.GroupPlugin, qparser.RangePlugin, qparser.BoostPlugin, qparser.SingleQuotePlugin):
        plain.remove_plugin_class(cls)
    return full, plain


@dataclass
class _State:
    gen: Path
    ix: object
    searcher: object
    tables: Tables
    evaluator: Evaluator
    parser: object
    plain_parser: object
    labels: dict = field(default_factory=dict)   # (field, value) -> (label, name, kind), facets.read_labels
    whole: dict | None = None     # facets of the unfiltered whole archive, per generation
    collapsed: dict = field(default_factory=dict)    # browsing requests' Collapsed, see _collapsed
    suggester: Suggester | None = None    # built on the first suggestion asked of this generation


@dataclass
class _Match:
    query: object | None          # the parsed text query; None lists everything
    notice: str | None
    text_mask: np.ndarray         # matches of the text query alone (facets leave their own filter out)
    scores: np.ndarray | None
    masks: dict[str, np.ndarray]  # one per active filter
    final: np.ndarray             # text query AND every filter
    sort: str


class Archive:
    """One open index for this process; safe to share between threads."""

    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._checked = 0.0

    # -- lifecycle

    def _open(self) -> _State:
        ix, gen = store.open_live(self.index_dir)
        searcher = ix.searcher()
        postings = Postings(searcher.reader())
        tables = Tables.build(postings, FACET_FIELDS)
        full, plain = _make_parsers(searcher.schema)   # ix.schema re-reads the TOC on every use
        return _State(gen, ix, searcher, tables, Evaluator(postings, searcher, tables.live), full, plain,
                      labels=read_labels(searcher, tables))

    def _stale(self, st: _State) -> bool:
        gen = store.live_dir(self.index_dir)
        if gen is None or gen.resolve() != st.gen.resolve():
            return True
        try:
            return not st.searcher.up_to_date()
        except OSError:
            return True

    def _current(self) -> _State:
        with self._lock:
            now = time.monotonic()
            st = self._state
            if st is None or now - self._checked >= REFRESH_EVERY_S:
                self._checked = now
                if st is None or self._stale(st):
                    st = self._open()
                    self._state = st    # the old searcher closes when its last request lets go of it
            return st

    def close(self) -> None:
        with self._lock:
            if self._state:
                self._state.searcher.close()
            self._state = None

    @property
    def generation(self) -> str:
        """Identifies the index a result came from (the generation folder and its Whoosh TOC)."""
        st = self._current()
        return f"{st.gen.name}/{st.searcher.reader().generation()}"

    # -- queries

    def _parse(self, st: _State, text: str) -> tuple[object | None, str | None]:
        """The text part as a Whoosh query (None = everything) and a notice if we fell back."""
        if not text:
            return None, None
        notice = None
        try:
            q = st.parser.parse(text)
        except Exception:       # Whoosh's parser has many failure modes; the user just gets words
            words = " ".join(_WORD.findall(text))
            q = st.plain_parser.parse(words) if words else wq.NullQuery
            notice = f"could not read the query as written; searched for the words: {words}"
        q = self._resolve_fields(q)
        self._bound_expansions(st, q)
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return None, notice
        return q, notice

    @staticmethod
    def _resolve_fields(q):
        """Turn `country:Brazil` into the code `BR`, `org:unicef` into `UNICEF`."""
        def fix(node):
            if isinstance(node, wq.Term) and node.fieldname in ("country", "org"):
                text = node.text if isinstance(node.text, str) else node.text.decode("utf-8")
                found = (entities.find_country(text) if node.fieldname == "country"
                         else entities.find_organisation(text))
                if found is not None:
                    value = found.code if node.fieldname == "country" else found.key
                    return wq.Term(node.fieldname, value, boost=node.boost)
            return node.apply(fix)
        return fix(q)

    @staticmethod
    def _bound_expansions(st: _State, q) -> None:
        reader = st.searcher.reader()
        for node in q.leaves() if q.is_leaf() is False else [q]:
            if isinstance(node, _MULTITERM):
                n = 0
                for _ in node._btexts(reader):
                    n += 1
                    if n > MAX_EXPANSIONS:
                        raise QueryError(
                            f"'{node}' stands for more than {MAX_EXPANSIONS:,} words; "
                            "give a few more letters", "q")

    def _filter_masks(self, st: _State, req: SearchRequest) -> dict[str, np.ndarray]:
        t = st.tables
        masks = {}
        for fieldname, values in (("org", req.orgs), ("country", req.countries), ("region", req.regions)):
            if values:
                masks[fieldname] = t.facets[fieldname].mask_any(values, t.n)
        if req.date_from or req.date_to:
            masks["date"] = t.date_mask(req.date_from, req.date_to)
        return masks

    def _match(self, st: _State, req: SearchRequest) -> "_Match":
        """Which stories a request matches, with their scores: shared by search and export."""
        q, notice = self._parse(st, req.q)
        scores = None
        if q is not None:
            match = st.evaluator.run(q)          # every match and its score, in one pass
            text_mask, scores = match.mask, match.score
        else:
            text_mask = st.tables.live.copy()
        masks = self._filter_masks(st, req)
        final = text_mask.copy()
        for mask in masks.values():
            final &= mask
        sort = req.sort if (q is not None or req.sort != "relevance") else "newest"
        return _Match(q, notice, text_mask, scores, masks, final, sort)

    @staticmethod
    def _collapsed(st: _State, req: SearchRequest, m: "_Match", ids: np.ndarray) -> Collapsed | None:
        """Near-duplicates collapsed, remembered per generation when no words were asked for.

        Browsing (the front page, a filter without words) collapses the same large sets
        again and again: 215,780 stories take ~5 ms, so those are kept, a few at a time.
        """
        t = st.tables
        if not (req.group and t.shared is not None and ids.size):
            return None
        if m.query is not None:
            return Collapsed(t, m.final, ids, m.scores, m.sort)
        key = (tuple(sorted(m.masks)), tuple(req.orgs), tuple(req.countries), tuple(req.regions),
               req.date_from, req.date_to, m.sort)
        cached = st.collapsed.get(key)
        if cached is None:
            cached = st.collapsed[key] = Collapsed(t, m.final, ids, m.scores, m.sort)
            if len(st.collapsed) > COLLAPSED_CACHE:
                st.collapsed.pop(next(iter(st.collapsed)))
        return cached

    def search(self, req: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        st = self._current()
        t = st.tables
        m = self._match(st, req)
        q, scores, masks, final, sort = m.query, m.scores, m.masks, m.final, m.sort
        ids = np.flatnonzero(final)              # the one pass over the archive; the rest is O(matches)
        total = int(ids.size)
        collapsed = self._collapsed(st, req, m, ids)
        shown = collapsed.shown_ids if collapsed else ids
        groups = int(shown.size)
        pages = max(1, math.ceil(groups / req.per_page))
        offset = (req.page - 1) * req.per_page

        page_docs: list[tuple[int, float | None]] = []
        if offset < groups:
            if sort == "relevance":
                best = top_k_ids(shown, scores, offset + req.per_page)[offset:]
                page_docs = [(int(d), float(scores[d])) for d in best]
            else:                                # by each docnum's place in date order (per generation)
                chosen = first_k_by_rank(shown, t.rank(sort), offset + req.per_page)[offset:]
                page_docs = [(int(d), None) for d in chosen]

        terms = self._highlight_terms(st, q)
        analyzer = st.searcher.schema["body"].analyzer
        hits = [self._hit(st, docnum, score, terms, analyzer) for docnum, score in page_docs]
        for hit, clean in zip(hits, sanitize_many([h.snippet for h in hits])):
            hit.snippet = clean                  # bleach, once for the page
        if collapsed:
            for hit, (docnum, _) in zip(hits, page_docs):
                docs, hit.versions_count = collapsed.versions(docnum)
                hit.versions = [self._version(st, d) for d in docs]
        facets, granularity = self._facets(st, req, m.text_mask, masks, final, ids,
                                           cacheable=q is None and not masks)
        suggestion = did_you_mean(st.searcher, req.q) if q is not None and total < 3 else None
        return SearchResult(
            query=req.q, total=total, page=req.page, pages=pages,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            suggestion=suggestion, hits=hits, facets=facets, sort=sort,
            date_granularity=granularity, notice=m.notice, groups=groups, grouped=collapsed is not None)

    def export(self, req: SearchRequest) -> tuple[int, Iterator[dict]]:
        """(count, rows) of every story matching `req`, in its order, versions included.

        The query is parsed and evaluated here (a QueryError is raised now, not while
        streaming); the rows are read lazily (`export.py`).
        """
        st = self._current()
        m = self._match(st, req)
        docs = export.ordered(m.final, m.scores, m.sort, st.tables)
        return len(docs), export.rows(st.searcher, docs)

    # -- pieces of a result

    def _facets(self, st: _State, req: SearchRequest, text_mask, masks, final, final_ids, cacheable: bool):
        cacheable = cacheable and not req.org_kind
        if cacheable and st.whole is not None:
            return st.whole["facets"], st.whole["granularity"]
        t = st.tables
        selected = {"org": req.orgs, "country": req.countries, "region": req.regions}
        out: dict[str, list[FacetValue]] = {}
        # A facet's own filter is left out of its counts, so that other values of the
        # same facet show how many they would add (values of one facet combine with OR).
        for fieldname in FACET_FIELDS:
            if fieldname not in masks:           # every filter applies: the final matches
                mask, ids = final, final_ids
            else:
                mask, ids = text_mask.copy(), None
                for other, m in masks.items():
                    if other != fieldname:
                        mask &= m
            table = t.facets[fieldname]
            counts = table.counts(mask, ids)
            top = np.argsort(-counts, kind="stable")
            values = []
            chosen = set(selected[fieldname])
            kind = req.org_kind if fieldname == "org" else ""
            for ordinal in top:
                c = int(counts[ordinal])
                if c == 0 or len(values) >= FACET_LIMIT:
                    break
                value = self._facet_value(st, fieldname, table.values[ordinal], c, chosen)
                if not kind or value.kind == kind or value.selected:
                    values.append(value)
            shown = {v.value for v in values}
            for v in selected[fieldname]:
                if v not in shown:
                    ordinal = table.index.get(v)
                    c = int(counts[ordinal]) if ordinal is not None else 0
                    values.append(self._facet_value(st, fieldname, v, c, chosen))
            out[FACET_NAMES[fieldname]] = values
        buckets, granularity = t.date_counts(final_ids)
        out["date"] = [FacetValue(value=k, label=k, count=c) for k, c in buckets]
        out = {"date": out["date"], "organisation": out["organisation"],
               "country": out["country"], "region": out["region"]}
        if cacheable:
            st.whole = {"facets": out, "granularity": granularity}
        return out, granularity

    @staticmethod
    def _facet_value(st: _State, fieldname: str, value: str, count: int, chosen: set[str]) -> FacetValue:
        label, name, kind = _label(st, fieldname, value)
        return FacetValue(value=value, label=label, count=count, selected=value in chosen,
                          name=name, kind=kind)

    @staticmethod
    def _highlight_terms(st: _State, q) -> frozenset[str]:
        """The indexed words (wildcards expanded) of the text fields that the query asks for.

        Written out rather than `Query.existing_terms`, which reuses its `fieldname`
        argument as a loop variable and so drops every field after the first.
        """
        if q is None:
            return frozenset()
        reader = st.searcher.reader()
        out = set()
        for leaf in _positive_leaves(q):
            try:
                pairs = list(leaf.expanded_terms(reader, phrases=True))
            except Exception:
                continue
            for fieldname, text in pairs:
                if fieldname in ("title", "body"):
                    out.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        return frozenset(out)

    def _hit(self, st: _State, docnum: int, score, terms, analyzer) -> Hit:
        f = st.searcher.stored_fields(docnum)
        return Hit(
            id=f["id"], title=f.get("title", ""), date=_iso(f.get("date")),
            dateline=f.get("dateline", ""), snippet=snippet(f.get("body", ""), terms, analyzer, clean=False),
            organisations=_refs(f.get("orgs_display")), countries=_refs(f.get("countries_display")),
            source=f.get("source", ""), url=f.get("url", ""), score=score)

    @staticmethod
    def _version(st: _State, docnum: int) -> Version:
        f = st.searcher.stored_fields(docnum)
        return Version(id=f["id"], title=f.get("title", ""), date=_iso(f.get("date")))

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Words and facet values completing the last word of `q` (suggest.py)."""
        st = self._current()
        if st.suggester is None:
            st.suggester = Suggester(st.searcher, st.tables, lambda f, v: _label(st, f, v))
        return st.suggester.suggest(_clean_text(q), limit)

    def story(self, doc_id: str, q: str = "") -> Story | None:
        st = self._current()
        docnum = st.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        f = st.searcher.stored_fields(docnum)
        terms: frozenset[str] = frozenset()
        if q:
            try:
                parsed, _ = self._parse(st, q)
                terms = self._highlight_terms(st, parsed)
            except QueryError:
                terms = frozenset()
        analyzer = st.searcher.schema["body"].analyzer
        text = f"{f.get('title', '')}\n{f.get('body', '')}"
        return Story(
            id=f["id"], title=f.get("title", ""), date=_iso(f.get("date")), dateline=f.get("dateline", ""),
            place=f.get("place", ""), source=f.get("source", ""), url=f.get("url", ""), path=f.get("path", ""),
            paragraphs=highlight_paragraphs(f.get("body", ""), terms, analyzer), body=f.get("body", ""),
            organisations=_refs(f.get("orgs_display")), countries=_refs(f.get("countries_display")),
            regions=_refs(f.get("regions_display")),
            similar=[self._version(st, d)
                     for d, _ in related.similar(st.searcher, st.evaluator, st.tables, docnum, text)],
            versions=[self._version(st, d) for d in related.versions(st.tables, docnum)[:20]])

    def stats(self, top: int = 10) -> dict:
        st = self._current()
        t = st.tables
        dated = t.day[t.live & (t.day != 0)]
        whole = self.search(SearchRequest(per_page=1))
        size = sum(p.stat().st_size for p in st.gen.iterdir() if p.is_file())
        return {
            "documents": int(t.live.sum()),
            "undated": int((t.live & (t.day == 0)).sum()),
            "first_date": _dt.date.fromordinal(int(dated.min())).isoformat() if dated.size else None,
            "last_date": _dt.date.fromordinal(int(dated.max())).isoformat() if dated.size else None,
            "index_dir": str(self.index_dir), "generation": st.gen.name, "index_bytes": size,
            "segments": len(st.ix._segments()) if hasattr(st.ix, "_segments") else None,
            "facets": {name: [asdict(v) for v in values[:top]] for name, values in whole.facets.items()
                       if name != "date"},
        }


def _positive_leaves(q):
    """Leaves of a query tree except those under NOT (their words are not to be marked)."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, _dt.datetime) else str(value)


def _refs(items) -> list[Ref]:
    return [Ref(value=i["value"], label=i["label"]) for i in (items or [])]


def _label(st: _State, fieldname: str, value: str) -> tuple[str, str, str]:
    """(label, long name, kind) of a facet value: as indexed, else from the gazetteers.

    The gazetteers are only consulted for a value no story holds (a filter typed into
    a URL), so a serving worker does not load them.
    """
    key = (fieldname, value)
    found = st.labels.get(key)
    if found is None:
        label, name, kind = value, "", ""
        try:
            if fieldname == "country":
                c = entities.find_country(value)
                label = c.name if c else value
            elif fieldname == "org":
                o = entities.find_organisation(value)
                if o is not None:
                    label, name, kind = o.key, (o.name if o.name != o.key else ""), o.kind
        except Exception:        # a gazetteer problem must not break a search: show the raw value
            pass
        found = st.labels[key] = (label, name, kind)
    return found
