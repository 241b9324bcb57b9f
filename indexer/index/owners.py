"""Who holds each story id: the rules that keep two sources from sharing one silently.

README "Story ids": a story keeps the id its source gives it; a file's own stories are
named by its path relative to the folder given. A second file whose path-made id is
taken by another file gets the folder's name in front (`2026/kenya.txt`), kept in the
manifest so it stays when the file changes; an explicit id taken by another file is
reported and skipped, never replaced. An id held by a file that no longer exists (an
archive moved) passes to the new file.

`owner` maps an id to the manifest key holding it; the plan starts it from the sources
not read again in this run (plan.py), and each file read claims its ids here.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

from indexer.read.documents import ReadProblem, path_text
from .manifest import FileEntry, Manifest


def _root_name(root: Path) -> str:
    name = path_text(os.path.basename(os.path.abspath(root)))
    return name or "root"


def prefix_for(derived: set[str], key: str, root: Path, owner: dict[str, str]) -> str:
    """"" when the file's path-made ids are free, else the folder's name, else that plus a hash of the path."""
    if not any(owner.get(i, key) != key for i in derived):
        return ""
    prefix = _root_name(root) + "/"
    if not any(owner.get(prefix + i, key) != key for i in derived):
        return prefix
    return f"{_root_name(root)}~{hashlib.sha1(key.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}/"


def free_moved(ids: list[str], key: str, owner: dict[str, str], manifest: Manifest, removed: set) -> None:
    """Ids held by a file that no longer exists (its folder moved or was deleted) pass to this one."""
    for i in ids:
        holder = owner.get(i)
        if (holder is not None and holder != key and holder in manifest and not manifest[holder].feed
                and not os.path.lexists(holder)):
            removed.add(holder)
            for j in manifest[holder].ids or ():
                if owner.get(j) == holder:
                    del owner[j]


def claim(sink, file: Path, key: str, root: Path, old: FileEntry | None, owner: dict[str, str],
          manifest: Manifest, removed: set, problem: Callable[[ReadProblem], None]) -> tuple[list[str], str]:
    """The ids a file just read keeps, and the prefix of its path-made ids; the others are skipped
    in the spool (stream.FileSink) and reported."""
    prefix = old.prefix if old else ""
    if not prefix:
        free_moved(sink.ids, key, owner, manifest, removed)
        prefix = prefix_for(sink.derived, key, root, owner)
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
    return kept, prefix
