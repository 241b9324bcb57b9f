"""NewsFacet's parsed queries and filters in Solr syntax: every term literal, nothing passed raw.

Unit tests of the translation (no cluster needed); the differential tests check it on Solr.
"""
from __future__ import annotations

import datetime as dt

from whoosh import query as wq

from indexer.query.expansion import Expansion
from indexer.query.request import SearchRequest
from indexer.query.solrquery import NOTHING, escape, facet_request, filters, to_solr


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
        "(+body_t:bank -country_any:BR)"
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
