"""A 10 MB story: its page and /api/doc show the first part (highlighted) and link to the whole text.

The page used to lay out and highlight all 10 MB (3.1 s, 7.6 s with `q=`) and the API
sent 20 MB. The bound below (2 s) is a robustness bound on this pathological story,
not a speed target, asserted under the `timing` marker (the `bound` fixture): `make bench`
measures the speed.
"""
from __future__ import annotations

import json
import time

import pytest
from corpora import corpus_records

from indexer.index.build import build_index
from indexer.query.hits import STORY_CHARS
from web.app import SECURITY_HEADERS, create_app

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(240)]
BOUND_S = 2.0
BIG = 10_000_000


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = tmp_path_factory.mktemp("big")
    recs = list(corpus_records(200))
    paras = [r["body"] for r in recs if r.get("body")]
    out, n, i = [], 0, 0
    while n < BIG:
        out.append(paras[i % len(paras)])
        n += len(out[-1]) + 2
        i += 1
    (base / "docs").mkdir()
    with open(base / "docs" / "big.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "big-story", "title": "A very long report", "date": "1987-03-01",
                            "body": "\n\n".join(out) + "\n\nThe last word is zanzibarite."}) + "\n")
        for r in recs[:40]:
            f.write(json.dumps(r) + "\n")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    c = create_app({"INDEX_DIR": str(base / "ix"), "TESTING": True}).test_client()
    assert c.get("/api/search?q=oil").status_code == 200
    return c


def timed(client, path, bound):
    started = time.perf_counter()
    r = client.get(path)
    assert time.perf_counter() - started < bound, path
    assert r.status_code == 200, path
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value
    return r


@pytest.mark.parametrize("q", ["", "cocoa", "zanzibarite"])
def test_the_story_page_shows_the_first_part_and_links_to_the_whole(client, q, bound):
    r = timed(client, f"/doc/big-story?q={q}", bound)
    html = r.get_data(as_text=True)
    assert len(r.data) < 4 * STORY_CHARS
    assert "Read the whole story" in html and "whole=1" in html
    assert "10,0" in html                     # "... of its 10,0xx,xxx characters"
    if q == "cocoa":
        assert "<mark>cocoa</mark>" in html.lower()
    assert "zanzibarite" not in html.split('class="story-body"')[1].split("</div>")[0]


def test_the_api_sends_the_first_part_and_says_so(client, bound):
    r = timed(client, "/api/doc/big-story?q=cocoa", bound)
    data = r.get_json()
    assert data["truncated"] is True and data["body_chars"] > BIG
    assert len(data["body"]) <= STORY_CHARS and len(r.data) < 6 * STORY_CHARS
    assert data["whole_url"].endswith("whole=1")
    assert any("<mark>" in p for p in data["paragraphs"])


def test_the_whole_story_is_plain_text(client, bound):
    r = timed(client, "/doc/big-story?whole=1", bound)
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.get_data(as_text=True)
    assert len(text) > BIG and text.rstrip().endswith("zanzibarite.")


def test_a_short_story_is_shown_whole(client):
    doc_id = client.get("/api/search?q=oil").get_json()["hits"][0]["id"]
    data = client.get(f"/api/doc/{doc_id}").get_json()
    assert data["truncated"] is False and data["whole_url"] is None
    assert len(data["body"]) == data["body_chars"]
    assert "Read the whole story" not in client.get(f"/doc/{doc_id}").get_data(as_text=True)
