"""Contract tests for the smallest uses of Whoosh's private API, kept in whoosh_ext so that
nothing else of NewsFacet touches them: a worker's writer without the index lock
(`worker_writer`, index/parallel.py), a term's matcher with deleted documents left in
(`unfiltered_postings`, query/phrases.py) and the terms of a date range (`range_terms_query`,
query/arrays.py)."""
from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from indexer.index import whoosh_ext
from indexer.index.schema import SCHEMA


def _story(i: int, body: str) -> dict:
    return {"id": f"d{i}", "title": f"story {i}", "body": body, "day": "1987-01-01"}


def test_a_worker_writer_opens_while_the_parent_holds_the_lock(tmp_path):
    ix = whoosh_index.create_in(tmp_path, SCHEMA)
    parent = ix.writer()                        # holds the index's lock, as index/build.py's writer does
    worker = whoosh_ext.worker_writer(ix, limitmb=16, codec=W3Codec())
    worker.add_document(**_story(1, "coffee prices rose"))
    segment = whoosh_ext.finalize_segment(worker)
    assert whoosh_index.open_dir(tmp_path).doc_count() == 0        # nothing visible before the commit
    whoosh_ext.commit_segments(parent, [segment])
    with whoosh_index.open_dir(tmp_path).searcher() as s:
        assert s.document_number(id="d1") is not None


@pytest.fixture
def deleted_first(tmp_path):
    """A segment whose `coffee` list starts with deleted stories: Whoosh's matcher skips them."""
    ix = whoosh_index.create_in(tmp_path, SCHEMA)
    with ix.writer(codec=W3Codec(blocklimit=4)) as w:
        for i in range(12):
            w.add_document(**_story(i, "coffee" if i % 2 == 0 else "tea"))
    with ix.writer() as w:
        for i in (0, 2, 4, 6):              # a whole block of the list's first postings
            w.delete_by_term("id", f"d{i}")
    return whoosh_index.open_dir(tmp_path)


def _ids(matcher) -> list[int]:
    ids = []
    while matcher.is_active():
        ids.append(matcher.id())
        matcher.next()
    return ids


def test_unfiltered_postings_keep_deleted_stories_from_the_start(deleted_first):
    with deleted_first.reader() as reader:
        (leaf, _), = list(reader.leaf_readers())
        btext = next(b for b in leaf.lexicon("body") if b.startswith(b"coff"))      # stemmed as indexed
        assert isinstance(leaf.postings("body", btext), FilterMatcher)
        public = _ids(leaf.postings("body", btext))
        whole = _ids(whoosh_ext.unfiltered_postings(leaf, "body", btext))
        assert whole == sorted(whole) and len(whole) == 6
        assert [d for d in whole if not leaf.is_deleted(d)] == public and len(public) == 2
        assert whole[:4] == [d for d in whole if leaf.is_deleted(d)]
        assert whole == whoosh_ext.term_postings(leaf, "body", btext)[0].tolist()
        with pytest.raises(TermNotFound):
            whoosh_ext.unfiltered_postings(leaf, "body", b"no-such-word")


def test_range_terms_query_finds_what_the_date_range_finds(tmp_path):
    """An index without a date column evaluates a range through its terms (query/arrays.py)."""
    from datetime import datetime

    from whoosh import query as wq
    from whoosh.fields import DATETIME, ID, Schema

    ix = whoosh_index.create_in(tmp_path, Schema(id=ID(stored=True), date=DATETIME))
    with ix.writer() as w:
        for day in range(1, 29):
            w.add_document(id=f"d{day}", date=datetime(1987, 2, day))
    q = wq.DateRange("date", datetime(1987, 2, 10), datetime(1987, 2, 20))
    with ix.searcher() as s:
        terms = whoosh_ext.range_terms_query(q, s.reader())
        assert not isinstance(terms, wq.NumericRange)
        assert set(s.docs_for_query(terms)) == set(s.docs_for_query(q)) and len(set(s.docs_for_query(q))) == 11
