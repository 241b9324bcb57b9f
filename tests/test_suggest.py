"""Suggestions while typing complete the whole query, with the counts the search then shows."""
from __future__ import annotations

import json

import pytest

from indexer.index.build import build_index
from indexer.search import Archive, parse_request

STORIES = ([{"id": f"c{i}", "date": "1987-03-01", "title": f"Coffee report {i}",
             "body": "Brazil coffee exports rose, growers in Brazil said."} for i in range(10)]
           + [{"id": f"b{i}", "date": "1987-03-02", "title": f"Airline report {i}",
               "body": "Braniff airline traffic rose, Braniff said."} for i in range(30)]
           + [{"id": "typo", "date": "1987-03-03", "title": "Coffee typo", "body": "Brazl coffee prices fell."}])


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("suggest")
    (root / "docs").mkdir()
    (root / "docs" / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    build_index([root / "docs"], root / "ix", progress=False, procs=1)
    return Archive(root / "ix")


def words(archive, q):
    return [(s.text, s.count, s.q) for s in archive.suggest(q) if s.kind == "word"]


def test_the_last_word_is_completed_in_the_context_of_the_words_before(archive):
    assert words(archive, "bra")[0][0] == "braniff"                   # alone: the commoner word
    assert words(archive, "coffee bra")[0] == ("brazil", 10, "coffee brazil")   # with coffee: brazil
    assert "braniff" not in [w for w, _, _ in words(archive, "coffee bra")]     # finds nothing with coffee


@pytest.mark.parametrize("q", ["bra", "coffee bra", "coffee OR bra", "-airline bra", "report co"])
def test_the_count_shown_is_what_the_search_returns(archive, q):
    suggestions = archive.suggest(q)
    assert suggestions
    for s in suggestions:
        params = {"q": [s.q], **({s.param: [s.value]} if s.param else {})}
        assert archive.search(parse_request(params)).total == s.count, s


def test_words_of_a_handful_of_stories_are_not_offered(archive, monkeypatch):
    from indexer.query import suggest
    assert suggest.min_stories(21_578) == suggest.MIN_STORIES and suggest.min_stories(41) == 1
    assert "brazl" in [w for w, _, _ in words(archive, "braz")]        # 41 stories: every word counts
    monkeypatch.setattr(suggest, "min_stories", lambda n: 2)           # as in a larger archive
    archive.current_generation().caches.parts.clear()
    assert "brazl" not in [w for w, _, _ in words(archive, "bra")]
    assert words(archive, "brazl") == []
    archive.current_generation().caches.parts.clear()


def test_nothing_is_offered_after_words_that_find_nothing(archive):
    assert archive.suggest("zzzz bra") == []
