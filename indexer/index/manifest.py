"""The manifest of a generation, typed: what was indexed from which source, and its stories' ids.

Why typed: the index run decides everything from it (what is new, changed, removed,
who owns an id), and a dict of dicts let a misspelt key read as "absent" silently.
On disk it is what it has always been, `manifest.json` in each generation:

    {"version": 1, "files": {KEY: ENTRY, ...}}

KEY is a file's absolute path (as text) or a feed's URL. A file's ENTRY holds the
size, mtime_ns and SHA-256 of the bytes parsed, its stories' `ids` and, when its
path-made ids needed one, the `prefix` put in front of them (build.py). A feed's
ENTRY has `"feed": true`, the feed list that names it (`list`, "" for a URL given on
the command line), the ETag and Last-Modified of its last answer and, per item id,
the fingerprint of what the feed said (`hashes`). Keys we do not know are kept as
read, so a manifest written by a later version survives a run of this one.

The feed code (feeds.py) is shared with the SolrCloud engine, whose manifest is read
from its collection as plain dicts; it keeps speaking that JSON form, and the run
converts at the boundary (`Manifest.feed_dicts`, `Manifest.put_feeds`).
"""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

MANIFEST = "manifest.json"      # in each generation: what was indexed from which source (build.py)
VERSION = 1


def load_manifest(gen: Path) -> dict:
    """The generation's manifest as JSON (source key -> facts and ids); {} when there is none or it cannot be read."""
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        return data.get("files", {})
    except (OSError, ValueError):
        return {}


def save_manifest(gen: Path, files: dict) -> None:
    """Written aside, synced and renamed over: a killed run leaves the old manifest or the new one."""
    tmp = gen / (MANIFEST + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"version": VERSION, "files": files}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, gen / MANIFEST)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@dataclass
class FileEntry:
    """One file: the facts of the bytes parsed, and its stories' ids."""
    size: int = 0
    mtime_ns: int = 0               # -1: the file changed while read, so the next run reads it again
    sha256: str = ""
    ids: list[str] | None = None    # None: an entry written without ids, never taken as "touched, not changed"
    prefix: str = ""                # in front of the path-made ids, when they were taken by another file
    extra: dict = field(default_factory=dict)

    feed = False

    def same_stat(self, size: int, mtime_ns: int) -> bool:
        """Size and mtime unchanged: the file is not read again."""
        return self.size == size and self.mtime_ns == mtime_ns

    def to_json(self) -> dict:
        out = {**self.extra, "size": self.size, "mtime_ns": self.mtime_ns, "sha256": self.sha256}
        if self.prefix:
            out["prefix"] = self.prefix
        if self.ids is not None:
            out["ids"] = list(self.ids)
        return out

    @classmethod
    def from_json(cls, d: dict) -> FileEntry:
        known = {"size", "mtime_ns", "sha256", "ids", "prefix"}
        ids = d.get("ids")
        return cls(size=d.get("size", 0), mtime_ns=d.get("mtime_ns", 0), sha256=d.get("sha256", ""),
                   ids=list(ids) if ids is not None else None, prefix=d.get("prefix", "") or "",
                   extra={k: v for k, v in d.items() if k not in known})


@dataclass
class FeedEntry:
    """One feed: the list naming it, its conditional-request validators, its items' ids and fingerprints."""
    list: str = ""
    etag: str = ""
    last_modified: str = ""
    ids: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    feed = True

    def to_json(self) -> dict:
        return {**self.extra, "feed": True, "list": self.list, "etag": self.etag,
                "last_modified": self.last_modified, "ids": list(self.ids), "hashes": dict(self.hashes)}

    @classmethod
    def from_json(cls, d: dict) -> FeedEntry:
        known = {"feed", "list", "etag", "last_modified", "ids", "hashes"}
        return cls(list=d.get("list", "") or "", etag=d.get("etag", "") or "",
                   last_modified=d.get("last_modified", "") or "", ids=list(d.get("ids", ())),
                   hashes=dict(d.get("hashes", {})), extra={k: v for k, v in d.items() if k not in known})


Entry = Union[FileEntry, FeedEntry]


def entry_from_json(d: dict) -> Entry:
    return FeedEntry.from_json(d) if d.get("feed") else FileEntry.from_json(d)


@dataclass
class Manifest:
    """Source key -> entry, in the order written (a dict keeps it, and so does the JSON)."""
    entries: dict[str, Entry] = field(default_factory=dict)

    # --- the mapping
    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def __getitem__(self, key: str) -> Entry:
        return self.entries[key]

    def __setitem__(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def items(self):
        return self.entries.items()

    def pop(self, key: str, default=None):
        return self.entries.pop(key, default)

    def files(self) -> dict[str, FileEntry]:
        return {k: e for k, e in self.entries.items() if isinstance(e, FileEntry)}

    def feeds(self) -> dict[str, FeedEntry]:
        return {k: e for k, e in self.entries.items() if isinstance(e, FeedEntry)}

    def all_ids(self) -> set[str]:
        """Every story id the manifest holds."""
        return {i for e in self.entries.values() for i in (e.ids or ())}

    # --- the JSON form
    def to_json(self) -> dict:
        """The `files` object of manifest.json."""
        return {k: e.to_json() for k, e in self.entries.items()}

    @classmethod
    def from_json(cls, files: dict | None) -> Manifest:
        return cls({k: entry_from_json(d) for k, d in (files or {}).items() if isinstance(d, dict)})

    def feed_dicts(self) -> dict[str, dict]:
        """The feed entries in the JSON form feeds.py (shared with the Solr engine) reads and writes."""
        return {k: e.to_json() for k, e in self.feeds().items()}

    def put_feeds(self, feeds: dict[str, dict]) -> None:
        """Feed entries back from feeds.py: each one written there replaces ours."""
        for k, d in feeds.items():
            self.entries[k] = FeedEntry.from_json(d)

    # --- on disk
    @classmethod
    def load(cls, gen: Path) -> Manifest:
        """The generation's manifest; empty when there is none or it cannot be read."""
        return cls.from_json(load_manifest(gen))

    def save(self, gen: Path) -> None:
        """Written aside, synced and renamed over (save_manifest)."""
        save_manifest(gen, self.to_json())
