"""Reading every input format into plain `Document` records.

CONTRACT (other modules rely on it; implementation owned by the documents work):

    Document(id, path, title, date, dateline, place, source, body, url)
    ReadProblem(path, line, reason, skipped)
    SUPPORTED_SUFFIXES
    discover(paths) -> iterator of (file_path, root)      # files under PATHs we can read
    read_file(path, root, max_bytes=...) -> (list[Document], list[ReadProblem])

Extras: `discover(paths, problems=list)` collects walk problems (unlistable folders,
symlink loops); `suffix_of`, and from `newstext.py` (the string rules: dates,
datelines, titles, HTML text) `parse_date`, `split_dateline`, `derive_title`, are
public so the CLI and tests apply the same rules.

Everything here is a pure function of a file's bytes, so `read_file` can run in a
process pool, and a bad file becomes a `ReadProblem`, never an exception: one
hostile file in a folder must not stop an index run.

Size limit: `max_bytes` bounds a file's size on disk. A `.jsonl.gz` is streamed, so
the limit applies to its compressed size and to each decompressed line.

This module never knows about the index.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import gzip
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .newstext import TITLE_MAX, derive_title, html_page, parse_date, split_dateline  # noqa: F401 (re-exported)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".jsonl.gz")
MAX_PROBLEMS = 50        # per file: a binary blob named .jsonl must not produce a million lines of report


@dataclass
class Document:
    id: str                      # stable: path relative to the indexed folder, or a record's `id`
    path: str                    # posix path of the source file, relative to the root it was found under
    title: str
    date: _dt.date | None
    body: str
    dateline: str = ""           # e.g. "ASHGABAT, Turkmenistan" (without the date part)
    place: str = ""              # the place named first in the dateline, e.g. "Ashgabat"
    source: str = ""             # e.g. "Reuters"; "" when unknown
    url: str = ""
    language: str = ""           # as the source declares it (record field, <html lang>); "" = detect


@dataclass
class ReadProblem:
    path: str                    # as shown to the user
    reason: str
    line: int | None = None      # 1-based line for JSON Lines
    skipped: bool = True         # False for a warning (e.g. cp1252 fallback) where the text was still read

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        kind = "skipped" if self.skipped else "warning"
        return f"{kind}: {where}: {self.reason}"


def path_text(path: str | os.PathLike) -> str:
    """A path as text that can be indexed and printed: bytes of a name that are not UTF-8 become \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid(text: str) -> str:
    """JSON's \\ud800 escapes can give lone surrogates, which no index or page can encode."""
    return _SURROGATE.sub("\ufffd", text)


def suffix_of(path: str | os.PathLike) -> str:
    """The lower-cased suffix that decides the format; `.jsonl.gz` counts as one."""
    name = os.path.basename(os.fspath(path)).lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else os.path.splitext(name)[1]


# ---------------------------------------------------------------- finding files

def discover(paths, problems: list[ReadProblem] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every readable file under PATHs, in sorted order.

    Every PATH is checked before anything is yielded, so a typo fails at once with
    FileNotFoundError instead of after half an index run. Symlinked folders are
    followed, but each real folder (and file) is visited once, which also breaks
    loops; those and unlistable folders go to `problems` when a list is given.
    """
    items = [Path(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    for p in items:
        if not p.exists():
            why = "broken symbolic link" if p.is_symlink() else "no such file or directory"
            raise FileNotFoundError(f"{p}: {why}")
    return _walk_all(items, problems)


def _walk_all(items: list[Path], problems) -> Iterator[tuple[Path, Path]]:
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    for p in items:
        if p.is_dir():
            yield from _walk(p, p, seen_dirs, seen_files, problems)
        elif os.path.realpath(p) not in seen_files:   # named explicitly: read whatever its suffix
            seen_files.add(os.path.realpath(p))
            yield p, p.parent


def _walk(folder: Path, root: Path, seen_dirs, seen_files, problems) -> Iterator[tuple[Path, Path]]:
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
        if is_dir:
            yield from _walk(path, root, seen_dirs, seen_files, problems)
        elif suffix_of(entry.name) in SUPPORTED_SUFFIXES:
            real = os.path.realpath(path)
            if real not in seen_files:
                seen_files.add(real)
                yield path, root


def _note(problems, problem: ReadProblem) -> None:
    if problems is not None:
        problems.append(problem)


# ---------------------------------------------------------------- reading one file

def read_file(path, root, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], list[ReadProblem]]:
    """Read one file into Documents; every failure is returned as a ReadProblem."""
    path, root = Path(path), Path(root)
    try:
        rel = path_text(path.relative_to(root).as_posix())
    except ValueError:
        rel = path_text(path.name)
    try:
        docs, problems = _read(path, rel, str(path), max_bytes)
    except Exception as e:  # last line of defence: report, never crash the run
        return [], [ReadProblem(str(path), f"unexpected error: {type(e).__name__}: {e}")]
    if not docs and not any(p.skipped for p in problems):   # `[]`, or a .jsonl.gz of blank lines
        problems.append(ReadProblem(str(path), "no stories in the file"))
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [ReadProblem(str(path), f"... and {rest} more problems", skipped=False)]
    return docs, problems


def _read(path: Path, rel: str, shown: str, max_bytes: int):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return [], [ReadProblem(shown, "broken symbolic link" if path.is_symlink() else "file not found")]
    except OSError as e:
        return [], [ReadProblem(shown, f"cannot read: {e.strerror or e}")]
    if stat.S_ISDIR(st.st_mode):
        return [], [ReadProblem(shown, "is a folder, not a file")]
    if not stat.S_ISREG(st.st_mode):
        return [], [ReadProblem(shown, "not a regular file")]
    if st.st_size == 0:
        return [], [ReadProblem(shown, "empty file")]
    if st.st_size > max_bytes:
        return [], [ReadProblem(shown, f"file is {_mb(st.st_size)}, over the size limit of {_mb(max_bytes)} (max_bytes={max_bytes})")]
    kind = suffix_of(path)
    if kind == ".jsonl.gz":
        return _read_jsonl_gz(path, rel, shown, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as e:
        return [], [ReadProblem(shown, f"cannot read: {e.strerror or e}")]
    text, problems = _decode(data, shown, html=kind in (".html", ".htm"))
    if text is None:
        return [], problems
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return [], problems + [ReadProblem(shown, "empty file (only whitespace)")]
    if kind == ".json":
        docs, more = _parse_json(text, rel, shown)
    elif kind == ".jsonl":
        docs, more = _parse_jsonl(text.split("\n"), rel, shown)
    elif kind in (".html", ".htm"):
        docs, more = _parse_html(text, rel, shown)
    else:
        docs, more = _parse_text(text, rel, shown, markdown=kind == ".md")
    return docs, problems + more


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n} bytes"


_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f\v\b\x1b"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


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


# ---------------------------------------------------------------- formats

_HEADER = re.compile(r"\A\s*(?i:date):?[ \t]+(\d{4}-\d{1,2}-\d{1,2}\S*)\s*")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_MD_HEADING = re.compile(r"\A\s*#[ \t]+(.+?)[ \t#]*(?:\n|\Z)")


def _story(rel: str, shown: str, body: str, title: str = "", date=None, *, id: str = "",
           line: int | None = None, fallback: str = "", **extra) -> tuple[Document, list[ReadProblem]]:
    """A Document from a story's text: dateline, place and (if missing) title derived."""
    problems = []
    d, why = parse_date(date)
    if why:
        problems.append(ReadProblem(shown, f"{why}; kept without a date", line, skipped=False))
    body = body.strip()
    dateline, place, rest = split_dateline(body)
    title = " ".join(title.split()) or derive_title(rest) or fallback or Path(rel).stem
    return Document(id=id or rel, path=rel, title=title, date=d, body=body,
                    dateline=dateline, place=place, **extra), problems


def _parse_text(text: str, rel: str, shown: str, markdown: bool):
    """The seed format (` date YYYY-MM-DD ` + dateline + story), plain text and Markdown."""
    title, date = "", None
    m = _HEADER.match(text)
    if m:
        date, text = m[1], text[m.end():]
    elif markdown and (fm := _FRONT_MATTER.match(text)):
        meta = dict(re.findall(r"^(\w+)\s*:\s*(.*?)\s*$", fm[1], re.M))
        title, date, text = meta.get("title", "").strip("\"'"), meta.get("date"), text[fm.end():]
    if markdown and not title and (h := _MD_HEADING.match(text)):
        title, text = h[1], text[h.end():]
    doc, problems = _story(rel, shown, text, title, date)
    return [doc], problems


def _parse_html(text: str, rel: str, shown: str):
    page = html_page(text)
    doc, problems = _story(rel, shown, page.body, page.title, page.date, source=page.source, url=page.url)
    if not doc.dateline and page.h1 and page.body.startswith(page.h1):  # a dateline often follows the headline
        doc.dateline, doc.place, _ = split_dateline(page.body[len(page.h1):])
    return [doc], problems


def _field(rec: dict, keys: tuple[str, ...]) -> str:
    """A record's text field, tolerating numbers and lists of strings."""
    for k in keys:
        v = rec.get(k)
        if isinstance(v, str):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return "\n\n".join(v)
    return ""


def _record(rec, fallback_id: str, rel: str, shown: str, line: int | None, label: str, seen: dict):
    """One JSON record -> (Document or None, problems); duplicates within a file are reported."""
    if not isinstance(rec, dict):
        return None, [ReadProblem(shown, f"{label}record is not an object (got {type(rec).__name__})", line)]
    rid = rec.get("id")
    rid = str(rid).strip() if isinstance(rid, (str, int)) and not isinstance(rid, bool) else ""
    rid = _valid(rid) or fallback_id
    if rid in seen:
        return None, [ReadProblem(shown, f"{label}duplicate id {rid!r} (first at {seen[rid]})", line)]
    seen[rid] = f"line {line}" if line else label.rstrip(": ") or "top"
    doc, problems = _story(rel, shown, _valid(_field(rec, ("body", "text", "content"))),
                           _valid(_field(rec, ("title", "headline"))),
                           rec.get("date"), id=rid, line=line, fallback=rid,
                           source=_valid(_field(rec, ("source",)).strip()), url=_valid(_field(rec, ("url",)).strip()))
    for p in problems:
        p.reason = label + p.reason
    return doc, problems


def _parse_json(text: str, rel: str, shown: str):
    try:
        data = json.loads(text)
    except ValueError as e:
        where = f" at line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        return [], [ReadProblem(shown, f"malformed JSON: {getattr(e, 'msg', e)}{where}", getattr(e, "lineno", None))]
    except RecursionError:
        return [], [ReadProblem(shown, "malformed JSON: nested too deeply")]
    if isinstance(data, dict):   # one object is one document, and its id is the file's
        doc, problems = _record(data, rel, rel, shown, None, "", {})
        return [doc] if doc else [], problems
    if not isinstance(data, list):
        return [], [ReadProblem(shown, f"JSON holds a {type(data).__name__}, not an object or a list of objects")]
    docs, problems, seen = [], [], {}
    for n, rec in enumerate(data, 1):
        doc, more = _record(rec, f"{rel}#{n}", rel, shown, None, f"record {n}: ", seen)
        docs += [doc] if doc else []
        problems += more
    return docs, problems


def _parse_jsonl(lines: Iterable[str | None], rel: str, shown: str, docs: list | None = None,
                 problems: list | None = None):
    """One record a line; `None` stands for a line over the size limit. Ids default to `rel#line`.

    Appends to `docs`/`problems` when given, so a caller whose stream breaks keeps what was read.
    """
    docs = [] if docs is None else docs
    problems, seen = [] if problems is None else problems, {}
    for n, line in enumerate(lines, 1):
        if line is None:
            problems.append(ReadProblem(shown, "line longer than the size limit", n))
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            problems.append(ReadProblem(shown, f"malformed JSON: {getattr(e, 'msg', e)} (column {getattr(e, 'colno', '?')})", n))
            continue
        except RecursionError:
            problems.append(ReadProblem(shown, "malformed JSON: nested too deeply", n))
            continue
        doc, more = _record(rec, f"{rel}#{n}", rel, shown, n, "", seen)
        docs += [doc] if doc else []
        problems += more
    return docs, problems


def _read_jsonl_gz(path: Path, rel: str, shown: str, max_bytes: int):
    """Streamed: the whole file is never in memory, and a truncated archive keeps the lines before the damage."""
    problems: list[ReadProblem] = []
    state = {"n": 0}

    def lines(f) -> Iterator[str | None]:
        warned = False
        while True:
            raw = f.readline(max_bytes + 1)
            if not raw:
                return
            state["n"] += 1
            if state["n"] == 1:
                if _is_binary(raw[:8192]):
                    raise ValueError("binary content (not JSON Lines text)")
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = f.readline(1 << 20)
                yield None
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                if not warned:
                    problems.append(ReadProblem(shown, "not valid UTF-8; read as cp1252", state["n"], skipped=False))
                    warned = True
                yield raw.decode("cp1252", "replace")

    docs: list[Document] = []
    try:
        with gzip.open(path, "rb") as f:
            _parse_jsonl(lines(f), rel, shown, docs, problems)
    except (OSError, EOFError, zlib.error, ValueError) as e:
        what = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        if state["n"] <= 1:
            return [], problems + [ReadProblem(shown, f"cannot read compressed file: {what}")]
        problems.append(ReadProblem(shown, f"compressed file damaged after line {state['n'] - 1}: {what}; "
                                           "the lines before were read", state["n"]))
    return docs, problems
