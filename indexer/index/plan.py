"""What an index run will do, decided before anything is read or written: a pure function.

Why apart from build.py: the decision (which files are new, which changed, which are
gone, which feeds to follow and who holds each id) is where incremental indexing goes
wrong, and it is a function of two values, what the walk found (`Discovered`, from
survey.py) and what the index holds (`Manifest`). So it is tested without Whoosh, a
folder or a clock (tests/test_plan.py); build.py's `execute` does the reading and writing.

"Changed" here means the size or mtime differs from the manifest's: the file is read
again, and the run still takes it as unchanged when its bytes hash the same (touched,
not changed; build.py). A file is removed only when it lies under one of the paths of
this run: indexing `news/` does not remove what an earlier run took from `wire/`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.read.documents import Identity, ReadProblem
from .feeds import dropped
from .manifest import FileEntry, Manifest


@dataclass(frozen=True)
class Found:
    """One regular file the walk found, with what `stat` said of it."""
    key: str                        # its absolute path as text: the `path` term and the manifest's key
    file: Path
    root: Path                      # the folder given, which its path-made ids are relative to
    size: int
    mtime_ns: int
    expect: Identity | None = None  # the identity the walk checked (read_source refuses another file)


@dataclass
class Discovered:
    """What the walk found under the run's paths (survey.py), before anything is read."""
    files: list[Found] = field(default_factory=list)     # regular files, in walk order
    seen: set[str] = field(default_factory=set)          # every key met (unreadable ones too): never "removed"
    roots: list[str] = field(default_factory=list)       # the run's paths, absolute, as text
    feeds: list[tuple[str, str]] = field(default_factory=list)   # (feed URL, the list naming it or "")
    lists: set[str] = field(default_factory=set)         # the feed lists walked
    problems: list[ReadProblem] = field(default_factory=list)


@dataclass
class Plan:
    to_read: list[Found]            # new and changed files, in walk order (the order ids are given in)
    new: list[str]
    changed: list[str]
    unchanged: list[str]
    removed: set[str]               # files gone from under the run's paths, feeds taken off their list
    feeds: list[tuple[str, str]]
    owner: dict[str, str]           # id -> the source holding it among those not read again
    rebuild: bool = False


def within(key: str, roots: list[str]) -> bool:
    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def plan(discovered: Discovered, manifest: Manifest, rebuild: bool = False) -> Plan:
    """Sort what the walk found against the manifest.

    `rebuild`: a fresh generation, where no file is known (every one is new and none is
    removed); the feed entries stay, since a rebuild's manifest starts with the feeds it
    replayed from the archive's copy (feeds.replay).
    """
    known = Manifest(manifest.feeds()) if rebuild else manifest
    to_read, new, changed, unchanged = [], [], [], []
    for f in discovered.files:
        old = known.get(f.key)
        if isinstance(old, FileEntry) and old.same_stat(f.size, f.mtime_ns):
            unchanged.append(f.key)
            continue
        to_read.append(f)
        (changed if f.key in known else new).append(f.key)
    removed = {k for k, e in known.items()
               if k not in discovered.seen and within(k, discovered.roots) and not e.feed}
    removed |= dropped(known.feed_dicts(), discovered.lists, {url for url, _ in discovered.feeds})
    rereading = {f.key for f in to_read}
    owner: dict[str, str] = {}
    for key, entry in known.items():
        if key not in removed and key not in rereading:
            for i in entry.ids or ():
                owner.setdefault(i, key)
    return Plan(to_read, new, changed, unchanged, removed, list(discovered.feeds), owner, rebuild)
