"""`GET /export.csv` and `GET /export.jsonl`: every story of a search, streamed.

Same parameters as the search page (page and per_page are ignored: it is all of them,
in the search's order, near-duplicate versions included). Rows are written as the
index hands them over (`indexer/export.py`), so 200,000 of them never sit in memory.

CSV cells that a spreadsheet would run as a formula (starting with = + - @ | %, a tab
or a line break, after any spaces) get a leading apostrophe, which spreadsheets show as
text: a story's title is data, never a formula (OWASP "CSV injection"). The file
starts with a UTF-8 byte-order mark so that Excel reads accents right.
"""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, request, stream_with_context, url_for

from indexer.search import FACETS, parse_request

from . import urls
from .archive import get_archive

bp = Blueprint("export", __name__)



@FACETS.derived
def columns() -> tuple[str, ...]:
    """The export's columns: each registered facet's where its class puts it (new columns go last)."""
    return FACETS.export_columns(("id", "date", "title", "dateline"), ("url", "source_url"))


def __getattr__(name: str):
    if name == "COLUMNS":         # the columns of the registry as it is now
        return columns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

FLUSH_EVERY = 200
# OWASP's list (= + - @ tab CR), a line feed, | (DDE: `|cmd'!A0`) and % (`%SYSTEMROOT%`), and their full-width forms
_FORMULA_START = frozenset("=+-@|%\t\r\n\uff1d\uff0b\uff0d\uff20\uff5c\uff05")


def safe_cell(value) -> str:
    """A CSV cell that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    stripped = text.lstrip(" ")
    if (text and text[0] in _FORMULA_START) or (stripped and stripped[0] in _FORMULA_START):
        return "'" + text
    return text


def _rows(args):
    req = parse_request(args.to_dict(flat=False))
    count, rows = get_archive().export(req)

    def decorate():
        for row in rows:
            row["url"] = urls.external(url_for("views.story", doc_id=row["id"]))
            yield row
    return count, decorate()


def _response(body, count: int, mimetype: str, ext: str) -> Response:
    resp = Response(stream_with_context(body), content_type=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="newsfacet-export.{ext}"'
    resp.headers["X-Total-Count"] = str(count)
    return resp


@bp.get("/export.csv")
def export_csv():
    count, rows = _rows(request.args)

    def body():
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")
        names = columns()
        out.writerow(names)
        for n, row in enumerate(rows, 1):
            out.writerow([safe_cell("; ".join(v) if isinstance(v, list) else v)
                          for v in (row[c] for c in names)])
            if n % FLUSH_EVERY == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()
    return _response(body(), count, "text/csv; charset=utf-8", "csv")


@bp.get("/export.jsonl")
def export_jsonl():
    count, rows = _rows(request.args)

    def body():
        chunk, names = [], columns()
        for row in rows:
            chunk.append(json.dumps({c: row[c] for c in names}, ensure_ascii=False))
            if len(chunk) >= FLUSH_EVERY:
                yield "\n".join(chunk) + "\n"
                chunk = []
        if chunk:
            yield "\n".join(chunk) + "\n"
    return _response(body(), count, "application/x-ndjson; charset=utf-8", "jsonl")
