"""The one reader of Whoosh's posting blocks and field-length columns.

Why under the public API: the query engine needs every (docnum, weight) of a term
and every document's field length as numpy arrays (`indexer/query/arrays.py`).
Whoosh's matchers hand them out one document at a time in Python; here a W3 posting
list is read a block at a time, and a segment's lengths column in one read.

A W3 block is one pickle (zlib-compressed when the codec compresses) of
(id deltas, weights, values); a block of NewsFacet's own codec (`compact.py`, what
the indexer writes) is packed integer arrays, decoded here by numpy whole.
In a pickle, a positional field's values (positions, as pickled bytes) are 90% of the
unpickling time and are not needed for scoring, so the pickle is cut where they begin
and closed with None; a packed block's positions are simply not decoded. The lengths column holds one
byte per document, Whoosh's `length_to_byte` encoding.

`field_postings` reads every term of a field in one segment in lexicon order, walking the
terms file once (each term's postings start where its stored term info says) instead of a
hash look-up per term: ~15 µs a term instead of ~70 (indexer/index/typedpostings.py reads the
words-as-typed fields whole at each commit).

On another Whoosh version (`version.supported()` False) the readers use the public
API: the matcher stepped one posting at a time, `doc_field_length` per document, the
lexicon walked with a look-up per term.
"""
from __future__ import annotations

import pickle
import zlib

import numpy as np
from whoosh.codec import whoosh3
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from . import compact, packing
from .version import supported, warn_unsupported

LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
_VALUES_MARK = b"(c_codecs\nencode\n"      # where a block's pickled positions begin
_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_W = np.zeros(0, dtype=np.float32)


def term_postings(leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(docnums, weights) of one term in one segment reader, deleted documents included;
    None when the segment does not hold the term (one look-up, not `in` then postings)."""
    try:
        matcher = unfiltered_postings(leaf, fieldname, btext)
    except TermNotFound:
        return None
    return read_matcher(matcher)


def unfiltered_postings(leaf, fieldname: str, btext: bytes):
    """The matcher of one term's whole posting list in one segment reader, deleted documents
    included, at its start. Raises TermNotFound as `leaf.postings` does.

    Why: the arrays' docnums (`term_postings`, a phrase's candidates) count deleted stories
    too, so a matcher stepped beside them must not skip any. A segment with deletions wraps
    its matchers in Whoosh's `FilterMatcher` (its `child` is the list itself) and has moved
    the child past the deleted documents the list starts with (a whole block of them, even):
    back to its start (Matcher.reset), so that they are read too."""
    matcher = leaf.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()
    return matcher


def field_postings(leaf, fieldname: str):
    """(term bytes, docnums) of every term of `fieldname` in one segment reader, in lexicon
    order (bytewise), deleted documents included: one pass over the segment's terms."""
    terms = getattr(leaf, "_terms", None)
    if not supported() or not isinstance(terms, whoosh3.W3TermsReader) or fieldname not in leaf.schema:
        if not supported():
            warn_unsupported("reading a field's postings")
        for btext in (leaf.lexicon(fieldname) if fieldname in leaf.schema else ()):
            found = term_postings(leaf, fieldname, btext)
            if found is not None:
                yield btext, found[0]
        return
    fmt = leaf.schema[fieldname].format
    for (name, btext), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        if info.is_inlined():
            yield btext, np.asarray(info.inlined_postings()[0], dtype=np.int32)
        else:
            matcher = compact.matcher_class(terms._codec)(terms._postfile, info._offset, info._length, fmt)  # noqa: SLF001
            yield btext, read_matcher(matcher)[0]


def read_matcher(m) -> tuple[np.ndarray, np.ndarray]:
    """Every (id, weight) a posting matcher has left, as (int32, float32) arrays."""
    if not isinstance(m, whoosh3.W3LeafMatcher) or m._byteids or not supported():  # noqa: SLF001
        if isinstance(m, whoosh3.W3LeafMatcher) and not supported():
            warn_unsupported("reading posting blocks")
        return _step(m)
    ids_parts, w_parts = [], []
    postfile = m._postfile  # noqa: SLF001
    if compact.is_packed(m):
        while m.is_active():
            block = packing.Block(postfile.get(m._dataoffset, m._nextoffset - m._dataoffset), m._blocklength,  # noqa: SLF001
                                 values=False)
            ids_parts.append(block.ids.astype(np.int32))
            w_parts.append(block.weights)
            if m._lastblock:  # noqa: SLF001
                break
            m._goto(m._nextoffset)  # noqa: SLF001
        return (np.concatenate(ids_parts), np.concatenate(w_parts)) if ids_parts else (_EMPTY_IDS, _EMPTY_W)
    while m.is_active():
        raw = postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)  # noqa: SLF001
        if m._compression:  # noqa: SLF001
            raw = zlib.decompress(raw)
        cut = raw.find(_VALUES_MARK)
        data = pickle.loads(raw[:cut] + b"N\x87." if cut > 0 else raw)
        deltas, weights = data[0], data[1]
        ids_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)).astype(np.int32))
        count = m._blocklength  # noqa: SLF001
        if weights is None:
            w_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            w_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            w_parts.append(np.asarray(weights, dtype=np.float32))
        if m._lastblock:  # noqa: SLF001
            break
        m._goto(m._nextoffset)  # noqa: SLF001
    if not ids_parts:
        return _EMPTY_IDS, _EMPTY_W
    return np.concatenate(ids_parts), np.concatenate(w_parts)


def _step(m) -> tuple[np.ndarray, np.ndarray]:
    ids, ws = [], []
    while m.is_active():
        ids.append(m.id())
        ws.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int32), np.array(ws, dtype=np.float32)


def length_bytes(perdoc, fieldname: str):
    """The raw lengths column of a field in one W3 segment (one byte per document, a
    buffer), or None when the segment has no lengths for the field."""
    col = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)  # noqa: SLF001
    return None if col is None else col._dbfile.get(col._basepos, col._count)  # noqa: SLF001


def field_lengths(leaf, fieldname: str) -> np.ndarray:
    """float32[leaf.doc_count_all()]: each document's length in the field, as Whoosh
    stores it (one byte, decoded); 0 where the document has none."""
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)
    if supported() and isinstance(perdoc, whoosh3.W3PerDocReader):
        raw = np.zeros(count, dtype=np.uint8)
        data = length_bytes(perdoc, fieldname)
        if data is not None:
            data = np.frombuffer(data, dtype=np.uint8)
            raw[:min(count, len(data))] = data[:count]
        return LENGTH_OF_BYTE[raw]
    if not supported():
        warn_unsupported("reading field lengths")
    return np.array([leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)], dtype=np.float32)
