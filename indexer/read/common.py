"""The records every reader returns, and the one rule that makes a Document of a story's text.

Kept apart from `documents.py` (which picks a reader per file) so the readers can
import it without importing each other.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .newstext import derive_title, parse_date, split_dateline


@dataclass
class Document:
    id: str                      # see README "Story ids": path relative to the folder given, or a record's `id`, or a URL
    path: str                    # posix path of the source file, relative to the root it was found under
    title: str
    date: _dt.date | None
    body: str
    dateline: str = ""           # e.g. "ASHGABAT, Turkmenistan" (without the date part)
    place: str = ""              # the place named first in the dateline, e.g. "Ashgabat"
    source: str = ""             # e.g. "Reuters"; "" when unknown
    url: str = ""
    language: str = ""           # as the source declares it (`lang`, <html lang>, og:locale); "" when it does not
    author: str = ""             # as the source names it; "" when it does not
    categories: list[str] = field(default_factory=list)    # a feed item's categories, as the feed names them
    title_is_label: bool = False # the title is a label (the id or file name) for a story with no title or text


@dataclass
class ReadProblem:
    path: str                    # as shown to the user
    reason: str
    line: int | None = None      # 1-based line for JSON Lines
    skipped: bool = True         # False for a warning (e.g. cp1252 fallback) where the text was still read
    unsupported: bool = False    # not a format NewsFacet reads (a .pdf, an image): named and counted, not an error

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        kind = "unsupported" if self.unsupported else "skipped" if self.skipped else "warning"
        return f"{kind}: {where}: {self.reason}"


def path_text(path: str | os.PathLike) -> str:
    """A path as text that can be indexed and printed: bytes of a name that are not UTF-8 become \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid(text: str) -> str:
    """JSON's \\ud800 escapes can give lone surrogates, which no index or page can encode."""
    return _SURROGATE.sub("\ufffd", text)


def is_derived_id(doc: Document) -> bool:
    """True when the id was made from the file's path (`rel`, `rel#3`), not given by the source.

    Only derived ids are qualified when two files would share one (build.py); an id
    the user wrote is theirs, and a clash of those is reported instead.
    """
    return doc.id == doc.path or doc.id.startswith(doc.path + "#")


def story(rel: str, shown: str, body: str, title: str = "", date=None, *, id: str = "",
          line: int | None = None, fallback: str = "", **extra) -> tuple[Document, list[ReadProblem]]:
    """A Document from a story's text: dateline, place and (if missing) title derived."""
    problems = []
    d, why = parse_date(date)
    if why:
        problems.append(ReadProblem(shown, f"{why}; kept without a date", line, skipped=False))
    body = body.strip()
    dateline, place, rest = split_dateline(body)
    title = " ".join(title.split()) or derive_title(rest)
    label = not title            # shown, but not searchable: `99` must not find reuters-99 (issue 21)
    title = title or fallback or PurePosixPath(rel).stem
    return Document(id=id or rel, path=rel, title=title, date=d, body=body,
                    dateline=dateline, place=place, title_is_label=label, **extra), problems
