"""Facet tables: per index generation, each facet field as numpy arrays of ordinals.

Why: counting facets from stored fields per request costs a Python loop over every
hit (Whoosh's `groupedby` with `allow_overlap=True` is that slow path). Instead,
every facet term's postings are held as a CSR-like pair of arrays (`docs`, `vals`):
a query's counts are then one `numpy.bincount` over the postings whose document
matched, and filters are boolean masks. The indexer computes them with each commit
and a reader maps them (derived.py); an index written before that reads them from
the postings when it is opened.
"""
from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np

from indexer.facets import DATE
from indexer.facets import date as date_facet
from indexer.index import derived, derivedmerge

# days since 0001-01-01 (date.toordinal) of undated stories
UNDATED = derived.UNDATED
MAX_YEARS_SPAN = date_facet.MAX_YEARS_SPAN     # years between the first and last story drawn with their empty years


class ValueList(Sequence):
    """A facet's values (ordinal -> value), as offsets into UTF-8 bytes: mapped from the generation's
    derived file (derived.py) or made from a list. In lexicon order, i.e. sorted bytewise, so a
    value's ordinal is a binary search (no dict of every value built when a generation opens)."""

    def __init__(self, offsets: np.ndarray, text: np.ndarray):
        self._offsets, self._text = offsets, text
        # what requests asked for, kept: bounded by the values (a value not held is never kept);
        # threads may fill them side by side (a dict item is set atomically, and is the same either way)
        self._decoded: dict[int, str] = {}
        self._found: dict[str, int] = {}

    @classmethod
    def from_strings(cls, values: list[str]) -> "ValueList":
        encoded = [v.encode("utf-8") for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _bytes(self, i: int) -> bytes:
        return self._text[self._offsets[i]:self._offsets[i + 1]].tobytes()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        i = operator.index(i)
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        value = self._decoded.get(i)
        if value is None:
            value = self._decoded[i] = self._bytes(i).decode("utf-8")
        return value

    def __iter__(self):
        """Every value in order, decoded in one pass (suggest.py reads them all once per generation)."""
        text, bounds = self._text.tobytes(), self._offsets.tolist()
        return (text[a:b].decode("utf-8") for a, b in zip(bounds[:-1], bounds[1:]))

    def ordinal(self, value: str) -> int | None:
        """The value's ordinal, or None (binary search: ~20 steps for a million values)."""
        found = self._found.get(value) if isinstance(value, str) else None
        if found is not None:
            return found
        try:
            key = value.encode("utf-8")
        except (AttributeError, UnicodeEncodeError):
            return None
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._bytes(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self) and self._bytes(lo) == key:
            self._found[value] = lo
            return lo
        return None

    def __contains__(self, value) -> bool:
        return self.ordinal(value) is not None

    def index(self, value, *args) -> int:
        found = self.ordinal(value)
        if found is None:
            raise ValueError(f"{value!r} is not a value")
        return found


class _Ordinals(Mapping):
    """value -> ordinal over a ValueList, looked up when asked (FacetTable.index)."""

    def __init__(self, values: ValueList):
        self._values = values

    def __getitem__(self, value: str) -> int:
        found = self._values.ordinal(value)
        if found is None:
            raise KeyError(value)
        return found

    def __contains__(self, value) -> bool:
        return self._values.ordinal(value) is not None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass
class FacetTable:
    field: str
    values: ValueList            # ordinal -> value (term text)
    docs: np.ndarray             # int32 docnums, one per posting
    vals: np.ndarray             # int32 ordinals, aligned with docs
    by_doc: np.ndarray | None = None    # ordinals sorted by docnum (CSR with indptr)
    indptr: np.ndarray | None = None    # by_doc[indptr[d]:indptr[d+1]] are document d's values

    @property
    def index(self) -> Mapping[str, int]:
        """value -> ordinal (a binary search per look-up)."""
        return _Ordinals(self.values)

    def counts(self, mask: np.ndarray | None, ids: np.ndarray | None = None) -> np.ndarray:
        """Per-value counts over the documents where mask is True (all when None).

        A few matches are counted from their own values (CSR by document); many, by
        one pass over every posting: whichever touches fewer entries.
        """
        if mask is None:
            return np.bincount(self.vals, minlength=len(self.values))
        if len(self.values) == 1:         # one value (an archive in one language): just count
            return np.array([np.count_nonzero(mask[self.docs])], dtype=np.int64)
        if self.indptr is not None:
            ids = np.flatnonzero(mask) if ids is None else ids     # ids: where mask is True, if known
            if ids.size * 8 < mask.size:
                starts = self.indptr[ids]
                lens = self.indptr[ids + 1] - starts
                total = int(lens.sum())
                if total == 0:
                    return np.zeros(len(self.values), dtype=np.int64)
                offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
                return np.bincount(self.by_doc[offsets + np.arange(total)], minlength=len(self.values))
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))

    def index_by_doc(self, n: int) -> None:
        self.by_doc, self.indptr = derived.by_doc(self.docs, self.vals, n)

    def mask_any(self, wanted: list[str], n: int) -> np.ndarray:
        """Documents holding any of the wanted values (OR within one facet)."""
        out = np.zeros(n, dtype=bool)
        ords = [o for o in map(self.values.ordinal, wanted) if o is not None]
        if ords:
            out[self.docs[np.isin(self.vals, ords)]] = True
        return out


class _LazyFacets(dict):
    """field -> FacetTable, each made on first use by `make` (mapped from the derived file, or read
    from the postings); two threads may both make one: the same table, stored twice; no lock needed."""

    def __init__(self, make: Callable[[str], FacetTable], fields: tuple[str, ...]):
        super().__init__()
        self._make, self._fields = make, frozenset(fields)

    def __missing__(self, field: str) -> FacetTable:
        if field not in self._fields:
            raise KeyError(field)
        table = self[field] = self._make(field)
        return table

    def get(self, field: str, default=None):
        try:
            return self[field]
        except KeyError:
            return default


def read_table(postings, field: str, live: np.ndarray) -> FacetTable:
    """A facet field's every value and the live documents holding it, read from the postings."""
    values, docs, vals = derived.read_field(postings.reader, field, live)
    values, docs, vals, _ = derivedmerge.fold_case_twins(values, docs, vals)     # as the derived files hold them
    return FacetTable(field, ValueList.from_strings(values), docs, vals)


def _read_indexed(postings, live: np.ndarray, field: str) -> FacetTable:
    table = read_table(postings, field, live)
    table.index_by_doc(len(live))
    return table


@dataclass
class Tables:
    """Everything a query needs besides the text index, for one reader."""

    n: int                       # doc_count_all (deleted included: docnums index into arrays)
    live: np.ndarray             # bool: not deleted
    day: np.ndarray              # int32 ordinal day per docnum, UNDATED when none
    facets: dict[str, FacetTable]
    _orders: dict = field(default_factory=dict)
    group: np.ndarray | None = None      # int32 near-duplicate group per docnum (dedup.py); None: no signatures
    shared: np.ndarray | None = None     # bool: the document's group holds other live documents
    mapped: bool = False                 # read from the generation's derived files (derived.py), not computed
    label_entries: dict = field(default_factory=dict)    # param -> ValueList of stored labels (query/labels.py)
    pending: bool = False                # computed because this commit's files were not there yet

    @classmethod
    def open(cls, gen: Path | None, postings, fields: tuple[str, ...],
             eager: tuple[str, ...] | None = None) -> "Tables":
        """The tables of the reader's commit, mapped from its derived files (derived.py: nothing read
        from the postings, nothing proportional to the archive); computed (`build`) when it has none."""
        number = postings.reader.generation()
        found = derived.load(gen, number) if gen is not None else None
        if found is not None and found[1].get("n") != postings.reader.doc_count_all():
            found = None                 # not this commit's (cannot happen unless copied in by hand): computed
        if found is None:
            tables = cls.build(postings, fields, eager)
            # not written yet (a commit whose files come next): reopen once they are (query/current.py);
            # files there but unusable (damaged, another format) are not waited for
            tables.pending = gen is not None and not (gen / derived.index_name(number)).exists()
            return tables
        arrays, meta = found
        live = arrays["live"]
        mapped_fields = frozenset(meta.get("fields") or ())

        def make(f: str) -> FacetTable:
            if f not in mapped_fields:       # a field this index does not have: empty, as read_table
                return _read_indexed(postings, live, f)
            a = {part: arrays[f"{f}.{part}"] for part in derived.PARTS}
            return FacetTable(f, ValueList(a["offsets"], a["text"]), a["docs"], a["vals"], a["by_doc"], a["indptr"])

        tables = cls(int(meta["n"]), live, arrays["day"], _LazyFacets(make, fields), mapped=True)
        for sort in derived.SORTS:
            tables._orders[sort] = arrays[f"order.{sort}"]
            tables._orders[("rank", sort)] = arrays[f"rank.{sort}"]
        tables._orders["newest-day"] = meta.get("newest")
        for param in meta.get("labels") or ():
            tables.label_entries[param] = ValueList(arrays[f"labels.{param}.offsets"], arrays[f"labels.{param}.text"])
        if "group" in arrays:
            tables.group, tables.shared = arrays["group"], arrays["shared"]
            tables._members, tables._member_groups = arrays["members"], arrays["member_groups"]
        return tables

    @classmethod
    def build(cls, postings, fields: tuple[str, ...], eager: tuple[str, ...] | None = None) -> "Tables":
        """Computed from the postings (an index written before derived files; postings: a evaluate.Postings).

        The `eager` fields are read now, the other `fields` when first asked for: a facet has a
        field per strength of tagging, and a process that only serves the default strength never
        reads the others (a field of thousands of company names costs ~50 µs a value to read).
        """
        reader = postings.reader
        live = derived.live_mask(reader)
        day = derived.day_array(reader, live)
        facets = _LazyFacets(partial(_read_indexed, postings, live), fields)
        for f in (fields if eager is None else eager):
            facets[f]
        tables = cls(reader.doc_count_all(), live, day, facets)
        found = derived.group_arrays(reader, live, day)
        if found:
            tables.group, tables.shared = found["group"], found["shared"]
            tables._members, tables._member_groups = found["members"], found["member_groups"]
        return tables

    def members(self, docnum: int) -> np.ndarray:
        """The live documents in `docnum`'s near-duplicate group (itself included)."""
        g = self.group[docnum]
        lo, hi = np.searchsorted(self._member_groups, [g, g + 1])
        return self._members[lo:hi]

    def order(self, sort: str) -> np.ndarray:
        """All docnums by date ("newest" or "oldest"), undated last, ties by docnum; cached.

        Shared by threads: an array is stored only once complete (two threads may both
        compute it; either is the same)."""
        cached = self._orders.get(sort)
        if cached is None:
            cached, _ = derived.date_order(self.day, sort)
            self._orders[sort] = cached
        return cached

    def rank(self, sort: str) -> np.ndarray:
        """Each docnum's position in `order(sort)`; cached."""
        key = ("rank", sort)
        cached = self._orders.get(key)
        if cached is None:
            cached = np.empty(self.n, dtype=np.int64)
            cached[self.order(sort)] = np.arange(self.n)
            self._orders[key] = cached              # stored once filled: another thread may read it
        return cached

    def newest(self) -> str | None:
        """The newest story's date (ISO), which the date presets count back from."""
        if "newest-day" not in self._orders:
            self._orders["newest-day"] = derived.newest_day(self.day, self.live)
        return self._orders["newest-day"]

    def date_mask(self, start: _dt.date | None, end: _dt.date | None) -> np.ndarray:
        mask = self.day != UNDATED
        if start:
            mask &= self.day >= start.toordinal()
        if end:
            mask &= self.day <= end.toordinal()
        return mask

    def date_counts(self, ids: np.ndarray) -> tuple[list[tuple[str, int]], str]:
        """Counts by year; by month when every dated hit falls in one year; by day when in one month.

        Returns (buckets, granularity), buckets in date order: every year (month, day) from the
        first to the last, so that a gap shows as a gap, but a run of two or more empty ones as
        one bucket ("1988..2025", 0), so that one story from 2026 does not draw 38 empty years;
        then ("undated", n) when some hits have no date.
        """
        days = self.day[ids]                    # ids: the matching docnums
        dated = days[days != UNDATED]
        undated = int(days.size - dated.size)
        tail = [(UNDATED_VALUE, undated)] if undated else []
        if dated.size == 0:
            return tail, "year"
        first, last = int(dated.min()), int(dated.max())
        lo, hi = _dt.date.fromordinal(first), _dt.date.fromordinal(last)
        per_day = np.bincount(dated - first)            # cheaper than sorting the hits' days
        uniq = np.flatnonzero(per_day)
        counts = per_day[uniq]
        uniq = uniq + first
        granularity, width, buckets = DATE.frame(lo, hi)     # the date facet's timeline
        for d, c in zip(uniq.tolist(), counts.tolist()):
            k = _dt.date.fromordinal(d).isoformat()[:width]
            buckets[k] = buckets.get(k, 0) + c
        return _collapse_gaps(sorted(buckets.items())) + tail, granularity


UNDATED_VALUE = date_facet.UNDATED_VALUE     # the date facet's bucket (and `date` value) of undated stories
_collapse_gaps = date_facet.collapse_gaps
