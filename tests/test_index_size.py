"""What the index stores, once (issue 20, index size): each story's text is stored in one field,
compressed; the words-as-typed sub-fields store nothing; `stats --sizes` says so per field.
And the indexing workers' share of the commit (parallel.py): the words-as-typed postings of
each segment are written by the worker that wrote it, and are the same arrays the commit
would have written.
"""
from __future__ import annotations

import json
import pickle
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.cli import main
from indexer.index import store, typedpostings
from indexer.index.build import build_index
from indexer.index.typed import TYPED_FIELDS
from indexer.index.whoosh_ext import sizes as index_sizes

BODY_EN = ("Coffee prices rose sharply on Tuesday as Brazil reported a smaller harvest than expected, "
           "traders in London and New York said. ") * 6
BODY_DE = ("Die Kaffeepreise stiegen am Dienstag deutlich, nachdem Brasilien eine kleinere Ernte meldete, "
           "sagten Händler in Frankfurt. ") * 6


def _records(n: int = 1) -> list[dict]:
    out = []
    for i in range(n):
        out.append({"id": f"en-{i}", "date": "1987-03-02", "title": f"Coffee prices rise {i}", "body": f"{BODY_EN} {i}"})
        out.append({"id": f"de-{i}", "date": "1987-03-03", "title": f"Kaffeepreise steigen {i}",
                    "body": f"{BODY_DE} {i}", "language": "de"})
    return out


def _build(tmp: Path, records: list[dict], procs: int = 1) -> Path:
    docs = tmp / "docs"
    docs.mkdir(parents=True)
    with open(docs / "stories.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    build_index([docs], tmp / "ix", progress=False, procs=procs)
    return tmp / "ix"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("stored"), _records())


def test_each_story_stores_its_text_once(small_index):
    """A story's body and title are stored in `body` and `title` only: not again for the words as
    typed, nor as a language's own copy (a German story's analysed value is a LanguageText, its
    stored value the plain text)."""
    ix = whoosh_index.open_dir(str(store.live_dir(small_index)))
    with ix.searcher() as s:
        stored = [s.stored_fields(d) for d in range(s.doc_count_all())]
    assert len(stored) == 2
    for fields in stored:
        body, title = fields["body"], fields["title"]
        assert type(body) is str and type(title) is str       # plain text, not a LanguageText
        holding_body = [k for k, v in fields.items() if isinstance(v, str) and body[:60] in v]
        assert holding_body == ["body"], holding_body
        holding_title = [k for k, v in fields.items() if isinstance(v, str) and v == title]
        assert holding_title == ["title"], holding_title
        assert not any(k in fields for k in TYPED_FIELDS)


def test_the_stored_fields_are_compressed(small_index):
    """The stored column holds each story's fields zlib-compressed (Whoosh's CompressedBytesColumn):
    the columns part is smaller than the pickled fields' text (six repeats of a sentence)."""
    ix = whoosh_index.open_dir(str(store.live_dir(small_index)))
    with ix.searcher() as s:
        reader = s.reader()
        pickled = sum(len(pickle.dumps(reader.stored_fields(d), pickle.HIGHEST_PROTOCOL)) for d in range(2))
        compressed = sum(len(zlib.compress(pickle.dumps(reader.stored_fields(d), pickle.HIGHEST_PROTOCOL), 3))
                         for d in range(2))
        sizes = index_sizes.measure(ix, reader, store.live_dir(small_index))
    assert compressed < pickled / 2
    # the columns part: the compressed stories, the MinHash (128 bytes a story), the field lengths
    assert sizes.parts["col"] < pickled


def test_stats_sizes_shows_the_text_stored_in_body_and_title_only(small_index):
    out = CliRunner().invoke(main, ["stats", "--sizes", "--json", "--index-dir", str(small_index)])
    assert out.exit_code == 0, out.output
    fields = {f["name"]: f for f in json.loads(out.output)["sizes"]["fields"]}
    assert fields["body"]["stored"] > 0 and fields["title"]["stored"] > 0
    for name in TYPED_FIELDS:
        assert fields[name]["stored"] == 0 and fields[name]["postings"] > 0
    biggest = max(fields.values(), key=lambda f: f["stored"])
    assert biggest["name"] == "body"


def test_the_workers_write_each_segments_typed_postings(tmp_path, monkeypatch):
    """With workers (parallel.py), each segment's typed-<segment>.npy is written by its worker
    before the commit (the commit's own pass finds it there and computes nothing), and holds
    what that pass would write."""
    monkeypatch.setattr("indexer.index.build.PARALLEL_THRESHOLD", 10)
    computed = []          # segment_arrays called in this process (the workers are forked: not theirs)
    monkeypatch.setattr(typedpostings, "segment_arrays",
                        lambda leaf, real=typedpostings.segment_arrays: computed.append(1) or real(leaf))
    ix_dir = _build(tmp_path, _records(20), procs=2)
    assert not computed, "the commit computed typed postings the workers should have written"
    gen = store.live_dir(ix_dir)
    ix = whoosh_index.open_dir(str(gen))
    with ix.searcher() as s:
        leaves = [leaf for leaf, _ in s.reader().leaf_readers()]
        assert len(leaves) == 2
        for leaf in leaves:
            got = typedpostings.load(gen, leaf.segment().segment_id(), leaf.doc_count_all())
            assert got is not None
            want = typedpostings.segment_arrays(leaf)
            assert set(got) == set(want)
            for name in want:
                assert np.array_equal(got[name], want[name]), name
