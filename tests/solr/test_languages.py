"""Two languages in one archive (Reuters in English, GNAD in German), in Whoosh and SolrCloud:
each story analysed in its own language, a query asked in every language the archive holds
(stop words satisfied by the story's language), and the same totals and facets on both engines."""
from __future__ import annotations

import gzip
import json

import pytest

from corpora import corpus_records, shared_corpus
from indexer.index.build import build_index
from indexer.engines.solr import indexing
from indexer.query.solrsearch import SolrEngine
from indexer.search import Archive, parse_request

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]
QUERIES = ["Regierungen", '"der Regierung"', "Regierung OR government", "die Gewerkschaft", "oil", "Wien",
           "gewerk*", "country:Österreich", "the", "österr*", "*ung", "?*", "person:*"]


@pytest.fixture(scope="module")
def engines(collection, tmp_path_factory):
    data = tmp_path_factory.mktemp("bilingual")
    with open(data / "reuters.jsonl", "w", encoding="utf-8") as f:
        for rec in corpus_records(limit=300):
            f.write(json.dumps(rec) + "\n")
    with gzip.open(shared_corpus("gnad-test.jsonl.gz"), "rt", encoding="utf-8") as src, \
            open(data / "gnad.jsonl", "w", encoding="utf-8") as f:
        for i, line in enumerate(src):
            if i >= 300:
                break
            f.write(line)
    ix = tmp_path_factory.mktemp("bilingual-ix")
    # one process: stories numbered in file order, as Solr's `seq`, so that ties (`?*`, `person:*`: one
    # score for every match) come in the same order on both (tests/solr/conftest.py, reuters5000)
    build_index([data], ix, progress=False, procs=1)
    indexing.index(collection, [data], rebuild=True)
    whoosh = Archive(ix)
    yield whoosh, Archive(engine=SolrEngine(collection))
    whoosh.close()


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("language", ["", "de"])
def test_same_answers_in_two_languages(engines, q, language):
    whoosh, solr = engines
    params = {"q": [q], "group": ["off"], "correct": ["off"], **({"language": [language]} if language else {})}
    w, s = whoosh.search(parse_request(params)), solr.search(parse_request(params))
    assert s.total == w.total
    assert s.notice == w.notice
    for name in w.facets:
        assert [(v.value, v.count) for v in s.facets[name]] == [(v.value, v.count) for v in w.facets[name]], name
    wids, sids = [h.id for h in w.hits], [h.id for h in s.hits]
    if wids:
        assert len(set(wids) & set(sids)) / len(wids) >= 0.8, (wids, sids)


def test_german_words_found(engines):
    _, solr = engines
    assert solr.search(parse_request({"q": ["Regierungen"]})).total > 0
    langs = {v.value: v.count for v in solr.search(parse_request({"q": [""]})).facets["language"]}
    assert langs.get("de", 0) >= 250 and langs.get("en", 0) >= 250
