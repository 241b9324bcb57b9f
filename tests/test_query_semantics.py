"""Queries mean what they say: negatives, word-less queries, hyphens, prefixes, `field:*`."""
from __future__ import annotations

import json

import pytest

from indexer.index.build import build_index
from indexer.search import Archive, parse_request
from web.app import create_app

STORIES = [
    {"id": "brazil-coffee", "date": "1987-02-26", "title": "Brazil coffee", "body": "Brazil sold coffee."},
    {"id": "brazil-sugar", "date": "1987-02-27", "title": "Sugar news", "body": "Brazil sugar output fell."},
    {"id": "offer", "date": "1987-03-01", "title": "Stock split",
     "body": "The company declared a two-for-one stock split."},
    {"id": "apart", "date": "1987-03-02", "title": "Two ministers",
     "body": "Two ministers met; one of them left early."},
    {"id": "person", "date": "1987-03-03", "title": "Personnel", "body": "A person said talks would persuade them."},
    {"id": "percent", "date": "1987-03-04", "title": "Rates", "body": "Rates rose five percent."},
    {"id": "enjoy", "date": "1987-03-05", "title": "Markets", "body": "Traders were enjoying a quiet day."},
    {"id": "empty-body", "date": "1987-03-06", "title": "Headline only", "body": ""},
]
ALL = {s["id"] for s in STORIES}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("sem")
    (root / "docs").mkdir()
    (root / "docs" / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    build_index([root / "docs"], root / "ix", progress=False, procs=1)
    return root / "ix"


@pytest.fixture(scope="module")
def archive(index_dir):
    return Archive(index_dir)


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def found(archive, q: str) -> set[str]:
    result = archive.search(parse_request({"q": [q], "per_page": ["100"], "group": ["off"]}))
    return {h.id for h in result.hits}


@pytest.mark.parametrize("q", ["-brazil", "NOT brazil", "the -brazil", "(-brazil)"])
def test_a_purely_negative_query_is_everything_except(archive, q):
    assert found(archive, q) == ALL - {"brazil-coffee", "brazil-sugar"}


def test_a_minus_inside_a_query_still_excludes(archive):
    assert found(archive, "brazil -coffee") == {"brazil-sugar"}


@pytest.mark.parametrize("q", ["the", "-", "+", "OR", '""', "date:>2000", "title:the", "AND NOT"])
def test_a_query_without_a_searchable_word_finds_nothing_and_says_so(archive, client, q):
    result = archive.search(parse_request({"q": [q]}))
    assert result.total == 0 and result.hits == []
    assert result.notice and "no word to search for" in result.notice
    api = client.get("/api/search", query_string={"q": q}).get_json()
    assert api["total"] == 0 and "no word to search for" in api["notice"]
    page = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert "no word to search for" in page
    # a feed or an export of it is not the whole archive
    feed = client.get("/feed.atom", query_string={"q": q}).get_data(as_text=True)
    assert "<entry>" not in feed
    export = client.get("/export.jsonl", query_string={"q": q})
    assert export.headers["X-Total-Count"] == "0" and export.get_data(as_text=True).strip() == ""


def test_no_query_at_all_still_lists_everything(archive):
    assert found(archive, "") == ALL


def test_hyphenated_words_are_a_phrase(archive):
    assert found(archive, "two-for-one") == {"offer"}
    assert found(archive, '"two for one"') == {"offer"}
    assert found(archive, "two one") == {"offer", "apart"}


@pytest.mark.parametrize("q, expected", [
    ("pers*", {"person"}),                 # person, persuade; not percent (stem "per…" before)
    ("perc*", {"percent"}),
    ("enjoyi*", {"enjoy"}),                # "enjoying" is indexed as the stem "enjoy"
    ("persua*", {"person"}),
    ("coff?e", {"brazil-coffee"}),         # the stem "coffe" does not match, the word "coffee" does
    ("title:pers*", {"person"}),
    ("zzz*", set()),
])
def test_prefixes_and_wildcards_match_words_as_typed(archive, q, expected):
    assert found(archive, q) == expected


def test_a_field_wildcard_respects_its_field(archive):
    assert found(archive, "body:*") == ALL - {"empty-body"}
    assert found(archive, "title:*") == ALL
