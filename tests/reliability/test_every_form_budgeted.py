"""Every query form goes through the budget (issue 24.6), and answers as Whoosh would.

`id:*` (2.0 s at 1x Reuters), `company:*` (0.8 s) and 23 OR-ed date ranges (0.37 s) were
answered by Whoosh's own matcher, which has no deadline inside. Now `field:*` on a field
of values is read from the tables a generation keeps (expansion.Present), a date range is
one comparison over the date column, a pattern on a field of values is expanded under the
deadline like a word pattern, and anything left checks the deadline before Whoosh runs.
Proved without a clock: Whoosh's matcher is made to fail (no form may reach it), and with
a deadline already past, no posting list is read.
"""
from __future__ import annotations

import numpy as np
import pytest
from queryfixtures import query_index
from whoosh import searching

from indexer.index import store, whoosh_ext
from indexer.query import budget
from indexer.query.parse import make_parsers
from indexer.index.schema import SCHEMA
from indexer.search import Archive, SearchRequest

RANGES = " OR ".join(f"date:[{1986 + i // 12}-{1 + i % 12:02d}-01 TO {1986 + i // 12}-{1 + i % 12:02d}-09]"
                     for i in range(23))
VALUE_FIELDS = sorted(name for name, field in SCHEMA.items()
                      if field.indexed and name not in ("title", "body", "date"))
FORMS = [f"{name}:*" for name in VALUE_FIELDS] + [
    RANGES, "date:1987", "date:[1987-03-01 TO]", "date:[TO 1987-03-01]", "date:(1986 OR 1988)", "oil date:1987",
    "oil -date:1987", "id:q-1*", "id:*1", "id:*-1?", "day:1987*", "month:1987-0?", "company:U*", "company:*o*",
    "org_any:*M*", "oil OR id:*"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return query_index(tmp_path_factory)


@pytest.fixture(scope="module")
def archive(index_dir):
    a = Archive(index_dir)
    yield a
    a.close()


@pytest.fixture(scope="module")
def whoosh_answers(index_dir):
    """What Whoosh itself finds for each form (its own parser and matcher), as story ids."""
    ix, _ = store.open_live(index_dir)
    with ix.searcher() as s:
        full, _ = make_parsers(s.schema)
        return {q: {s.stored_fields(d)["id"] for d in s.docs_for_query(full.parse(q))} for q in FORMS}


def ids(archive, q) -> set[str]:
    return {row["id"] for row in archive.export(SearchRequest(q=q))[1]}


def test_every_indexed_field_is_covered():
    assert {"id", "path", "company", "org", "country", "day", "month", "year", "language"} <= set(VALUE_FIELDS)


@pytest.mark.parametrize("q", FORMS)
def test_no_query_form_reaches_whoosh_matcher_and_each_answers_as_whoosh(archive, whoosh_answers, monkeypatch, q):
    def refuse(*args, **kwargs):
        raise AssertionError(f"{q!r} went through Whoosh's own matcher, which has no deadline")
    monkeypatch.setattr(searching.Searcher, "docs_for_query", refuse)
    monkeypatch.setattr(searching.Searcher, "search", refuse)
    assert ids(archive, q) == whoosh_answers[q]


def test_the_forms_find_stories(whoosh_answers):
    assert sum(1 for found in whoosh_answers.values() if found) >= len(FORMS) - 2


@pytest.mark.parametrize("q", FORMS)
def test_past_the_deadline_no_form_reads_a_posting(archive, monkeypatch, q):
    """With the deadline already past, a form is refused (cap: seconds) or cut short with a notice
    (or answered from the tables); none reads a posting list or runs Whoosh's matcher."""
    full = archive.search(SearchRequest(q=q))        # the tables a first request builds
    archive.current_generation().evaluator.phrases.clear()      # but not Whoosh's answer to it
    reads = []
    real = whoosh_ext.term_postings
    monkeypatch.setattr(whoosh_ext, "term_postings", lambda *a: reads.append(a[1:]) or real(*a))
    monkeypatch.setattr(searching.Searcher, "docs_for_query",
                        lambda *a, **k: pytest.fail(f"{q!r} ran Whoosh's matcher past the deadline"))
    monkeypatch.setattr(budget, "DEFAULT", budget.Budget(seconds=0.0))
    try:
        cut = archive.search(SearchRequest(q=q))
    except budget.BudgetError as exc:
        assert exc.cap == "seconds"
    else:
        assert cut.total == full.total or "took too long" in (cut.notice or "")
    assert reads == [], f"{q!r} read {len(reads)} posting lists past the deadline"


def test_a_date_range_is_read_from_the_date_column(archive):
    """The column holds each story's date: the range's stories, and undated ones never."""
    live = archive.current_generation()
    column = live.evaluator.p.column("date")
    assert column is not None
    dated = np.flatnonzero(column != np.uint64(SCHEMA["date"].default))
    assert dated.size and set(dated.tolist()) == set(np.flatnonzero(live.tables.day != 0).tolist())
