"""Creating, updating and atomically rebuilding the index; the manifest of what was indexed.

`build_index(paths, index_dir, rebuild=False)` is the one entry point (the CLI and the
tests call it). It is incremental: a manifest kept inside each index generation records
every source file's size, mtime and SHA-256 and the ids read from it, so a run only
reads files that are new or changed and only deletes the stories of changed or removed
files. `rebuild=True` writes a whole new generation beside the live one and swaps it in
(`store.swap_live`), so readers never see a half-built index.

Reading files is cheap; entity extraction and Whoosh's analysis are not, so a large
run forks one worker per core, each writing a segment of its own (`parallel.py`).
The manifest is written only after Whoosh commits; if a run is killed between the two,
the next run re-reads those files and deletes their ids before adding them again, so
every story is in the index exactly once.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index

from . import store, whoosh_ext
from .documents import DEFAULT_MAX_BYTES, Document, ReadProblem, discover, path_text, read_file
from .parallel import add_story, write_parallel
from .schema import SCHEMA, codec

MANIFEST = "manifest.json"
STALE_AFTER_S = 3600          # an incremental run removes other generations older than this
PARALLEL_THRESHOLD = 400      # fewer stories than this are written in-process (no workers to start)


@dataclass
class BuildReport:
    new: int = 0                  # files
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0              # files (or records) that could not be read
    documents: int = 0            # stories written in this run
    total_documents: int = 0      # stories in the index afterwards
    problems: list[ReadProblem] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    rebuilt: bool = False

    def summary(self) -> str:
        return (f"indexed {self.new} new, {self.changed} changed, {self.removed} removed, "
                f"{self.skipped} skipped")


# ---------------------------------------------------------------- manifest

def load_manifest(gen: Path) -> dict:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        return data.get("files", {})
    except (OSError, ValueError):
        return {}


def save_manifest(gen: Path, files: dict) -> None:
    tmp = gen / (MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"version": 1, "files": files}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, gen / MANIFEST)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _within(key: str, roots: list[str]) -> bool:
    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _schema_changed(gen: Path) -> bool:
    """An index written before a field was added (a new facet) is rebuilt, not updated: its stories
    would lack the field and Whoosh refuses documents with fields its schema does not have."""
    try:
        return bool(set(SCHEMA.names()) - set(whoosh_index.open_dir(str(gen)).schema.names()))
    except Exception:            # unreadable: let the normal path report it
        return False


# ---------------------------------------------------------------- the run

def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm
    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, leave=False,
                desc="indexing")


def build_index(paths: Iterable[Path | str], index_dir: Path | str, *, rebuild: bool = False,
                procs: int | None = None, progress: bool | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES,
                on_problem: Callable[[ReadProblem], None] | None = None) -> BuildReport:
    """Index the files under `paths` into `index_dir`; see the module docstring.

    Raises store.IndexLocked when another indexer holds the folder, FileNotFoundError
    for a path that does not exist.
    """
    started = time.perf_counter()
    whoosh_ext.install()          # Whoosh's length fix: a third of commit time (whoosh_ext/patches.py)
    index_dir = Path(index_dir)
    paths = [Path(p) for p in paths]
    report = BuildReport(rebuilt=rebuild)

    def problem(p: ReadProblem) -> None:
        report.problems.append(p)
        if p.skipped:
            report.skipped += 1
        if on_problem:
            on_problem(p)

    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise FileNotFoundError(f"{p}: no such file or folder")

    with store.indexer_lock(index_dir):
        live = store.live_dir(index_dir)
        fresh = rebuild or live is None or _schema_changed(live)
        report.rebuilt = report.rebuilt or fresh and live is not None
        if fresh:
            store.remove_stale_generations(index_dir, keep=[live], min_age_s=0)
            gen = store.new_generation(index_dir)
            ix = whoosh_index.create_in(str(gen), SCHEMA)
            manifest: dict = {}
        else:
            gen = live
            # what a killed --rebuild left, and generations replaced over an hour ago
            store.remove_stale_generations(index_dir, keep=[live], min_age_s=STALE_AFTER_S)
            ix = whoosh_index.open_dir(str(gen))
            manifest = load_manifest(gen)
        report.generation = gen.name

        # 1. what is there now, and what changed
        roots = [path_text(os.path.abspath(p)) for p in paths]
        seen: set[str] = set()
        to_read: list[tuple[Path, Path, str, dict]] = []
        walk_problems: list[ReadProblem] = []
        for file, root in discover(paths, walk_problems):
            key = path_text(os.path.abspath(file))     # the `path` term: text, even for a non-UTF-8 name
            if key in seen:
                continue
            seen.add(key)
            try:
                st = file.stat()
            except OSError as exc:
                problem(ReadProblem(str(file), f"cannot read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(st.st_mode):      # hashing a FIFO would wait for a writer forever
                problem(ReadProblem(str(file), "not a regular file (a pipe, socket or device)"))
                continue
            old = manifest.get(key)
            entry = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
            if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
                report.unchanged += 1
                continue
            try:
                entry["sha256"] = _sha256(file)
            except OSError as exc:
                problem(ReadProblem(str(file), f"cannot read: {exc.strerror or exc}"))
                continue
            if old and old.get("sha256") == entry["sha256"]:
                manifest[key] = {**old, **entry}       # touched, not changed
                report.unchanged += 1
                continue
            to_read.append((file, root, key, entry))
        for p in walk_problems:
            problem(p)
        removed = [k for k in manifest if k not in seen and _within(k, roots)]

        # 2. read the new and changed files
        docs: list[tuple[Document, str]] = []
        file_ids: dict[str, list[str]] = {}
        ids_here: dict[str, str] = {}
        for file, root, key, entry in to_read:
            read, problems = read_file(file, root, max_bytes=max_bytes)
            for p in problems:
                problem(p)
            if not read and any(p.skipped for p in problems):
                continue           # the file as a whole was unreadable: leave the index as it was
            kept = []
            for d in read:
                if d.id in ids_here and ids_here[d.id] != key:
                    problem(ReadProblem(str(file), f"duplicate id {d.id!r} (also in {ids_here[d.id]}); skipped"))
                    continue
                ids_here[d.id] = key
                kept.append(d.id)
                docs.append((d, key))
            entry["ids"] = kept
            file_ids[key] = kept
            if key in manifest:
                report.changed += 1
            else:
                report.new += 1
            manifest[key] = entry

        # 3. extract entities and write (one segment per core when there is enough work)
        writer = ix.writer(limitmb=256, codec=codec())
        try:
            for key in removed:
                writer.delete_by_term("path", key)
                manifest.pop(key, None)
                report.removed += 1
            if not fresh:
                for key in file_ids:
                    writer.delete_by_term("path", key)
                for doc, _ in docs:       # a story indexed by a run killed before its manifest
                    writer.delete_by_term("id", doc.id)
            bar = _progress(len(docs), progress)
            warnings = _write(ix, writer, docs, procs or os.cpu_count() or 1, fresh, bar.update)
            bar.close()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        report.documents = len(docs)
        for key, doc_id, warning in warnings:
            problem(ReadProblem(key, f"{doc_id}: {warning}", skipped=False))
        save_manifest(gen, manifest)

        if fresh:
            store.swap_live(index_dir, gen)
            # the previous generation stays until the next rebuild: a searcher may still read it
            store.remove_stale_generations(index_dir, keep=[gen, live], min_age_s=0)
        with ix.searcher() as s:
            report.total_documents = s.doc_count()
    report.seconds = time.perf_counter() - started
    return report


def _write(ix, writer, docs: list[tuple[Document, str]], procs: int, fresh: bool, on_progress) -> list:
    """Prepare and add every story, then commit; returns entity warnings (key, id, message)."""
    if procs > 1 and len(docs) >= PARALLEL_THRESHOLD and whoosh_ext.parallel_commit_supported():
        return write_parallel(ix, writer, docs, procs, optimize=False, on_progress=on_progress)
    warnings: list = []
    for doc, key in docs:
        add_story(writer, doc, key, warnings)
        on_progress(1)
    writer.commit(optimize=fresh)
    return warnings
