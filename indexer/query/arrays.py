"""Evaluating a parsed Whoosh query as numpy arrays: every match and its BM25F score at once.

Why: a facet count needs every document that matches, and Whoosh finds them by
stepping its matchers one document at a time in Python (then scores the top ones in a
second pass). Here each term's postings are read block by block from Whoosh's posting lists
into arrays (`whoosh_ext/blocks.py`), so a query is a few vector operations over `doc_count_all()`
slots: `mask` says which documents match, `score` is Whoosh's own BM25F (same idf, lengths and
parameters, so the ranking is Whoosh's). Phrases and forms we do not model fall back to Whoosh's
matcher for the set of documents, scored by their words; a pattern of many words is a set at
constant score.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.fields import DATETIME

from indexer.index import whoosh_ext
from indexer.index.caches import BytesCache
from . import budget
from .expansion import PatternDocs, Present
from .phrases import phrase_docs

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_W = np.zeros(0, dtype=np.float32)
CACHE_BYTES = 64 * 1024 * 1024      # per process and index generation
CACHE_MIN_POSTINGS = 256            # shorter lists are quick to read even across segments
FALLBACK_CACHE = 256                # phrase (and other Whoosh-matched) results kept per generation
PARTIAL_PHRASES = 16                # phrases cut short by the deadline, kept to be finished later


@dataclass
class Match:
    mask: np.ndarray      # bool[n]
    score: np.ndarray     # float32[n]; meaningful where mask is True


class Postings:
    """Term postings and field lengths of one reader (all its segments) as arrays.

    Shared by every thread of a process: the LRU of scored lists (`cache`) is a `BytesCache`
    that owns its lock (index/caches.py), and arrays are stored only once complete (two
    threads may both read the same list; either result is the same).
    """

    def __init__(self, reader, B: float = 0.75, K1: float = 1.2, cache_bytes: int = CACHE_BYTES):
        self.reader = reader
        self.n = reader.doc_count_all()
        self.leaves = list(reader.leaf_readers())
        self.B, self.K1 = B, K1
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray | None] = {}
        # Whoosh's average field length divides by every docnum, deleted ones included
        # (the field length still counts them): doc_count_all(), not doc_count().
        self._all_count = reader.doc_count_all()
        # (field, word) -> (docnums, scores), charged their buffers; a list over the bound is not kept
        self.cache = BytesCache(cache_bytes, max_entry=cache_bytes, size=lambda key, hit: hit[0].nbytes + hit[1].nbytes)

    # -- raw arrays

    def term(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term across segments, deleted documents included."""
        return self._read_term(fieldname, btext)

    def _read_term(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        ids_parts, w_parts = [], []
        for leaf, offset in self.leaves:
            found = whoosh_ext.term_postings(leaf, fieldname, btext)     # block by block
            if found is None:
                continue
            ids, weights = found
            if offset:
                ids = ids + offset
            ids_parts.append(ids)
            w_parts.append(weights)
        if not ids_parts:
            return _EMPTY_IDS, _EMPTY_W
        if len(ids_parts) == 1:
            return ids_parts[0], w_parts[0]
        return np.concatenate(ids_parts), np.concatenate(w_parts)

    def column(self, fieldname: str) -> np.ndarray | None:
        """A DATETIME field's column as uint64 per docnum (its default: no date), read on first use."""
        if fieldname not in self._columns:
            field = self.reader.schema[fieldname]
            arr = None
            if isinstance(field, DATETIME) and all(leaf.has_column(fieldname) for leaf, _ in self.leaves):
                arr = np.full(self.n, field.default, dtype=np.uint64)
                for leaf, offset in self.leaves:
                    count = leaf.doc_count_all()
                    arr[offset:offset + count] = np.fromiter(leaf.column_reader(fieldname, translate=False),
                                                             dtype=np.uint64, count=count)
            self._columns[fieldname] = arr
        return self._columns[fieldname]

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in the field, as Whoosh stores it (one byte, decoded)."""
        arr = self._lengths.get(fieldname)
        if arr is None:
            parts = [whoosh_ext.field_lengths(leaf, fieldname) for leaf, _ in self.leaves]
            arr = self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return arr

    # -- scoring

    def bm25(self, fieldname: str, btext: bytes, boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, scores) for one term, exactly Whoosh's BM25F.

        The postings of common words ("said", "oil") are thousands of blocks to read
        and they recur in query after query, so their scored arrays (lists of at least
        CACHE_MIN_POSTINGS) are kept in a small LRU for the life of this generation.
        """
        key = (fieldname, btext)
        hit = self.cache.lookup(key)
        if hit is None:
            hit = self._score(fieldname, btext)        # outside any lock: reading is the slow part
            if hit[0].size >= CACHE_MIN_POSTINGS:
                self.cache.put(key, hit)
        ids, scores = hit
        return (ids, scores * np.float32(boost)) if boost != 1 else (ids, scores)

    def _score(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = self.term(fieldname, btext)
        if ids.size == 0:
            return ids, weights
        field = self.reader.schema[fieldname]
        if not field.scorable:
            return ids, weights
        df = self.reader.doc_frequency(fieldname, btext)
        idf = math.log(self.n / (df + 1)) + 1
        avgfl = (self.reader.field_length(fieldname) / (self._all_count or 1)) or 1
        fl = self.lengths(fieldname)[ids]
        B, K1 = self.B, self.K1
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        return ids, scores.astype(np.float32)


class Evaluator:
    """Turns a Whoosh query tree into a Match over `postings.n` documents."""

    def __init__(self, postings: Postings, searcher, live: np.ndarray):
        self.p = postings
        self.searcher = searcher
        self.live = live
        self.n = postings.n
        # repr(query) -> its matches as packed bits: the last FALLBACK_CACHE phrases (`_fallback_docs`)
        self.phrases = BytesCache(1 << 40, max_entry=1 << 40, max_entries=FALLBACK_CACHE)
        self._fallback_lock = threading.Lock()      # guards `_partial`, shared by every thread
        self._partial: dict[str, tuple[np.ndarray, int]] = {}    # phrases cut short: (found, where to go on)

    def run(self, q) -> Match:
        m = self._eval(q)
        return Match(m.mask & self.live, m.score)

    def _empty(self) -> Match:
        return Match(np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32))

    def _term(self, fieldname, text, boost) -> Match:
        out = self._empty()
        if fieldname not in self.p.reader.schema or budget.expired():   # past the deadline: skipped
            return out
        field = self.p.reader.schema[fieldname]
        try:
            btext = field.to_bytes(text) if not isinstance(text, bytes) else text
        except ValueError:
            return out
        ids, scores = self.p.bm25(fieldname, btext, boost)
        out.mask[ids] = True
        out.score[ids] = scores
        return out

    def _eval(self, q) -> Match:
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, (Present, PatternDocs)):   # `company:*` (parse.present_values); a pattern of many words
            mask = q.mask.copy() if isinstance(q, Present) else q.matched.mask(self.n)     # (typedsets.py)
            return Match(mask, mask * np.float32(q.boost))
        if isinstance(q, wq.Every):     # `body:*`: the stories with something in that field, as Whoosh
            if q.fieldname and q.fieldname in self.p.reader.schema and self.p.reader.schema[q.fieldname].scorable:
                mask = self.p.lengths(q.fieldname) > 0
                return Match(mask, mask * np.float32(q.boost))
            if q.fieldname:
                return self._any_value(q)
            return Match(np.ones(self.n, dtype=bool), np.full(self.n, q.boost, dtype=np.float32))
        if isinstance(q, wq.NumericRange):      # `date:[1987-03-01 TO 1987-03-31]`, `date:1987`
            return self._numeric_range(q)
        if isinstance(q, wq.NullQuery.__class__) or q is wq.NullQuery:
            return self._empty()
        if isinstance(q, wq.Not):     # as Whoosh's InverseMatcher: every match scores its weight, 1
            cuts = budget.cuts()
            mask = ~self._eval(q.query).mask
            if budget.cuts() != cuts:     # an exclusion cut short would let through what it excludes
                return self._empty()
            return Match(mask, mask.astype(np.float32) * np.float32(q.boost))
        # Every Match keeps score == 0 where mask is False, so scores add without masking.
        if isinstance(q, wq.AndNot):
            a, cuts = self._eval(q.a), budget.cuts()
            b = self._eval(q.b)
            if budget.cuts() != cuts:
                return self._empty()
            mask = a.mask & ~b.mask
            return Match(mask, _keep(a.score, mask))
        if isinstance(q, wq.AndMaybe):
            a, b = self._eval(q.a), self._eval(q.b)
            a.score += b.score
            return Match(a.mask, _keep(a.score, a.mask))
        if isinstance(q, wq.Require):
            a, b = self._eval(q.a), self._eval(q.b)
            mask = a.mask & b.mask
            return Match(mask, _keep(a.score, mask))
        if isinstance(q, wq.Or) and q.subqueries and all(isinstance(c, wq.Term) for c in q.subqueries):
            return self._or_terms(q)
        if isinstance(q, (wq.And, wq.Or)) and not isinstance(q, wq.DisjunctionMax):
            children = [self._eval(c) for c in q.subqueries]
            if not children:
                return self._empty()
            is_and = isinstance(q, wq.And)
            mask, score = children[0].mask, children[0].score     # the first child's arrays are reused
            for c in children[1:]:
                if is_and:
                    mask &= c.mask
                else:
                    mask |= c.mask
                score += c.score
            if is_and:
                _keep(score, mask)
            if q.boost != 1:
                score *= np.float32(q.boost)
            return Match(mask, score)
        if isinstance(q, wq.MultiTerm):       # prefix, wildcard, fuzzy, regex, ranges of words
            out = self._empty()
            reader = self.p.reader
            fieldname = q.field()
            for _, btext in q.expanded_terms(reader):
                m = self._term(fieldname, btext, q.boost)
                out.mask |= m.mask
                out.score += m.score
            return out
        return self._fallback(q)

    def _or_terms(self, q) -> Match:
        """An Or of words (what a wildcard or prefix expands to) summed in place, word by word."""
        out = self._empty()
        schema = self.p.reader.schema
        for t in q.subqueries:
            if t.fieldname not in schema or budget.expired():
                continue
            try:
                btext = t.text if isinstance(t.text, bytes) else schema[t.fieldname].to_bytes(t.text)
            except ValueError:
                continue
            ids, scores = self.p.bm25(t.fieldname, btext, t.boost)
            out.mask[ids] = True
            out.score[ids] += scores
        if q.boost != 1:
            out.score *= np.float32(q.boost)
        return out

    def _any_value(self, q) -> Match:
        """`field:*` on a field of values without a table: its values' postings, under the deadline."""
        out = self._empty()
        reader = self.p.reader
        if q.fieldname not in reader.schema:
            return out
        for btext in reader.lexicon(q.fieldname):
            if budget.expired():
                break
            out.mask[self.p.term(q.fieldname, btext)[0]] = True
        out.score[out.mask] = q.boost
        return out

    def _numeric_range(self, q) -> Match:
        """A date range as one comparison over the field's column (Whoosh's own matcher read
        the postings of dozens of terms a range: 23 ranges OR-ed took 0.37 s); without a
        column, the range's terms, each read under the deadline. Scored 1, as before."""
        out = self._empty()
        if budget.expired() or q.fieldname not in self.p.reader.schema:
            return out
        values = self.p.column(q.fieldname)
        if values is None:
            m = self._eval(q._compile_query(self.p.reader))
            out.mask[:] = m.mask
        else:
            mask = values != np.uint64(self.p.reader.schema[q.fieldname].default)
            if q.start is not None:
                mask &= (values > np.uint64(q.start)) if q.startexcl else (values >= np.uint64(q.start))
            if q.end is not None:
                mask &= (values < np.uint64(q.end)) if q.endexcl else (values <= np.uint64(q.end))
            out.mask[:] = mask
        out.score[out.mask] = 1.0
        return out

    def _fallback(self, q) -> Match:
        """Phrases and anything else: Whoosh decides which documents match; words score them."""
        out = self._empty()
        if not isinstance(q, wq.Phrase) and budget.expired():     # Whoosh's matcher has no deadline inside
            return out
        out.mask[:] = self._fallback_docs(q)
        ids = np.flatnonzero(out.mask)
        words = list(q.terms(phrases=True)) if q.has_terms() else []
        score = np.zeros(self.n, dtype=np.float32)
        for fieldname, text in words:
            score += self._term(fieldname, text, q.boost).score
        out.score[ids] = score[ids] if words else 1.0
        return out

    def _fallback_docs(self, q) -> np.ndarray:
        """Whoosh's set of matches for `q`, remembered for this index generation.

        Phrases are matched by Whoosh's span matchers, a Python loop over every
        document holding all the words (hundreds of ms for a common pair at 200,000
        stories). The answer is a bit per document (27 KB at that size), so the last
        FALLBACK_CACHE phrases cost little to keep.
        """
        key = repr(q)
        packed = self.phrases.lookup(key)
        if packed is None:
            found = None
            if isinstance(q, wq.Phrase):
                with self._fallback_lock:
                    resume = self._partial.pop(key, None)
                found = phrase_docs(self.p, q, resume)
            if found is not None:
                mask, resume_at = found
                if resume_at is not None:     # cut short by the deadline: the next request goes on
                    with self._fallback_lock:
                        self._partial[key] = (mask, resume_at)
                        while len(self._partial) > PARTIAL_PHRASES:
                            self._partial.pop(next(iter(self._partial)))
                    return mask.copy()
            else:
                mask = np.zeros(self.n, dtype=bool)
                mask[np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)] = True
            packed = self.phrases.put(key, np.packbits(mask))
        return np.unpackbits(packed, count=self.n).astype(bool)


def _keep(score: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Zero the scores where mask is False, in place."""
    score[~mask] = 0
    return score


def top_k(mask: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Docnums of the k best matches, best first (ties: lower docnum first, as Whoosh)."""
    return top_k_ids(np.flatnonzero(mask), score, k)


def top_k_ids(idx: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """`top_k` over the matching docnums themselves (sorted), without a pass over every document."""
    if idx.size == 0 or k <= 0:
        return idx[:0]
    s = score[idx]
    if idx.size > k:
        part = np.argpartition(-s, k - 1)[:k]
        # include every doc tied with the k-th score so the tie-break is exact
        kth = s[part].min()
        part = np.flatnonzero(s >= kth)
        idx, s = idx[part], s[part]
    order = np.lexsort((idx, -s))[:k]
    return idx[order]


def first_k_by_rank(idx: np.ndarray, rank: np.ndarray, k: int) -> np.ndarray:
    """The k docnums of `idx` with the smallest `rank` (unique ranks), in rank order."""
    if idx.size == 0 or k <= 0:
        return idx[:0]
    r = rank[idx]
    if idx.size > k:
        part = np.argpartition(r, k - 1)[:k]
        idx, r = idx[part], r[part]
    return idx[np.argsort(r, kind="stable")]
