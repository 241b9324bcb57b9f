"""A reindex never makes a user wait: the new generation is opened and warmed before it serves.

In a web worker (`background=True`) a thread opens and warms it while requests go on
being answered from the old generation; elsewhere the request that notices it waits
for it, warmed. Warming replays the front page and the searches asked lately, so the
caches the next searches need (facets of the whole archive, phrase matches, postings)
are filled when the generation is handed out. No timing is asserted: which thread
opened it and what its caches hold are.
"""
from __future__ import annotations

import threading
import time

import pytest
from relfixtures import write_reuters

from indexer.build import build_index
from indexer.query import live as live_mod
from indexer.typed import TYPED_FIELDS
from indexer.search import Archive, SearchRequest

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(180)]
PHRASE = '"crude oil"'


@pytest.fixture
def corpus(tmp_path):
    write_reuters(tmp_path / "docs", 300, shards=2)
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False, procs=1)
    return tmp_path / "docs", tmp_path / "ix"


@pytest.fixture
def opened_by(monkeypatch):
    names: list[str] = []
    original = live_mod.Live.open.__func__

    def record(cls, index_dir):
        names.append(threading.current_thread().name)
        return original(cls, index_dir)
    monkeypatch.setattr(live_mod.Live, "open", classmethod(record))
    return names


def reindex(docs, ix):
    (docs / "more.jsonl").write_text('{"id": "extra-1", "title": "Crude oil output", "body": "Crude oil."}\n')
    build_index([docs], ix, rebuild=True, progress=False, procs=1)


def test_a_web_worker_warms_the_new_generation_in_a_thread(corpus, opened_by):
    docs, ix = corpus
    archive = Archive(ix, refresh_every=0.0, background=True)
    before = archive.search(SearchRequest(q=PHRASE)).total
    old = archive.generation
    reindex(docs, ix)
    seen_old = 0
    deadline = time.monotonic() + 60
    while archive.generation == old and time.monotonic() < deadline:
        total = archive.search(SearchRequest(q=PHRASE)).total
        if archive.generation == old:          # (checked after: the swap may land in between)
            assert total == before             # answered from the old one meanwhile
            seen_old += 1
        time.sleep(0.01)
    assert archive.generation != old, "the new generation never came in"
    assert opened_by[0] == "MainThread" and opened_by[1:] == ["newsfacet-warm"]
    live = archive._index.current()
    assert live.whole is not None                                    # the front page was counted
    assert any("crude" in key for key in live.evaluator._fallback_cache)   # the recent phrase was run
    assert set(live.lexicons._words) == set(TYPED_FIELDS)          # ready for a leading wildcard (words as typed)
    assert archive.search(SearchRequest(q=PHRASE)).total == before + 1


def test_elsewhere_the_request_gets_the_new_generation_warmed(corpus, opened_by):
    docs, ix = corpus
    archive = Archive(ix, refresh_every=0.0)
    archive.search(SearchRequest(q=PHRASE))
    reindex(docs, ix)
    result = archive.search(SearchRequest(q="gold"))           # not the phrase: it was warmed before this
    assert result.total >= 0 and len(opened_by) == 2 and set(opened_by) == {"MainThread"}
    live = archive._index.current()
    assert any("crude" in key for key in live.evaluator._fallback_cache)
    assert live.whole is not None
    assert live.lexicons._words == {}          # one query from the CLI does not pay for the word lists


def test_a_failed_warm_up_does_not_stop_the_new_generation(corpus, monkeypatch):
    docs, ix = corpus
    archive = Archive(ix, refresh_every=0.0)
    archive.search(SearchRequest(q="oil"))
    monkeypatch.setattr(archive, "_search", lambda live, req: 1 / 0)
    old = archive.generation
    reindex(docs, ix)
    assert archive.generation != old
