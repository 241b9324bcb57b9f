"""Reading every input format into plain `Document` records.

CONTRACT (other modules rely on it; implementation owned by the documents work):

    Document(id, path, title, date, dateline, place, source, body, url)
    ReadProblem(path, line, reason, skipped)
    SUPPORTED_SUFFIXES
    discover(paths) -> iterator of (file_path, root)      # files under PATHs we can read
    read_file(path, root, max_bytes=...) -> (list[Document], list[ReadProblem])

This module never knows about the index.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".jsonl.gz")


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


def discover(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    raise NotImplementedError


def read_file(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], list[ReadProblem]]:
    raise NotImplementedError
