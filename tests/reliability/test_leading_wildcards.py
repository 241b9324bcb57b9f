"""Leading wildcards at Reuters scale (all 21,578 stories) under the default deadline.

A leading wildcard (`*ation`) has no letters to seek to, so it is matched against its
field's whole word list (semantics.matching_words; the words as typed since issue 21). Checked one word at a time, with
~40 endings each, that took ~0.8 s a field at this size and every such query was
refused with `cap: seconds`. These tests run with the product's default deadline
(budget.Budget().seconds, not the tests' generous NEWSFACET_QUERY_SECONDS) and assert
that the query is answered and finds what its words find: no wall-clock assertion.
"""
from __future__ import annotations

import pytest
from relfixtures import reuters_index

from indexer.query import budget
from indexer.search import Archive, SearchRequest
from web.app import create_app

pytestmark = pytest.mark.corpus
ALL = 21_578
CASES = [   # pattern -> words whose stories it must include (each a word it stands for)
    ("*ation", ["inflation", "nation", "information"]),
    ("*coffee*", ["coffee"]),
    ("*port", ["export", "import", "report"]),
    ("*ings", ["earnings"]),     # `*ing` stands for 2,371 words as typed: refused by name (below)
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return reuters_index(tmp_path_factory, n=ALL)


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


def test_a_leading_wildcard_over_the_caps_is_refused_by_name(archive, default_deadline):
    """`*ing` is 2,371 words as typed at this size (issue 21): a 400 asking for more letters, not
    the 0.085 recall it had over stems plus endings."""
    with pytest.raises(budget.BudgetError) as info:
        archive.search(SearchRequest(q="*ing"))
    assert info.value.cap in ("per_pattern", "terms")


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
