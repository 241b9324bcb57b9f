"""The source facet (issue 22): the outlet, site or agency that published a story, through the
facet registry on every surface: counts, filters by name, the query language, the CLI, the web
panel, exports and feeds."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.cli import main
from indexer.search import Archive, QueryError, parse_request
from web.app import create_app

RECORDS = [
    {"id": "r1", "date": "1987-03-01", "source": "Reuters", "title": "Coffee prices rise",
     "body": "Coffee prices rose in London on Monday."},
    {"id": "r2", "date": "1987-03-02", "source": "Reuters", "title": "Oil output cut",
     "body": "OPEC agreed to cut oil output."},
    {"id": "d1", "date": "2015-06-01", "source": "  dpa  ", "title": "Kaffee teurer",
     "body": "Der Kaffee wird in Hamburg teurer.", "language": "de"},
    {"id": "n1", "date": "1987-03-03", "title": "No source here", "body": "Coffee growers met in Bogota."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("sources")
    (base / "docs").mkdir()
    (base / "docs" / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base / "ix"


def search(index_dir, **params):
    return Archive(index_dir).search(parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()}))


def test_counts_and_filters_by_name(index_dir):
    everything = search(index_dir, group="off")
    assert {f.value: f.count for f in everything.facets["source"]} == {"Reuters": 2, "dpa": 1}
    for name in ("Reuters", "reuters", "REUTERS"):
        assert sorted(h.id for h in search(index_dir, source=name).hits) == ["r1", "r2"]
    assert sorted(h.id for h in search(index_dir, q="coffee", not_source="Reuters").hits) == ["n1"]
    assert [h.source for h in search(index_dir, source="dpa").hits] == ["dpa"]
    with pytest.raises(QueryError, match="source"):
        search(index_dir, source="Atlantis Times")


def test_the_query_language_takes_the_source(index_dir):
    assert sorted(h.id for h in search(index_dir, q="source:reuters").hits) == ["r1", "r2"]
    assert sorted(h.id for h in search(index_dir, q="coffee outlet:Reuters").hits) == ["r1"]
    assert sorted(h.id for h in search(index_dir, q="coffee -source:Reuters").hits) == ["n1"]


def test_cli_option(index_dir):
    out = CliRunner().invoke(main, ["search", "--source", "dpa", "--json", "--index-dir", str(index_dir)])
    assert out.exit_code == 0, out.output
    assert [h["id"] for h in json.loads(out.output)["hits"]] == ["d1"]


def test_panel_exports_and_feeds(index_dir):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Source" in page and "Reuters" in page and "source=Reuters" in page
    data = client.get("/api/search?source=Reuters").get_json()
    assert data["total"] == 2 and {h["source"] for h in data["hits"]} == {"Reuters"}
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=coffee&sort=oldest").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert {r["id"]: r["source"] for r in rows} == {"r1": "Reuters", "n1": ""}
    lines = client.get("/export.jsonl?source=dpa").get_data(as_text=True).splitlines()
    assert [json.loads(line)["source"] for line in lines] == ["dpa"]
    feed = client.get("/feed.atom?source=Reuters")
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("<entry>") == 2
