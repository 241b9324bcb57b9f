"""Term postings and field lengths of one reader as arrays, and Whoosh's BM25F over them.

Why apart from the evaluator (arrays.py): this is the part that reads the index (block by
block through `whoosh_ext/blocks.py`) and keeps what it read (an LRU of the scored arrays of
common words, per generation); the evaluator only combines arrays, one operator at a time.
"""
from __future__ import annotations

import math

import numpy as np
from whoosh.fields import DATETIME

from indexer.index import whoosh_ext
from indexer.index.caches import BytesCache

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_W = np.zeros(0, dtype=np.float32)
CACHE_BYTES = 64 * 1024 * 1024      # per process and index generation
CACHE_MIN_POSTINGS = 256            # shorter lists are quick to read even across segments


class Postings:
    """Term postings and field lengths of one reader (all its segments) as arrays.

    Shared by every thread of a process: the LRU is changed only under `_lock`, and
    arrays are stored only once complete (two threads may both read the same list;
    either result is the same).
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
