"""Evaluating a parsed Whoosh query as numpy arrays: every match and its BM25F score at once.

Why: a facet count needs every document that matches, and Whoosh finds them by
stepping its matchers one document at a time in Python (then scores the top ones in a
second pass). Here each term's postings are read block by block from Whoosh's posting lists
into arrays (`whoosh_ext/blocks.py`), so a query is a few vector operations over `doc_count_all()`
slots: `mask` says which documents match, `score` is Whoosh's own BM25F (same idf, lengths and
parameters, so the ranking is Whoosh's). Phrases and forms we do not model fall back to Whoosh's
matcher for the set of documents, scored by their words; a pattern of many words is a set at
constant score. Which method evaluates a node is its operator's `evaluate` hook (operators.py);
reading and scoring postings is postings.py's.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from . import budget, operators
from indexer.index import whoosh_ext
from indexer.index.caches import BytesCache
from .phrases import phrase_docs
from .postings import CACHE_BYTES, CACHE_MIN_POSTINGS, Postings  # noqa: F401 (re-exported: generation.py, tests)

FALLBACK_CACHE = 256                # phrase (and other Whoosh-matched) results kept per generation
PARTIAL_PHRASES = 16                # phrases cut short by the deadline, kept to be finished later


@dataclass
class Scored:
    mask: np.ndarray      # bool[n]
    score: np.ndarray     # float32[n]; meaningful where mask is True


class Evaluator:
    """Turns a Whoosh query tree into a Scored over `postings.n` documents."""

    def __init__(self, postings: Postings, searcher, live: np.ndarray):
        self.p = postings
        self.searcher = searcher
        self.live = live
        self.n = postings.n
        # repr(query) -> its matches as packed bits: the last FALLBACK_CACHE phrases (`_fallback_docs`)
        self.phrases = BytesCache(1 << 40, max_entry=1 << 40, max_entries=FALLBACK_CACHE)
        self._fallback_lock = threading.Lock()      # guards `_partial`, shared by every thread
        self._partial: dict[str, tuple[np.ndarray, int]] = {}    # phrases cut short: (found, where to go on)

    def run(self, q) -> Scored:
        m = self._eval(q)
        return Scored(m.mask & self.live, m.score)

    def _empty(self) -> Scored:
        return Scored(np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32))

    def _term(self, fieldname, text, boost) -> Scored:
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

    def _eval(self, q) -> Scored:
        """The node's operator says which method evaluates it (operators.py)."""
        return getattr(self, operators.of(q).evaluate)(q)

    # Every Scored keeps score == 0 where mask is False, so scores add without masking.

    def _term_node(self, q) -> Scored:
        return self._term(q.fieldname, q.text, q.boost)

    def _present(self, q) -> Scored:
        """`company:*` (parse.present_values): the mask the generation's tables gave."""
        mask = q.mask.copy()
        return Scored(mask, mask * np.float32(q.boost))

    def _pattern_docs(self, q) -> Scored:
        """A pattern of many words (typedsets.py): the stories holding one, at constant score.
        Past the deadline, nothing (as its mask would be), without the arrays: `aa* OR ab* ...`
        of 130 prefixes made 130 of them at 215,780 stories after the deadline had passed."""
        if budget.expired():
            return self._empty()
        mask = q.matched.mask(self.n)
        return Scored(mask, mask * np.float32(q.boost))

    def _every(self, q) -> Scored:
        """`body:*`: the stories with something in that field, as Whoosh."""
        if q.fieldname and q.fieldname in self.p.reader.schema and self.p.reader.schema[q.fieldname].scorable:
            mask = self.p.lengths(q.fieldname) > 0
            return Scored(mask, mask * np.float32(q.boost))
        if q.fieldname:
            return self._any_value(q)
        return Scored(np.ones(self.n, dtype=bool), np.full(self.n, q.boost, dtype=np.float32))

    def _nothing(self, q) -> Scored:
        return self._empty()

    def _not(self, q) -> Scored:
        """As Whoosh's InverseMatcher: every match scores its weight, 1."""
        cuts = budget.cuts()
        mask = ~self._eval(q.query).mask
        if budget.cuts() != cuts:     # an exclusion cut short would let through what it excludes
            return self._empty()
        return Scored(mask, mask.astype(np.float32) * np.float32(q.boost))

    def _and_not(self, q) -> Scored:
        a, cuts = self._eval(q.a), budget.cuts()
        b = self._eval(q.b)
        if budget.cuts() != cuts:
            return self._empty()
        mask = a.mask & ~b.mask
        return Scored(mask, _keep(a.score, mask))

    def _and_maybe(self, q) -> Scored:
        a, b = self._eval(q.a), self._eval(q.b)
        a.score += b.score
        return Scored(a.mask, _keep(a.score, a.mask))

    def _require(self, q) -> Scored:
        a, b = self._eval(q.a), self._eval(q.b)
        mask = a.mask & b.mask
        return Scored(mask, _keep(a.score, mask))

    def _or(self, q) -> Scored:
        if q.subqueries and all(isinstance(c, wq.Term) for c in q.subqueries):
            return self._or_terms(q)
        return self._combine(q, is_and=False)

    def _and(self, q) -> Scored:
        return self._combine(q, is_and=True)

    def _combine(self, q, is_and: bool) -> Scored:
        children = [self._eval(c) for c in q.subqueries]
        if not is_and and len(children) > 1:     # an Or's children that found nothing add nothing (the
            found = [c for c in children if c.mask.any() or c.score.any()]    # parts past the deadline:
            children = found or children[:1]     # 250 prefixes OR-ed were 250 array additions)
        if not children:
            return self._empty()
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
        return Scored(mask, score)

    def _multiterm(self, q) -> Scored:
        """Prefix, wildcard, fuzzy, regex, ranges of words: each word it stands for, summed."""
        out = self._empty()
        reader = self.p.reader
        fieldname = q.field()
        for _, btext in q.expanded_terms(reader):
            m = self._term(fieldname, btext, q.boost)
            out.mask |= m.mask
            out.score += m.score
        return out

    def _or_terms(self, q) -> Scored:
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

    def _any_value(self, q) -> Scored:
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

    def _numeric_range(self, q) -> Scored:
        """A date range as one comparison over the field's column (Whoosh's own matcher read
        the postings of dozens of terms a range: 23 ranges OR-ed took 0.37 s); without a
        column, the range's terms, each read under the deadline. Scored 1, as before."""
        out = self._empty()
        if budget.expired() or q.fieldname not in self.p.reader.schema:
            return out
        values = self.p.column(q.fieldname)
        if values is None:
            m = self._eval(whoosh_ext.range_terms_query(q, self.p.reader))
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

    def _fallback(self, q) -> Scored:
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
