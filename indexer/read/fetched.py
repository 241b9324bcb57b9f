"""The archive's own copy of everything it fetched: one gzipped WARC file per run.

Why: a feed shows only its latest items, and an article page may change or vanish;
once fetched, the index held the only copy, so `newsfacet index --rebuild` (the cure
for a damaged index) lost every story that had left its feed. Each run that fetches
something writes the answers as it gets them (feeds, and the articles of
`--fetch-articles`) into `<index folder>/fetched/<UTC time>-<pid>.warc.gz`, WARC
`response` records made with warcio, the format NewsFacet reads web archives in; a
rebuild re-reads them (feeds.replay) instead of the network.

A record says what it was fetched as in an extension header, `NewsFacet-Fetch: feed`
or `article`; its `WARC-Target-URI` is the URL asked for (the feed's key in the
manifest, the item's link), whatever redirects led elsewhere. Files are named by the
time the run began, so their names sort in the order of the runs, which is the order
a rebuild reads them in (a later copy of an item wins); pruning removes whole files
older than a date (`newsfacet prune --fetched-before`).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import io
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .common import ReadProblem

FOLDER = "fetched"
KIND = "NewsFacet-Fetch"
_STAMP = "%Y%m%dT%H%M%S%fZ"       # UTC, to the microsecond: names sort in the order of the runs
_DROPPED = ("transfer-encoding", "content-encoding", "content-length", "connection")   # the body is stored decoded


@dataclass
class Record:
    kind: str                   # "feed" or "article"
    url: str
    headers: dict[str, str]     # the HTTP answer's, names lower-cased
    path: Path                  # where it is: `read_at(path, offset)` gives its body again
    offset: int
    body: Callable[[], bytes]   # read the body now (only while the iteration is at this record)


class FetchArchive:
    """The WARC file of one run, created with its first record."""

    def __init__(self, index_dir: Path):
        self.folder = Path(index_dir) / FOLDER
        self.path: Path | None = None
        self._file = None
        self._writer: WARCWriter | None = None
        self._started = _dt.datetime.now(_dt.timezone.utc)

    def add(self, kind: str, url: str, data: bytes, headers: dict[str, str]) -> None:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path = self.folder / f"{self._started.strftime(_STAMP)}-{os.getpid()}.warc.gz"
            self._file = open(self.path, "xb")
            self._writer = WARCWriter(self._file, gzip=True)
            self._writer.write_record(self._writer.create_warcinfo_record(
                self.path.name, {"software": "NewsFacet", "description": "feeds and articles fetched by one run"}))
        kept = [(k, v) for k, v in headers.items() if k.lower() not in _DROPPED and not k.startswith(":")]
        http = StatusAndHeaders("200 OK", kept + [("Content-Length", str(len(data)))], protocol="HTTP/1.1")
        record = self._writer.create_warc_record(url, "response", payload=io.BytesIO(data), length=len(data), http_headers=http,
                                                 warc_headers_dict={KIND: kind})
        self._writer.write_record(record)
        self._file.flush()            # a run killed later keeps what it fetched so far

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = self._writer = None

    def discard(self) -> None:
        """A failed run keeps nothing: its stories never reached the index, and the next run fetches again."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = self._writer = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()


def files(index_dir: Path) -> list[Path]:
    """The archive's WARC files, oldest run first."""
    folder = Path(index_dir) / FOLDER
    return sorted(folder.glob("*.warc.gz")) if folder.is_dir() else []


def records(index_dir: Path, problem: Callable[[ReadProblem], None]) -> Iterator[Record]:
    """Every fetched answer, oldest first; a damaged file is reported and what it held before the damage kept.

    Bodies are read only when asked for (`Record.body`), so that a rebuild holds the
    feeds it parses, not every article page of the archive at once (`read_at` later).
    """
    for path in files(index_dir):
        try:
            with open(path, "rb") as f:
                records = ArchiveIterator(f)
                for rec in records:
                    kind = rec.rec_headers.get_header(KIND)
                    if rec.rec_type != "response" or kind not in ("feed", "article") or rec.http_headers is None:
                        continue
                    headers = {k.lower(): v for k, v in rec.http_headers.headers}
                    yield Record(kind, rec.rec_headers.get_header("WARC-Target-URI") or "", headers, path,
                                 records.offset, rec.content_stream().read)     # offset: where this record starts
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as e:
            problem(ReadProblem(str(path), f"fetched archive damaged ({type(e).__name__}: {e}); "
                                           "the records before the damage were read", skipped=False))


def read_at(path: Path, offset: int) -> bytes:
    """The body of the record at `offset` (a gzip member's start) of a WARC file."""
    with open(path, "rb") as f:
        f.seek(offset)
        for rec in ArchiveIterator(f):
            return rec.content_stream().read()
    return b""


def run_date(path: Path) -> _dt.date | None:
    try:
        return _dt.datetime.strptime(path.name.split("-", 1)[0], _STAMP).date()
    except ValueError:
        return None


def prune(index_dir: Path, before: _dt.date) -> list[tuple[Path, int]]:
    """Delete the WARC files of runs before `before` (UTC); returns each file deleted and its size."""
    gone = []
    for path in files(index_dir):
        when = run_date(path)
        if when is not None and when < before:
            size = path.stat().st_size
            path.unlink()
            gone.append((path, size))
    return gone
