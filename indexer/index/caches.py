"""One cache type bounded by bytes: what a process remembers of the text it was sent.

Why bytes, not entries: a cache capped at N entries is only bounded if every entry is
small, and the keys of the caches that remember query text (stems of typed words,
corrections, ways a word is written) are as long as a client makes them. The stem cache
capped at 500,000 entries held the 53,000 one-edit variants of each 1,000-letter word it
was sent, 55 MB a request, 700 MB a worker after nine (issue 24.3). Here every entry is
charged the size of its key and value (`size_of`) plus the cost of the slot, the total
never passes `max_bytes`, and an entry bigger than `max_entry` is not kept at all.

Why not `cachetools.LRUCache(getsizeof=...)`: the stem cache is looked up for every word
of every story indexed; its reads must be a plain C dict look-up (`get` is the
OrderedDict's own), which a pure-Python `__getitem__` would make several times slower.
Eviction is first-in first-out for `get` (reads change nothing) and least recently used
for `lookup` (a read moves the entry to the end), so the hot path pays nothing.

Why one type for every cache of an open generation (query/generation.py: the whole archive's
facets, collapsed groups, parsers, labels by kind, corrections, postings, phrases, the parts
made when first asked): its thread safety is argued here, once. One object serves every
thread of a process. Writers (`put`, `clear`, `computed`) change the mapping under the
cache's own lock; readers (`get`, `lookup`, `in`) are single C-level operations of the
OrderedDict, atomic under the GIL, and a reader that loses an entry to eviction meanwhile
simply misses. `computed` makes a missing value under a second, reentrant lock, so two
threads asking for the same missing entry make it once, and no reader waits for a maker.
"""
from __future__ import annotations

import sys
import threading
from collections import OrderedDict

SLOT_BYTES = 104        # an OrderedDict entry: the hash-table slot and the linked-list node (CPython 3.11-3.13)
_MISSING = object()


def size_of(obj) -> int:
    """Bytes held by a cached key or value: strings and bytes exactly, numpy arrays by their
    buffer, tuples, lists and sets with their items (one level), anything else shallowly."""
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int):                   # a numpy array: its buffer and its header
        return nbytes + 112
    if isinstance(obj, (tuple, list, frozenset, set)):
        return sys.getsizeof(obj) + sum(size_of(x) for x in obj)
    return sys.getsizeof(obj)


class BytesCache:
    """A mapping that keeps at most `max_bytes` of keys and values (`nbytes` says how many now)."""

    def __init__(self, max_bytes: int, max_entry: int | None = None, max_entries: int | None = None, size=None):
        self.max_bytes = max_bytes
        self.max_entry = max_entry if max_entry is not None else max(1, max_bytes // 16)
        self.max_entries = max_entries      # also bounded by count: values whose size is not known (parsers)
        self.nbytes = 0
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._making = threading.RLock()        # `computed`: one maker at a time (reentrant: a maker may ask again)
        # what an entry costs: by default its key, its value and the slot; a cache of arrays
        # may charge their buffers only (query/arrays.py's postings)
        self.size = size or (lambda key, value: size_of(key) + size_of(value) + SLOT_BYTES)
        self.get = self._d.get                  # the hot path: a C look-up, no recency update

    def __contains__(self, key) -> bool:
        return key in self._d

    def __len__(self) -> int:
        return len(self._d)

    def __iter__(self):
        return iter(list(self._d))

    def items(self):
        return list(self._d.items())

    def values(self):
        return list(self._d.values())

    def lookup(self, key, default=None):
        """The value, marked as recently used (least recently used entries go first)."""
        value = self._d.get(key, _MISSING)
        if value is _MISSING:
            return default
        try:
            self._d.move_to_end(key)
        except KeyError:                          # evicted by another thread meanwhile
            pass
        return value

    def put(self, key, value):
        """Remember `value` under `key` (unless it alone is over `max_entry` or the whole bound);
        returns `value`."""
        size = self.size(key, value)
        if size > self.max_entry or size > self.max_bytes:
            return value
        with self._lock:
            old = self._d.pop(key, _MISSING)
            if old is not _MISSING:
                self.nbytes -= self.size(key, old)
            # room made before the entry goes in: `nbytes` read without the lock never passes the bound
            while self._d and (self.nbytes + size > self.max_bytes or
                               (self.max_entries is not None and len(self._d) >= self.max_entries)):
                k, v = self._d.popitem(last=False)
                self.nbytes -= self.size(k, v)
            self._d[key] = value
            self.nbytes += size
        return value

    def computed(self, key, make):
        """The value under `key`, made by `make()` and kept when missing: made once however many
        threads ask at the same time (the makers wait for each other, never the readers)."""
        value = self.lookup(key, _MISSING)
        if value is not _MISSING:
            return value
        with self._making:
            value = self.lookup(key, _MISSING)
            if value is _MISSING:
                value = self.put(key, make())
        return value

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self.nbytes = 0
