"""The language parameter, facet and chips on the page and in the API (German, Arabic and Chinese
fixture stories: tests/fixtures/web/languages.jsonl)."""
from __future__ import annotations

import re

from webhtml import inner, text_of


def test_api_finds_the_german_story_by_an_inflected_form(client):
    data = client.get("/api/search?q=Regierungen").get_json()
    hits = {h["id"]: h for h in data["hits"]}
    assert "lang-de-1" in hits and hits["lang-de-1"]["language"] == "de"
    assert "<mark>Regierung</mark>" in hits["lang-de-1"]["snippet"] or \
        "<mark>Regierungen</mark>" in hits["lang-de-1"]["snippet"]
    lang = {f["value"]: f for f in data["facets"]["language"]}
    assert lang["de"]["label"] == "German" and lang["de"]["count"] == 1


def test_language_parameter_filters_and_round_trips(client):
    data = client.get("/api/search").get_json()
    values = {f["value"]: f["count"] for f in data["facets"]["language"]}
    assert {"en", "de", "ar", "zh"} <= set(values)
    de = client.get("/api/search?language=de").get_json()
    assert de["total"] == values["de"] and {h["language"] for h in de["hits"]} == {"de"}
    assert client.get("/api/search?q=Regierungen&language=en").get_json()["total"] == 0
    chosen = {f["value"]: f for f in de["facets"]["language"]}
    assert chosen["de"]["selected"] and "language=de" not in chosen["de"]["toggle_url"]


def test_page_shows_the_language_chip_and_facet(client):
    page = client.get("/?q=Regierungen").get_data(as_text=True)
    chips = [text_of(c) for c in inner(page, r'<a class="chip language"[^>]*>(.*?)</a>')]
    assert chips == ["German"]
    assert 'href="/?q=Regierungen&amp;language=de"' in page
    assert re.search(r'<p class="snippet" dir="auto" lang="de">', page)
    assert "Language" in page


def test_story_page_language_and_direction(client):
    page = client.get("/doc/lang-ar-1?q=الحكومات").get_data(as_text=True)
    assert re.search(r'<h1 dir="auto" lang="ar">', page)
    assert '<p dir="auto" lang="ar">' in page and "<mark>الحكومات</mark>" in page
    assert [text_of(c) for c in inner(page, r'<a class="chip language"[^>]*>(.*?)</a>')] == ["Arabic"]


def test_chinese_words_by_bigrams(client):
    data = client.get("/api/search?q=北京大学").get_json()
    assert [h["id"] for h in data["hits"]] == ["lang-zh-1"]


def test_dateline_and_country_of_the_german_story(client):
    story = client.get("/api/doc/lang-de-1").get_json()
    assert story["dateline"] == "Wien" and story["language"] == "de"
    assert {c["value"] for c in story["countries"]} >= {"AT"}
    assert "UN" in {o["value"] for o in story["organisations"]}      # "die Vereinten Nationen"
