"""Creating, updating and atomically rebuilding the index; the manifest of what was indexed.

`build_index(paths, index_dir, rebuild=False)` is the one entry point (the CLI and the
tests call it). It is incremental: a manifest kept inside each index generation records
every source file's size, mtime and SHA-256 and the ids read from it, so a run only
reads files that are new or changed and only deletes the stories of changed or removed
files. `rebuild=True` writes a whole new generation beside the live one and swaps it in
(`store.swap_live`), so readers never see a half-built index.

A run is four steps, each handing the next plain data: `survey` (survey.py: the walk,
`stat`, feed lists) -> `plan` (plan.py: a pure function of what was found and the typed
`Manifest`, manifest.py: new, changed, removed, unchanged, who holds each id) -> `execute`
(here: read, follow the feeds, write) -> the manifest saved. `build_index` opens the
generation and undoes a failed run; `RunOptions` and `Run` carry what its steps share.

Reading files is cheap; entity extraction and Whoosh's analysis are not, so a large
run forks one worker per core, each writing a segment of its own (`parallel.py`). Stories
wait in the run's spool (`stream.py`), not in memory, so memory does not grow with the input.
The manifest is written only after Whoosh commits; if a run is killed between the two,
the next run re-reads those files and deletes their ids before adding them again, so
every story is in the index exactly once. The manifest records the bytes actually
parsed (`documents.read_source` hashes while it reads), so a file rewritten during a
run is read again by the next one.

Ids (README "Story ids"; owners.py): a story keeps the id its source gives it (a record's `id`,
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

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index

from . import derived, names, store, whoosh_ext
from .analysis import ANALYSIS_VERSION
from indexer.read import registry
from indexer.read.documents import DEFAULT_MAX_BYTES, ReadProblem, Source, read_source
from .feeds import FeedRun, follow, is_url, replay
from .manifest import MANIFEST, FileEntry, Manifest, load_manifest, save_manifest  # noqa: F401 - tests read the JSON
from .owners import claim
from .parallel import write_stories as _write  # tests stand in for it to fail a run mid-write
from .plan import Plan, plan
from .stream import Spool, Stories
from .survey import survey
from indexer.read.fetch import Fetcher
from indexer.read.fetched import FetchArchive
from .schema import codec, current_schema

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


@dataclass
class RunOptions:
    """How a run reads and writes (build_index's keyword arguments, resolved once)."""
    procs: int = 1
    progress: bool | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    follow_links: bool = False
    on_problem: Callable[[ReadProblem], None] | None = None


@dataclass
class Run:
    """One run's open state, handed from step to step: the generation written, its manifest, the report."""
    ix: object                    # the Whoosh index of `gen`
    gen: Path
    manifest: Manifest
    fresh: bool                   # a new generation (a rebuild, a first run, a changed schema)
    feeds: FeedRun
    options: RunOptions
    report: BuildReport

    def problem(self, p: ReadProblem) -> None:
        self.report.unsupported += p.unsupported
        self.report.problems.append(p)
        self.report.skipped += p.skipped
        if self.options.on_problem:
            self.options.on_problem(p)


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
    given = [str(p) if is_url(p) else Path(p) for p in paths]      # Path() would turn https:// into https:/
    files = [p for p in given if isinstance(p, Path)]
    feeds = FeedRun([p for p in given if isinstance(p, str)], fetcher or Fetcher(max_bytes=max_bytes),
                    fetch_articles, FetchArchive(index_dir))
    options = RunOptions(procs or os.cpu_count() or 1, progress, max_bytes, follow_links, on_problem)
    report = BuildReport(rebuilt=rebuild)
    for p in files:
        if not p.exists() and not p.is_symlink():
            raise FileNotFoundError(f"{p}: no such file or folder")
    with store.indexer_lock(index_dir):
        run, live = _open(index_dir, rebuild, feeds, options, report)
        before = store.files_in(run.gen)
        try:
            _index(run, files)
            _write_tables(run)                         # the name table and the facet tables, groups ... (derived.py)
            store.write_checksums(run.gen)             # what `newsfacet check` and the server verify (checksums.py)
        except BaseException as exc:
            _undo(run, index_dir, before, exc)
            raise
        feeds.archive.close()
        if run.fresh:
            store.swap_live(index_dir, run.gen)
            # the previous generation stays until the next rebuild: a searcher may still read it
            store.remove_stale_generations(index_dir, keep=[run.gen, live], min_age_s=0)
        with run.ix.searcher() as s:
            report.total_documents = s.doc_count()
    report.seconds = time.perf_counter() - started
    return report


def _write_tables(run: Run) -> None:
    """The name table (names.py) and the derived tables (derived.py) of what was just committed.

    They read the commit independently, so with more than one core and a run large enough for
    workers the name table is written by a forked child while this process writes the derived
    tables: the two were ~0.2 ms a story, after the workers, on one core. If the child fails, the
    name table is written again here, which raises what went wrong (a full disk: store.DiskFull)."""
    big = run.options.procs > 1 and run.report.documents >= PARALLEL_THRESHOLD
    if not big:
        names.write_committed(run.gen, run.ix)
        derived.write_committed(run.gen, run.ix)
        return
    import multiprocessing as mp

    child = mp.get_context("fork").Process(target=_names_child, args=(run.gen, run.ix, os.getpid()), daemon=True)
    child.start()
    try:
        derived.write_committed(run.gen, run.ix)
    finally:
        child.join()
    if child.exitcode != 0:
        names.write_committed(run.gen, run.ix)


def _names_child(gen: Path, ix, parent: int) -> None:
    from .parallel import _die_with_parent
    _die_with_parent(parent)
    try:
        names.write_committed(gen, ix)
    except BaseException:        # the parent writes it again and reports the error
        os._exit(1)
    os._exit(0)


def _open(index_dir: Path, rebuild: bool, feeds: FeedRun, options: RunOptions, report: BuildReport):
    """The generation to write (a new one when fresh) and its manifest; (Run, the live generation)."""
    live = store.live_dir(index_dir)
    fresh = rebuild or live is None or _schema_changed(live)
    report.created = live is None
    report.rebuilt = report.rebuilt or fresh and live is not None
    try:
        if fresh:
            store.remove_stale_generations(index_dir, keep=[live], min_age_s=0)
            gen = store.new_generation(index_dir)
            ix = whoosh_index.create_in(str(gen), current_schema())
            manifest = Manifest()
            feeds.previous = load_manifest(live) if live and (live / MANIFEST).is_file() else None
            feeds.previous_gen = live
        else:
            gen = live
            # what a killed --rebuild left, and generations replaced over an hour ago
            store.remove_stale_generations(index_dir, keep=[live], min_age_s=STALE_AFTER_S)
            store.verify_generation(gen)       # a damaged index is named (IndexDamaged), never written into
            ix = whoosh_index.open_dir(str(gen))
            manifest = Manifest.load(gen)
    except OSError as exc:
        store.raise_if_full(exc, index_dir)
        raise
    report.generation = gen.name
    return Run(ix, gen, manifest, fresh, feeds, options, report), live


def _undo(run: Run, index_dir: Path, before, exc: BaseException) -> None:
    """A failed run leaves the live generation as it was (see the module docstring)."""
    run.feeds.archive.close() if getattr(exc, "committed", False) else run.feeds.archive.discard()
    if run.fresh:                 # a generation never made live: all of it goes
        shutil.rmtree(run.gen, ignore_errors=True)
        if isinstance(exc, OSError):
            exc.committed = False
    elif not getattr(exc, "committed", False):
        store.remove_new_files(run.gen, before)
    if isinstance(exc, OSError):
        store.raise_if_full(exc, index_dir)


def _index(run: Run, paths: list[Path]) -> None:
    """Replay (fresh), survey, plan, execute; then the manifest, once Whoosh has committed."""
    feeds, manifest = run.feeds, run.manifest
    # 0. a fresh index gets back every feed item it held, from the archive's copy
    before = Manifest.from_json(feeds.previous).all_ids() if run.fresh else manifest.all_ids()
    replayed: list = []
    if run.fresh:
        got: dict[str, dict] = {}
        replayed = replay(run.gen.parent, feeds.previous, got, run.problem, feeds.previous_gen)
        manifest.put_feeds(got)
    # 1. what is there now, and what changed
    found = survey(paths, feeds.urls, follow_links=run.options.follow_links)
    for p in found.problems:
        run.problem(p)
    todo = plan(found, manifest, rebuild=run.fresh)
    run.report.unchanged += len(todo.unchanged)
    spool = Spool(run.gen.parent)
    try:
        execute(todo, run, spool, replayed, before)
    finally:
        spool.close()
    try:
        manifest.save(run.gen)
    except OSError as exc:
        exc.committed = True          # the stories are in; the next run re-reads their files (see above)
        raise


# ---------------------------------------------------------------- carrying out the plan

def _read_one(job: tuple) -> Source:
    file, root, max_bytes, expect = job
    return read_source(file, root, max_bytes, expect)


def _read_all(jobs: list[tuple], procs: int, spool: Spool) -> Iterable[Source]:
    """Sources in the order of `jobs`; pages (trafilatura: ~15 ms each) are read by `procs` forked workers.

    In-process, each file's stories go straight into the spool as they are read (stream.py)."""
    pages = sum(1 for f, *_ in jobs if registry.costly(f))
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


def execute(todo: Plan, run: Run, spool: Spool, replayed: list, before: set[str]) -> None:
    """Read what the plan says to read, follow the feeds, and write: every change to the index and
    to `run.manifest` (saved by the caller) happens here. `before`: the ids the index held."""
    file_ids = _read_files(todo, run, spool)
    removed, manifest, report = todo.removed, run.manifest, run.report

    # 3. the feeds: what is new in each (an unchanged feed answers 304); a later copy of an item wins
    extra = [(d, k) for d, k in replayed if k not in removed]
    feed_entries = manifest.feed_dicts()        # feeds.py speaks the manifest's JSON form (manifest.py)
    extra += follow(todo.feeds, feed_entries, todo.owner, run.feeds, run.problem, report)
    manifest.put_feeds(feed_entries)
    extra = list({d.id: (d, k) for d, k in extra}.values())
    spooled = {i for ids in file_ids.values() for i in ids}
    spool.overridden = spooled & {d.id for d, _ in extra}
    written = spooled | {d.id for d, _ in extra}
    docs = Stories(spool, extra, len(written))

    # 4. extract entities and write (one segment per core when there is enough work)
    procs = run.options.procs
    writer = store.open_writer(run.ix, limitmb=256, codec=codec())
    try:
        for key in sorted(removed):
            writer.delete_by_term("path", key)
            manifest.pop(key, None)
            report.removed += 1
        if not run.fresh:
            for key in file_ids:
                writer.delete_by_term("path", key)
            for doc_id in written:    # a story indexed by a run killed before its manifest
                writer.delete_by_term("id", doc_id)
        bar = _progress(len(docs), run.options.progress)
        parallel = procs > 1 and len(docs) >= PARALLEL_THRESHOLD and whoosh_ext.parallel_commit_supported()
        warnings = _write(run.ix, writer, docs, procs if parallel else 1, run.fresh, bar.update)
        bar.close()
    except BaseException:
        store.cancel_writer(writer)
        raise
    report.documents = len(docs)
    after = manifest.all_ids()
    report.stories_new, report.stories_changed = len(written - before), len(written & before)
    report.stories_removed = len(before - after)
    for key, doc_id, warning in warnings:
        run.problem(ReadProblem(key, f"{doc_id}: {warning}", skipped=False))


def _read_files(todo: Plan, run: Run, spool: Spool) -> dict[str, list[str]]:
    """2. Read the new and changed files (the manifest gets the facts of the bytes parsed); their stories
    are spooled, only their ids kept (stream.py). Returns {key: ids} of the files whose stories change."""
    manifest, report, owner = run.manifest, run.report, todo.owner
    file_ids: dict[str, list[str]] = {}
    jobs = [(f.file, f.root, run.options.max_bytes, f.expect) for f in todo.to_read]
    for f, src in zip(todo.to_read, _read_all(jobs, run.options.procs, spool)):
        sink = spool.adopt(src.docs)
        for p in src.problems:
            run.problem(p)
        old = manifest.get(f.key)
        old = old if isinstance(old, FileEntry) else None
        entry = FileEntry(size=src.size, mtime_ns=src.mtime_ns, sha256=src.sha256)
        if src.unstable:              # changed while read: the next run reads it again, whatever it holds
            entry.mtime_ns, entry.sha256 = -1, ""
            run.problem(ReadProblem(str(f.file), "changed while it was being read; indexed as read, "
                                                 "and read again on the next run", skipped=False))
        if not sink and any(p.skipped or p.unsupported for p in src.problems):
            continue           # the file as a whole was unreadable (or not ours): leave the index as it was
        if old and old.sha256 == src.sha256 and not src.unstable and old.ids is not None:
            entry.ids, entry.prefix, entry.extra = old.ids, old.prefix, old.extra    # touched, not changed
            manifest[f.key] = entry
            for i in old.ids:
                owner.setdefault(i, f.key)
            report.unchanged += 1
            continue
        entry.ids, entry.prefix = claim(sink, f.file, f.key, f.root, old, owner, manifest, todo.removed,
                                        run.problem)
        file_ids[f.key] = entry.ids
        if f.key in manifest:
            report.changed += 1
        else:
            report.new += 1
        manifest[f.key] = entry
    return file_ids


def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm
    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, leave=False,
                desc="indexing")
