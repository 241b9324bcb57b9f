"""NewsFacet's parsed queries and filters in Solr syntax: every term literal, nothing passed raw.

Unit tests of the translation (no cluster needed); the differential tests check it on Solr.
"""
from __future__ import annotations

import datetime as dt

from whoosh import query as wq

from indexer.query.expansion import Expansion
from indexer.query.request import SearchRequest
from indexer.query.solrgeneration import fold_twins
from indexer.query.solrquery import NOTHING, escape, facet_request, filters, to_solr
from indexer.query.solrsearch import _fold_buckets


def test_terms_are_literal():
    assert escape("u.s") == "u.s"
    assert escape("World Bank") == r"World\ Bank"
    assert escape('a"b:c(d)*?~^{}[]!/\\') == r'a\"b\:c\(d\)\*\?\~\^\{\}\[\]\!\/\\'
    assert escape("NOT") == r"\NOT" and escape("OR") == r"\OR" and escape("not") == "not"


def test_tree():
    q = wq.And([wq.Or([wq.Term("title", "oil"), wq.Term("body", "oil")]),
                wq.Not(wq.Term("body", "opec")), wq.Phrase("body", ["crude", "oil"])])
    assert to_solr(q) == ('(+(title_f:oil body_t:oil) +(*:* -body_t:opec) '
                          '+(+body_t:"crude oil"^=0 body_t:crude body_t:oil))')
    assert to_solr(wq.AndNot(wq.Term("body", "bank"), wq.Term("country_any", "BR"))) == \
        "(+body_t:bank -country_any:BR^=1)"
    assert to_solr(Expansion([], "zzq*", "body")) == NOTHING          # a pattern standing for no word
    assert to_solr(wq.Every("title")) == "title_t:[* TO *]^=1"
    assert to_solr(wq.Term("body", "oil"), {("body", "oil"): 1.5}) == "body_t:oil^1.5"
    assert to_solr(None) == "*:*"


def test_filters_are_tagged_and_facets_leave_their_own_out():
    req = SearchRequest(filters={"country": ["BR", "US"], "org": []}, exclude={"org": ["World Bank"]},
                        date_from=dt.date(1987, 3, 1), date_to=dt.date(1987, 3, 31))
    fq = filters(req)
    assert "{!lucene tag=country q.op=OR}+(country_any:BR country_any:US)" in fq
    assert r"{!lucene tag=org q.op=OR}+*:* -(org_any:World\ Bank)" in fq
    assert "{!lucene tag=date}date:[1987-03-01T00:00:00Z TO 1987-03-31T23:59:59Z]" in fq
    facets = facet_request(req, 50)
    assert facets["country"]["domain"] == {"excludeTags": "country"}
    assert facets["country"]["field"] == "country_any" and facets["country"]["limit"] == -1
    assert facets["country__0"]["q"] == "(country_any:BR)"
    about = facet_request(SearchRequest(match="about"), 50)
    assert about["org"]["field"] == "org"


def test_case_twins_are_one_value():
    """`BankAmerica` (25 stories) and `Bankamerica` (1) are one facet value, shown in the commonest
    spelling, as Whoosh's tables fold them (derivedmerge.fold_case_twins); the index keeps both
    spellings, so a filter on the value asks for either and its count is one query over both."""
    twins = fold_twins([("BankAmerica", 25), ("Bankamerica", 1), ("USX", 3)])
    assert twins == {"BankAmerica": ["BankAmerica", "Bankamerica"], "USX": ["USX"]}
    req = SearchRequest(filters={"company": ["BankAmerica"]})
    fq = filters(req, lambda field: twins)
    assert "{!lucene tag=company q.op=OR}+(company_any:BankAmerica company_any:Bankamerica)" in fq
    facets = facet_request(req, 50, lambda field: twins)
    assert facets["company__0"]["q"] == "(company_any:BankAmerica company_any:Bankamerica)"
    assert facets["company__t0"]["q"] == "(company_any:BankAmerica company_any:Bankamerica)"
    got = {"company": {"buckets": [{"val": "USX", "count": 3}, {"val": "BankAmerica", "count": 2},
                                   {"val": "Bankamerica", "count": 2}]},
           "company__t0": {"count": 3}}          # one story holds both spellings: 3 stories, not 4
    assert _fold_buckets(got, "company", twins) == [{"val": "BankAmerica", "count": 3}, {"val": "USX", "count": 3}]


def test_language_forms_score_nothing():
    """Each form of a word finds only its language's stories (multilingual.py): the language is a
    required clause of zero weight, written so Lucene's parser takes its boost (no `^0^0`)."""
    q = wq.Require(wq.Term("body", "regier"), wq.Term("language", "de", boost=0.0))
    assert to_solr(q) == "(+body_t:regier +(language:de^=0)^0)"


def test_values_score_as_on_whoosh():
    """A facet value in the query scores its boost, as Whoosh scores an unscored field's posting
    (weight 1): Lucene's idf would put the stories of a rarer person or country first."""
    q = wq.Or([wq.Term("person", "James Baker"), wq.Term("person_any", "Reagan", boost=2.0)])
    assert to_solr(q) == r"(person:James\ Baker^=1 person_any:Reagan^=2)"


def test_engine_name_table():
    """The Solr engine's name table (no generation folder to write one in): the known names and the
    collection's own values, so `country=BR`, `country=Brasil` and a body learnt from a story
    resolve as on Whoosh, and either spelling of a case twin means both."""
    from indexer.index.names import engine_table
    table = engine_table([("country", "BR", ["Brazil"]), ("company", "BankAmerica", []),
                          ("company", "Bankamerica", []), ("org", "UNODC", ["UNODC", "UN Office on Drugs"])])
    assert table.values("country", "BR") == ["BR"] and table.values("country", "Brasil") == ["BR"]
    assert table.values("company", "bankamerica") == ["BankAmerica", "Bankamerica"]
    assert table.values("org", "UN Office on Drugs") == ["UNODC"]
    assert table.values("org", "World Bank")            # known without any story holding it
    assert table.values("country", "Atlantis") is None


def test_schema_declares_every_facet_field():
    """Solr refuses a document with a field its schema does not declare (no guessing here): every
    field a facet is indexed under (about, mention, kinds, display) has a field or dynamic field
    in the configset, so a facet added to the registry (the person facet, issue 22) is sent whole.
    The schema uploaded is generated from the registry (engines/solr/schema.py; test_schema.py)."""
    import fnmatch
    import xml.etree.ElementTree as ET

    from indexer.engines.solr.schema import schema_xml
    from indexer.facets import FACETS
    root = ET.fromstring(schema_xml())
    fields = {f.get("name") for f in root.iter("field")}
    dynamic = [f.get("name") for f in root.iter("dynamicField")]
    for spec in FACETS:
        for name in filter(None, (spec.field, spec.mention_field, spec.kind_field_for("about"),
                                  spec.kind_field_for("mention"), spec.display)):
            assert name in fields or any(fnmatch.fnmatchcase(name, d) for d in dynamic), (spec.name, name)
    assert "person" in fields


def test_pattern_of_many_words_is_a_constant_score_regexp():
    """A pattern past the scored words (expansion.PatternDocs) is Lucene's constant-score rewrite
    over the typed field: fnmatch's meaning in Lucene's RegExp syntax, everything but ASCII
    letters and digits escaped (the differential tests run them on Solr against Whoosh)."""
    from indexer.query.expansion import PatternDocs
    from indexer.query.solrtyped import regexp
    assert to_solr(PatternDocs("body_typed", "*ing", None)) == "body_typed:/.*ing/^=1"
    assert to_solr(PatternDocs("title_typed", "t*", None, boost=0.0)) == "title_typed:/t.*/^=0"
    assert regexp("wh??t") == "/wh..t/" and regexp("**oney") == "/.*oney/"
    assert regexp("b[ae]nk") == "/b[ae]nk/" and regexp("[!s]*") == "/[^s].*/"
    assert regexp("[a-c]?*") == "/[a-c]..*/" and regexp("[]x]") == r"/[\]x]/"
    assert regexp("u.s/x[") == r"/u\.s\/x\[/" and regexp("österr*") == r"/\österr.*/"
    assert regexp("[!-]") == r"/[^\-]/"
