"""Reading every input format into plain `Document` records.

CONTRACT (other modules rely on it; implementation owned by the documents work):

    Document(id, path, title, date, dateline, place, source, body, url, language, author)
    ReadProblem(path, line, reason, skipped)
    SUPPORTED_SUFFIXES
    discover(paths, problems=None, follow_links=False, seen=None) -> iterator of (file_path, root)
    read_file(path, root, max_bytes=...) -> (list[Document], list[ReadProblem])
    read_source(path, root, max_bytes=..., expect=None, docs=None) -> Source (the same, plus the size, mtime
        and SHA-256 of the bytes parsed; `docs` gets each story as read: `append`, `clear`, `len`)

`suffix_of`, and from `newstext.py` (the string rules: dates, datelines, titles)
`parse_date`, `split_dateline`, `derive_title`, are public so the CLI and tests apply
the same rules. Each format is registered once, its suffixes with its reader, in `registry.py`.

Everything here is a pure function of a file's bytes, so reading can run in a
process pool, and a bad file becomes a `ReadProblem`, never an exception: one
hostile file in a folder must not stop an index run.

Why `read_source` hashes while it reads: a file rewritten while a run reads it (`cp`
over it) must not leave a manifest that claims bytes the index never saw. The hash
is of the bytes parsed and the size/mtime are those from before reading; when the
file changed under the reader, `Source.unstable` says so and the next run reads it
again.

Size limit: `max_bytes` bounds a file's size on disk. A `.jsonl.gz` or `.warc.gz` is
streamed, so the limit applies to its compressed size and to each record; its stories go
to `docs` as read (`newsfacet index` passes its spool, stream.py): bounded memory.

This module never knows about the index.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .newstext import TITLE_MAX, derive_title, parse_date, split_dateline  # noqa: F401 (re-exported)
from .common import Document, ReadProblem, is_derived_id, path_text, story  # noqa: F401 (re-exported)
from . import registry
from .registry import suffix_of  # noqa: F401 (re-exported)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = registry.suffixes()     # every format's, as its reader registered them (registry.py)
MAX_PROBLEMS = 50        # per file: a binary blob named .jsonl must not produce a million lines of report
FORMATS = "text, Markdown, HTML, JSON, JSON Lines, RSS/Atom, WARC"


@dataclass
class Source:
    """What reading one file gave, and the facts about the bytes that were parsed."""
    docs: list[Document] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    unstable: bool = False       # the file changed while it was read


def unsupported(path, kind: str) -> ReadProblem:
    """A file NewsFacet does not read: named with the reason, counted apart from the files it failed to read."""
    why = (f"a {kind} file is not a format NewsFacet reads ({FORMATS})" if kind else
           "no file extension, and its content is not JSON, JSON Lines, HTML, a feed or a WARC "
           "(name a text file .txt to index it)")
    return ReadProblem(str(path), why, skipped=False, unsupported=True)


# ---------------------------------------------------------------- finding files

Identity = tuple[int, int, bool]     # (st_dev, st_ino) of the file the walk approved, and whether it was a link


def discover(paths, problems: list[ReadProblem] | None = None, follow_links: bool = False,
             seen: dict[Path, Identity] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every readable file under PATHs, in sorted order.

    Every PATH is checked before anything is yielded, so a typo fails at once with
    FileNotFoundError instead of after half an index run. A symbolic link is followed
    only when it points inside the folder given (or with `follow_links`): a link in an
    archive to /etc/passwd must not get that file indexed and published. Each real
    folder (and file) is visited once, which also breaks loops; those, links left
    alone and unlistable folders go to `problems` when a list is given.

    `seen` gets each file's identity as the walk checked it; `read_source(expect=...)`
    refuses a file that is no longer that one (swapped for a link after the walk).
    """
    items = [Path(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    for p in items:
        if not p.exists():
            why = "broken symbolic link" if p.is_symlink() else "no such file or directory"
            raise FileNotFoundError(f"{p}: {why}")
    return _walk_all(items, problems, follow_links, {} if seen is None else seen)


def _identity(path: Path, entry: os.DirEntry | None = None, target: str | None = None) -> Identity | None:
    """What the walk saw: a file's own inode (from the listing itself), or the checked target's of a link."""
    try:
        if entry is not None and not entry.is_symlink():
            return entry.stat(follow_symlinks=False).st_dev, entry.inode(), False
        link = os.path.islink(path)
        st = os.stat(target or path)        # the target the link check approved, not where the link points now
        return st.st_dev, st.st_ino, link
    except OSError:
        return None                    # gone: reading it says so


def _walk_all(items: list[Path], problems, follow_links: bool, ids: dict) -> Iterator[tuple[Path, Path]]:
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    for p in items:
        if p.is_dir():
            inside = None if follow_links else os.path.realpath(p)
            yield from _walk(p, p, seen_dirs, seen_files, problems, inside, ids)
        elif os.path.realpath(p) not in seen_files:   # named explicitly: read whatever its suffix
            seen_files.add(os.path.realpath(p))
            ids[p] = _identity(p)
            yield p, p.parent


def _outside(real: str, inside: str | None) -> bool:
    return inside is not None and real != inside and not real.startswith(inside.rstrip(os.sep) + os.sep)


def _walk(folder: Path, root: Path, seen_dirs, seen_files, problems, inside, ids) -> Iterator[tuple[Path, Path]]:
    real = os.path.realpath(folder)
    if real in seen_dirs:
        _note(problems, ReadProblem(str(folder), "folder already visited (symbolic link loop or second link to it)"))
        return
    seen_dirs.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        _note(problems, ReadProblem(str(folder), f"cannot list folder: {e.strerror or e}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()           # follows symlinks
        except OSError:
            is_dir = False
        kind = suffix_of(entry.name)
        if not is_dir and kind and registry.by_suffix(kind) is None:     # no extension: sniffed when read
            _note(problems, unsupported(path, kind))
            continue
        target = None
        if entry.is_symlink() and os.path.exists(path):
            target = os.path.realpath(path)
            if _outside(target, inside):
                _note(problems, ReadProblem(str(path), f"symbolic link to {path_text(target)}, outside the folder "
                                                       "indexed; not followed (--follow-links allows it)"))
                continue
        if is_dir:
            yield from _walk(path, root, seen_dirs, seen_files, problems, inside, ids)
        else:
            real = target or os.path.realpath(path)
            if real not in seen_files:
                seen_files.add(real)
                ids[path] = _identity(path, entry, target)
                yield path, root


def _note(problems, problem: ReadProblem) -> None:
    if problems is not None:
        problems.append(problem)


# ---------------------------------------------------------------- reading one file

class _Hashing:
    """A binary file that hashes every byte read through it (so the hash is of what was parsed)."""

    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.h.update(data)
        self.n += len(data)
        return data

    def readinto(self, b) -> int:        # gzip and warcio read through io.BufferedReader-like calls
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def drain(self) -> None:
        while self.read(1 << 20):
            pass


def read_file(path, root, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], list[ReadProblem]]:
    """Read one file into Documents; every failure is returned as a ReadProblem."""
    src = read_source(path, root, max_bytes)
    return src.docs, src.problems


def read_source(path, root, max_bytes: int = DEFAULT_MAX_BYTES, expect: Identity | None = None,
                docs=None) -> Source:
    """Read one file into a Source; every failure is a ReadProblem, never an exception.

    `expect` (from `discover(seen=...)`): the file must still be the one the walk checked.
    A file that was not a link is opened with O_NOFOLLOW, and the opened descriptor's
    device and inode must match, so a file swapped for a link to /etc/passwd between
    the walk and the read is refused, not indexed (issue 24.10).
    """
    path, root = Path(path), Path(root)
    try:
        rel = path_text(path.relative_to(root).as_posix())
    except ValueError:
        rel = path_text(path.name)
    src = Source() if docs is None else Source(docs=docs)
    try:
        _read(src, path, rel, str(path), max_bytes, expect)
    except Exception as e:  # last line of defence: report, never crash the run
        src.docs.clear()
        src.problems = [ReadProblem(str(path), f"unexpected error: {type(e).__name__}: {e}")]
    if not src.docs and not any(p.skipped or p.unsupported for p in src.problems):   # `[]`, or blank lines
        src.problems.append(ReadProblem(str(path), "no stories in the file"))
    if len(src.problems) > MAX_PROBLEMS:
        rest = len(src.problems) - MAX_PROBLEMS
        src.problems = src.problems[:MAX_PROBLEMS] + [ReadProblem(str(path), f"... and {rest} more problems", skipped=False)]
    return src


_SWAPPED = "changed between listing and reading (replaced by a link or another file); not read"


def _read(src: Source, path: Path, rel: str, shown: str, max_bytes: int, expect: Identity | None) -> None:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)   # O_NONBLOCK: a FIFO must not wait
    if expect is not None and not expect[2]:
        flags |= os.O_NOFOLLOW
    try:
        f = os.fdopen(os.open(path, flags), "rb")
    except FileNotFoundError:
        src.problems = [ReadProblem(shown, "broken symbolic link" if path.is_symlink() else "file not found")]
        return
    except IsADirectoryError:
        src.problems = [ReadProblem(shown, "is a folder, not a file")]
        return
    except OSError as e:
        if e.errno == errno.ELOOP and expect is not None:
            src.problems = [ReadProblem(shown, _SWAPPED)]
            return
        src.problems = [ReadProblem(shown, f"cannot read: {e.strerror or e}")]
        return
    with f:
        st = os.fstat(f.fileno())
        src.size, src.mtime_ns = st.st_size, st.st_mtime_ns
        if expect is not None and (st.st_dev, st.st_ino) != expect[:2]:
            src.problems = [ReadProblem(shown, _SWAPPED)]
        elif stat.S_ISDIR(st.st_mode):
            src.problems = [ReadProblem(shown, "is a folder, not a file")]
        elif not stat.S_ISREG(st.st_mode):
            src.problems = [ReadProblem(shown, "not a regular file")]
        elif (reader := _reader(path, f.fileno())) is None:
            src.problems = [unsupported(shown, suffix_of(path))]
        elif st.st_size == 0:
            src.problems = [ReadProblem(shown, "empty file")]
        elif st.st_size > max_bytes:
            src.problems = [ReadProblem(shown, f"file is {_mb(st.st_size)}, over the size limit of "
                                               f"{_mb(max_bytes)} (max_bytes={max_bytes})")]
        if src.problems:
            return
        hashing = _Hashing(f)
        try:
            src.problems = _parse(hashing, reader, st.st_size, rel, shown, max_bytes, src.docs)
            hashing.drain()
        except OSError as e:
            src.docs.clear()
            src.problems = [ReadProblem(shown, f"cannot read: {e.strerror or e}")]
            return
        src.sha256 = hashing.h.hexdigest()
        after = os.fstat(f.fileno())
        src.unstable = (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns) or hashing.n != st.st_size


def _reader(path: Path, fd: int) -> registry.Reader | None:
    """The format to read: the suffix's; for a file without one, what its first bytes say (sniff.py)."""
    kind = suffix_of(path)
    if kind:
        return registry.by_suffix(kind)
    from .sniff import HEAD_BYTES, sniff
    sniffed = sniff(os.pread(fd, HEAD_BYTES, 0))      # pread: the hash still covers every byte from 0
    return registry.by_suffix(sniffed) if sniffed else None


def _parse(f: _Hashing, reader: registry.Reader, size: int, rel: str, shown: str, max_bytes: int,
           out) -> list[ReadProblem]:
    """The file's stories go to `out` (the compressed formats stream them record by record); returns the problems."""
    if reader.streaming:
        return reader.read(f, size, rel, shown, max_bytes, out)
    data = f.read(max_bytes + 1)      # the formats read whole (at most `max_bytes`)
    text, problems = _decode(data, shown, html=reader.html)
    if text is None:
        return problems
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return problems + [ReadProblem(shown, "empty file (only whitespace)")]
    return problems + reader.read(text, data, rel, shown, out)


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n} bytes"


_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f\v\b\x1b"
_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _is_binary(sample: bytes) -> bool:
    """NUL bytes or many control bytes: no text file of ours looks like that."""
    return b"\0" in sample or len(sample.translate(None, _TEXT_BYTES)) > 0.1 * len(sample)


def _decode(data: bytes, shown: str, html: bool = False):
    """UTF-8 (BOM or not), a UTF-16 BOM, an HTML-declared charset, else cp1252 with a warning."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if _is_binary(data[:8192]):
        return None, [ReadProblem(shown, "binary file (not text)")]
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        bad = f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})"
    m = _CHARSET.search(data[:4096]) if html else None
    if m:
        try:  # browsers read a declared latin-1 as cp1252, so do we
            enc = codecs.lookup(m.group(1).decode("ascii")).name
            enc = "cp1252" if enc in ("latin-1", "iso8859-1", "ascii") else enc
            return data.decode(enc), []
        except (LookupError, UnicodeDecodeError):
            pass
    for enc in ("cp1252", "latin-1"):
        try:
            return data.decode(enc), [ReadProblem(shown, f"{bad}; read as {enc}", skipped=False)]
        except UnicodeDecodeError:
            continue
    return None, [ReadProblem(shown, bad)]  # unreachable: latin-1 decodes every byte
