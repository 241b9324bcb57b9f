"""Every pattern applied to a document's text runs in linear time (issue 24.2).

A backtracking regex can be polynomial or exponential in its input: `newstext`'s
dateline pattern spun for minutes on a first word and 2,000 spaces, Markdown front
matter `title: x<spaces>y` was quadratic. Here generated adversarial texts (runs of
spaces, tabs and punctuation, repeated words and capitals, 1 MB lines) go through
every reader (text, Markdown, JSON Lines, JSON, HTML, RSS, WARC) and through the
extractors (`prepare.prepare`: language, datelines, entities, companies, dedup), and
each must cost at most `CPU_PER_MB` seconds of CPU per megabyte (process time, so a
busy machine does not fail it; a quadratic pattern does by orders of magnitude).
"""
from __future__ import annotations

import html
import json
import time

import pytest

from indexer.read.documents import read_file
from indexer.index.prepare import prepare

CPU_PER_MB = 5.0
SIZE = 256 * 1024

SHAPES = {
    "spaces": lambda n: "A" + " " * n + "b",
    "tabs": lambda n: "Abc" + "\t" * n + "x",
    "spaces-and-tabs": lambda n: "ABC" + " \t" * (n // 2) + ".",
    "dateline-spaces": lambda n: "HOUSTON, " + " " * n + "Feb 26 - Oil rose.",
    "word-spaces-word": lambda n: "ASHGABAT," + " " * (n // 2) + "Turkmenistan" + "\t" * (n // 2) + "x",
    "commas": lambda n: "ABC, " * (n // 5),
    "comma-spaces": lambda n: "A" + ", " * (n // 2),
    "dashes": lambda n: "A" + "-" * n + " x",
    "dots": lambda n: "A" + "." * n,
    "initials": lambda n: "A." * (n // 2),
    "capitals": lambda n: "ABC DEF " * (n // 8),
    "words": lambda n: "word " * (n // 5),
    "capitalised": lambda n: "Word " * (n // 5),
    "parens": lambda n: "(" * n,
    "acronym-parens": lambda n: "(AB " * (n // 4),
    "quotes": lambda n: '"' * n,
    "apostrophes": lambda n: "A'" * (n // 2),
    "ampersands": lambda n: "A&" * (n // 2),
    "hyphenated": lambda n: "Ab-" * (n // 3),
    "newlines": lambda n: "A \n" * (n // 3),
    "blank-lines": lambda n: "\n \n\t" * (n // 4),
    "abbreviations": lambda n: "Mr. " * (n // 4),
    "of-places": lambda n: " of Abc" * (n // 7),
    "colons": lambda n: "A:" * (n // 2),
    "cyrillic-capitals": lambda n: "МОСКВА " * (n // 7),
    "agency": lambda n: "MOSKAU (" * (n // 8),
    "dot-spaces": lambda n: ". " * (n // 2),
    "tickers": lambda n: "<AB" * (n // 3),
    "dates": lambda n: "2026-01-0" * (n // 9),
    "months": lambda n: "Feb 26 " * (n // 7),
    "heading": lambda n: "# x" + " " * n + "y",
    "front-matter": lambda n: "---\ntitle: x" + " " * n + "y\n---\nStory.",
    "apposition": lambda n: "Acme, the" + " " * (n // 2) + "x" + " a" * (n // 4),
    "company-names": lambda n: "Acme Corp Inc Ltd " * (n // 18),
    "dateline-commas": lambda n: "Lima, " + "Peru , " * (n // 7),
    "quoted-sentences": lambda n: 'He said. "' * (n // 10),
}


def _rss(text: str) -> str:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>g</guid>'
            f"<title>{html.escape(text[:2000])}</title><description>{html.escape(text)}</description>"
            "</item></channel></rss>")


def _warc(text: str) -> bytes:
    page = f"<html><body><p>{html.escape(text)}</p></body></html>".encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://n.test/a\r\n"
            "WARC-Date: 2026-03-03T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


READERS = {
    "text.txt": lambda t: t,
    "markdown.md": lambda t: t,
    "heading.md": lambda t: "# " + t + "\n\nBody.",
    "records.jsonl": lambda t: json.dumps({"id": "a", "title": t[:5000], "body": t}) + "\n",
    "record.json": lambda t: json.dumps({"title": t[:5000], "body": t}),
    "page.html": lambda t: f"<html><head><title>{html.escape(t[:2000])}</title></head><body><p>{html.escape(t)}</p>"
                           "</body></html>",
    "feed.rss": _rss,
    "archive.warc": _warc,
}


def _cpu(fn) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory):
    """Models and gazetteers load once (seconds): that is not the cost being measured."""
    folder = tmp_path_factory.mktemp("warm")
    for name, make in READERS.items():
        path = folder / name
        content = make("MOSKAU (dpa) - Die Regierung hat am Montag beschlossen. UNICEF and the UN said.")
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        for doc in read_file(path, folder)[0]:
            prepare(doc, str(path))


def _bound(chars: int) -> float:
    return CPU_PER_MB * max(chars, 1024 * 1024) / (1024 * 1024)


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_reader_is_linear_on_adversarial_text(tmp_path, reader, shape):
    text = SHAPES[shape](SIZE)
    content = READERS[reader](text)
    path = tmp_path / reader
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    cpu = _cpu(lambda: read_file(path, tmp_path))
    assert cpu < _bound(len(content)), f"{reader} on {shape}: {cpu:.1f} s of CPU for {len(content):,} characters"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_extractors_are_linear_on_adversarial_text(tmp_path, shape):
    text = SHAPES[shape](SIZE)
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    docs, _ = read_file(path, tmp_path)
    for doc in docs:
        doc.title = doc.title or text[:200]
        cpu = _cpu(lambda doc=doc: prepare(doc, "k"))
        assert cpu < _bound(len(text)), f"extraction on {shape}: {cpu:.1f} s of CPU for {len(text):,} characters"


@pytest.mark.parametrize("shape", ["spaces", "dateline-spaces", "capitals", "commas", "front-matter", "heading"])
def test_a_1_mb_line_is_read_and_extracted_in_bounded_cpu(tmp_path, shape):
    text = SHAPES[shape](1024 * 1024)
    assert "\n" not in text.strip("\n") or shape == "front-matter"
    for reader in ("text.txt", "markdown.md", "records.jsonl"):
        path = tmp_path / reader
        path.write_text(READERS[reader](text), encoding="utf-8")
        docs: list = []
        cpu = _cpu(lambda docs=docs, path=path: docs.extend(read_file(path, tmp_path)[0]))
        cpu += sum(_cpu(lambda d=d: prepare(d, "k")) for d in docs)
        assert cpu < _bound(len(text)) * 2, f"{reader} on a 1 MB line of {shape}: {cpu:.1f} s"
