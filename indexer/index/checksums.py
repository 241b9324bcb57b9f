"""Checksums of an index generation's files: written at commit, checked on open and by `newsfacet check`.

Why: random bytes written over a segment (a bad disk, a stray `dd`, a bug elsewhere)
leave its size, inode and header as they were, so the checks on opening (store.py)
pass and Whoosh fails later, in the middle of a search ("Block tag error", a struct
error), as a 500 or a traceback, while `/healthz` says 200 and `newsfacet index`
writes into the damaged index. Whoosh's segment files are written once and never
changed, so a checksum taken when they are committed says whether they are still
the bytes written.

`checksums.json` in the generation lists each file the latest TOC names (the TOC
itself and its segment files) with its size and BLAKE2b digest. A run hashes only
the files it added (the others keep their entries), so an incremental run into a
large archive pays for its own segments. Sizes are checked whenever a generation is
opened (a `stat` per file); the digests, which read every byte, by `newsfacet check`,
by `newsfacet index` before it writes into a generation, by `newsfacet stats`, and
once per generation in the background by a serving worker (query/current.py).
An index written before checksums existed has no `checksums.json`: nothing is
claimed about it until its next `newsfacet index` run adds one.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

FILE = "checksums.json"
ALGORITHM = "blake2b-128"
_CHUNK = 1 << 20


def digest(path: Path) -> str:
    """The file's BLAKE2b-128, read in 1 MB pieces (hashlib releases the GIL on each)."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def load(gen: Path) -> dict[str, dict] | None:
    """{name: {"size", "blake2b"}} of the generation, or None when it has no (readable) checksums."""
    try:
        data = json.loads((Path(gen) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("algorithm") == ALGORITHM else None
    return files if isinstance(files, dict) else None


def write(gen: Path, names: list[str]) -> None:
    """Record `names` (files of `gen`): entries of unchanged files are kept, new files hashed.

    Written aside and renamed over, so a reader sees the old list or the new one.
    """
    gen = Path(gen)
    old = load(gen) or {}
    files = {}
    for name in names:
        size = (gen / name).stat().st_size
        entry = old.get(name)
        if not (isinstance(entry, dict) and entry.get("size") == size and entry.get("blake2b")):
            entry = {"size": size, "blake2b": digest(gen / name)}
        files[name] = entry
    tmp = gen / (FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"algorithm": ALGORITHM, "files": files}, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, gen / FILE)


def check_sizes(gen: Path, names: list[str]) -> str | None:
    """The first of `names` whose size differs from its checksum entry, said as a reason; else None."""
    files = load(gen)
    if not files:
        return None
    for name in names:
        entry = files.get(name)
        if not isinstance(entry, dict):
            continue
        try:
            size = (Path(gen) / name).stat().st_size
        except OSError:
            return f"segment file {name} is missing"
        if size != entry.get("size"):
            return f"segment file {name} changed size ({entry.get('size'):,} -> {size:,} bytes)"
    return None


def verify(gen: Path, names: list[str]) -> tuple[str | None, int]:
    """(the first damaged file of `names` said as a reason, or None; how many files were verified).

    Files without an entry (a run killed between its commit and its checksums) are
    not verified; the next `newsfacet index` run adds them.
    """
    files = load(gen) or {}
    verified = 0
    for name in names:
        entry = files.get(name)
        if not isinstance(entry, dict):
            continue
        path = Path(gen) / name
        try:
            size = path.stat().st_size
            if size != entry.get("size"):
                return f"segment file {name} changed size ({entry.get('size'):,} -> {size:,} bytes)", verified
            if digest(path) != entry.get("blake2b"):
                return f"segment file {name} does not match its checksum (its bytes changed)", verified
        except FileNotFoundError:
            return f"segment file {name} is missing", verified
        except OSError as exc:
            return f"segment file {name} cannot be read ({exc.strerror})", verified
        verified += 1
    return None, verified
