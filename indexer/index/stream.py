"""Stories from the readers to the writer in bounded memory: the run's spool.

Why a spool, not a list: the build settles a file's ids (a folder prefix, duplicates
with other files) only once the whole file is read, and chooses between writing
in-process and forking workers from the number of stories in the run. Holding every
story until then made memory grow with the input (a 3.6 MB `.jsonl.gz` expanding to
300 MB took 556 MB RSS). Here each story goes, as the reader parses it, into an
unnamed temporary file in the index folder, pickled and compressed in batches; the
build keeps only the ids (the manifest needs them anyway). The writer, in-process or
each forked worker for its share, reads the batches back one at a time and applies
what the build decided per file (prefix, ids to skip), so memory holds one batch per
process whatever the size of the input.

The file has no name (O_TMPFILE, or unlinked at once), so a run that fails or is
killed leaves nothing behind, and it lives on the index's disk, so a full disk is the
same `store.DiskFull` as for the index itself.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import zlib
from typing import Iterator

from indexer.read.documents import Document, is_derived_id

BATCH = 256          # stories pickled and compressed together (a few MB at most: one record is <= max_bytes)


class Spool:
    """The stories of one run, in the order they were read; see the module docstring."""

    def __init__(self, folder) -> None:
        self.file = tempfile.TemporaryFile(dir=folder, prefix=".newsfacet-spool-")
        self.fd = self.file.fileno()
        self.end = 0
        self.batches: list[tuple[int, int, int, FileSink]] = []     # (offset, length, stories, the file's sink)
        self.overridden: set[str] = set()       # ids a feed item written later replaces (a later copy wins)

    def sink(self) -> FileSink:
        return FileSink(self)

    def adopt(self, docs) -> FileSink:
        """The sink holding a file's stories: the one it was read into, or one filled from a list
        (a page read by a pool worker comes back as a list)."""
        if isinstance(docs, FileSink):
            docs.flush()
            return docs
        sink = FileSink(self)
        for doc in docs:
            sink.append(doc)
        sink.flush()
        return sink

    def put(self, docs: list[Document], sink: FileSink) -> int:
        """Write one batch of a file's stories (its `FileSink` flushing); the batch's number."""
        data = zlib.compress(pickle.dumps(docs, pickle.HIGHEST_PROTOCOL), 1)
        start, view = self.end, memoryview(data)
        while view:                                     # os.pwrite may write less than asked
            n = os.pwrite(self.fd, view, self.end)
            view, self.end = view[n:], self.end + n
        self.batches.append((start, len(data), len(docs), sink))
        return len(self.batches) - 1

    def _load(self, offset: int, length: int) -> list[Document]:
        return pickle.loads(zlib.decompress(os.pread(self.fd, length, offset)))

    def _kept(self):
        return [b for b in self.batches if b[3].kept]

    def positions(self) -> int:
        """Stories in the kept files' batches, counting those skipped at write time (shares are cut by these)."""
        return sum(b[2] for b in self._kept())

    def stories(self, lo: int = 0, hi: int | None = None) -> Iterator[tuple[Document, str]]:
        """(Document, key) of the kept stories at positions lo..hi, with the build's decisions applied."""
        pos = 0
        for offset, length, count, sink in self._kept():
            if (hi is not None and pos >= hi) or pos + count <= lo:
                pos += count
                continue
            for doc in self._load(offset, length):
                at, pos = pos, pos + 1
                if at < lo or (hi is not None and at >= hi):
                    continue
                if sink.prefix and is_derived_id(doc):
                    doc.id = sink.prefix + doc.id
                if doc.id not in sink.skip and doc.id not in self.overridden:
                    yield doc, sink.key

    def close(self) -> None:
        self.file.close()


class FileSink:
    """One file's stories as its reader yields them: spooled in batches, their ids kept.

    What `read_source(docs=...)` needs: `append`, `clear` (the file turned out unreadable:
    its stories are dropped) and `len`.
    """

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.ids: list[str] = []
        self.derived: set[str] = set()        # ids made from the file's path (is_derived_id)
        self.buffer: list[Document] = []
        self.kept = False                      # set by the build once it has settled the file's ids
        self.key, self.prefix = "", ""
        self.skip: set[str] = set()            # final ids not written (taken by another file)

    def append(self, doc: Document) -> None:
        self.ids.append(doc.id)
        if is_derived_id(doc):
            self.derived.add(doc.id)
        self.buffer.append(doc)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.spool.put(self.buffer, self)
            self.buffer = []

    def clear(self) -> None:
        """Drop what was read so far: its batches are never written, even if the file is kept after all."""
        self.ids, self.derived, self.buffer, self.kept = [], set(), [], False
        dead = FileSink(self.spool)
        self.spool.batches = [b if b[3] is not self else (*b[:3], dead) for b in self.spool.batches]

    def __len__(self) -> int:
        return len(self.ids)

    def final_ids(self, prefix: str) -> Iterator[str]:
        """The ids as they will be written: a path-made id gets the prefix the build chose."""
        for i in self.ids:
            yield prefix + i if prefix and i in self.derived else i

    def keep(self, key: str, prefix: str) -> None:
        """Written under `key` with `prefix`; the ids lists go (the manifest has its own)."""
        self.key, self.prefix, self.kept = key, prefix, True
        self.ids, self.derived = [], set()


class Stories:
    """Every story a run writes: the spooled files' and then the feeds' (held in memory: a feed is small)."""

    def __init__(self, spool: Spool, extra: list[tuple[Document, str]], count: int) -> None:
        self.spool, self.extra, self.count = spool, extra, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[Document, str]]:
        return self.share(0, 1)

    def share(self, wid: int, procs: int) -> Iterator[tuple[Document, str]]:
        """Worker `wid`'s contiguous part of `procs` (a generator: made before the fork, run in the worker)."""
        spooled = self.spool.positions()
        total = spooled + len(self.extra)
        size = -(-total // procs)
        lo, hi = wid * size, min(total, (wid + 1) * size)
        yield from self.spool.stories(lo, min(hi, spooled))
        yield from self.extra[max(lo - spooled, 0):max(hi - spooled, 0)]
