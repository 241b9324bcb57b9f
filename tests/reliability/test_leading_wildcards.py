"""Leading wildcards at Reuters scale (all 21,578 stories, and 30 planted copies) under the default deadline.

A leading wildcard (`*ation`) has no letters to seek to, so it is matched against its
field's whole word list (the words as typed since issue 21: each segment's, as mapped from
its words-as-typed postings, typedsets.py). Checked one word at a time, with ~40 endings
each, that took ~0.8 s a field at this size and every such query was refused with `cap:
seconds`; `*ing` and `*ed` (thousands of words) were refused by a 1,024-word cap. These tests run with the product's default deadline
(budget.Budget().seconds, not the tests' generous NEWSFACET_QUERY_SECONDS) and assert
that the query is answered and finds what its words find: no wall-clock assertion.
"""
from __future__ import annotations

import dataclasses

import pytest
from corpora import reuters_all_index
from patternoracle import Oracle

from indexer.query import budget
from indexer.search import Archive, SearchRequest
from web.app import create_app

pytestmark = pytest.mark.corpus
CASES = [   # pattern -> words whose stories it must include (each a word it stands for)
    ("*ation", ["inflation", "nation", "information"]),
    ("*coffee*", ["coffee"]),
    ("*port", ["export", "import", "report"]),
    ("*ings", ["earnings"]),
    # thousands of words as typed each (`*ing` 2,838 over title and body, `*s` 9,138): each the set
    # of stories holding one, from the words-as-typed postings (typedsets.py), at constant score
    # (exact against brute force: test_a_pattern_of_many_words_is_exact)
    ("*ing", []),
    ("*ed", []),
    ("*s", ["dlrs"]),
    ("*e", []),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    # all of Reuters (and the 30 planted copies of tests/test_following_corpus.py: one build a run)
    return reuters_all_index(tmp_path_factory)


@pytest.fixture(scope="module")
def archive(index_dir):
    a = Archive(index_dir)
    a.search(SearchRequest(q="*qqzqq"))    # reads the word lists once, as a serving process warms them
    yield a
    a.close()


@pytest.fixture(params=["generous", pytest.param("default", marks=pytest.mark.timing)])
def default_deadline(request, monkeypatch):
    """The caps of the product's budget; its 0.2 s clock only under `make timing`/`make bench`.

    `make test` asserts no wall-clock time (a paused process on a busy machine would be
    refused with `cap: seconds`): there the tests' generous deadline applies, so what is
    checked is that no cap on words refuses a leading wildcard and that it finds what its
    words find. The timing run checks it is answered within the default deadline too.
    """
    if request.param == "default":
        monkeypatch.setattr(budget, "DEFAULT", budget.Budget())
        assert budget.DEFAULT.seconds == budget.Budget.seconds
    else:
        monkeypatch.setattr(budget, "DEFAULT", budget.Budget(seconds=max(budget.DEFAULT.seconds, 10.0)))


@pytest.mark.parametrize("pattern,words", CASES, ids=[c[0] for c in CASES])
def test_leading_wildcard_is_answered_with_the_default_deadline(archive, default_deadline, pattern, words):
    result = archive.search(SearchRequest(q=pattern))        # a QueryError (cap: seconds) fails the test
    assert result.total > 0
    for word in words:
        assert result.total >= archive.search(SearchRequest(q=word)).total, word


def test_a_pattern_of_many_words_is_exact(archive, index_dir, default_deadline):
    """`*ing` and `*ed` (refused before by a 1,024-word cap, issue 21) find exactly the stories
    holding a word they match, against brute force over all 21,578 stories' stored text."""
    oracle = Oracle(index_dir)
    for pattern in ("*ing", "*ed"):
        got = {row["id"] for row in archive.export(SearchRequest(q=pattern))[1]}
        assert got == oracle.find(pattern), pattern


def test_the_postings_cap_refuses_by_name(archive, default_deadline, monkeypatch):
    """What the union of postings could not do in time is a 400 naming its cap (here lowered: at
    21,578 stories even `?*`, every word, holds 1.8 million postings, under the 16 million cap)."""
    monkeypatch.setattr(budget, "DEFAULT", dataclasses.replace(budget.DEFAULT, postings=1_000_000))
    with pytest.raises(budget.BudgetError) as info:
        archive.search(SearchRequest(q="?*"))
    assert info.value.cap == "postings" and "(cap: postings)" in str(info.value)
    assert archive.search(SearchRequest(q="*ing")).total > 0


def test_leading_wildcard_does_not_stand_for_every_stem(archive, default_deadline):
    """`*ation` is the words ending in "ation", not every stem + "ation" (market -> "marketation")."""
    everything = archive.search(SearchRequest(q="*ation"))
    assert everything.total < archive.search(SearchRequest(q="said")).total


def test_leading_wildcard_over_http_is_a_200(index_dir, default_deadline):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    with pytest.MonkeyPatch.context() as mp:      # the word lists, read once under the tests' deadline
        mp.setattr(budget, "DEFAULT", budget.Budget(seconds=60.0))
        assert client.get("/api/search", query_string={"q": "*qqzqq"}).status_code == 200
    got = client.get("/api/search", query_string={"q": "*ation"})
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.get_json()["total"] > 0
