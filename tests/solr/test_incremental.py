"""Incremental indexing into SolrCloud: new, changed and removed files are reflected exactly (issue 23).

The same files indexed by Whoosh and by Solr, then changed on disk and indexed again: both
engines hold the same stories, and every story of a removed or rewritten record is gone.
"""
from __future__ import annotations

import json
import os

import pytest

from corpora import corpus_records
from indexer.index.build import build_index
from indexer.engines.solr import indexing
from indexer.query.solrsearch import SolrEngine
from indexer.search import Archive, parse_request

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]


def _write(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec) + "\n")


def _solr_ids(client) -> set[str]:
    res = client.select({"q": "*:*", "rows": 10000, "fl": "id"})
    return {d["id"] for d in res["response"]["docs"]}


def _same_answers(whoosh, solr, queries):
    for q, group in [(q, g) for q in queries for g in ("on", "off")]:
        params = {"q": [q], "group": [group], "correct": ["off"]}
        w, s = whoosh.search(parse_request(params)), solr.search(parse_request(params))
        assert (s.total, s.groups) == (w.total, w.groups), (q, group)
        for name in w.facets:
            assert [(v.value, v.count) for v in s.facets[name]] == [(v.value, v.count) for v in w.facets[name]], (q, name)


def test_new_changed_removed_files(collection, tmp_path):
    recs = list(corpus_records(limit=360))
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "a.jsonl", recs[0:100])
    _write(data / "b.jsonl", recs[100:200])
    _write(data / "c.jsonl", recs[200:300])
    ix = tmp_path / "ix"
    build_index([data], ix, progress=False)
    first = indexing.index(collection, [data])
    assert (first.new, first.changed, first.removed, first.documents) == (3, 0, 0, 300)
    assert _solr_ids(collection) == {r["id"] for r in recs[:300]}

    again = indexing.index(collection, [data])            # nothing changed: nothing read or sent
    assert (again.unchanged, again.documents) == (3, 0)

    changed = [dict(r, title="Rewritten: " + r["title"]) for r in recs[100:180]] + recs[300:320]
    _write(data / "b.jsonl", changed)                    # 20 stories dropped, 80 rewritten, 20 added
    os.utime(data / "b.jsonl", ns=(1, 10**18))
    (data / "c.jsonl").unlink()
    # versions of kept, rewritten and removed stories: groups form, change and go (groups.py)
    copies = [dict(recs[i], id=recs[i]["id"] + "-v2") for i in (0, 5, 120, 250)]
    _write(data / "d.jsonl", recs[320:360] + copies)
    build_index([data], ix, progress=False)
    second = indexing.index(collection, [data])
    assert (second.new, second.changed, second.removed, second.unchanged) == (1, 1, 1, 1)
    assert second.documents == 100 + 40 + 4 and second.regrouped >= 3

    expected = {r["id"] for r in recs[0:100] + changed + recs[320:360] + copies}
    assert _solr_ids(collection) == expected
    whoosh = Archive(ix)
    try:
        solr = Archive(engine=SolrEngine(collection))
        assert solr.search(parse_request({"q": ['"Rewritten"']})).total == 80
        _same_answers(whoosh, solr, ["", "oil", "rewritten", "trade OR deficit", '"net profit"'])
        everything = solr.search(parse_request({"q": [""]}))
        assert everything.groups <= everything.total - 3          # the copies are shown with their originals
    finally:
        whoosh.close()


def test_a_file_cut_short_is_sent_again(collection, tmp_path):
    """A run stopped by an outage leaves part of a file in the collection: the next run completes it."""
    recs = list(corpus_records(limit=50))
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "a.jsonl", recs)
    indexing.index(collection, [data], rebuild=True)
    lost = [r["id"] for r in recs[10:20]]
    collection.update({"delete": lost})              # as if their batch never arrived
    collection.commit()
    assert len(_solr_ids(collection)) == 40
    again = indexing.index(collection, [data])
    assert (again.changed, again.documents) == (1, 50)
    assert _solr_ids(collection) == {r["id"] for r in recs}
