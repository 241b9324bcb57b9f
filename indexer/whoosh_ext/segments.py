"""Segments written by several writers, committed as one Whoosh commit.

Why: `indexer/parallel.py` has forked workers each write segments of their own
(Whoosh's `MpWriter` would pickle every document to them, and extraction would run
in the parent). Whoosh's public `commit()` only commits the writer's own segment, so
the parent's writer, which holds the lock and the run's deletions, commits here the
way `SegmentWriter.commit` does, with the workers' segments added to its TOC: the
whole run becomes visible to readers at once. `segment_count` reads the TOC's
segment list, which Whoosh only exposes privately.
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
                           "indexer/whoosh_ext was written against; write in one process instead")


def finalize_segment(writer):
    """Finish a worker's writer (opened with `_lk=False`) and return its segment, uncommitted."""
    _require()
    return writer._finalize_segment()


def commit_segments(writer, segments: list, *, optimize: bool = False) -> None:
    """Commit `writer` (its deletions and its own documents) together with `segments`
    from other writers on the same index, in one TOC; releases the writer's lock."""
    _require()
    writer._check_state()
    final = writer._merge_segments(None, optimize, None)
    final += segments
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def segment_count(ix) -> int | None:
    """How many segments the index's latest commit holds (None: not a file index)."""
    return len(ix._segments()) if hasattr(ix, "_segments") else None
