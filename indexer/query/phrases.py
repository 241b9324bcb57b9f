"""Which documents hold a phrase: candidates from the postings arrays, then positions, under the deadline.

Why not Whoosh's matcher: `Phrase.matcher` steps a span matcher through every
document that holds all the words and does all of it inside one call, so a phrase
of many common words ("said said said …") takes seconds and cannot be stopped.
Here the documents holding every word come from `Postings` (numpy, usually cached),
and only those are checked, one at a time, with the deadline looked at as we go: when
it expires, the documents checked so far are the answer, and the caller keeps where
it stopped, so that the next request for the phrase goes on from there.

The check is Whoosh's own (`SpanNear2(ordered=True, mindist=1, slop)`): each word must
follow the previous one at a distance of 1 to `slop` positions; the tests compare the
two on real data.
"""
from __future__ import annotations

import numpy as np
from whoosh.reading import TermNotFound

from indexer.index import whoosh_ext

from . import budget

CHECK_EVERY = 32          # documents verified between two looks at the clock
_EMPTY = np.zeros(0, dtype=np.int32)


def phrase_docs(postings, q, resume: tuple[np.ndarray, int] | None = None
                ) -> tuple[np.ndarray, int | None] | None:
    """(bool mask over docnums, where to resume or None when complete) for a Whoosh `Phrase`.

    None if `q` is not a phrase we handle. When the deadline stops the check, the mask
    holds the documents found so far and the returned index is where the next request
    may `resume` (with that mask), so a costly phrase is finished over a few requests
    instead of being cut short every time. Each call checks at least CHECK_EVERY stories.
    """
    reader = postings.reader
    fieldname, words, slop = q.fieldname, list(q.words), max(1, int(q.slop or 1))
    n = postings.n
    if fieldname not in reader.schema or not words:
        return None
    field = reader.schema[fieldname]
    if not field.format or not field.format.supports("positions"):
        return None
    try:
        btexts = [field.to_bytes(w) for w in words]
    except ValueError:
        return np.zeros(n, dtype=bool), None
    distinct = list(dict.fromkeys(btexts))
    lists = [postings.bm25(fieldname, b)[0] for b in distinct]     # cached: scoring reads them next
    mask, start = resume if resume is not None else (np.zeros(n, dtype=bool), 0)
    cand = _holding_all(lists)
    if cand.size == 0:
        return mask, None
    if len(words) == 1:
        mask[cand] = True
        return mask, None
    order = [distinct.index(b) for b in btexts]
    for leaf, offset in postings.leaves:
        lo = max(start, int(np.searchsorted(cand, offset)))
        hi = int(np.searchsorted(cand, offset + leaf.doc_count_all()))
        matchers = _matchers(leaf, fieldname, distinct) if lo < hi else None
        if matchers is None:
            continue
        for j, doc in enumerate((cand[lo:hi] - offset).tolist(), lo):
            if j - start >= CHECK_EVERY and (j - start) % CHECK_EVERY == 0 and budget.expired():
                return mask, j
            if _follows(_positions(matchers, doc), order, slop):
                mask[doc + offset] = True
    return mask, None


def _holding_all(lists: list[np.ndarray]) -> np.ndarray:
    """The docnums in every one of `lists` (sorted, unique each), shortest list first."""
    if any(ids.size == 0 for ids in lists):
        return _EMPTY
    cand = min(lists, key=len)
    for ids in sorted(lists, key=len)[1:]:
        cand = np.intersect1d(cand, ids, assume_unique=True)
        if cand.size == 0:
            break
    return cand


def _matchers(leaf, fieldname: str, distinct: list[bytes]) -> list | None:
    """A matcher per word in one segment, deleted stories left in as the candidates hold them
    (term_postings); None when the segment lacks a word."""
    try:
        return [whoosh_ext.unfiltered_postings(leaf, fieldname, b) for b in distinct]
    except TermNotFound:
        return None


def _positions(matchers: list, doc: int) -> list[frozenset]:
    """Each word's positions in segment document `doc` (the matchers only move forward)."""
    positions = []
    for m in matchers:
        if m.is_active():
            m.skip_to(doc)
        positions.append(frozenset(m.value_as("positions")) if m.is_active() and m.id() == doc else frozenset())
    return positions


def _follows(positions: list[frozenset], order: list[int], slop: int) -> bool:
    """Whether the words (`order` indexes `positions`) follow each other within `slop`."""
    ends = positions[order[0]]
    for k in order[1:]:
        nxt = positions[k]
        if slop == 1:
            ends = nxt.intersection([e + 1 for e in ends])
        else:
            ends = {p for p in nxt if any(1 <= p - e <= slop for e in ends)}
        if not ends:
            return False
    return True
