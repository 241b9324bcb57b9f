"""Web archives (`.warc`, `.warc.gz`: Webrecorder, ArchiveBox, Common Crawl's CC-NEWS).

Why warcio: it streams records (gzip member by member), so an archive of any size
is read one record at a time. Every HTML `response` record is a page read as an
article (`html.py`); its URL is its id and link, its date the page's, else the
record's `WARC-Date`. Other records (requests, metadata, images) are passed over.
"""
from __future__ import annotations

from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .common import Document, ReadProblem
from .html import parse_html


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def read_warc(raw: BinaryIO, rel: str, shown: str, max_bytes: int) -> tuple[list[Document], list[ReadProblem]]:
    docs: list[Document] = []
    problems: list[ReadProblem] = []
    seen: set[str] = set()
    n = 0
    try:
        for record in ArchiveIterator(raw):
            n += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype.lower() or not (record.http_headers.get_statuscode() or "").startswith("2"):
                continue
            url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
            where = f"record {n} ({url or 'no URL'})"
            data = record.content_stream().read(max_bytes + 1)
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
            docs += read
            problems += [ReadProblem(p.path, f"{where}: {p.reason}", None, p.skipped and not read) for p in more]
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, IndexError) as e:
        # warcio meets a cut or garbled record as one of these; what came before stands
        what = f"{type(e).__name__}: {e}"
        if not docs:
            return [], problems + [ReadProblem(shown, f"cannot read web archive: {what}")]
        problems.append(ReadProblem(shown, f"web archive damaged after record {n}: {what}; the records before were read"))
    return docs, problems
