"""Following the news over HTTP: the Atom feed, CSV/JSON Lines export, suggestions, related stories."""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from webcorpus import HOSTILE_WORD, hostile_records
from webhtml import tags

from indexer.index.build import build_index
from web.app import create_app
from web.export import safe_cell

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_atom(body: bytes) -> ET.Element:
    """RFC 4287's must-haves: feed id/title/updated/author/self link; entry id/title/updated/link/summary."""
    feed = ET.fromstring(body)
    assert feed.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(A + name)) == 1, name
    assert RFC3339.match(feed.find(A + "updated").text)
    assert urlsplit(feed.find(A + "id").text).scheme == "http"
    rels = {link.get("rel"): link.get("href") for link in feed.findall(A + "link")}
    assert "self" in rels and "alternate" in rels
    assert feed.find(A + "author/" + A + "name").text
    ids = []
    for entry in feed.findall(A + "entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(A + name)) == 1, (name, ET.tostring(entry))
        assert RFC3339.match(entry.find(A + "updated").text)
        link = entry.find(A + "link")
        assert link.get("rel") == "alternate" and link.get("href") == entry.find(A + "id").text
        ids.append(entry.find(A + "id").text)
    assert len(ids) == len(set(ids))
    return feed


def test_feed_of_a_search_is_atom_newest_first(client):
    r = client.get("/feed.atom?q=programme&country=BR&page=2&sort=oldest")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = check_atom(r.data)
    api = client.get("/api/search?q=programme&country=BR&sort=newest&per_page=50").get_json()
    entries = feed.findall(A + "entry")
    assert len(entries) == len(api["hits"]) > 0
    assert [e.find(A + "title").text for e in entries] == [h["title"] for h in api["hits"]]
    dates = [e.find(A + "updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert "programme" in feed.find(A + "title").text and "country BR" in feed.find(A + "title").text
    story = entries[0].find(A + "id").text
    assert client.get(urlsplit(story).path).status_code == 200     # the entry links to the story page


def test_feed_of_hostile_stories_is_well_formed_text(client):
    r = client.get(f"/feed.atom?q={HOSTILE_WORD}")
    feed = check_atom(r.data)
    titles = {e.find(A + "title").text for e in feed.findall(A + "entry")}
    assert {rec["title"] for rec in hostile_records()} <= titles
    assert b"<script" not in r.data          # escaped, never markup


def test_feed_without_hits_is_still_valid(client):
    feed = check_atom(client.get("/feed.atom?q=nosuchwordanywhere").data)
    assert feed.findall(A + "entry") == []


def test_the_page_links_its_feed_and_exports(client):
    page = client.get("/?q=coffee&page=2").get_data(as_text=True)
    found = tags(page)
    alt = [a for t, a in found if t == "link" and a.get("rel") == "alternate"]
    assert alt and alt[0]["type"] == "application/atom+xml" and alt[0]["href"] == "/feed.atom?q=coffee"
    links = {a.get("href") for t, a in found if t == "a"}
    assert {"/feed.atom?q=coffee", "/export.csv?q=coffee", "/export.jsonl?q=coffee"} <= links
    assert "Follow this search" in page


def read_csv(r) -> list[dict]:
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_has_every_hit_in_order(client):
    api = client.get("/api/search?q=programme&sort=newest").get_json()
    r = client.get("/export.csv?q=programme&sort=newest&page=3&per_page=1")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = read_csv(r)
    assert len(rows) == api["total"] == int(r.headers["X-Total-Count"]) > 10
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert rows[0]["id"] == api["hits"][0]["id"] and rows[0]["title"] == api["hits"][0]["title"]
    assert urlsplit(rows[0]["url"]).path == api["hits"][0]["doc_url"].split("?")[0].replace("/api/doc/", "/doc/")
    lines = client.get("/export.jsonl?q=programme&sort=newest").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [row["id"] for row in rows]
    assert set(records[0]) == {"id", "date", "title", "dateline", "organisations", "companies", "countries", "url",
                               "source_url", "language", "source", "people"}     # companies: issue 14; language, source, people: 22


def test_export_refuses_what_the_search_refuses(client):
    assert client.get("/export.csv?sort=sideways").status_code == 400
    assert client.get("/export.jsonl?from=yesterday").status_code == 400


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("  =1", "'  =1"), ("\uff1d1", "'\uff1d1"),
    ("Coffee = up", "Coffee = up"), ("", ""), (None, ""), ("1987-02-26", "1987-02-26"),
])
def test_csv_cells_never_start_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_exported_csv_defuses_formulas(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    evil = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]
    with open(docs / "f.jsonl", "w") as f:
        for n, t in enumerate(evil):
            f.write(json.dumps({"id": t, "date": "2020-01-0%d" % (n + 1), "title": t,
                                "body": f"{t} spreadsheet story {n}."}) + "\n")
    build_index([docs], tmp_path / "ix", progress=False, procs=1)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    rows = read_csv(client.get("/export.csv?q=spreadsheet"))
    assert len(rows) == 4
    for row in rows:
        for key in ("id", "title"):
            assert row[key][0] == "'" and row[key][1:] in evil


def test_suggestions_complete_words_and_facet_values(client):
    data = client.get("/api/suggest?q=vacc").get_json()
    words = [s for s in data["suggestions"] if s["kind"] == "word"]
    assert words and words[0]["text"].startswith("vacc") and words[0]["url"].startswith("/?q=vacc")
    data = client.get("/api/suggest?q=coffee+bra").get_json()
    kinds = {(s["kind"], s.get("value")) for s in data["suggestions"]}
    assert ("country", "BR") in kinds
    brazil = next(s for s in data["suggestions"] if s.get("value") == "BR")
    assert brazil["q"] == "coffee" and brazil["param"] == "country" and brazil["url"] == "/?q=coffee&country=BR"
    assert client.get(brazil["url"]).status_code == 200


@pytest.mark.parametrize("q", ["", "a", "coffee ", "%%%", HOSTILE_WORD[:0] + "<scr"])
def test_suggestions_for_little_or_odd_input(client, q):
    r = client.get("/api/suggest", query_string={"q": q})
    assert r.status_code == 200 and isinstance(r.get_json()["suggestions"], list)


def test_suggestions_refuse_a_bad_limit(client):
    assert client.get("/api/suggest?q=co&limit=x").status_code == 400
    assert client.get("/api/suggest", query_string={"q": "x" * 1001}).status_code == 400


def test_story_has_related_stories_with_dates(client):
    doc = client.get("/api/doc/story-001").get_json()
    assert doc["similar"] and all(s["id"] != "story-001" for s in doc["similar"])
    assert all(_dt.date.fromisoformat(s["date"]) for s in doc["similar"] if s["date"])
    page = client.get("/doc/story-001").get_data(as_text=True)
    assert "Related stories" in page and doc["similar"][0]["title"] in page


def test_search_result_says_what_it_counts(client):
    data = client.get("/api/search?q=programme").get_json()
    assert data["facet_counts"] == "stories" and data["groups"] <= data["total"]
    assert all("versions_count" in h and "versions" in h for h in data["hits"])
    assert client.get("/api/search?group=maybe").status_code == 400
