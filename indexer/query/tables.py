"""Facet tables: per index generation, each facet field as numpy arrays of ordinals.

Why: counting facets from stored fields per request costs a Python loop over every
hit (Whoosh's `groupedby` with `allow_overlap=True` is that slow path). Instead,
once per searcher, every facet term's postings are read into a CSR-like pair of
arrays (`docs`, `vals`): a query's counts are then one `numpy.bincount` over the
postings whose document matched, and filters are boolean masks.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from .. import dedup
from ..facetspec import FACETS

# days since 0001-01-01 (date.toordinal) of undated stories
UNDATED = 0
MAX_YEARS_SPAN = 200     # years between the first and last story drawn with their empty years


@dataclass
class FacetTable:
    field: str
    values: list[str]            # ordinal -> value (term text)
    docs: np.ndarray             # int32 docnums, one per posting
    vals: np.ndarray             # int32 ordinals, aligned with docs
    index: dict[str, int]        # value -> ordinal
    by_doc: np.ndarray | None = None    # ordinals sorted by docnum (CSR with indptr)
    indptr: np.ndarray | None = None    # by_doc[indptr[d]:indptr[d+1]] are document d's values

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
        order = np.argsort(self.docs, kind="stable")
        self.by_doc = self.vals[order]
        self.indptr = np.searchsorted(self.docs[order], np.arange(n + 1)).astype(np.int64)

    def mask_any(self, wanted: list[str], n: int) -> np.ndarray:
        """Documents holding any of the wanted values (OR within one facet)."""
        out = np.zeros(n, dtype=bool)
        ords = [self.index[v] for v in wanted if v in self.index]
        if ords:
            out[self.docs[np.isin(self.vals, ords)]] = True
        return out


class _LazyFacets(dict):
    """field -> FacetTable, each read from the postings on first use (two threads may both read
    one: the same table, stored twice; no lock needed)."""

    def __init__(self, postings, live: np.ndarray, fields: tuple[str, ...]):
        super().__init__()
        self._postings, self._live, self._fields = postings, live, frozenset(fields)

    def __missing__(self, field: str) -> FacetTable:
        if field not in self._fields:
            raise KeyError(field)
        table = read_table(self._postings, field, self._live)
        table.index_by_doc(len(self._live))
        self[field] = table
        return table

    def get(self, field: str, default=None):
        try:
            return self[field]
        except KeyError:
            return default


def read_table(postings, field: str, live: np.ndarray) -> FacetTable:
    """A facet field's every value and the live documents holding it."""
    reader = postings.reader
    values: list[str] = []
    doc_chunks: list[np.ndarray] = []
    val_chunks: list[np.ndarray] = []
    if field in reader.schema:
        for btext in reader.lexicon(field):
            ids, _ = postings.term(field, btext)
            ids = ids[live[ids]]
            if ids.size == 0:
                continue
            doc_chunks.append(ids)
            val_chunks.append(np.full(len(ids), len(values), dtype=np.int32))
            values.append(btext.decode("utf-8"))
    docs = np.concatenate(doc_chunks) if doc_chunks else np.zeros(0, np.int32)
    vals = np.concatenate(val_chunks) if val_chunks else np.zeros(0, np.int32)
    return FacetTable(field, values, docs, vals, {v: i for i, v in enumerate(values)})


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

    @classmethod
    def build(cls, postings, fields: tuple[str, ...], eager: tuple[str, ...] | None = None) -> "Tables":
        """Read once per index generation (postings: a evaluate.Postings).

        The `eager` fields are read now, the other `fields` when first asked for: a facet has a
        field per strength of tagging, and a process that only serves the default strength never
        reads the others (a field of thousands of company names costs ~50 µs a value to read).
        """
        reader = postings.reader
        n = reader.doc_count_all()
        live = np.ones(n, dtype=bool)
        if reader.has_deletions():
            for leaf, offset in reader.leaf_readers():
                if not leaf.has_deletions():
                    continue
                dead = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                live[dead + offset] = False
        day = np.full(n, UNDATED, dtype=np.int32)
        days = read_table(postings, "day", live)
        for i, value in enumerate(days.values):
            try:
                ordinal = _dt.date.fromisoformat(value).toordinal()
            except ValueError:
                continue
            day[days.docs[days.vals == i]] = ordinal
        facets = _LazyFacets(postings, live, fields)
        for f in (fields if eager is None else eager):
            facets[f]
        tables = cls(n, live, day, facets)
        tables._read_groups(reader)
        return tables

    def _read_groups(self, reader) -> None:
        """Near-duplicate groups from the stored MinHash (or, in older indexes, SimHash) column."""
        if "minhash" in reader.schema and reader.has_column("minhash"):
            raw = b"".join(reader.column_reader("minhash"))
            sigs = np.frombuffer(raw, dtype="<u2").reshape(self.n, dedup.NUM_HASHES)
            self.group = dedup.minhash_groups(sigs, self.live, self.day)
        elif "simhash" in reader.schema and reader.has_column("simhash"):     # written before the MinHash
            sig = np.fromiter(reader.column_reader("simhash"), dtype=np.uint64, count=self.n)
            self.group = dedup.groups(sig, self.live, self.day)
        else:
            return
        sizes = np.bincount(self.group[self.live], minlength=self.n)
        self.shared = self.live & (sizes[self.group] > 1)
        # the members of every shared group, by group (CSR), for listing a hit's versions
        shared = np.flatnonzero(self.shared)
        order = np.lexsort((shared, self.group[shared]))
        self._members = shared[order]
        self._member_groups = self.group[shared][order]

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
            day = self.day.astype(np.int64)
            day = np.where(day == UNDATED, (-1 if sort == "newest" else 1 << 40), day)
            key = -day if sort == "newest" else day
            cached = self._orders[sort] = np.lexsort((np.arange(self.n), key))
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
            dated = self.day[self.live & (self.day != UNDATED)]
            self._orders["newest-day"] = _dt.date.fromordinal(int(dated.max())).isoformat() if dated.size else None
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
        if (lo.year, lo.month) == (hi.year, hi.month):
            granularity, key = "day", _dt.date.isoformat
            buckets = {(lo + _dt.timedelta(days=i)).isoformat(): 0 for i in range(last - first + 1)}
        elif lo.year == hi.year:
            granularity, key = "month", (lambda d: f"{d.year:04d}-{d.month:02d}")
            buckets = {f"{lo.year:04d}-{m:02d}": 0 for m in range(lo.month, hi.month + 1)}
        else:
            granularity, key = "year", (lambda d: f"{d.year:04d}")
            buckets = ({f"{y:04d}": 0 for y in range(lo.year, hi.year + 1)}
                       if hi.year - lo.year <= MAX_YEARS_SPAN else {})
        for d, c in zip(uniq.tolist(), counts.tolist()):
            k = key(_dt.date.fromordinal(d))
            buckets[k] = buckets.get(k, 0) + c
        return _collapse_gaps(sorted(buckets.items())) + tail, granularity


UNDATED_VALUE = "undated"     # the date facet's bucket (and `date` value) of stories without a date


def _collapse_gaps(buckets: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Runs of two or more empty buckets as one ("1988..2025", 0)."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(buckets):
        j = i
        while j < len(buckets) and buckets[j][1] == 0:
            j += 1
        if j - i >= 2:
            out.append((f"{buckets[i][0]}..{buckets[j - 1][0]}", 0))
            i = j
        else:
            out.append(buckets[i])
            i += 1
    return out


def read_labels(searcher, tables: Tables) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(label, long name, kind) of every facet value, keyed by (facet param, value), read from one
    story holding it.

    The indexer stored each story's facet values with their labels, so the searcher
    needs no gazetteer (loading one costs a second or two in every new worker): one
    stored-fields read per distinct value, about 30 ms for 700 values. Facets whose
    label is their value (companies: thousands of values) are not read at all.
    """
    labels: dict[tuple[str, str], tuple[str, str, str]] = {}
    for spec in FACETS:
        table = tables.facets.get(spec.mention_field)
        if not spec.stored_labels or table is None or not table.values:
            continue
        order = np.argsort(table.vals, kind="stable")
        first = table.docs[order][np.searchsorted(table.vals[order], np.arange(len(table.values)))]
        for value, docnum in zip(table.values, first.tolist()):
            for item in searcher.stored_fields(docnum).get(spec.display) or []:
                if item.get("value") == value:
                    label = item.get("label") or value
                    name = item.get("name") or ""
                    labels[(spec.param, value)] = (label, "" if name == label else name, item.get("kind") or "")
                    break
    return labels
