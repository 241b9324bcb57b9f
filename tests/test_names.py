"""Issue 18.2 and 18.3: names resolve the same on every archive, from a table written with the index.

An English archive used to refuse `country=UK` (400) and find nothing for `org:EEC`, while a
mixed-language one resolved both, because only the latter loaded the gazetteers. The indexer
now writes a name table into the generation (`names-<commit>.tsv`), and a serving process
resolves every name from it without loading a gazetteer. A value NewsFacet knows that no
story holds (`country=UA`) is a filter finding 0 stories; only text naming nothing is refused.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.index import names, nametable
from indexer.index.build import build_index
from indexer.cli import main
from indexer.search import Archive, QueryError, parse_request
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = [
    {"id": "uk1", "title": "Britain and the EEC", "date": "1987-03-03",
     "body": "LONDON, March 3 - Britain said on Tuesday the European Community (EC) must cut farm subsidies, "
             "and the United States agreed."},
    {"id": "ec2", "title": "Dutch butter", "date": "1987-03-05",
     "body": "THE HAGUE, March 5 - Dutch butter consumption rose, the European Community's (EC) figures showed. "
             "The Netherlands said prices fell."},
    {"id": "de3", "title": "West German bonds", "date": "1987-03-04",
     "body": "FRANKFURT, March 4 - West German bond prices rose as the Bundesbank held rates; the Soviet Union "
             "bought grain."},
    {"id": "at4", "title": "Austrian trade", "date": "1987-03-06",
     "body": "VIENNA, March 6 - Austria said its trade with the United States grew in February."},
]
GERMAN = {"id": "de5", "title": "Österreich und die Europäische Union", "date": "1987-03-07", "language": "de",
          "body": "WIEN, 7. März - Die Regierung in Österreich sprach mit der Europäischen Gemeinschaft über den "
                  "Handel mit Großbritannien. Die Verhandlungen dauern an, teilte das Ministerium mit."}


def _build(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True)
    src = folder / "stories.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build_index([src], folder / "ix", progress=False, procs=1)
    return folder / "ix"


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("names") / "en", ENGLISH)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("names") / "mixed", ENGLISH + [GERMAN])


def _total(index: Path, **params) -> int:
    archive = Archive(index)
    try:
        return archive.search(parse_request({k: [v] for k, v in params.items()})).total
    finally:
        archive.close()


FILTERS = [("country", "UK", "GB"), ("country", "Britain", "GB"), ("country", "USA", "US"),
           ("country", "West Germany", "DE"), ("country", "USSR", "SUHH"), ("org", "EEC", "EU"),
           ("org", "European Community", "EU"), ("country", "united kingdom", "GB")]
QUERIES = [("country:UK", "country:GB"), ('country:"U.S."', "country:US"), ("org:EEC", "org:EU"),
           ("country:Österreich", "country:AT"), ("org:EC", "org:EU"), ("agency:eec", "org:EU")]


@pytest.mark.parametrize("archive_name", ["english", "mixed"])
def test_names_journalists_type_resolve_on_every_archive(archive_name, request):
    index = request.getfixturevalue(archive_name)
    for param, name, code in FILTERS:
        expected = _total(index, **{param: code})
        assert expected > 0, (param, code)
        assert _total(index, **{param: name}) == expected, (archive_name, param, name)
    for query, by_code in QUERIES:
        expected = _total(index, q=by_code)
        assert expected > 0, by_code
        assert _total(index, q=query) == expected, (archive_name, query)


STRAY_EC = {"id": "in9", "title": "Indian poll date", "date": "1987-03-08",
            "body": "NEW DELHI, March 8 - The Election Commission (EC) of the state said the poll would be held "
                    "in May, officials said."}


@pytest.fixture(scope="module")
def stray(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("names") / "stray", ENGLISH + [STRAY_EC])


def test_a_known_bodys_name_wins_over_a_stray_value_spelt_the_same(stray):
    # a body a story defines as "(EC)" is a value "EC" of its own; `org:EC` is the European Union,
    # as a journalist means it, not that stray value
    client = create_app({"INDEX_DIR": str(stray), "TESTING": True}).test_client()
    orgs = {fv["value"]: fv["count"] for fv in client.get("/api/search").get_json()["facets"]["organisation"]}
    assert orgs.get("EC") == 1 and orgs["EU"] == 2
    hits = {h["id"] for h in client.get("/api/search", query_string={"q": "org:EC"}).get_json()["hits"]}
    assert hits == {"uk1", "ec2"}
    # the facet list's own value sent back as the parameter still selects that value (its link)
    assert client.get("/api/search", query_string={"org": "EC"}).get_json()["total"] == 1


def test_the_index_holds_its_name_table_and_a_worker_loads_no_gazetteer(english, tmp_path):
    gen = (english / "current").resolve()
    tables = sorted(p.name for p in gen.glob("names-*.tsv"))
    assert len(tables) == 1
    lines = (gen / tables[0]).read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines, key=lambda s: s.encode("utf-8"))
    assert "n\tcountry\tosterreich\tÖsterreich\tAT" in lines
    script = textwrap.dedent(f"""
        import json, sys
        from indexer.extract import gazetteer, places
        from indexer.search import Archive, parse_request
        archive = Archive({str(english)!r})
        totals = [archive.search(parse_request(p)).total for p in (
            {{"country": ["UK"]}}, {{"org": ["European Community"]}}, {{"q": ["country:Österreich org:EEC"]}},
            {{"country": ["UA"]}}, {{"region": ["Oceania"]}})]
        try:
            archive.search(parse_request({{"country": ["Atlantis"]}}))
        except Exception as exc:
            totals.append(type(exc).__name__)
        print(json.dumps({{"totals": totals, "gazetteers": gazetteer._gazetteer.cache_info().currsize,
                          "places": places._places.cache_info().currsize,
                          "pycountry": "pycountry" in sys.modules}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"totals": [1, 2, 0, 0, 0, "QueryError"], "gazetteers": 0, "places": 0, "pycountry": False}


def test_an_incremental_run_writes_the_table_of_its_commit(tmp_path):
    index = _build(tmp_path / "inc", ENGLISH[:1])
    src = tmp_path / "inc" / "more.jsonl"
    src.write_text(json.dumps({"id": "w1", "title": "Water", "date": "1987-03-09",
                               "body": "GENEVA, March 9 - The Lake Fishery Council (LFC) met on Monday."}) + "\n")
    build_index([tmp_path / "inc"], index, progress=False, procs=1)
    gen = (index / "current").resolve()
    tables = list(gen.glob("names-*.tsv"))
    assert len(tables) == 1                                # the older commit's table is gone
    lines = tables[0].read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# known {names.fingerprint()}"      # the known names reused, not rebuilt
    assert "h\torg\tlake fishery council\tLake Fishery Council\tLFC" in lines
    archive = Archive(index)
    live = archive.current_generation()
    assert live.names.path.name == nametable.filename(live.searcher.reader().generation())
    assert not live.names.pending
    # a body learnt from the new story is found by its long name, in any case
    assert archive.search(parse_request({"org": ["lake fishery COUNCIL"]})).total == 1
    archive.close()


@pytest.mark.parametrize("param, value", [("country", "UA"), ("country", "Ukraine"), ("language", "de"),
                                          ("region", "Oceania"), ("org", "OECD"), ("not_country", "UA")])
def test_a_known_value_no_story_holds_is_a_filter_finding_nothing(english, param, value):
    client = create_app({"INDEX_DIR": str(english), "TESTING": True}).test_client()
    r = client.get("/api/search", query_string={param: value})
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["total"] == (0 if not param.startswith("not_") else len(ENGLISH))
    assert data["filters"] and all(f["label"] for f in data["filters"])
    if (param, value) == ("country", "Ukraine"):
        assert [(f["value"], f["label"]) for f in data["filters"]] == [("UA", "Ukraine")]
        assert data["facets"]["country"][0] == {**data["facets"]["country"][0], "value": "UA", "count": 0,
                                                "selected": True}
    assert client.get("/", query_string={param: value}).status_code == 200


def test_a_watch_feed_of_a_country_with_no_story_yet_is_a_valid_empty_feed(english):
    client = create_app({"INDEX_DIR": str(english), "TESTING": True}).test_client()
    r = client.get("/feed.atom", query_string={"q": "chernobyl", "country": "UA"})
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = ET.fromstring(r.data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == atom + "feed" and feed.find(atom + "entry") is None


def test_text_naming_nothing_is_refused_with_the_nearest_names(english):
    client = create_app({"INDEX_DIR": str(english), "TESTING": True}).test_client()
    r = client.get("/api/search", query_string={"country": "Brazl"})
    assert r.status_code == 400 and r.get_json()["param"] == "country"
    assert "'Brazl'" in r.get_json()["error"] and "did you mean" in r.get_json()["error"]
    assert "'Brazil'" in r.get_json()["error"]
    with pytest.raises(QueryError, match="Atlantis"):
        archive = Archive(english)
        try:
            archive.search(parse_request({"country": ["Atlantis"]}))
        finally:
            archive.close()


def test_the_cli_resolves_the_same(english):
    runner = CliRunner()
    for args, total in ((["--country", "Ukraine"], 0), (["--country", "UK"], 1), (["--org", "EEC"], 2)):
        out = runner.invoke(main, ["search", *args, "--json", "--index-dir", str(english)])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["total"] == total, args
    bad = runner.invoke(main, ["search", "--country", "Atlantis", "--index-dir", str(english)])
    assert bad.exit_code == 2 and "Atlantis" in bad.output


def test_name_table_lookups():
    table = nametable.NameTable.from_lines([
        nametable.name_line("country", "United Kingdom", ["GB"]), nametable.name_line("country", "UK", ["GB"]),
        nametable.name_line("country", "Österreich", ["AT"]), nametable.name_line("countryx", "UK", ["ZZ"]),
        nametable.name_line("region", "Oceania", ["Melanesia", "Polynesia"]),
        nametable.value_line("country", "GB", "United Kingdom", "", ""),
        nametable.name_line("language", "German", ["de"])])
    assert table.values("country", "uk") == ["GB"] and table.values("country", "  united   KINGDOM ") == ["GB"]
    assert table.values("country", "OSTERREICH") == ["AT"] and table.values("country", "U") is None
    assert table.values("countryx", "uk") == ["ZZ"] and table.values("country", "") is None
    assert table.values("region", "oceania") == ["Melanesia", "Polynesia"]
    assert table.values("language", "german") == ["de"]
    assert table.describe("country", "GB") == ("United Kingdom", "", "") and table.describe("country", "AT") is None
    assert table.nearest("country", "Untied Kingdom") == ["United Kingdom"]
    # every line findable, the first and the last included
    for line in table._data.decode("utf-8").splitlines():
        kind, param, key, *_ = line.split("\t")
        if kind == "n":
            assert table.values(param, key) is not None


def test_a_table_older_than_the_commit_is_pending(tmp_path):
    (tmp_path / nametable.filename(3)).write_text(nametable.name_line("country", "UK", ["GB"]) + "\n")
    old = nametable.NameTable.open(tmp_path, 4)
    assert old.pending and old.values("country", "UK") == ["GB"]
    assert not old.current_written(tmp_path, 4)
    (tmp_path / nametable.filename(4)).write_text("")
    assert old.current_written(tmp_path, 4)
    assert not nametable.NameTable.open(tmp_path, 4).pending
    assert nametable.NameTable.open(tmp_path, 2) is None


def test_a_query_field_naming_nothing_says_so(english):
    client = create_app({"INDEX_DIR": str(english), "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": "butter country:Brazl"}).get_json()
    assert data["total"] == 0
    assert "no country 'Brazl' is known" in data["notice"] and "'Brazil'" in data["notice"]
    assert client.get("/api/search", query_string={"q": "butter country:NL"}).get_json()["notice"] is None


def test_an_index_written_before_name_tables_still_resolves_names(tmp_path, caplog):
    index = _build(tmp_path / "old", ENGLISH[:1])
    for table in (index / "current").resolve().glob("names-*.tsv"):
        table.unlink()
    archive = Archive(index)
    try:
        assert archive.search(parse_request({"country": ["UK"]})).total == 1
    finally:
        archive.close()
    assert "no name table" in caplog.text
    build_index([tmp_path / "old"], index, progress=False, procs=1)      # the next run writes it
    assert list((index / "current").resolve().glob("names-*.tsv"))
