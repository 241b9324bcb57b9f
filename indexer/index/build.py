"""Creating, updating and atomically rebuilding the index; the manifest of what was indexed.

`build_index(paths, index_dir, rebuild=False)` is the one entry point (the CLI and the
tests call it). It is incremental: a manifest kept inside each index generation records
every source file's size, mtime and SHA-256 and the ids read from it, so a run only
reads files that are new or changed and only deletes the stories of changed or removed
files. `rebuild=True` writes a whole new generation beside the live one and swaps it in
(`store.swap_live`), so readers never see a half-built index.

Reading files is cheap; entity extraction and Whoosh's analysis are not, so a large
run forks one worker per core, each writing a segment of its own (`parallel.py`). Stories
wait in the run's spool (`stream.py`), not in memory, so memory does not grow with the input.
The manifest is written only after Whoosh commits; if a run is killed between the two,
the next run re-reads those files and deletes their ids before adding them again, so
every story is in the index exactly once. The manifest records the bytes actually
parsed (`documents.read_source` hashes while it reads), so a file rewritten during a
run is read again by the next one.

Ids (README "Story ids"): a story keeps the id its source gives it (a record's `id`,
a feed item's guid, a web archive's URL); a file's own stories are named by its path
relative to the folder given. Two files never share an id silently: a second file
whose path-made id is taken by another file in the index gets the folder's name in
front (`2026/kenya.txt`), kept in the manifest so it stays when the file changes; an
explicit id taken by another file is reported and skipped, never replaced. An id
held by a file that no longer exists (an archive moved) passes to the new file.

Everything a run fetches (feeds, and with `fetch_articles` the articles) is kept in the
index folder's `fetched/` (readers/fetched.py) and replayed by a fresh build
(feeds.replay), so `rebuild=True` loses no feed item that has left its feed.

A full disk (ENOSPC) raises `store.DiskFull` after removing the run's uncommitted
files, so the live generation is as it was and the next run works once space is free.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index

from . import derived, names, store, whoosh_ext
from .analysis import ANALYSIS_VERSION
from indexer.read.documents import (DEFAULT_MAX_BYTES, HTML_SUFFIXES, WARC_SUFFIXES, ReadProblem, Source, discover, path_text,
                        read_source, suffix_of)
from .feeds import FeedRun, dropped, follow, is_feed_list, is_url, list_key, read_feed_list, replay
from .parallel import write_stories as _write  # tests stand in for it to fail a run mid-write
from .stream import Spool, Stories
from indexer.read.fetch import Fetcher
from indexer.read.fetched import FetchArchive
from .schema import codec, current_schema
from .store import MANIFEST, load_manifest, save_manifest  # noqa: F401 - the manifest's home is store.py

STALE_AFTER_S = 3600          # an incremental run removes other generations older than this
PARALLEL_THRESHOLD = 400      # fewer stories than this are written in-process (no workers to start)
READ_POOL_THRESHOLD = 16      # this many pages (HTML, WARC) or more are read by a pool of workers


@dataclass
class BuildReport:
    new: int = 0                  # files and feeds (sources)
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    stories_new: int = 0          # stories: what the summary line counts, for files and feeds alike
    stories_changed: int = 0
    stories_removed: int = 0
    skipped: int = 0              # files (or records) that could not be read
    unsupported: int = 0          # files of a format NewsFacet does not read (a .pdf, an image)
    documents: int = 0            # stories written in this run
    total_documents: int = 0      # stories in the index afterwards
    problems: list[ReadProblem] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    rebuilt: bool = False
    created: bool = False         # there was no index in the folder before this run

    def summary(self) -> str:
        return (f"indexed {self.stories_new} new, {self.stories_changed} changed, {self.stories_removed} removed "
                f"stories, {self.skipped} skipped" + (f", {self.unsupported} unsupported" if self.unsupported else ""))


def _within(key: str, roots: list[str]) -> bool:
    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _schema_changed(gen: Path) -> bool:
    """An index written before a field was added (a new facet) is rebuilt, not updated: its stories
    would lack the field and Whoosh refuses documents with fields its schema does not have.
    So is one analysed by another version of the analyzer (analysis.ANALYSIS_VERSION): its
    stories' words would not match a query's (`ｃｏｆｆｅｅ`, `café` in NFD before version 2)."""
    try:
        schema = whoosh_index.open_dir(str(gen)).schema
        return (bool(set(current_schema().names()) - set(schema.names()))
                or getattr(schema["body"].analyzer, "version", 1) != ANALYSIS_VERSION)
    except Exception:            # unreadable: let the normal path report it
        return False


# ---------------------------------------------------------------- the run

def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm
    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, leave=False,
                desc="indexing")


def _read_one(job: tuple) -> Source:
    file, root, max_bytes, expect = job
    return read_source(file, root, max_bytes, expect)


def _read_all(jobs: list[tuple], procs: int, spool: Spool) -> Iterable[Source]:
    """Sources in the order of `jobs`; pages (trafilatura: ~15 ms each) are read by `procs` forked workers.

    In-process, each file's stories go straight into the spool as they are read (stream.py)."""
    pages = sum(1 for f, *_ in jobs if suffix_of(f) in HTML_SUFFIXES + WARC_SUFFIXES)
    if procs <= 1 or pages < READ_POOL_THRESHOLD:
        return (read_source(file, root, max_bytes, expect, docs=spool.sink()) for file, root, max_bytes, expect in jobs)
    import multiprocessing as mp

    from .parallel import _die_with_parent      # a reader left behind by `kill -9` would hold the lock
    pool = mp.get_context("fork").Pool(procs, initializer=_die_with_parent, initargs=(os.getpid(),))

    def results():
        try:
            yield from pool.imap(_read_one, jobs, chunksize=4)
        finally:
            pool.terminate()
            pool.join()
    return results()


def _root_name(root: Path) -> str:
    name = path_text(os.path.basename(os.path.abspath(root)))
    return name or "root"


def _prefix_for(derived: set[str], key: str, root: Path, owner: dict[str, str]) -> str:
    """"" when the file's path-made ids are free, else the folder's name, else that plus a hash of the path."""
    if not any(owner.get(i, key) != key for i in derived):
        return ""
    prefix = _root_name(root) + "/"
    if not any(owner.get(prefix + i, key) != key for i in derived):
        return prefix
    return f"{_root_name(root)}~{hashlib.sha1(key.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}/"


def build_index(paths: Iterable[Path | str], index_dir: Path | str, *, rebuild: bool = False,
                procs: int | None = None, progress: bool | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, follow_links: bool = False,
                fetch_articles: bool = False, fetcher: Fetcher | None = None,
                on_problem: Callable[[ReadProblem], None] | None = None) -> BuildReport:
    """Index the files under `paths` into `index_dir`; see the module docstring.

    Raises store.IndexLocked when another indexer holds the folder, FileNotFoundError
    for a path that does not exist, store.DiskFull when the disk fills up.
    """
    started = time.perf_counter()
    whoosh_ext.install()          # Whoosh's length fix: a third of commit time (whoosh_ext/patches.py)
    index_dir = Path(index_dir)
    paths = [str(p) if is_url(p) else Path(p) for p in paths]      # Path() would turn https:// into https:/
    urls = [p for p in paths if isinstance(p, str)]
    paths = [p for p in paths if isinstance(p, Path)]
    feeds = FeedRun(urls, fetcher or Fetcher(max_bytes=max_bytes), fetch_articles, FetchArchive(index_dir))
    procs = procs or os.cpu_count() or 1
    report = BuildReport(rebuilt=rebuild)

    def problem(p: ReadProblem) -> None:
        report.unsupported += p.unsupported
        report.problems.append(p)
        report.skipped += p.skipped
        if on_problem:
            on_problem(p)

    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise FileNotFoundError(f"{p}: no such file or folder")

    with store.indexer_lock(index_dir):
        live = store.live_dir(index_dir)
        fresh = rebuild or live is None or _schema_changed(live)
        report.created = live is None
        report.rebuilt = report.rebuilt or fresh and live is not None
        try:
            if fresh:
                store.remove_stale_generations(index_dir, keep=[live], min_age_s=0)
                gen = store.new_generation(index_dir)
                ix = whoosh_index.create_in(str(gen), current_schema())
                manifest: dict = {}
                feeds.previous = load_manifest(live) if live and (live / MANIFEST).is_file() else None
                feeds.previous_gen = live
            else:
                gen = live
                # what a killed --rebuild left, and generations replaced over an hour ago
                store.remove_stale_generations(index_dir, keep=[live], min_age_s=STALE_AFTER_S)
                store.verify_generation(gen)       # a damaged index is named (IndexDamaged), never written into
                ix = whoosh_index.open_dir(str(gen))
                manifest = load_manifest(gen)
        except OSError as exc:
            store.raise_if_full(exc, index_dir)
            raise
        report.generation = gen.name
        before = store.files_in(gen)
        try:
            _run(paths, feeds, ix, gen, manifest, fresh, procs, progress, max_bytes, follow_links, problem, report)
            names.write_committed(gen, ix)     # the name table of what was just committed
            derived.write_committed(gen, ix)   # its facet tables, groups ... mapped by readers (derived.py)
            store.write_checksums(gen)         # what `newsfacet check` and the server verify (checksums.py)
        except BaseException as exc:
            feeds.archive.close() if getattr(exc, "committed", False) else feeds.archive.discard()
            if fresh:                 # a generation never made live: all of it goes
                shutil.rmtree(gen, ignore_errors=True)
                if isinstance(exc, OSError):
                    exc.committed = False
            elif not getattr(exc, "committed", False):
                store.remove_new_files(gen, before)
            if isinstance(exc, OSError):
                store.raise_if_full(exc, index_dir)
            raise
        feeds.archive.close()
        if fresh:
            store.swap_live(index_dir, gen)
            # the previous generation stays until the next rebuild: a searcher may still read it
            store.remove_stale_generations(index_dir, keep=[gen, live], min_age_s=0)
        with ix.searcher() as s:
            report.total_documents = s.doc_count()
    report.seconds = time.perf_counter() - started
    return report


def _run(paths, feeds: FeedRun, ix, gen, manifest, fresh, procs, progress, max_bytes, follow_links, problem,
         report) -> None:
    # 0. a fresh index gets back every feed item it held, from the archive's copy
    before = {i for e in (feeds.previous or {} if fresh else manifest).values() for i in e.get("ids", ())}
    replayed = replay(gen.parent, feeds.previous, manifest, problem, feeds.previous_gen) if fresh else []
    # 1. what is there now, and what changed
    roots = [path_text(os.path.abspath(p)) for p in paths]
    seen: set[str] = set()
    to_read: list[tuple[Path, Path, str]] = []
    walk_problems: list[ReadProblem] = []
    to_follow = [(url, "") for url in feeds.urls]
    lists: set[str] = set()
    walked: dict = {}                  # file -> identity the walk checked (read_source's `expect`)
    for file, root in discover(paths, walk_problems, follow_links=follow_links, seen=walked):
        key = path_text(os.path.abspath(file))     # the `path` term: text, even for a non-UTF-8 name
        if key in seen:
            continue
        seen.add(key)
        if is_feed_list(file):
            listed, bad = read_feed_list(file)
            walk_problems += bad
            lists.add(list_key(file))
            to_follow += [(url, list_key(file)) for url in listed]
            continue
        try:
            st = file.stat()
        except OSError as exc:
            problem(ReadProblem(str(file), f"cannot read: {exc.strerror or exc}"))
            continue
        if not stat.S_ISREG(st.st_mode):      # reading a FIFO would wait for a writer forever
            problem(ReadProblem(str(file), "not a regular file (a pipe, socket or device)"))
            continue
        old = manifest.get(key)
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            report.unchanged += 1
            continue
        to_read.append((file, root, key))
    for p in walk_problems:
        problem(p)
    removed = {k for k in manifest if k not in seen and _within(k, roots) and not manifest[k].get("feed")}
    removed |= dropped(manifest, lists, {url for url, _ in to_follow})
    # who holds each id now: the files not read again in this run
    owner: dict[str, str] = {}
    rereading = {key for _, _, key in to_read}
    for key, entry in manifest.items():
        if key not in removed and key not in rereading:
            for i in entry.get("ids", ()):
                owner.setdefault(i, key)

    spool = Spool(gen.parent)
    try:
        _stream(to_read, walked, manifest, removed, owner, replayed, to_follow, feeds, ix, before, fresh, procs,
                progress, max_bytes, problem, report, spool)
    finally:
        spool.close()
    try:
        save_manifest(gen, manifest)
    except OSError as exc:
        exc.committed = True          # the stories are in; the next run re-reads their files (see above)
        raise


def _stream(to_read, walked, manifest, removed, owner, replayed, to_follow, feeds, ix, before, fresh, procs,
            progress, max_bytes, problem, report, spool: Spool) -> None:
    # 2. read the new and changed files (the manifest gets the facts of the bytes parsed); their stories are
    #    spooled, only their ids kept (stream.py)
    file_ids: dict[str, list[str]] = {}
    jobs = [(file, root, max_bytes, walked.get(file)) for file, root, _ in to_read]
    for (file, root, key), src in zip(to_read, _read_all(jobs, procs, spool)):
        sink = spool.adopt(src.docs)
        for p in src.problems:
            problem(p)
        old = manifest.get(key)
        entry = {"size": src.size, "mtime_ns": src.mtime_ns, "sha256": src.sha256}
        if src.unstable:              # changed while read: the next run reads it again, whatever it holds
            entry["mtime_ns"], entry["sha256"] = -1, ""
            problem(ReadProblem(str(file), "changed while it was being read; indexed as read, "
                                           "and read again on the next run", skipped=False))
        if not sink and any(p.skipped or p.unsupported for p in src.problems):
            continue           # the file as a whole was unreadable (or not ours): leave the index as it was
        if old and old.get("sha256") == src.sha256 and not src.unstable and "ids" in old:
            manifest[key] = {**old, **entry}       # touched, not changed
            for i in old["ids"]:
                owner.setdefault(i, key)
            report.unchanged += 1
            continue
        prefix = old.get("prefix", "") if old else ""
        if not prefix:
            _free_moved(sink.ids, key, owner, manifest, removed)
            prefix = _prefix_for(sink.derived, key, root, owner)
        kept = []
        for i in sink.final_ids(prefix):
            holder = owner.get(i)
            if holder is not None and holder != key:
                problem(ReadProblem(str(file), f"duplicate id {i!r} (also in {holder}); skipped"))
                sink.skip.add(i)
                continue
            owner[i] = key
            kept.append(i)
        sink.keep(key, prefix)
        if prefix:
            entry["prefix"] = prefix
        entry["ids"] = kept
        file_ids[key] = kept
        if key in manifest:
            report.changed += 1
        else:
            report.new += 1
        manifest[key] = entry

    # 3. the feeds: what is new in each (an unchanged feed answers 304); a later copy of an item wins
    extra = [(d, k) for d, k in replayed if k not in removed]
    extra += follow(to_follow, manifest, owner, feeds, problem, report)
    extra = list({d.id: (d, k) for d, k in extra}.values())
    spooled = {i for ids in file_ids.values() for i in ids}
    spool.overridden = spooled & {d.id for d, _ in extra}
    written = spooled | {d.id for d, _ in extra}
    docs = Stories(spool, extra, len(written))

    # 4. extract entities and write (one segment per core when there is enough work)
    writer = store.open_writer(ix, limitmb=256, codec=codec())
    try:
        for key in sorted(removed):
            writer.delete_by_term("path", key)
            manifest.pop(key, None)
            report.removed += 1
        if not fresh:
            for key in file_ids:
                writer.delete_by_term("path", key)
            for doc_id in written:    # a story indexed by a run killed before its manifest
                writer.delete_by_term("id", doc_id)
        bar = _progress(len(docs), progress)
        parallel = procs > 1 and len(docs) >= PARALLEL_THRESHOLD and whoosh_ext.parallel_commit_supported()
        warnings = _write(ix, writer, docs, procs if parallel else 1, fresh, bar.update)
        bar.close()
    except BaseException:
        store.cancel_writer(writer)
        raise
    report.documents = len(docs)
    after = {i for e in manifest.values() for i in e.get("ids", ())}
    report.stories_new, report.stories_changed = len(written - before), len(written & before)
    report.stories_removed = len(before - after)
    for key, doc_id, warning in warnings:
        problem(ReadProblem(key, f"{doc_id}: {warning}", skipped=False))


def _free_moved(ids: list[str], key: str, owner: dict[str, str], manifest: dict, removed: set) -> None:
    """Ids held by a file that no longer exists (its folder moved or was deleted) pass to this one."""
    for i in ids:
        holder = owner.get(i)
        if (holder is not None and holder != key and holder in manifest and not manifest[holder].get("feed")
                and not os.path.lexists(holder)):
            removed.add(holder)
            for j in manifest[holder].get("ids", ()):
                if owner.get(j) == holder:
                    del owner[j]
