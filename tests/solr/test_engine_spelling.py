"""Did-you-mean and search-box suggestions on SolrCloud: the same answers as on Whoosh (issue 23).

The same 5,000 Reuters stories in both engines (conftest.py, `reuters5000`). The spelling help is
NewsFacet's own (query/didyoumean.py) over what SolrGeneration reads from the collection (word lists
and counts from the TermsComponent, Solr counting each correction it tries), so a typo gets the
same correction, checked under the same filters; suggestions (query/suggest.py) the same words
and values with the same counts. The corrections' deadline is lifted here: on a busy machine a
correction cut short on one engine and not on the other would be a difference of load, not of
answers (the deadline has tests of its own, tests/test_spelling.py).
"""
from __future__ import annotations

import json

import pytest

from indexer.query import didyoumean
from indexer.query.didyoumean import did_you_mean
from indexer.query.solrsearch import SolrEngine
from indexer.search import Archive, parse_request
from tests.eval import spelling as S
from web.app import create_app

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(600)]
TYPOS = 30


@pytest.fixture(scope="module")
def engines(reuters5000):
    patch = pytest.MonkeyPatch()
    patch.setattr(didyoumean, "SECONDS", 30.0)
    whoosh = Archive(reuters5000.whoosh)
    yield whoosh, Archive(engine=SolrEngine(reuters5000.client))
    whoosh.close()
    patch.undo()


def test_generated_typos_get_the_same_correction(engines, reuters5000):
    """Typos made from the corpus's words (the seeded set make eval uses), corrected alike."""
    whoosh, solr = engines
    live = whoosh.current_generation()
    with open(reuters5000.data / "reuters.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    occ, docs = S.word_counts(records)
    typos, _ = S.typo_set(occ, docs, S.known_in(live), TYPOS)
    assert len(typos) == TYPOS
    got = [(t.typo, did_you_mean(live, t.typo), did_you_mean(solr.current_generation(), t.typo)) for t in typos]
    assert [g[2] for g in got] == [g[1] for g in got], [g for g in got if g[1] != g[2]]
    assert sum(1 for t, g in zip(typos, got) if (g[2] or "").lower() == t.word) >= 0.8 * TYPOS


@pytest.mark.parametrize("params", [
    {"q": ["cofee brazl"]},                         # two words, checked together
    {"q": ["opek"]},                                # a name the archive knows
    {"q": ["petrolium prices"]},
    {"q": ["goverment"]},                           # found in 2 stories: a suggestion, no replacement
    {"q": ["cofee"], "country": ["BR"]},            # under a filter ...
    {"q": ["cofee"], "country": ["IS"]},            # ... where no story has coffee: not offered
    {"q": ["japanse"], "correct": ["off"]},         # offered, not applied
    {"q": ["xqzt"]},
], ids=lambda p: "&".join(f"{k}={v[0]}" for k, v in p.items()))
def test_searches_are_corrected_alike(engines, params):
    whoosh, solr = engines
    w, s = whoosh.search(parse_request(params)), solr.search(parse_request(params))
    assert (s.suggestion, s.showing_results_for, s.query, s.total, s.groups) == \
           (w.suggestion, w.showing_results_for, w.query, w.total, w.groups)
    assert s.notice == w.notice


SUGGEST = ["cof", "coffee bra", "opec", "ba", "oil pri", "cocoa ex", "gold OR sil", '"net pro', "country:br",
           "uni", "x", "zzq"]


@pytest.mark.parametrize("q", SUGGEST)
def test_suggestions_are_the_same(engines, q):
    whoosh, solr = engines
    assert [(x.kind, x.text, x.count, x.q, x.param, x.value) for x in solr.suggest(q)] == \
           [(x.kind, x.text, x.count, x.q, x.param, x.value) for x in whoosh.suggest(q)]


def test_the_suggest_route_answers_over_the_engine(reuters5000):
    """`GET /api/suggest` served over the collection answers as over the Whoosh index."""
    solr = create_app({"INDEX_DIR": str(reuters5000.client.url), "TESTING": True})
    whoosh = create_app({"INDEX_DIR": str(reuters5000.whoosh), "TESTING": True})
    s = solr.test_client().get("/api/suggest?q=coffee+bra")
    w = whoosh.test_client().get("/api/suggest?q=coffee+bra")
    assert s.status_code == w.status_code == 200
    assert s.get_json() == w.get_json() and s.get_json()["suggestions"][0]["text"] == "brazil"
