"""Writing one Whoosh segment per core, then committing them together.

Why not Whoosh's own `MpWriter`: it pickles every prepared document to a temp file
for its sub-writers, and it would have us extract entities in the parent, which is
the slowest step. Here forked workers inherit the stories (a list, or the run's
spool, which each worker reads back batch by batch for its own share: stream.py), so
nothing is pickled on the way in and memory stays bounded; each extracts entities and writes its share into a segment of its own,
and sends back only the finished segment object. The parent's writer, which holds
Whoosh's lock and the run's deletions, then writes one TOC naming the old segments and
the new ones, so the whole run becomes visible to readers in one atomic commit
(`whoosh_ext.worker_writer` and `commit_segments`: the parts that need Whoosh's private API).
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import queue
import signal
import traceback
from typing import Callable

from . import typedpostings, whoosh_ext
from .prepare import prepare
from .schema import codec

log = logging.getLogger(__name__)
PROGRESS_EVERY = 200
SEGMENT_DOCS = 20_000       # stories a worker writes into one segment
POOL_MB = 1024              # Whoosh's in-memory postings pool per writer (20,000 stories fit)


def _die_with_parent(parent: int) -> None:
    """A forked worker inherits the indexer's lock (an flock is held while any copy of its fd
    is open): one left running after `kill -9` of the indexer would keep the folder locked
    and write segments nobody commits. Linux: PR_SET_PDEATHSIG kills it with its parent."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:          # the parent died before prctl took effect
        os._exit(1)


def add_story(writer, doc, key: str, warnings: list) -> None:
    """Extract a story's entities and add it to `writer`; a warning goes to `warnings`."""
    fields, warning = prepare(doc, key)
    if warning:
        warnings.append((key, doc.id, warning))
    writer.add_document(**fields)


def _work(storage, indexname, docs, wid: int, out, parent: int) -> None:
    _die_with_parent(parent)
    try:
        ix = storage.open_index(indexname)
        segments, warnings, writer, n = [], [], None, 0
        for doc, key in docs:            # an iterator: the spool's share is read batch by batch
            # A segment per SEGMENT_DOCS stories: Whoosh keeps a segment's postings in a
            # pool and, past `limitmb`, spills them to disk and merges the runs back in
            # Python, which tripled the CPU time per story.
            if writer is None:
                writer = whoosh_ext.worker_writer(ix, limitmb=POOL_MB, codec=codec())
            add_story(writer, doc, key, warnings)
            n += 1
            if n % PROGRESS_EVERY == 0:
                out.put(("progress", wid, PROGRESS_EVERY))
            if n % SEGMENT_DOCS == 0:
                segments.append(_finish(ix, writer))
                writer = None
        out.put(("progress", wid, n % PROGRESS_EVERY))
        if writer is not None:
            segments.append(_finish(ix, writer))
        out.put(("done", wid, segments, warnings))
    except BaseException as exc:  # report, never hang the parent
        out.put(("error", wid, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}",
                 getattr(exc, "errno", None)))


def _finish(ix, writer):
    """The worker's segment, finished, and its words-as-typed postings written beside it (what the
    parent would otherwise do alone after the commit: typedpostings.write skips a segment that has
    them). A failure there is left to the parent, which writes them again."""
    segment = whoosh_ext.finalize_segment(writer)
    try:
        with whoosh_ext.segment_reader(ix, segment) as leaf:
            typedpostings.write_segment(ix.storage.folder, leaf)
    except Exception as exc:        # the parent's typedpostings.write is the fallback
        log.warning("segment %s: its words-as-typed postings are left to the commit (%s: %s)",
                    segment.segment_id(), type(exc).__name__, exc)
    return segment


def write_parallel(ix, writer, docs, procs: int, *, optimize: bool,
                   on_progress: Callable[[int], None] | None = None) -> list[tuple[str, str, str]]:
    """Add `docs` ((Document, key) pairs: a list, or `stream.Stories` with its `share`) to the index
    through `writer` using `procs` workers.

    Commits `writer` (its deletions and the new segments together). Returns the
    entity-extraction warnings as (key, id, message). Raises RuntimeError if a worker
    fails; nothing is committed then.
    """
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    size = -(-len(docs) // procs)
    shares = ([docs[i * size:(i + 1) * size] for i in range(procs)] if isinstance(docs, list)
              else [docs.share(i, procs) for i in range(procs)])
    workers = [ctx.Process(target=_work, args=(ix.storage, ix.indexname, share, wid, out, os.getpid()), daemon=True)
               for wid, share in enumerate(shares)]
    for w in workers:
        w.start()
    segments, warnings, pending = [], [], set(range(procs))
    try:
        while pending:
            try:
                msg = out.get(timeout=1.0)
            except queue.Empty:
                dead = [wid for wid in pending if workers[wid].exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"indexing worker {dead[0]} died (exit code {workers[dead[0]].exitcode})") from None
                continue
            kind, wid = msg[0], msg[1]
            if kind == "progress":
                if on_progress:
                    on_progress(msg[2])
            elif kind == "done":
                segments.extend(msg[2])
                warnings.extend(msg[3])
                pending.discard(wid)
            elif msg[3]:          # an OSError (a full disk): the caller tells it apart by its errno
                raise OSError(msg[3], f"indexing worker {wid} failed: {msg[2]}")
            else:
                raise RuntimeError(f"indexing worker {wid} failed: {msg[2]}")
        for w in workers:
            w.join()
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.terminate()
        for w in workers:      # gone before the caller removes the files they were writing
            w.join(5)
        raise

    whoosh_ext.commit_segments(writer, segments, optimize=optimize)
    return warnings


def write_stories(ix, writer, docs, procs: int, fresh: bool, on_progress) -> list:
    """Prepare and add every story (in-process when `procs` is 1), then commit; returns entity warnings
    (key, id, message). `docs` is iterated once: from the spool, one batch in memory at a time."""
    if procs > 1:
        return write_parallel(ix, writer, docs, procs, optimize=False, on_progress=on_progress)
    warnings: list = []
    for doc, key in docs:
        add_story(writer, doc, key, warnings)
        on_progress(1)
    writer.commit(optimize=fresh)
    return warnings
