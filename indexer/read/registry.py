"""Every input format, registered once: which suffixes it claims and how its bytes become stories.

Why a registry: the suffixes a format claims were spelled in several places (the walk's
list of supported files, the reader's if-chain, the index run's count of costly pages),
and a new format had to be added to each. Here a `Reader` says it all once; the walk,
`documents.read_source` and the index run (build.py) ask this module.

A reader comes in one of two shapes, told apart by `streaming`:

    streaming:  read(f, size, rel, shown, max_bytes, out) -> problems
                the binary file itself, record by record (the compressed formats), so
                memory stays bounded whatever the file's size (documents.py "Size limit")
    whole:      read(text, data, rel, shown, out) -> problems
                the file read whole (at most max_bytes), decoded (`text`) and raw (`data`)

Either appends each story to `out` (a list or the run's spool) and returns its problems;
neither raises for a bad file. Each format's module is imported when a file of it is
read: trafilatura, feedparser and warcio cost start-up time a run without them should
not pay.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Reader:
    name: str
    suffixes: tuple[str, ...]
    read: Callable[..., list]
    streaming: bool = False       # reads the binary stream (see the module docstring)
    html: bool = False            # its text may declare its charset in a <meta> tag (documents._decode)
    costly: bool = False          # a page costs ~15 ms (trafilatura): many are read by a pool of workers


READERS: list[Reader] = []
_BY_SUFFIX: dict[str, Reader] = {}
DOUBLE_SUFFIXES = (".jsonl.gz", ".warc.gz")     # count as one suffix (suffix_of)


def register(reader: Reader) -> Reader:
    """Add a format; a suffix claimed twice is a programming error, found at import."""
    for s in reader.suffixes:
        if s in _BY_SUFFIX:
            raise ValueError(f"suffix {s} is claimed by both {_BY_SUFFIX[s].name} and {reader.name}")
        if s.count(".") > 1 and s not in DOUBLE_SUFFIXES:
            raise ValueError(f"{s}: a double suffix must be listed in DOUBLE_SUFFIXES")
    READERS.append(reader)
    _BY_SUFFIX.update((s, reader) for s in reader.suffixes)
    return reader


def suffix_of(path: str | os.PathLike) -> str:
    """The lower-cased suffix that decides the format; `.jsonl.gz` and `.warc.gz` count as one."""
    name = os.path.basename(os.fspath(path)).lower()
    for double in DOUBLE_SUFFIXES:
        if name.endswith(double):
            return double
    return os.path.splitext(name)[1]


def by_suffix(suffix: str) -> Reader | None:
    """The reader of a suffix (`.html`); None for one no reader claims (reported as unsupported)."""
    return _BY_SUFFIX.get(suffix)


def reader_for(path: str | os.PathLike) -> Reader | None:
    return _BY_SUFFIX.get(suffix_of(path))


def suffixes() -> tuple[str, ...]:
    """Every suffix read, in the order the readers were registered."""
    return tuple(s for r in READERS for s in r.suffixes)


def streaming(path: str | os.PathLike) -> bool:
    reader = reader_for(path)
    return bool(reader and reader.streaming)


def costly(path: str | os.PathLike) -> bool:
    """A page worth a worker of its own when there are many (build.py's read pool)."""
    reader = reader_for(path)
    return bool(reader and reader.costly)


# ---------------------------------------------------------------- the formats

def _add(out, docs) -> None:
    for doc in docs:
        out.append(doc)


def _text(text, data, rel, shown, out):
    from .text import parse_text
    docs, problems = parse_text(text, rel, shown, markdown=False)
    _add(out, docs)
    return problems


def _markdown(text, data, rel, shown, out):
    from .text import parse_text
    docs, problems = parse_text(text, rel, shown, markdown=True)
    _add(out, docs)
    return problems


def _html(text, data, rel, shown, out):
    from .html import parse_html
    docs, problems = parse_html(text, rel, shown)
    _add(out, docs)
    return problems


def _json(text, data, rel, shown, out):
    """A JSON value: a JSON Feed, or one story or a list of them."""
    from .feeds import is_json_feed, parse_json_feed
    from .records import load_json, parse_json_value
    value, bad = load_json(text, shown)
    if bad:
        return bad
    docs, problems = (parse_json_feed(value, rel, shown) if is_json_feed(value)
                      else parse_json_value(value, rel, shown))
    _add(out, docs)
    return problems


def _jsonl(text, data, rel, shown, out):
    from .records import parse_jsonl
    return parse_jsonl(text.split("\n"), rel, shown, out)[1]


def _feed(text, data, rel, shown, out):
    """RSS and Atom, from the bytes: feedparser reads the encoding the XML declares."""
    from .feeds import parse_feed
    docs, problems = parse_feed(data, rel, shown)
    _add(out, docs)
    return problems


def _jsonl_gz(f, size, rel, shown, max_bytes, out):
    from .documents import _is_binary
    from .records import read_jsonl_gz
    return read_jsonl_gz(f, size, rel, shown, max_bytes, _is_binary, out)[1]


def _warc(f, size, rel, shown, max_bytes, out):
    from .warc import read_warc
    return read_warc(f, rel, shown, max_bytes, out)[1]


register(Reader("text", (".txt",), _text))
register(Reader("Markdown", (".md",), _markdown))
register(Reader("HTML", (".html", ".htm", ".xhtml"), _html, html=True, costly=True))
register(Reader("JSON", (".json",), _json))
register(Reader("JSON Lines", (".jsonl",), _jsonl))
register(Reader("gzipped JSON Lines", (".jsonl.gz",), _jsonl_gz, streaming=True))
register(Reader("RSS/Atom", (".rss", ".atom", ".xml"), _feed))
register(Reader("WARC", (".warc", ".warc.gz"), _warc, streaming=True, costly=True))
