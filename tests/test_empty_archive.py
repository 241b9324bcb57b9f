"""An empty archive is an archive with 0 stories, not a damaged index (issue 18.5).

Indexing an empty folder, or one of files NewsFacet does not read, used to leave a
generation that every command called damaged (exit 6, a 503 with an AttributeError).
Files of other types are named and counted; a file without an extension is a story
only when its first bytes say it is a format NewsFacet reads.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.index.build import build_index
from indexer.cli import main
from indexer.cli.commands import UNSUPPORTED_NAMED
from indexer.read.documents import read_file
from indexer.read.sniff import sniff
from web.app import create_app

STORY = "BRASILIA, March 3 - Coffee exports rose in February, the growers' association said.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _unsupported_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (folder / "letter.docx").write_bytes(b"PK\x03\x04" + b"\0" * 40)
    (folder / "table.csv").write_text("id,title\n1,Coffee\n", encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    return folder


@pytest.mark.parametrize("kind", ["empty", "unsupported"])
def test_an_empty_archive_answers_zero_everywhere(runner, tmp_path, kind):
    folder = tmp_path / "docs"
    folder.mkdir() if kind == "empty" else _unsupported_folder(folder)
    ix = str(tmp_path / "ix")
    for args in (["index", str(folder)], ["index", "--rebuild", str(folder)]):
        indexed = runner.invoke(main, [*args, "--index-dir", ix])
        assert indexed.exit_code == 0, indexed.output
        assert "0 skipped" in indexed.output

        found = runner.invoke(main, ["search", "coffee", "--json", "--index-dir", ix])
        assert found.exit_code == 0, found.output
        assert json.loads(found.output)["total"] == 0
        plain = runner.invoke(main, ["search", "coffee", "--index-dir", ix])
        assert plain.exit_code == 0 and "this archive has no stories yet" in plain.output

        stats = runner.invoke(main, ["stats", "--json", "--index-dir", ix])
        assert stats.exit_code == 0, stats.output
        assert json.loads(stats.output)["documents"] == 0

    client = create_app({"INDEX_DIR": ix, "TESTING": True}).test_client()
    page = client.get("/?q=coffee")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This archive has no stories yet" in text and "newsfacet index FOLDER" in text
    assert "damaged" not in text and "AttributeError" not in text
    assert client.get("/").status_code == 200
    api = client.get("/api/search?q=coffee")
    assert api.status_code == 200 and api.get_json()["total"] == 0
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["documents"] == 0


def test_unsupported_files_are_named_and_counted(runner, tmp_path):
    folder = _unsupported_folder(tmp_path / "docs")
    (folder / "story.txt").write_text(STORY, encoding="utf-8")
    result = runner.invoke(main, ["index", str(folder), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output      # not a failure: they are not ours to read
    assert "indexed 1 new, 0 changed, 0 removed stories, 0 skipped, 4 unsupported" in result.output
    for name, suffix in (("report.pdf", ".pdf"), ("letter.docx", ".docx"), ("table.csv", ".csv"), ("logo.png", ".png")):
        assert f"unsupported: {folder / name}: a {suffix} file is not a format NewsFacet reads" in result.output


def test_many_unsupported_files_are_counted_not_each_named(runner, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    for i in range(UNSUPPORTED_NAMED + 7):
        (folder / f"img{i:03}.png").write_bytes(b"\x89PNG")
    (folder / "style.css").write_text("body{}", encoding="utf-8")
    report = build_index([folder], tmp_path / "ix", procs=1, progress=False)
    assert report.unsupported == UNSUPPORTED_NAMED + 8 and report.skipped == 0
    result = runner.invoke(main, ["index", str(folder), "--index-dir", str(tmp_path / "ix")])
    named = [line for line in result.output.splitlines() if line.startswith("unsupported: ")]
    assert len(named) == UNSUPPORTED_NAMED + 1
    assert named[-1] == "unsupported: ... and 8 more files of other types"
    assert f"{UNSUPPORTED_NAMED + 8} unsupported" in result.output


def _warc_gz() -> bytes:
    page = f"<html><head><title>Coffee</title></head><body><p>{STORY}</p></body></html>".encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.test/coffee\r\n"
            "WARC-Date: 2026-03-03T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:7f1c1c1e-0000-4000-8000-000000000001>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    return gzip.compress(head.encode() + http + b"\r\n\r\n")


RSS = ('<?xml version="1.0"?>\n<!-- a feed -->\n<rss version="2.0"><channel><title>T</title>'
       f'<item><guid>g1</guid><title>Coffee</title><description>{STORY}</description></item></channel></rss>')
JSONL = json.dumps({"id": "r1", "title": "Coffee", "body": STORY}) + "\n" + json.dumps(
    {"id": "r2", "title": "Cocoa", "body": STORY}) + "\n"
SNIFFED = {
    "page": ("<!DOCTYPE html>\n<html><body><p>" + STORY + "</p></body></html>", ".html", 1),
    "feed": (RSS, ".xml", 1),
    "records": (JSONL, ".jsonl", 2),
    "one-record": (json.dumps({"title": "Coffee", "body": STORY}), ".json", 1),
    "records-gz": (gzip.compress(JSONL.encode()), ".jsonl.gz", 2),
    "archive-gz": (_warc_gz(), ".warc.gz", 1),
}


@pytest.mark.parametrize("name", sorted(SNIFFED))
def test_a_file_without_extension_is_read_when_its_content_says_what_it_is(tmp_path, name):
    content, kind, stories = SNIFFED[name]
    raw = content if isinstance(content, bytes) else content.encode()
    assert sniff(raw[:8192]) == kind
    (tmp_path / name).write_bytes(raw)
    docs, problems = read_file(tmp_path / name, tmp_path)
    assert len(docs) == stories, problems
    assert "Coffee exports rose" in docs[0].body


@pytest.mark.parametrize("content", [b"newsroom-01\n", STORY.encode(), b"# Notes\n\nMarkdown without a suffix\n",
                                     b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"<svg xmlns='x'></svg>", b""])
def test_a_file_without_extension_is_not_a_story_unless_it_sniffs(runner, tmp_path, content):
    hostname = tmp_path / "hostname"
    hostname.write_bytes(content)
    assert sniff(content) is None
    result = runner.invoke(main, ["index", str(hostname), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "0 new" in result.output and "1 unsupported" in result.output
    assert f"unsupported: {hostname}: no file extension" in result.output
    assert "0 in the index" in result.output
