"""Contract tests for the two smallest uses of Whoosh's private API, kept in whoosh_ext so that
nothing else of NewsFacet touches them: a worker's writer without the index lock
(`worker_writer`, index/parallel.py) and a term's matcher with deleted documents left in
(`unfiltered_postings`, query/phrases.py)."""
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
