"""Web archives (`.warc`, `.warc.gz`: Webrecorder, ArchiveBox, Common Crawl's CC-NEWS).

Why warcio: it streams records (gzip member by member), so an archive of any size
is read one record at a time. Every HTML `response` record is a page read as an
article (`html.py`); its URL is its id and link, its date the page's, else the
record's `WARC-Date`. Other records (requests, metadata, images) are passed over.

Guards (issue 24.8): a gzipped archive is decompressed here, through the ratio
check of `guard.py`, and handed to warcio as a plain WARC, so a bomb is stopped
and named; a page's HTTP body (which warcio un-gzips too) is read only up to the
size limit, and its ratio to the record's own length is checked; the page handed
to the extractor is capped by `htmlguard.shrink`.
"""
from __future__ import annotations

import zlib
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .common import Document, ReadProblem
from .guard import Bomb, Expanding, Gunzip, Prefixed, check
from .html import parse_html

CHUNK = 1 << 20


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def read_warc(raw: BinaryIO, rel: str, shown: str, max_bytes: int, docs=None) -> tuple[list[Document], list[ReadProblem]]:
    """Record by record; `docs` (a list by default, a spool in the build) gets each page as it is read."""
    docs = [] if docs is None else docs
    problems: list[ReadProblem] = []
    seen: set[str] = set()
    n = 0
    head = raw.read(2)
    stream = Prefixed(head, raw)
    if head == b"\x1f\x8b":                     # every gzip member, decompressed under the guard
        consumed = (lambda: raw.n) if hasattr(raw, "n") else (lambda: 0)
        stream = Expanding(Gunzip(stream), consumed)
    try:
        for record in ArchiveIterator(stream):
            n += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype.lower() or not (record.http_headers.get_statuscode() or "").startswith("2"):
                continue
            url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
            where = f"record {n} ({url or 'no URL'})"
            try:
                data = _body(record, max_bytes)
            except Bomb as e:              # this page only: the archive goes on
                if getattr(e, "whole", False):
                    raise
                problems.append(ReadProblem(shown, f"{where}: {e}"))
                continue
            if len(data) > max_bytes:
                problems.append(ReadProblem(shown, f"{where}: page over the size limit"))
                continue
            if not url or url in seen:
                problems.append(ReadProblem(shown, f"{where}: {'duplicate URL' if url else 'no WARC-Target-URI'}",
                                            skipped=False))
                continue
            seen.add(url)
            try:
                text = data.decode(_charset(ctype) or "utf-8")
            except (LookupError, UnicodeDecodeError):
                text = data.decode("cp1252", "replace")
            read, more = parse_html(text, rel, shown, url=url, id=url,
                                    date_fallback=(record.rec_headers.get_header("WARC-Date") or None))
            for doc in read:
                docs.append(doc)
            problems += [ReadProblem(p.path, f"{where}: {p.reason}", None, p.skipped and not read) for p in more]
    except Bomb as e:
        problems.insert(0, ReadProblem(shown, f"{e} after record {n}; the records before were read"))
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, IndexError, zlib.error) as e:
        # warcio meets a cut or garbled record as one of these; what came before stands
        what = f"{type(e).__name__}: {e}"
        if not docs:
            docs.clear()
            return docs, problems + [ReadProblem(shown, f"cannot read web archive: {what}")]
        problems.insert(0, ReadProblem(shown, f"web archive damaged after record {n}: {what}; the records before were read"))
    return docs, problems


def _body(record, max_bytes: int) -> bytes:
    """The page's HTTP body, read a megabyte at a time up to `max_bytes` + 1 (over it: too large).

    warcio undoes a `Content-Encoding: gzip` itself; what comes out is checked against the
    record's own length, so a small record cannot expand into a huge page unnoticed."""
    stream, parts, got = record.content_stream(), [], 0
    while got <= max_bytes:
        part = stream.read(min(CHUNK, max_bytes + 1 - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
        check(got, record.length or 0)
    return b"".join(parts)
