"""GET /doc/<id> and GET /api/doc/<id>: the whole story, highlighted, with links onward and back."""
from __future__ import annotations

import html
import re

import pytest
from webcorpus import ODD_IDS
from webhtml import hrefs, inner, only_mark_tags, params_of, text_of


def test_story_page_shows_everything(client):
    story = client.get("/api/doc/story-001").get_json()
    page = client.get("/doc/story-001").get_data(as_text=True)
    assert inner(page, r"<h1[^>]*>(.*?)</h1>") == [story["title"]]
    assert '<time datetime="2019-03-10">2019-03-10</time>' in page
    assert "<dt>Place</dt><dd>BRASILIA</dd>" in page
    assert "<dt>Source</dt><dd>Fixture Wire</dd>" in page
    body = text_of(inner(page, r'<div class="story-body">(.*?)</div>')[0])
    for para in story["body"].split("\n\n"):
        assert para.strip() in body
    assert "<mark>" not in page        # reached without a search: nothing highlighted


def test_story_reached_from_a_search_highlights_its_terms(client):
    page = client.get("/doc/story-001?q=coffee+programme").get_data(as_text=True)
    body = inner(page, r'<div class="story-body">(.*?)</div>')[0]
    assert "<mark>coffee</mark>" in body and "<mark>programme</mark>" in body
    assert only_mark_tags(re.sub(r'<p dir="auto"( lang="[a-z]{2}")?>', "", body).replace("</p>", ""))
    assert "<mark>Brazil</mark>" not in body


def test_story_links_to_filtered_searches(client, needs_entities):
    story = client.get("/api/doc/story-001").get_json()
    links = hrefs(client.get("/doc/story-001").get_data(as_text=True))
    assert story["countries"] and story["organisations"]
    for ref in story["countries"]:
        assert f"/?country={ref['value']}" in links
    org_links = {v for h in links if h.startswith("/?") for k, v in params_of(h) if k == "org"}
    for ref in story["organisations"]:
        assert ref["value"] in org_links
    country = story["countries"][0]["value"]
    found = client.get(f"/api/search?country={country}&per_page=100").get_json()
    assert "story-001" in {h["id"] for h in found["hits"]}


def test_back_link_returns_to_the_same_search(client):
    search = "q=coffee&country=BR&sort=newest&page=2&per_page=2"
    page = client.get("/?" + search).get_data(as_text=True)
    doc_link = next(h for h in hrefs(page) if h.startswith("/doc/"))
    story = client.get(doc_link).get_data(as_text=True)
    back = re.findall(r'<a href="([^"]*)">← Back to the results</a>', story)
    assert back == ["/?" + search.replace("&", "&amp;")]


def test_without_back_it_offers_the_search_page(client):
    page = client.get("/doc/story-001").get_data(as_text=True)
    assert '<a href="/">← Search the archive</a>' in page


@pytest.mark.parametrize("doc_id", ["sub/dir/story.txt", "seed.txt"])
def test_ids_with_slashes_and_file_names(client, doc_id):
    assert client.get(f"/doc/{doc_id}").status_code == 200
    r = client.get(f"/api/doc/{doc_id}")
    assert r.status_code == 200 and r.get_json()["id"] == doc_id


def test_slashed_id_is_linked_from_results(client):
    data = client.get("/api/search?q=highlands").get_json()
    assert [h["id"] for h in data["hits"]] == ["sub/dir/story.txt"]
    assert data["hits"][0]["doc_url"] == "/api/doc/sub/dir/story.txt?q=highlands"
    page = client.get("/?q=highlands").get_data(as_text=True)
    assert any(h.startswith("/doc/sub/dir/story.txt?q=highlands&back=") for h in hrefs(page))


def test_api_doc_object(client):
    d = client.get("/api/doc/story-001?q=coffee").get_json()
    assert {"id", "title", "date", "dateline", "place", "source", "paragraphs", "body",
            "organisations", "countries"} <= d.keys()
    assert any("<mark>coffee</mark>" in p for p in d["paragraphs"])


@pytest.mark.parametrize("q", ["x" * 20_000])
def test_story_with_a_bad_query_is_400(client, q):
    assert client.get("/doc/story-001", query_string={"q": q}).status_code == 400
    assert client.get("/api/doc/story-001", query_string={"q": q}).status_code == 400


@pytest.mark.parametrize("q", ['"unbalanced', "*", "title:", "(("])
def test_story_with_an_odd_query_still_shows(client, q):
    assert client.get("/doc/story-001", query_string={"q": q}).status_code == 200


@pytest.mark.parametrize("doc_id", ODD_IDS)
def test_odd_ids_round_trip(client, doc_id):
    data = client.get("/api/search?q=oddid&per_page=100").get_json()
    hit = next(h for h in data["hits"] if h["id"] == doc_id)
    r = client.get(hit["doc_url"])
    assert r.status_code == 200 and r.get_json()["id"] == doc_id
    page = client.get("/?q=oddid&per_page=100").get_data(as_text=True)
    link = next(h for h in hrefs(page) if h.startswith("/doc/") and text_of_link(page, h) == hit["title"])
    r = client.get(link)
    assert r.status_code == 200, link
    assert f"<code>{html.escape(doc_id)}</code>" in r.get_data(as_text=True)


def text_of_link(page: str, href: str) -> str:
    m = re.search(r'<a href="' + re.escape(html.escape(href)) + r'">(.*?)</a>', page)
    return text_of(m.group(1)) if m else ""
