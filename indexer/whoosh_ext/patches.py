"""Two targeted fixes to Whoosh's reading code, applied by `install()` at start-up.

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
"""
from __future__ import annotations

import threading

from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.util.numeric import byte_to_length

from .blocks import length_bytes
from .version import supported, warn_unsupported

_LENGTH_OF_BYTE = [byte_to_length(i) for i in range(256)]
ORIGINAL_DOC_FIELD_LENGTH = whoosh3.W3PerDocReader.doc_field_length
ORIGINAL_BUFFER_FILE_INIT = structfile.BufferFile.__init__

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


class ViewFile:
    """The read side of a file object over a memoryview, without copying it; the read
    position is per thread (the buffer is read-only, so nothing else is shared)."""

    def __init__(self, buf):
        self._buf = memoryview(buf)
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
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), self._pos + n)
        out = self._buf[self._pos:end].tobytes()
        self._pos = end
        return out

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


def buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> bool:
    """Apply both patches once per process; True when they are in place.

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
        _installed = True
        return True


def installed() -> bool:
    return _installed
