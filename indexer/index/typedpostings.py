"""Each segment's words-as-typed postings as arrays (word -> stories), written at commit, mapped at open.

Why: a pattern is matched against the words as typed (typed.py), and a short one stands
for thousands of them: `*ing` for 2,838 words of title and body at 21,578 Reuters stories,
`*ed` for 3,263. Whoosh reads a word's postings through a term look-up and a matcher,
~0.14 ms a word in Python, so `*ed` took 0.45 s, over the query's 0.2 s deadline, and
such patterns were refused by a 1,024-word cap. Lucene answers a pattern of many words
by collecting its documents into a bitset at constant score (CONSTANT_SCORE_REWRITE)
rather than scoring each word; this is what makes that a matter of milliseconds here.
For every segment, at commit, each typed field becomes

    <field>.text     its words in lexicon order (bytewise), UTF-8, each followed by "\\n"
    <field>.offsets  int64, where word i starts in text (one more: the end)
    <field>.indptr   int64, word i's documents are docs[indptr[i]:indptr[i + 1]]
    <field>.docs     the segment's own docnums, deleted ones included: uint16 when the segment
                     holds at most 65,536 documents (half the bytes: the indexer's segments hold
                     20,000), else uint32; readers take either
    <field>.keys     uint64, word i's first 8 bytes (big-endian, zero-padded): a prefix's words
                     by searchsorted (absent from files written before them: read as before)

and each stemmed field of COUNTED_FIELDS (`body`) its terms' hashes, sorted, and how many
stories hold each (`<field>.hashes`, `<field>.df`: did-you-mean's look-ups, counted_arrays),
in `typed-<segment id>.npy` (+ `.json`, npyblob.py). A query runs its pattern (RE2) over
`text` in place: a run of consecutive matching words is a range of word ordinals, hence
one contiguous slice of `docs` (query/typedsets.py). Deleted stories are left out by the
generation's live mask, as everywhere.

Per segment, because a Whoosh segment never changes once written (a deletion only marks
documents): an incremental run writes files for the segments its commit added or merged,
keeps the others' as they are, and removes those of segments gone. Reading a segment's
two typed fields whole costs ~15 µs a word (whoosh_ext.field_postings): ~1.5 s of CPU at
21,578 stories, beside ~60 s of indexing. Opening a generation maps one file per segment.
A word holding a newline (none can: the tokenizers split on spaces) would break `text`,
so such a segment gets no file and its generation's patterns are read from Whoosh
(query/typedsets.py falls back when any segment lacks one).
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from . import npyblob, whoosh_ext
from .typed import TYPED_FIELDS

log = logging.getLogger(__name__)
PREFIX = "typed-"
FORMAT = 1
PARTS = ("text", "offsets", "indptr", "docs")
KEY_BYTES = 8                   # <field>.keys: each word's first 8 bytes (word_keys); files before them have none
COUNTED_FIELDS = ("body",)      # stemmed fields whose terms did-you-mean counts (counted_arrays)
COUNTED_PARTS = ("hashes", "df")


def data_name(segment_id: str) -> str:
    return f"{PREFIX}{segment_id}.npy"


def index_name(segment_id: str) -> str:
    return f"{PREFIX}{segment_id}.json"


def segment_ids(reader) -> list[str]:
    """The ids of the segments a reader reads, in docnum order."""
    return [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment() is not None]


def file_names(gen: Path, segment_files: list[str]) -> list[str]:
    """The typed-postings files present in `gen` of the segments named by their compound files
    (`MAIN_<id>.seg`, as the TOC names them): what checksums.json covers besides the segments."""
    out = []
    for seg in segment_files:
        sid = seg.rsplit(".", 1)[0]             # a segment's id is its file's name: MAIN_<random>
        out += [name for name in (data_name(sid), index_name(sid)) if (Path(gen) / name).is_file()]
    return out


class _Newline(ValueError):
    """A word holding a newline: the segment cannot be written as newline-separated text."""


def docs_dtype(documents: int) -> type:
    """The narrowest unsigned type holding every docnum of a segment of `documents` documents."""
    return np.uint16 if documents <= 65536 else np.uint32


def field_arrays(leaf, fieldname: str) -> dict[str, np.ndarray]:
    """The four arrays of one typed field of one segment (see the module docstring)."""
    words: list[bytes] = []
    counts: list[int] = []
    parts: list[np.ndarray] = []
    for btext, ids in whoosh_ext.field_postings(leaf, fieldname):
        if b"\n" in btext:
            raise _Newline(btext[:40])
        words.append(btext)
        counts.append(len(ids))
        parts.append(ids)
    lengths = np.fromiter((len(w) + 1 for w in words), dtype=np.int64, count=len(words))
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    indptr = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.asarray(counts, dtype=np.int64), out=indptr[1:])
    text = np.frombuffer(b"".join(w + b"\n" for w in words), dtype=np.uint8)
    dtype = docs_dtype(leaf.doc_count_all())
    docs = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return {"text": text, "offsets": offsets, "indptr": indptr, "docs": docs, "keys": word_keys(words)}


def word_keys(words: list[bytes]) -> np.ndarray:
    """Each word's first KEY_BYTES bytes, zero-padded, as a big-endian uint64: sorted as the words
    are (no word holds a zero byte), so the words with a prefix of at most 8 bytes are one
    `searchsorted` away (query/typedsets.py: `aa* OR ab* ...` looked each prefix up by a binary
    search in Python, ~35 µs a prefix and segment)."""
    return np.frombuffer(b"".join(w[:KEY_BYTES].ljust(KEY_BYTES, b"\0") for w in words), dtype=">u8").astype(np.uint64)


def term_hashes(terms) -> np.ndarray:
    """uint64 of each term's UTF-8 bytes (BLAKE2b, 8 bytes): what `counted_arrays` sorts and a
    look-up searches for. Two of a segment's ~40,000 terms share a hash with odds of ~1e-10."""
    return np.fromiter((int.from_bytes(hashlib.blake2b(t, digest_size=8).digest(), "little") for t in terms),
                       dtype=np.uint64)


def counted_arrays(leaf, fieldname: str) -> dict[str, np.ndarray]:
    """`hashes` (sorted) and `df` (stories holding each term, deleted ones included, as Whoosh's
    doc_frequency counts them) of every term of a stemmed field: did-you-mean looks ~300 one-edit
    variants of a word up at once with one `searchsorted` a segment (query/typedsets.py), where
    Whoosh's term index costs a hashed file look-up per variant and segment (~60 ms a word at
    215,780 stories, 12 segments; five times that at 50x)."""
    terms, counts = [], []
    for btext, info in leaf.iter_field(fieldname):
        terms.append(btext)
        counts.append(info.doc_frequency())
    hashes = term_hashes(terms)
    order = np.argsort(hashes, kind="stable")
    return {"hashes": hashes[order], "df": np.asarray(counts, dtype=np.uint32)[order]}


def segment_arrays(leaf) -> dict[str, np.ndarray]:
    """Every typed field of the segment's schema, keyed `<field>.<part>`; the term counts of the
    COUNTED fields, keyed `<field>.hashes` and `<field>.df`."""
    out = {}
    for fieldname in TYPED_FIELDS:
        if fieldname in leaf.schema:
            for part, arr in field_arrays(leaf, fieldname).items():
                out[f"{fieldname}.{part}"] = arr
    for fieldname in COUNTED_FIELDS:
        if fieldname in leaf.schema:
            for part, arr in counted_arrays(leaf, fieldname).items():
                out[f"{fieldname}.{part}"] = arr
    return out


def write(gen: Path, reader) -> list[str]:
    """Write the files of the reader's segments that have none, remove those of segments no
    longer in it; the names of the files the reader's segments have."""
    gen = Path(gen)
    wanted = []
    for leaf, _ in reader.leaf_readers():
        wanted += write_segment(gen, leaf)
    for old in gen.glob(f"{PREFIX}*"):
        if old.name not in wanted:
            try:
                old.unlink()
            except OSError:
                log.warning("could not remove the old typed-postings file %s", old)
    return wanted


def write_segment(gen: Path, leaf) -> list[str]:
    """The files of one segment (`leaf`, a segment's reader), written unless they are there; their
    names ([] when the segment cannot have them). The indexing workers call it for the segments
    they have just written (parallel.py), before the commit, so that this work runs on every core."""
    segment = leaf.segment()
    if segment is None:
        return []
    sid = segment.segment_id()
    data, index = Path(gen) / data_name(sid), Path(gen) / index_name(sid)
    if not index.is_file():
        try:
            arrays = segment_arrays(leaf)
        except _Newline as exc:
            log.warning("segment %s holds a word with a newline (%r); its patterns are read from "
                        "the index instead", sid, exc.args[0])
            return []
        npyblob.write(data, index, arrays, {"documents": leaf.doc_count_all(), "segment": sid}, FORMAT)
    return [data.name, index.name]


def load(gen: Path, segment_id: str, documents: int) -> dict[str, np.ndarray] | None:
    """A segment's arrays, mapped read-only; None when its files are missing, damaged or not of
    this segment (`documents`: how many it holds)."""
    found = npyblob.load(Path(gen) / data_name(segment_id), Path(gen) / index_name(segment_id), FORMAT)
    if found is None:
        return None
    arrays, meta = found
    if meta.get("documents") != documents or meta.get("segment") != segment_id:
        return None
    return arrays
