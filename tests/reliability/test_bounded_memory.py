"""Every per-generation cache has a bound, and flooding it with distinct requests stays within it.

Junk parameters (unknown `org`/`country`/`region` values, `country:` names no story holds)
must neither load the gazetteers into a serving worker (~120 MB) nor be remembered.
"""
from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest
from relfixtures import ROOT, reuters_index

from indexer.index.caches import SLOT_BYTES, size_of
from indexer.query import arrays as evaluate, matching, suggest
from indexer.search import Archive, QueryError, SearchRequest

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return reuters_index(tmp_path_factory)


@pytest.fixture
def archive(index_dir):
    a = Archive(index_dir)
    yield a
    a.close()


def live(archive):
    return archive.current_generation()


def common_words(archive, n: int) -> list[str]:
    """`n` body words with enough postings to be cached."""
    reader = live(archive).searcher.reader()
    out = []
    for word, info in reader.iter_field("body"):
        if info.doc_frequency() >= evaluate.CACHE_MIN_POSTINGS:
            out.append(word.decode())
            if len(out) >= n:
                break
    return out


def test_the_postings_cache_stays_within_its_bytes(archive):
    postings = live(archive).evaluator.p
    postings.cache.max_bytes = 64 * 1024            # a few lists' worth, so that the flood evicts
    words = common_words(archive, 60)
    assert len(words) >= 20
    for w in words:
        archive.search(SearchRequest(q=w))
        assert postings.cache.nbytes <= postings.cache.max_bytes
        assert postings.cache.nbytes == sum(a.nbytes + b.nbytes for a, b in postings.cache.values())
    assert 0 < len(postings.cache) < len(words)


def test_the_phrase_cache_keeps_its_number_of_entries(archive, monkeypatch):
    monkeypatch.setattr(live(archive).evaluator.phrases, "max_entries", 8)      # opened already: its bound
    words = common_words(archive, 30)
    for a, b in zip(words, words[1:]):
        archive.search(SearchRequest(q=f'"{a} {b}"'))
        assert len(live(archive).evaluator.phrases) <= 8
    assert len(live(archive).evaluator.phrases) == 8


def test_the_collapsed_cache_keeps_its_number_of_entries(archive):
    for day in range(40):          # every request holds stories: up to a day after the first story
        archive.search(SearchRequest(date_to=datetime.date(1987, 2, 27) + datetime.timedelta(days=day)))
        assert len(live(archive).caches.collapsed) <= matching.COLLAPSED_CACHE
    assert len(live(archive).caches.collapsed) == matching.COLLAPSED_CACHE


def test_the_suggestion_surfaces_stay_within_their_bytes(archive, monkeypatch):
    monkeypatch.setattr(suggest, "SURFACES_BYTES", 16 * 1024)
    seen = set()
    for a in "abcdefghijklmnopqrstuvw":
        for b in "aeiou":
            archive.suggest(a + b)
            surfaces = live(archive).suggester._surfaces
            seen.update(surfaces)
            assert surfaces.nbytes <= 16 * 1024
    assert 0 < len(surfaces) < len(seen)         # the oldest were let go


def test_distinct_queries_keep_the_text_caches_within_their_bytes(index_dir, monkeypatch):
    """36,000 distinct ordinary queries grew a 1x worker from 95 to ~300 MB (issue 24.11): every
    misspelling's ~300 one-edit variants stayed in the stem cache, capped at 500,000 entries.
    The caches that remember query text are bounded by bytes (indexer/index/caches.py); with small
    caps, a flood of distinct words and misspellings stays within them."""
    from indexer.index import analysis
    from indexer.query import didyoumean
    monkeypatch.setattr(analysis, "STEM_CACHE_BYTES", 256 * 1024)
    monkeypatch.setattr(didyoumean, "CACHED_BYTES", 8 * 1024)
    a = Archive(index_dir)                      # opened after: its analyzer has the small cap
    try:
        lv = live(a)
        stems = lv.searcher.schema["body"].analyzer._cache
        words = [w.decode() for w, _ in lv.searcher.reader().iter_field("body") if w.isalpha()][::20][:150]
        assert len(words) >= 120
        for i, word in enumerate(words):
            q = f"{word}{'zq'[i % 2]}" if i % 3 else f"{word} {words[-1 - i]}"    # a misspelling, or two words
            a.search(SearchRequest(q=q))
            corrections = lv.caches.corrections
            assert stems.nbytes <= 256 * 1024 and corrections.nbytes <= 8 * 1024
        assert len(corrections) < 60 and stems.nbytes > 128 * 1024          # both let the oldest go
        for cache in (stems, corrections):
            assert cache.nbytes == sum(size_of(k) + size_of(v) + SLOT_BYTES for k, v in cache.items())
    finally:
        a.close()


def test_unknown_facet_values_are_not_remembered(archive):
    # issue 14: an unknown facet value is a 400 naming it (was: 0 stories with a chip); nothing kept
    labels_before = dict(live(archive).labels)
    for i in range(300):
        with pytest.raises(QueryError, match=f"junk-org-{i}"):
            archive.search(SearchRequest(q="oil", filters={"org": [f"junk-org-{i}"], "country": [f"Q{i}"],
                                                           "region": [f"nowhere {i}"]}))
    assert live(archive).labels == labels_before


def test_a_serving_process_never_loads_the_gazetteers(index_dir):
    """Labels, `country:Name`, `org:name` and junk filters, in a fresh process: gazetteers stay unloaded."""
    code = f"""
import json, resource, sys
from indexer.search import Archive, QueryError, SearchRequest
from indexer.extract import gazetteer, places
a = Archive({str(index_dir)!r})
out = {{}}
out["brazil"] = a.search(SearchRequest(q="country:Brazil")).total
out["BR"] = a.search(SearchRequest(q="country:br")).total
out["filter"] = a.search(SearchRequest(filters={{"country": ["BR"]}})).total
out["opec"] = a.search(SearchRequest(q="org:opec")).total
a.search(SearchRequest(q="country:Atlantis org:nosuchbody"))
try:
    a.search(SearchRequest(filters={{"org": ["nosuch"], "country": ["XX"], "region": ["Mars"]}}))
except Exception as exc:
    out["junk"] = type(exc).__name__
a.suggest("bra"); a.stats()
out["loaded"] = gazetteer._gazetteer.cache_info().currsize + places._places.cache_info().currsize
print(json.dumps(out))
"""
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["loaded"] == 0 and out["junk"] == "QueryError"
    assert out["brazil"] == out["BR"] == out["filter"] > 0
    assert out["opec"] > 0


def test_junk_languages_do_not_grow_the_parser_cache(archive):
    from indexer.query import multilingual
    for i in range(3 * multilingual.PARSER_SETS):
        with pytest.raises(QueryError):        # issue 14: an unknown language is refused by name
            archive.search(SearchRequest(q="oil", filters={"language": [f"x{i}"]}))
    assert len(live(archive).caches.parsers) <= multilingual.PARSER_SETS
