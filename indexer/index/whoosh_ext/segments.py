"""Segments written by several writers, committed as one Whoosh commit.

Why: `indexer/index/parallel.py` has forked workers each write segments of their own
(Whoosh's `MpWriter` would pickle every document to them, and extraction would run
in the parent). Whoosh's public `commit()` only commits the writer's own segment, so
the parent's writer, which holds the lock and the run's deletions, commits here the
way `SegmentWriter.commit` does, with the workers' segments added to its TOC: the
whole run becomes visible to readers at once (`worker_writer` opens the workers' writers
without the lock the parent holds). `segment_count`, `toc_segment_files` and
`reader_segment_files` read the TOC's segment list and the segments' file names, which
Whoosh only exposes through its internal TOC and segment objects (store.py checks those
files whole before opening a generation; query/current.py watches them for damage).
"""
from __future__ import annotations

from .version import supported

# What SegmentWriter.commit does in the pinned Whoosh, step by step (writing.py, 2.7.5):
# _check_state, _merge_segments, _finalize_segment or _close_segment, _commit_toc, _finish.


def parallel_commit_supported() -> bool:
    """Whether `finalize_segment`/`commit_segments` may be used (the pinned Whoosh)."""
    return supported()


def _require() -> None:
    if not supported():
        raise RuntimeError("committing segments from several writers needs the Whoosh version "
                           "indexer/index/whoosh_ext was written against; write in one process instead")


def worker_writer(ix, **kwargs):
    """A writer for a forked worker's segments: it takes no lock (Whoosh's private `_lk=False`),
    since the parent's writer holds the index's lock and commits the segments (`commit_segments`).
    `kwargs` are SegmentWriter's own (limitmb, codec ...)."""
    from whoosh.writing import SegmentWriter
    return SegmentWriter(ix, _lk=False, **kwargs)


def finalize_segment(writer):
    """Finish a worker's writer (`worker_writer`) and return its segment, uncommitted."""
    _require()
    return writer._finalize_segment()  # noqa: SLF001


def segment_reader(ix, segment):
    """A reader of one segment a worker has finished (`finalize_segment`), before it is committed."""
    _require()
    from whoosh.reading import SegmentReader
    return SegmentReader(ix.storage, ix.schema, segment)


def commit_segments(writer, segments: list, *, optimize: bool = False) -> None:
    """Commit `writer` (its deletions and its own documents) together with `segments`
    from other writers on the same index, in one TOC; releases the writer's lock."""
    _require()
    writer._check_state()  # noqa: SLF001
    final = writer._merge_segments(None, optimize, None)  # noqa: SLF001
    final += segments
    if writer._added:  # noqa: SLF001
        final.append(writer._finalize_segment())  # noqa: SLF001
    else:
        writer._close_segment()  # noqa: SLF001
    writer._commit_toc(final)  # noqa: SLF001
    writer._finish()  # noqa: SLF001


def segment_count(ix) -> int | None:
    """How many segments the index's latest commit holds (None: not a file index)."""
    return len(ix._segments()) if hasattr(ix, "_segments") else None  # noqa: SLF001


def toc_segment_files(folder) -> list[str]:
    """The compound segment files (`MAIN_<id>.seg`) named by the latest TOC in `folder`.

    Raises whatever Whoosh raises on a TOC it cannot read (store.check_segments turns
    that into IndexDamaged)."""
    return toc_files(folder)[1:]


def toc_files(folder) -> list[str]:
    """The latest TOC file of `folder` (`_MAIN_<gen>.toc`), then the segment files it names:
    every file a reader of that commit reads (store.write_checksums hashes them)."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import FileStorage
    storage = FileStorage(str(folder))
    opened = []
    open_file = storage.open_file

    def tracked(*args, **kwargs):         # TOC.read leaves its file open when it fails
        f = open_file(*args, **kwargs)
        opened.append(f)
        return f
    storage.open_file = tracked
    try:
        toc = whoosh_index.TOC.read(storage, "MAIN")      # Whoosh's default index name
    finally:
        for f in opened:
            if not f.is_closed:
                f.close()
    return [whoosh_index.TOC._filename("MAIN", toc.generation)] + [  # noqa: SLF001
        segment.make_filename(".seg") for segment in toc.segments]


def reader_segment_files(reader) -> list[str]:
    """The compound segment files an open reader reads, one per segment.

    An index with no segment yet (an empty archive) is read by an `EmptyReader`, whose
    segment is None: it reads no file."""
    return [leaf.segment().make_filename(".seg") for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None]
