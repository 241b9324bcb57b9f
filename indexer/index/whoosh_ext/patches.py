"""Targeted fixes to Whoosh's reading and indexing code, applied by `install()` at start-up.

Applied explicitly by the entry points (`Archive`, `build_index`, hence the CLI and
the web app), once per process, and only on the Whoosh version they were written
against: importing NewsFacet changes nothing in Whoosh.

1. Memory and threads: `BufferFile` (how Whoosh reads a file inside a memory-mapped
   segment) wraps its buffer in `io.BytesIO(buf)`, which copies the whole sub-file
   into the process's private memory: the postings of a 215,780-story index, 365 MB a
   segment, copied into every web worker at open. `ViewFile` reads from the
   memoryview instead, so the pages stay shared, file-backed and loaded only when
   touched. Its read position is kept per thread: Whoosh reads by `seek` then `read`
   on one file object shared by every searcher of the segment, so two threads
   searching at once read each other's blocks (unpickling errors, wrong postings).
   With a cursor per thread, one searcher serves every thread of a process.

2. Speed: Whoosh's W3 codec reads a document's field length one byte at a time
   through a seek+read on the lengths column (`W3PerDocReader.doc_field_length`).
   Writing a segment asks for it once per posting (about a third of commit time on
   Reuters) and BM25 scoring once per matching document. The column is one byte per
   document, so this reads it whole, once per reader and field (`blocks.length_bytes`),
   and answers from memory, with exactly the original's results (including None for
   a zero byte). Nothing about the file format changes. Two threads asking for the
   same field at once may both read it; either answer is the same bytes.

3. Truncation (the default; NEWSFACET_SEGMENT_READS=mmap turns it off): Whoosh memory-maps each
   compound segment, and a page that a truncation removed kills the process with
   SIGBUS on the next read (issue 24.9). `PreadWindow` stands in for the map: reads
   are `os.pread`, which returns less past the end of a file (`SegmentCutShort`, an
   OSError the query side turns into a damaged-index answer). The pages still come
   from the shared page cache, and small reads go through a per-thread read-ahead.
   It is the default because a worker killed by a signal loses every request it holds:
   opening a generation costs about 40% more CPU (10,000 Reuters stories: 0.45 s ->
   0.65 s) and a story page about 5 ms more. With the map (`mmap`), the query side
   still checks the files' sizes before each request and each export chunk, which
   leaves only a truncation during one read.

4. Speed: the indexer's posting pool (`PostingPool.add`, called once per word of each story and
   field) asserted the types of every posting Whoosh's own fields hand it and added up its size
   estimate term by term; `pool_add` is the same estimate in one expression, the same list, the
   same spill to disk past `limitmb` (~0.1 ms a story of Reuters).

5. Speed: at commit the pool's postings, all held in memory (the indexer's pools never spill), are
   sorted as whole 5-tuples (`sorted(self.current)`): a quarter of the commit (0.27 ms a story).
   `pool_items` sorts them by docnum, then by term, then by field, each a stable sort on one key
   (C comparisons of ints, bytes and strs): 0.09 ms, and the same order, since a field's term
   never holds one document twice (its postings would be broken if it did) and so the tuples'
   weights and values are never compared. A pool that spilled runs Whoosh's own merge.

6. Speed: `Positions.word_values` and `Frequency.word_values` (a field's words of one story, with
   their positions or counts) counted with plain dicts instead of two defaultdicts, and a word seen
   once encoded without `Positions.encode`'s loop: the same items in the same order (~0.07 ms a
   story of Reuters over body and body_typed).
"""
from __future__ import annotations

import os
import threading
import weakref
from operator import itemgetter

from pickle import dumps

from whoosh import formats, writing
from whoosh.codec import whoosh3
from whoosh.filedb import compound, structfile
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from .blocks import length_bytes
from .version import supported, warn_unsupported

_LENGTH_OF_BYTE = [byte_to_length(i) for i in range(256)]
ORIGINAL_DOC_FIELD_LENGTH = whoosh3.W3PerDocReader.doc_field_length
ORIGINAL_POOL_ADD = writing.PostingPool.add
ORIGINAL_POOL_ITEMS = writing.PostingPool.items
ORIGINAL_POSITIONS_WORD_VALUES = formats.Positions.word_values
ORIGINAL_FREQUENCY_WORD_VALUES = formats.Frequency.word_values
_ONE = pack_uint(1)
_FIELD, _TERM, _DOCNUM = itemgetter(0), itemgetter(1), itemgetter(2)
ORIGINAL_BUFFER_FILE_INIT = structfile.BufferFile.__init__
ORIGINAL_COMPOUND_INIT = compound.CompoundStorage.__init__
ORIGINAL_COMPOUND_OPEN_FILE = compound.CompoundStorage.open_file

ENV_SEGMENT_READS = "NEWSFACET_SEGMENT_READS"    # "pread" (the default, patch 3) or "mmap"
READ_AHEAD = 64 * 1024       # bytes a thread reads at once from a segment file (ViewFile._read_ahead)

_lock = threading.Lock()
_installed = False


def doc_field_length(self, docnum, fieldname, default=0):
    if docnum > self._doccount:
        raise IndexError("Asked for docnum %r of %d" % (docnum, self._doccount))
    cache = self.__dict__.get("_newsfacet_lengths")
    if cache is None:
        cache = self._newsfacet_lengths = {}
    data = cache.get(fieldname, False)
    if data is False:
        data = cache[fieldname] = length_bytes(self, fieldname)
    if data is None:
        return default
    lbyte = data[docnum] if docnum < len(data) else 0
    if lbyte:
        return _LENGTH_OF_BYTE[lbyte]
    return None


class SegmentCutShort(OSError):
    """A segment file is shorter than the read asked of it: it was cut short after it was opened."""


class _OpenSegment:
    """The open file of one compound segment, shared by its windows; closed with the storage
    or, if Whoosh never closes it, when the last window goes (as a memory map would be)."""
    __slots__ = ("fd", "closed", "_close", "__weakref__")

    def __init__(self, f):
        self.fd, self.closed = os.dup(f.fileno()), False
        self._close = weakref.finalize(self, os.close, self.fd)

    def close(self) -> None:
        self.closed = True
        self._close()


class PreadWindow:
    """Bytes `start:start+length` of a segment file, read with `os.pread` when asked for.

    In place of Whoosh's memory map of a compound segment: a page of a map that a
    truncation removed kills the process with SIGBUS, a `pread` past the end of the
    file only returns less (SegmentCutShort). `pread` keeps no file position, so the
    threads of a worker share the file safely, and the bytes still come from the page
    cache every process shares. Slicing gives a smaller window, nothing is read until
    `tobytes`/`bytes()`.
    """
    __slots__ = ("_seg", "_start", "_len")

    def __init__(self, seg: _OpenSegment, start: int, length: int):
        self._seg, self._start, self._len = seg, start, max(0, length)

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, _ = key.indices(self._len)
            return PreadWindow(self._seg, self._start + start, stop - start)
        if key < 0:
            key += self._len
        if not 0 <= key < self._len:
            raise IndexError("segment window index out of range")
        return self[key:key + 1].tobytes()[0]

    def tobytes(self) -> bytes:
        if self._seg.closed:
            raise ValueError("read of a closed segment file")
        if not self._len:
            return b""
        data = os.pread(self._seg.fd, self._len, self._start)
        if len(data) != self._len:
            raise SegmentCutShort(f"segment file cut short: {self._len} bytes asked at {self._start}, "
                                  f"{len(data)} read")
        return data

    __bytes__ = tobytes

    def close(self) -> None:
        self._seg.close()


def compound_init(self, dbfile, use_mmap=True, basepos=0):
    """Whoosh's CompoundStorage, reading its sub-files through a PreadWindow, not a memory map."""
    ORIGINAL_COMPOUND_INIT(self, dbfile, use_mmap=False, basepos=basepos)
    if use_mmap and self._file is not None and hasattr(self._file, "fileno"):
        try:
            seg = _OpenSegment(self._file)
            size = os.fstat(seg.fd).st_size
        except (OSError, AttributeError, ValueError):
            return
        self._source = PreadWindow(seg, 0, size)
        self._file.close()         # as after mapping it: the window has a descriptor of its own
        self._file = None


def compound_open_file(self, name, *args, **kwargs):
    if isinstance(self._source, PreadWindow):
        if self.is_closed:
            raise compound.StorageError("Storage was closed")
        offset, length = self.range(name)
        return structfile.BufferFile(self._source[offset:offset + length], name=name)
    return ORIGINAL_COMPOUND_OPEN_FILE(self, name, *args, **kwargs)


class ViewFile:
    """The read side of a file object over a memoryview, without copying it; the read
    position is per thread (the buffer is read-only, so nothing else is shared)."""

    def __init__(self, buf):
        self._pread = isinstance(buf, PreadWindow)
        self._buf = buf if self._pread else memoryview(buf)
        self._cursor = threading.local()
        self.closed = False

    @property
    def _pos(self) -> int:
        try:
            return self._cursor.pos
        except AttributeError:          # this thread's first use of the file
            return 0

    @_pos.setter
    def _pos(self, value: int) -> None:
        self._cursor.pos = value

    def read(self, n: int = -1) -> bytes:
        pos = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), pos + n)
        if self._pread:
            out = self._read_ahead(pos, end)
        else:
            out = self._buf[pos:end].tobytes()
        self._pos = end
        return out

    def _read_ahead(self, pos: int, end: int) -> bytes:
        """Bytes pos:end of a PreadWindow, through this thread's READ_AHEAD block: unpickling
        reads a few bytes at a time, and a `pread` each would cost more than the read."""
        cur = self._cursor
        start = getattr(cur, "block_start", -1)
        block = getattr(cur, "block", b"")
        if start <= pos and end <= start + len(block) and start >= 0:
            return block[pos - start:end - start]
        if end - pos >= READ_AHEAD:
            return self._buf[pos:end].tobytes()
        cur.block_start, cur.block = pos, self._buf[pos:min(len(self._buf), pos + READ_AHEAD)].tobytes()
        return cur.block[:end - pos]

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        view = self._buf[self._pos:] if limit is None or limit < 0 else self._buf[self._pos:self._pos + limit]
        raw = bytes(view[:4096]) if len(view) > 4096 else bytes(view)
        i = raw.find(b"\n")
        while i < 0 and len(raw) < len(view):
            raw = bytes(view[:len(raw) * 2])
            i = raw.find(b"\n")
        line = raw[:i + 1] if i >= 0 else raw
        self._pos += len(line)
        return line

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def pool_add(self, item):
    # item = (fieldname, tbytes, docnum, weight, vbytes); Whoosh's size estimate:
    # 28 + 4 * 5 + 21 + len(fieldname) + 26 + 2 * len(tbytes) + 18 + 16 + 21 + len(vbytes or "")
    self.fieldnames.add(item[0])
    self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or "")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def pool_items(self, maxfiles=128):
    if self.runs:
        return ORIGINAL_POOL_ITEMS(self, maxfiles)
    items = list(self.current)
    items.sort(key=_DOCNUM)
    items.sort(key=_TERM)
    items.sort(key=_FIELD)
    return items


def positions_word_values(self, value, analyzer, **kwargs):
    fb = self.field_boost
    poses: dict = {}
    weights: dict = {}
    kwargs["positions"] = True
    kwargs["boosts"] = True
    for t in formats.tokens(value, analyzer, kwargs):
        text = t.text
        found = poses.get(text)
        if found is None:
            poses[text] = [t.pos]
            weights[text] = 0.0 + t.boost          # defaultdict(float)'s 0.0, then +=
        else:
            found.append(t.pos)
            weights[text] += t.boost
    encode = self.encode
    for w, poslist in poses.items():
        value = _ONE + dumps(poslist, 2) if len(poslist) == 1 else encode(poslist)   # encode: deltas from 0
        yield (w, len(poslist), weights[w] * fb, value)


def frequency_word_values(self, value, analyzer, **kwargs):
    fb = self.field_boost
    freqs: dict = {}
    weights: dict = {}
    kwargs["boosts"] = True
    for t in formats.tokens(value, analyzer, kwargs):
        text = t.text
        if text in freqs:
            freqs[text] += 1
            weights[text] += t.boost
        else:
            freqs[text] = 1
            weights[text] = 0.0 + t.boost
    return ((w, freq, weights[w] * fb, pack_uint(freq)) for w, freq in freqs.items())


def buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> bool:
    """Apply the patches once per process; True when they are in place.

    On another Whoosh version nothing is patched (a WhooshVersionWarning says so):
    Whoosh then runs as shipped, correct but slower and heavier on memory.
    """
    global _installed
    with _lock:
        if _installed:
            return True
        if not supported():
            warn_unsupported("the field-length and BufferFile patches", "are not applied")
            return False
        whoosh3.W3PerDocReader.doc_field_length = doc_field_length
        structfile.BufferFile.__init__ = buffer_file_init
        writing.PostingPool.add = pool_add
        writing.PostingPool.items = pool_items
        formats.Positions.word_values = positions_word_values
        formats.Frequency.word_values = frequency_word_values
        if os.environ.get(ENV_SEGMENT_READS, "pread") != "mmap":
            compound.CompoundStorage.__init__ = compound_init
            compound.CompoundStorage.open_file = compound_open_file
        _installed = True
        return True


def installed() -> bool:
    return _installed
