"""A facet registered once is on every surface (issue 19, item 2).

A synthetic "topic" facet, found from a word list (about: the word is in the headline; mentioned:
anywhere in the story), with kinds (soft commodities, energy), is registered through the public
registry API (`FACETS.register`) for this module only, an archive is built with it, and every
surface is checked: the schema, the URL parameters (the value, `not_`, `find_`, `sort_`, `kind_`),
filters, counts (per strength of tagging and per kind), the panel, the hits (HTML and JSON), the
story page (HTML and JSON), the query language, the CLI, the exports and the feed. No module of
NewsFacet names it: a surface that reads a list of its own instead of the registry fails here.
After the module the facet is unregistered and is gone from every surface again.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.facets import FACETS, KindedFacet, facet_value, merge_values
from indexer.index.build import build_index
from indexer.index.schema import current_schema
from indexer.search import Archive, parse_request
from web.app import create_app

TOPICS = {"coffee": ("Coffee", "soft"), "cocoa": ("Cocoa", "soft"), "crude": ("Crude oil", "energy")}


def _topics(doc, ents) -> list[dict]:
    def found(text: str) -> list[str]:
        words = set(re.findall(r"\w+", (text or "").lower()))
        return [w for w in TOPICS if w in words]
    return merge_values(found(doc.title), found(f"{doc.title} {doc.body}"), lambda w: w,
                        lambda w, about: facet_value(w, TOPICS[w][0], kind=TOPICS[w][1], about=about))


TOPIC = KindedFacet("topic", "topic", "Topic", "topics_display", _topics, plural="topics",
                    query_aliases=("theme",), cli_help="Only stories on this topic (repeatable: OR).",
                    kinds=(("", "All"), ("soft", "Soft commodities"), ("energy", "Energy")))

RECORDS = [
    {"id": "a", "date": "1987-03-01", "title": "Coffee prices rise", "body": "Traders also watched cocoa."},
    {"id": "b", "date": "1987-03-02", "title": "Crude output cut", "body": "OPEC agreed to cut output; coffee fell."},
    {"id": "c", "date": "1987-03-03", "title": "Cocoa harvest late", "body": "Rain delayed the harvest in Ghana."},
    {"id": "d", "date": "1987-03-04", "title": "Steel mills idle", "body": "No commodity of the list here."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    FACETS.register(TOPIC)
    try:
        base = tmp_path_factory.mktemp("topics")
        (base / "docs").mkdir()
        (base / "docs" / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
        build_index([base / "docs"], base / "ix", progress=False, procs=1)
        yield base / "ix"
    finally:
        FACETS.unregister("topic")


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def search(index_dir, **params):
    return Archive(index_dir).search(parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()}))


def ids(result) -> list[str]:
    return sorted(h.title.split()[0].lower() for h in result.hits)


def test_schema_and_parameters(index_dir):
    assert {"topic", "topic_any", "topic_kind", "topic_kind_any", "topics_display"} <= set(current_schema().names())
    req = parse_request({"topic": ["coffee"], "not_topic": ["crude"], "find_topic": ["co"], "sort_topic": ["name"],
                         "kind_topic": ["soft"]})
    assert req.filters["topic"] == ("coffee",) and req.exclude["topic"] == ("crude",)
    assert req.facet_find["topic"] == "co" and req.facet_sort["topic"] == "name" and req.kinds == {"topic": "soft"}
    from web import urls
    assert {"topic", "not_topic", "find_topic", "sort_topic", "kind_topic"} <= set(urls.SEARCH_PARAMS)


def test_filters_and_counts(index_dir):
    assert ids(search(index_dir, topic="coffee")) == ["coffee", "crude"]
    assert ids(search(index_dir, topic="coffee", match="about")) == ["coffee"]
    assert ids(search(index_dir, not_topic="coffee")) == ["cocoa", "steel"]
    assert ids(search(index_dir, q="topic:cocoa")) == ["cocoa", "coffee"]
    assert ids(search(index_dir, q="theme:crude")) == ["crude"]
    counts = {f.value: (f.label, f.count) for f in search(index_dir).facets["topic"]}
    assert counts == {"coffee": ("Coffee", 2), "cocoa": ("Cocoa", 2), "crude": ("Crude oil", 1)}
    about = {f.value: f.count for f in search(index_dir, match="about").facets["topic"]}
    assert about == {"coffee": 1, "cocoa": 1, "crude": 1}
    energy = search(index_dir, kind_topic="energy").facets["topic"]
    assert [(f.value, f.kind) for f in energy] == [("crude", "energy")]


def test_hits_and_story_records(index_dir):
    hit = search(index_dir, topic="crude").hits[0]
    assert [(r.value, r.label) for r in hit.topics] == [("crude", "Crude oil"), ("coffee", "Coffee")]
    assert search(index_dir, topic="crude", match="about").hits[0].topics[0].value == "crude"
    assert [r.value for r in search(index_dir, topic="crude", match="about").hits[0].topics] == ["crude"]
    story = Archive(index_dir).story(hit.id)
    assert [r.label for r in story.topics] == ["Crude oil", "Coffee"]
    assert story.to_dict()["topics"] == [{"value": "crude", "label": "Crude oil"}, {"value": "coffee", "label": "Coffee"}]


def test_panel_and_hits_on_the_page(client):
    page = client.get("/?topic=cocoa").get_data(as_text=True)
    assert 'id="facet-topic"' in page and ">Topic</h3>" in page
    assert "Topic: Cocoa" in page                                    # the filter in force
    assert "not_topic=coffee" in page and "topic=coffee" in page      # exclude and toggle links
    assert 'class="chip topic"' in page and ">Crude oil<" not in page.split('id="results"')[1].split("</ol>")[0]
    assert re.search(r'<a class="chip topic" href="[^"]*topic=cocoa[^"]*"[^>]*>Cocoa</a>', page)
    assert "Soft commodities" in page and "kind_topic=energy" in page      # the facet's kinds
    narrowed = client.get("/?kind_topic=energy").get_data(as_text=True)
    assert '<strong aria-current="true">Energy</strong>' in narrowed


def test_api_hits_and_story(client):
    data = client.get("/api/search?topic=crude").get_json()
    assert "topic=crude" not in data["facets"]["topic"][0]["toggle_url"]        # the selected value: a toggle off
    chips = data["hits"][0]["topics"]
    assert [(c["value"], c["label"]) for c in chips] == [("crude", "Crude oil"), ("coffee", "Coffee")]
    assert all("topic=" + c["value"] in c["filter_url"] for c in chips)
    assert {k["value"] for k in data["topic_kinds"]} == {"", "soft", "energy"}
    doc_id = data["hits"][0]["id"]
    assert [c["label"] for c in client.get(f"/api/doc/{doc_id}").get_json()["topics"]] == ["Crude oil", "Coffee"]
    page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert "<h2>Topics</h2>" in page and re.search(r'<a class="chip topic" href="/\?topic=crude">Crude oil</a>', page)


def test_cli(index_dir):
    out = CliRunner().invoke(main, ["search", "--topic", "cocoa", "--json", "--index-dir", str(index_dir)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert sorted(h["title"] for h in result["hits"]) == ["Cocoa harvest late", "Coffee prices rise"]
    assert all("topics" in h for h in result["hits"]) and "topic" in result["facets"]
    text = CliRunner().invoke(main, ["search", "--topic", "crude", "--index-dir", str(index_dir)])
    assert text.exit_code == 0 and "Crude oil, Coffee" in text.output
    assert "--topic" in CliRunner().invoke(main, ["search", "--help"]).output


def test_exports_and_feed(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?topic=coffee&sort=oldest").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert [r["topics"] for r in rows] == ["Coffee; Cocoa", "Crude oil; Coffee"]
    assert list(rows[0])[-1] == "topics"                      # a new facet's column goes last
    lines = client.get("/export.jsonl?topic=crude").get_data(as_text=True).splitlines()
    assert [json.loads(line)["topics"] for line in lines] == [["Crude oil", "Coffee"]]
    feed = client.get("/feed.atom?topic=crude").get_data(as_text=True)
    assert "(topic crude)" in feed and 'term="crude"' in feed and 'label="Crude oil"' in feed


def test_register_and_unregister_round_trip():
    """Registering changes the derived surfaces, unregistering restores them exactly."""
    from web import export, urls
    before = (urls.SEARCH_PARAMS, export.COLUMNS, current_schema().names())
    extra = KindedFacet("sector", "sector", "Sector", "sectors_display", lambda doc, ents: [], plural="sectors")
    FACETS.register(extra)
    try:
        assert "sector" in urls.SEARCH_PARAMS and "kind_sector" in urls.SEARCH_PARAMS
        assert export.COLUMNS[-1] == "sectors" and "sectors_display" in current_schema().names()
        with pytest.raises(ValueError):
            FACETS.register(extra)
    finally:
        FACETS.unregister("sector")
    assert (urls.SEARCH_PARAMS, export.COLUMNS, current_schema().names()) == before
