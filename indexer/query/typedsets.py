"""A pattern's words and stories read from each segment's words-as-typed postings (typedpostings.py).

Why: a pattern of thousands of words (`*ing`: 2,838 over title and body at 21,578 Reuters
stories) read word by word through Whoosh costs ~0.14 ms a word, 0.4 s for `*ing`, over
the query's 0.2 s deadline. Here the pattern runs (RE2, patterns.py) over a segment's
words as they lie in the mapped file, one newline-separated text in lexicon order, so a
run of consecutive matching words is a range of word ordinals, and the stories of a
range are one contiguous slice of the segment's postings. The pattern's stories are then
a union of numpy slices: milliseconds for the whole archive (docs/query.md).

What it gives the query (semantics.expand_patterns): the words a pattern stands for (for
the patterns scored word by word, as before), or a `Matched` that the evaluator turns into
a mask of stories at constant score (expansion.PatternDocs), as Lucene's constant-score
rewrite of a multi-term query does. `TypedSets.open` maps one file per segment and reads
nothing else: None when a segment has no file (an index written before them, or a reader
opened between a commit and its files), and the words are then read from Whoosh.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

import numpy as np

from indexer.index import typedpostings
from indexer.index.typedpostings import KEY_BYTES
from . import budget
from .patterns import CHUNK, Pattern


@dataclass
class _Field:
    text: np.ndarray        # uint8: every word followed by "\n", in lexicon order
    offsets: np.ndarray     # int64: where word i starts in text (one more: the end)
    indptr: np.ndarray      # int64: word i's documents are docs[indptr[i]:indptr[i + 1]]
    docs: np.ndarray        # uint16 or uint32: the segment's docnums
    keys: np.ndarray | None = None     # uint64: word i's first 8 bytes (typedpostings.word_keys); None: older file

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def word(self, i: int) -> bytes:
        return self.text[self.offsets[i]:self.offsets[i + 1] - 1].tobytes()

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        """The ordinals [lo, hi) of the words starting with `prefix` (two binary searches: over the
        words' first 8 bytes in numpy where the file has them, then, for a longer prefix, over the
        words in that range)."""
        k = len(prefix)
        lo, hi = 0, len(self)
        if self.keys is not None and k:
            head = prefix[:KEY_BYTES]
            low = int.from_bytes(head.ljust(KEY_BYTES, b"\0"), "big")
            high = int.from_bytes(head.ljust(KEY_BYTES, b"\xff"), "big")
            lo = int(np.searchsorted(self.keys, np.uint64(low), "left"))
            hi = int(np.searchsorted(self.keys, np.uint64(high), "right"))
            if k <= KEY_BYTES:
                return lo, hi
        end = hi
        while lo < hi:                       # first word whose start is >= prefix
            mid = (lo + hi) // 2
            if self.word(mid)[:k] < prefix:
                lo = mid + 1
            else:
                hi = mid
        start, hi = lo, end
        while lo < hi:                       # first word whose start is > prefix
            mid = (lo + hi) // 2
            if self.word(mid)[:k] <= prefix:
                lo = mid + 1
            else:
                hi = mid
        return start, lo


@dataclass
class _Segment:
    offset: int                     # docnum of the segment's first document in the reader
    count: int                      # its documents, deleted ones included
    fields: dict[str, _Field]
    counted: dict[str, tuple[np.ndarray, np.ndarray]] = dc_field(default_factory=dict)   # field -> (hashes, df)


@dataclass
class Matched:
    """The words a pattern matched in one field: per segment, ranges of word ordinals."""
    field: str
    pattern: str
    parts: list[tuple[_Segment, np.ndarray, np.ndarray]]     # (segment, range starts, range ends)
    words: int                      # words matched, counted once per segment holding them
    postings: int                   # postings those words hold, all segments together

    def word_list(self) -> list[str]:
        """The distinct words matched, in lexicon order (bytewise)."""
        found: set[bytes] = set()
        for seg, starts, ends in self.parts:
            f = seg.fields[self.field]
            for s, e in zip(f.offsets[starts].tolist(), f.offsets[ends].tolist()):
                found.update(f.text[s:e - 1].tobytes().split(b"\n"))
        return [w.decode("utf-8") for w in sorted(found)]

    def mask(self, n: int) -> np.ndarray:
        """bool[n]: the documents holding a matched word (deleted ones included: the evaluator
        masks them). Under the deadline, a segment at a time: what is left when it expires is
        skipped (the answer is then cut short, and says so)."""
        out = np.zeros(n, dtype=bool)
        for seg, starts, ends in self.parts:
            if budget.expired():
                break
            f = seg.fields[self.field]
            view = out[seg.offset:seg.offset + seg.count]
            a, b = f.indptr[starts], f.indptr[ends]
            if len(a) <= 64:                # a prefix: one run, one slice
                for x, y in zip(a.tolist(), b.tolist()):
                    view[f.docs[x:y]] = True
                continue
            lens = b - a
            total = int(lens.sum())
            at = np.repeat(a - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)
            view[f.docs[at]] = True
        return out


class TypedSets:
    """The words-as-typed postings of every segment of one reader, mapped."""

    def __init__(self, segments: list[_Segment], paths: list[Path]):
        self.segments, self.paths = segments, paths

    @classmethod
    def open(cls, gen: Path | None, reader) -> "TypedSets | None":
        """Each segment's file mapped (nothing else read); None when one is missing or unusable."""
        if gen is None:
            return None
        segments, paths = [], []
        for leaf, offset in reader.leaf_readers():
            segment = leaf.segment()
            if segment is None:
                continue
            sid, count = segment.segment_id(), leaf.doc_count_all()
            arrays = typedpostings.load(gen, sid, count)
            if arrays is None:
                return None
            fields, counted = {}, {}
            for key in arrays:
                name, part = key.rsplit(".", 1)
                if part == "text":
                    fields[name] = _Field(*(arrays[f"{name}.{p}"] for p in typedpostings.PARTS),
                                          keys=arrays.get(f"{name}.keys"))
                elif part == "hashes":
                    counted[name] = tuple(arrays[f"{name}.{p}"] for p in typedpostings.COUNTED_PARTS)
            segments.append(_Segment(offset, count, fields, counted))
            paths.append(Path(gen) / typedpostings.data_name(sid))
        return cls(segments, paths)

    @staticmethod
    def written(gen: Path, reader) -> bool:
        """Whether every segment of the reader has its file now (a stat each)."""
        ids = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment() is not None]
        return bool(ids) and all((Path(gen) / typedpostings.index_name(sid)).is_file() for sid in ids)

    def has(self, field: str) -> bool:
        return bool(self.segments) and all(field in seg.fields for seg in self.segments)

    def size(self, field: str) -> int:
        """The words a pattern with no letters before its wildcard looks through (every segment's)."""
        return sum(len(seg.fields[field]) for seg in self.segments if field in seg.fields)

    def doc_frequencies(self, fieldname: str, terms) -> dict[str, int] | None:
        """term -> stories holding it (as Whoosh's doc_frequency: deleted ones included) of the
        `terms` the field holds, from every segment's mapped hashes (typedpostings.counted_arrays):
        one searchsorted a segment for all of them. None when a segment has no counts (written
        before them): the caller asks Whoosh."""
        if not self.segments or not all(fieldname in seg.counted for seg in self.segments):
            return None
        terms = list(terms)
        wanted = typedpostings.term_hashes(t.encode("utf-8") for t in terms)
        total = np.zeros(len(terms), dtype=np.int64)
        for seg in self.segments:
            hashes, df = seg.counted[fieldname]
            if not len(hashes):
                continue
            at = np.minimum(np.searchsorted(hashes, wanted), len(hashes) - 1)
            total += np.where(hashes[at] == wanted, df[at], 0)
        return {t: n for t, n in zip(terms, total.tolist()) if n}

    def match(self, field: str, pattern: str, literal: str, node=None) -> Matched:
        """The words of `field` that `pattern` (fnmatch's meaning, folded as the words are) matches;
        `literal`: its letters before the first wildcard, where the search starts. Under the
        deadline (`node` is charged when it passes: budget.too_slow raises)."""
        prefix = literal.encode("utf-8")
        compiled = None if pattern == literal + "*" else Pattern(pattern)
        parts, words, postings = [], 0, 0
        for seg in self.segments:
            f = seg.fields.get(field)
            if f is None or not len(f):
                continue
            lo, hi = f.prefix_range(prefix) if prefix else (0, len(f))
            if lo >= hi:
                continue
            if compiled is None:
                starts, ends = np.array([lo], dtype=np.int64), np.array([hi], dtype=np.int64)
            else:
                starts, ends = _runs(compiled, f, lo, hi, node)
                if not len(starts):
                    continue
            parts.append((seg, starts, ends))
            words += int((ends - starts).sum())
            postings += int((f.indptr[ends] - f.indptr[starts]).sum())
        return Matched(field, pattern, parts, words, postings)


def _runs(compiled: Pattern, f: _Field, lo: int, hi: int, node) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of consecutive words in [lo, hi) the pattern matches, a chunk
    of CHUNK words at a time, the deadline looked at between chunks."""
    found_at: list[int] = []
    found_to: list[int] = []
    buffer = memoryview(f.text)
    bounds = f.offsets
    for a in range(lo, hi, CHUNK):
        if node is not None and budget.expired():
            budget.too_slow(node)
        for start, end in compiled.runs(buffer, int(bounds[a]), int(bounds[min(a + CHUNK, hi)])):
            found_at.append(start)
            found_to.append(end)
    starts = np.searchsorted(bounds, np.asarray(found_at, dtype=np.int64))
    ends = np.searchsorted(bounds, np.asarray(found_to, dtype=np.int64))
    return starts.astype(np.int64), ends.astype(np.int64)
