"""Web archives: every HTML response record is a page read as an article (issue 11).

The WARC files are written here with warcio, as Webrecorder and CC-NEWS write them.
"""
from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from indexer.index.build import build_index
from indexer.read.documents import read_file

PAGE = ("<html lang='de'><head><title>{title} | Zeitung</title>{meta}</head><body><nav>Start | Politik | Wirtschaft</nav>"
        "<article><h1>{title}</h1>" + "".join(f"<p>BERLIN, March 4 - Absatz {{n}}-{i} des Artikels über den Haushalt "
                                               "und die Regierung in Berlin.</p>" for i in range(6))
        + "</article><footer>Impressum</footer></body></html>")


def write_warc(path, gz: bool):
    with open(path, "wb") as out:
        w = WARCWriter(out, gzip=gz)

        def response(url, body: bytes, ctype="text/html; charset=utf-8", date="2026-03-04T10:00:00Z", status="200 OK"):
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Date": date})
            w.write_record(rec)

        req = w.create_warc_record("https://news.test/a", "request", payload=BytesIO(b"GET /a HTTP/1.1\r\n\r\n"))
        w.write_record(req)
        response("https://news.test/a", PAGE.format(title="Haushalt beschlossen", n=1,
                 meta="<meta property='article:published_time' content='2026-03-01'>").encode())
        response("https://news.test/b", PAGE.format(title="Regierung tagt", n=2, meta="").encode("cp1252", "replace"),
                 ctype="text/html; charset=windows-1252", date="2026-02-20T08:00:00Z")
        response("https://news.test/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, ctype="image/png")
        response("https://news.test/gone", b"<html><body>Not found</body></html>", status="404 Not Found")


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")   # warcio's writer leaves temp files to gc


@pytest.mark.parametrize("name, gz", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_html_responses_are_articles(tmp_path, name, gz):
    write_warc(tmp_path / name, gz)
    docs, problems = read_file(tmp_path / name, tmp_path)
    assert not [p for p in problems if p.skipped], problems
    assert [d.id for d in docs] == ["https://news.test/a", "https://news.test/b"]
    a, b = docs
    assert (a.url, a.title, a.date, a.language) == ("https://news.test/a", "Haushalt beschlossen", dt.date(2026, 3, 1), "de")
    assert b.date == dt.date(2026, 2, 20)                 # no date in the page: the record's WARC-Date
    assert "über den Haushalt" in b.body and "Absatz 2-5" in b.body
    for boilerplate in ("Start | Politik", "Impressum"):
        assert boilerplate not in a.body
    assert a.dateline.startswith("BERLIN")


@pytest.mark.parametrize("keep", [0.5, 0.6, 0.9])
def test_cut_warc_keeps_the_records_before_and_never_crashes(tmp_path, keep):
    write_warc(tmp_path / "x.warc.gz", True)
    data = (tmp_path / "x.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[: int(len(data) * keep)])
    docs, problems = read_file(tmp_path / "cut.warc.gz", tmp_path)
    assert not any("unexpected error" in p.reason for p in problems)
    assert docs and docs[0].id == "https://news.test/a" and "Absatz 1-5" in docs[0].body


def test_warc_indexes(tmp_path):
    (tmp_path / "archive").mkdir()
    write_warc(tmp_path / "archive" / "crawl.warc.gz", True)
    r = build_index([tmp_path / "archive"], tmp_path / "ix", progress=False)
    assert (r.new, r.skipped, r.total_documents) == (1, 0, 2)
