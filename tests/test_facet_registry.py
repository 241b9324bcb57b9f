"""The facet registry (indexer/facets.py): one entry gives a facet its field, parameter, counts,
filter, chips and CLI option; the about/mention strengths; companies end to end (issue 10 item 2, 14)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer import facets
from indexer.index.build import build_index
from indexer.cli import main
from indexer.read.documents import Document
from indexer.index.prepare import prepare
from indexer.index.schema import SCHEMA
from indexer.search import Archive, QueryError, SearchRequest, parse_request

LONG = ("Markets were quiet on Monday as dealers waited for news on interest rates and trade, and volume "
        "stayed thin through the session with few orders from abroad and little news from the big banks. ")
STORIES = [
    {"id": "c1", "date": "1987-03-02", "title": "USX CORP <X> SETS PAYOUT",
     "body": "PITTSBURGH, March 2 - USX Corp said its board approved a dividend. USX said it would pay in April."},
    {"id": "c2", "date": "1987-03-03", "title": "STEEL PRICES FIRM",
     "body": "NEW YORK, March 3 - " + LONG + "Among steelmakers, USX Corp and Bethlehem Steel Corp were firm, "
             "and a report from the International Monetary Fund was noted. Brazil was not discussed."},
    {"id": "c3", "date": "1987-03-04", "title": "IMF SEES DEBT TALKS",
     "body": "WASHINGTON, March 4 - The International Monetary Fund said Brazil's debt talks would go on. "
             "The IMF said Brazil needs new money."},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    root = tmp_path_factory.mktemp("stories")
    (root / "s.jsonl").write_text("\n".join(json.dumps(s) for s in STORIES) + "\n", encoding="utf-8")
    ix = tmp_path_factory.mktemp("ix")
    build_index([root], ix, progress=False)
    return Archive(ix)


def test_every_facet_has_its_fields_in_the_schema():
    names = set(SCHEMA.names())
    for spec in facets.FACETS:
        assert {spec.field, spec.mention_field, spec.display} - {""} <= names, spec.name
    assert facets.get("org") is facets.get("organisation")


def test_prepare_writes_about_and_mention_fields():
    doc = Document(id="c2", path="c2", title=STORIES[1]["title"], date=None, body=STORIES[1]["body"])
    fields, warning = prepare(doc, "c2")
    assert warning is None
    assert "USX" in fields["company_any"].split(",") and "IMF" in fields["org_any"].split(",")
    assert "IMF" not in fields["org"].split(",")            # named once, late: a mention, not what it is about
    about = {i["value"]: i.get("about", True) for i in fields["orgs_display"]}
    assert about["IMF"] is False


def test_companies_are_a_facet_with_a_filter(archive):
    result = archive.search(SearchRequest())
    companies = {v.value: v.count for v in result.facets["company"]}
    assert companies["USX"] == 2 and companies["Bethlehem Steel"] == 1
    usx = archive.search(parse_request({"company": ["usx"]}))      # any case, as the index spells it
    assert archive.search(parse_request({"company": ["USX Corp."]})).total == usx.total == 2
    assert {h.id for h in usx.hits} == {"c1", "c2"}
    assert all("USX" in {c.value for c in h.companies} for h in usx.hits)


def test_about_and_mention_strengths(archive):
    mention = archive.search(parse_request({"org": ["International Monetary Fund"]}))
    about = archive.search(parse_request({"org": ["IMF"], "match": ["about"]}))
    assert {h.id for h in mention.hits} == {"c2", "c3"}
    assert {h.id for h in about.hits} == {"c3"}
    # a hit's chips follow the strength asked for
    c2 = archive.search(parse_request({"q": ["steelmakers"], "match": ["about"]})).hits[0]
    assert "IMF" not in {o.value for o in c2.organisations}
    c2 = archive.search(parse_request({"q": ["steelmakers"]})).hits[0]
    assert "IMF" in {o.value for o in c2.organisations}


def test_query_syntax_follows_the_strength(archive):
    assert archive.search(parse_request({"q": ["org:imf"]})).total == 2
    assert archive.search(parse_request({"q": ["org:imf"], "match": ["about"]})).total == 1
    assert archive.search(parse_request({"q": ["company:usx"]})).total == 2
    assert archive.search(parse_request({"q": ['firm:"bethlehem steel corp"']})).total == 1


def test_exclude_and_unknown_values(archive):
    assert {h.id for h in archive.search(parse_request({"not_country": ["Brazil"]})).hits} == {"c1"}
    with pytest.raises(QueryError, match="Atlantis"):
        archive.search(parse_request({"country": ["Atlantis"]}))


def test_cli_has_an_option_per_facet(archive, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["search", "--company", "USX", "--match", "about", "--json",
                               "--index-dir", str(archive.index_dir)])
    assert out.exit_code == 0, out.output
    assert {h["id"] for h in json.loads(out.output)["hits"]} == {"c1", "c2"}
    bad = runner.invoke(main, ["search", "--country", "Atlantis", "--index-dir", str(archive.index_dir)])
    assert bad.exit_code != 0 and "Atlantis" in bad.output
