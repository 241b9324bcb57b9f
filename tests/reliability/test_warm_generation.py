"""A reindex is answered at once, and the new generation's caches are filled soon after.

Issue 21: an idle web worker served the previous generation for about 1.5 s after a reindex
(42 of 1,300 probes saw deleted stories). Opening costs milliseconds now (derived tables are
mapped), so the request that notices a new commit opens it and is answered from it; in a web
worker (`background=True`) a thread then warms it beside the requests (the front page, the
searches asked lately, the word lists of leading wildcards); elsewhere the request waits for
the warm-up. No timing is asserted: which thread opened and warmed it and what its caches hold are.
"""
from __future__ import annotations

import threading
import time

import pytest
from relfixtures import write_reuters

from indexer.index.build import build_index
from indexer.query.generation import Generation
from indexer.query.whooshengine import WhooshEngine
from indexer.index.typed import TYPED_FIELDS
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
    original = Generation.open.__func__

    def record(cls, index_dir):
        names.append(threading.current_thread().name)
        return original(cls, index_dir)
    monkeypatch.setattr(Generation, "open", classmethod(record))
    return names


def reindex(docs, ix):
    (docs / "more.jsonl").write_text('{"id": "extra-1", "title": "Crude oil output", "body": "Crude oil."}\n')
    build_index([docs], ix, rebuild=True, progress=False, procs=1)


def test_a_web_worker_answers_from_the_new_generation_at_once_and_warms_it_in_a_thread(corpus, opened_by, monkeypatch):
    docs, ix = corpus
    warmed_by: list[str] = []
    original = WhooshEngine._warm

    def record(self, live):
        warmed_by.append(threading.current_thread().name)
        return original(self, live)
    monkeypatch.setattr(WhooshEngine, "_warm", record)
    archive = Archive(ix, background=True)                # the default refresh: every request looks
    before = archive.search(SearchRequest(q=PHRASE)).total
    old = archive.generation
    reindex(docs, ix)
    assert archive.search(SearchRequest(q=PHRASE)).total == before + 1     # the very next request
    assert archive.generation != old
    assert opened_by == ["MainThread", "MainThread"]
    deadline = time.monotonic() + 60
    live = archive.current_generation()
    while live.caches.whole is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert warmed_by == ["newsfacet-warm", "newsfacet-warm"]          # beside the requests, each time
    assert live.caches.whole is not None                                    # the front page was counted
    # ready for a leading wildcard: each segment's words as typed are mapped (typedsets.py), no word list read
    assert live.typed is not None and all(live.typed.has(f) for f in TYPED_FIELDS) and live.lexicons._words == {}
    while not any("crude" in key for key in live.evaluator.phrases) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any("crude" in key for key in live.evaluator.phrases)   # the recent phrase was run


def test_elsewhere_the_request_gets_the_new_generation_warmed(corpus, opened_by):
    docs, ix = corpus
    archive = Archive(ix, refresh_every=0.0)
    archive.search(SearchRequest(q=PHRASE))
    reindex(docs, ix)
    result = archive.search(SearchRequest(q="gold"))           # not the phrase: it was warmed before this
    assert result.total >= 0 and len(opened_by) == 2 and set(opened_by) == {"MainThread"}
    live = archive.current_generation()
    assert any("crude" in key for key in live.evaluator.phrases)
    assert live.caches.whole is not None
    assert live.lexicons._words == {}          # one query from the CLI does not pay for the word lists


def test_a_failed_warm_up_does_not_stop_the_new_generation(corpus, monkeypatch):
    docs, ix = corpus
    archive = Archive(ix, refresh_every=0.0)
    archive.search(SearchRequest(q="oil"))
    monkeypatch.setattr(archive.engine, "_search", lambda live, req: 1 / 0)
    old = archive.generation
    reindex(docs, ix)
    assert archive.generation != old
