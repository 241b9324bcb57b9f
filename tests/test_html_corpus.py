"""The HTML reader on real saved news pages (trafilatura's evaluation set, read in place).

`make eval-html` scores all 990 pages; here a fixed slice of them keeps `make test`
quick while still failing if the reader slides back towards all visible text.
"""
from __future__ import annotations

import pytest
from corpora import web_pages, web_pages_path

from tests.eval.html import Score, evaluate, load

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def pages():
    return web_pages(limit=120)       # evaluate_html.load's pages, the tar read in one pass


def test_article_text_in_and_boilerplate_out(pages):
    result = evaluate(pages)
    assert result["pages"] == 120
    body, visible = result["body"], result["all visible text"]
    assert body["f1"] >= 0.91 and body["precision"] >= 0.9 and body["recall"] >= 0.92, body
    assert visible["precision"] < 0.65            # the baseline really is polluted on these pages
    assert body["precision"] - visible["precision"] >= 0.25


def test_news_pages_bodies_hold_no_boilerplate_segment_on_most_pages(pages):
    from indexer.read.documents import _decode
    from indexer.read.html import parse_html
    clean = total = 0
    for item, raw in pages:
        text, _ = _decode(raw, item["file"], html=True)
        docs, _ = parse_html(text or "", item["file"], item["file"], url=item["url"])
        body = docs[0].body if docs else ""
        s = Score()
        s.add(body, item["with"], item["without"])
        total += 1
        clean += s.fp == 0
    assert clean / total >= 0.75, f"{clean} of {total} pages free of menus, footers and teasers"


def test_the_pages_are_those_evaluate_html_loads():
    """corpora.web_pages (one pass over the tar) answers as `load` does (a page at a time)."""
    assert web_pages(limit=4) == load(web_pages_path(), limit=4)
