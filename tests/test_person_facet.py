"""The person facet (issue 22) on every surface: counts, filters by name in any case, the about/mention
split, the query language, the CLI, the web panel, hit and story chips, the JSON API, exports (the
column appended last) and feeds; an index written before the facet is rebuilt."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.index.build import _schema_changed, build_index
from indexer.cli import main
from indexer.search import Archive, QueryError, parse_request
from web.app import create_app

LONG = ("Markets were quiet on Monday as dealers waited for news on interest rates and trade, and volume "
        "stayed thin through the session with few orders from abroad and little news from the big banks. ")
RECORDS = [
    {"id": "b1", "date": "1987-03-02", "title": "BAKER SAYS DOLLAR FALL ORDERLY",
     "body": "WASHINGTON, March 2 - Treasury Secretary James Baker said the dollar's fall had been orderly. "
             "Baker told reporters that talks would go on."},
    {"id": "b2", "date": "1987-03-03", "title": "DOLLAR EASES IN QUIET TRADE",
     "body": "NEW YORK, March 3 - " + LONG + LONG + "Late in the day dealers recalled that James Baker had "
             "spoken of stability last week, without naming a level."},
    {"id": "v1", "date": "1987-03-04", "title": "VOLCKER WARNS ON DEFICIT",
     "body": "WASHINGTON, March 4 - Federal Reserve Board Chairman Paul Volcker warned that the deficit "
             "was too large. Mr. Volcker said the dollar had fallen enough."},
    {"id": "n1", "date": "1987-03-05", "title": "COFFEE PRICES FIRM",
     "body": "LONDON, March 5 - Coffee prices were firm in London as Brazil weighed its export quota."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("people")
    (base / "docs").mkdir()
    (base / "docs" / "p.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base / "ix"


def search(index_dir, **params):
    return Archive(index_dir).search(parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()}))


def test_counts_filters_and_strengths(index_dir):
    people = {f.value: f.count for f in search(index_dir, group="off").facets["person"]}
    assert people == {"James Baker": 2, "Paul Volcker": 1}
    for name in ("James Baker", "james baker", "JAMES BAKER"):
        assert sorted(h.id for h in search(index_dir, person=name).hits) == ["b1", "b2"]
    # b2 names him once, late in a long story: a mention, not what it is about
    assert [h.id for h in search(index_dir, person="James Baker", match="about").hits] == ["b1"]
    assert sorted(h.id for h in search(index_dir, q="dollar", not_person="James Baker").hits) == ["v1"]
    with pytest.raises(QueryError, match="person"):
        search(index_dir, person="Atlantis Smith")


def test_hit_chips_follow_the_strength(index_dir):
    b2 = search(index_dir, q="stability").hits[0]
    assert [p.value for p in b2.people] == ["James Baker"]
    assert search(index_dir, q="stability", match="about").hits[0].people == []


def test_the_query_language_takes_a_person(index_dir):
    assert sorted(h.id for h in search(index_dir, q='person:"James Baker"').hits) == ["b1", "b2"]
    assert [h.id for h in search(index_dir, q='people:"paul volcker"').hits] == ["v1"]
    assert sorted(h.id for h in search(index_dir, q='dollar -person:"Paul Volcker"').hits) == ["b1", "b2"]


def test_cli_option_and_tags(index_dir):
    out = CliRunner().invoke(main, ["search", "--person", "Paul Volcker", "--json", "--index-dir", str(index_dir)])
    assert out.exit_code == 0, out.output
    assert [h["id"] for h in json.loads(out.output)["hits"]] == ["v1"]
    out = CliRunner().invoke(main, ["search", "deficit", "--index-dir", str(index_dir)])
    assert out.exit_code == 0 and "Paul Volcker" in out.output


def test_panel_story_api_exports_and_feeds(index_dir):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Person" in page and "person=James+Baker" in page
    hits = client.get("/?q=deficit").get_data(as_text=True)
    assert 'class="chip person"' in hits and "Paul Volcker" in hits
    story = client.get("/doc/v1").get_data(as_text=True)
    assert "People" in story and "Paul Volcker" in story
    data = client.get("/api/search?person=James%20Baker").get_json()
    assert data["total"] == 2 and all(h["people"][0]["value"] == "James Baker" for h in data["hits"])
    assert [v["value"] for v in data["facets"]["person"]][:1] == ["James Baker"]
    text = client.get("/export.csv?q=dollar&sort=oldest").get_data(as_text=True).lstrip("\ufeff")
    header = text.splitlines()[0].split(",")
    assert header[-1] == "people" and header[:-1] == ["id", "date", "title", "dateline", "organisations", "companies",
                                                      "countries", "url", "source_url", "language", "source"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["id"]: r["people"] for r in rows} == {"b1": "James Baker", "b2": "James Baker", "v1": "Paul Volcker"}
    lines = client.get("/export.jsonl?person=Paul%20Volcker").get_data(as_text=True).splitlines()
    assert [json.loads(line)["people"] for line in lines] == [["Paul Volcker"]]
    assert list(json.loads(lines[0]))[-1] == "people"
    feed = client.get("/feed.atom?person=James%20Baker").get_data(as_text=True)
    assert feed.count("<entry>") == 2 and 'term="James Baker"' in feed


def test_an_index_without_the_facet_is_rebuilt(index_dir, tmp_path):
    assert not _schema_changed(index_dir / "current")
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema
    old = tmp_path / "old"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(id=ID(stored=True), body=ID))
    assert _schema_changed(old)
