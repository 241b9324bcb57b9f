"""The numpy evaluator scores exactly as Whoosh's BM25F on any index, not only a fresh one.

After an incremental run the index holds deleted documents: Whoosh's average field
length is `field_length / doc_count_all()` (the field length still counts them), so
an evaluator dividing by the live count ranks differently. These indexes are built
the ways a real one comes about: several segments (parallel workers), a run that
changes one file and removes another, and posting blocks written by Whoosh's default
codec (zlib-compressed pickles, 128 postings a block) as well as by ours (packed arrays,
512 a block: whoosh_ext/compact.py).
"""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
from whoosh.codec import whoosh3

from indexer.index import build, parallel
from indexer.index.build import build_index
from indexer.query.arrays import top_k
from indexer.query.parse import parse
from indexer.search import Archive
from indexer.index.whoosh_ext import compact

VOCAB = [f"{a}{b}" for a in ("bra", "cof", "oil", "whe", "gol", "tin", "cor", "sug", "ric", "zin")
         for b in ("zil", "fee", "pex", "ator", "dent", "mark", "lend", "quot", "ship", "rate")]
QUERIES = ["brazil", "coffee", "brazil coffee", "oilpex OR golrate", "cofship", "bra*", "title:tindent",
           "(coffee OR ricmark) AND sugquot", "zinlend whequot cormark", "body:oillend", "brazil -coffee"]


def _story(rng: random.Random, i: int, tag: str) -> dict:
    weights = [1 / (k + 1) for k in range(len(VOCAB))]       # Zipf-like: a few common words
    words = rng.choices(VOCAB, weights, k=rng.choice([3, 8, 20, 60, 150, 400]))
    if rng.random() < 0.3:
        words += ["brazil", "coffee"][: rng.randint(1, 2)]
    return {"id": f"{tag}-{i}", "date": f"1987-0{1 + i % 9}-1{i % 10}",
            "title": " ".join(rng.choices(VOCAB, weights, k=rng.randint(2, 8))), "body": " ".join(words)}


def _write(path, stories) -> None:
    path.write_text("".join(json.dumps(s) + "\n" for s in stories), encoding="utf-8")


def _build(tmp_path, compressed: bool, monkeypatch) -> Archive:
    if compressed:      # what Whoosh's default codec writes: zlib blocks of 128
        for module in (build, parallel):
            monkeypatch.setattr(module, "codec", lambda: whoosh3.W3Codec(blocklimit=128, compression=3))
    rng = random.Random(13)
    src = tmp_path / "src"
    src.mkdir()
    for f in range(6):
        _write(src / f"f{f}.jsonl", [_story(rng, i, f"f{f}") for i in range(150)])
    ix = tmp_path / "ix"
    build_index([src], ix, progress=False, procs=2)            # 900 stories: two workers, two segments
    _write(src / "f1.jsonl", [_story(rng, i, "f1b") for i in range(40)])     # changed
    (src / "f4.jsonl").unlink()                                               # removed
    build_index([src], ix, progress=False, procs=1)
    return Archive(ix)


@pytest.fixture(scope="module", params=["ours", "compressed"])
def incremental(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        return _build(tmp_path_factory.mktemp(request.param), request.param == "compressed", mp)


def test_the_index_is_the_kind_this_file_is_about(incremental):
    st = incremental.current_generation()
    reader = st.searcher.reader()
    assert reader.doc_count() < reader.doc_count_all()        # deleted documents remain
    assert len(list(reader.leaf_readers())) >= 2               # several segments


def test_compressed_blocks_are_really_compressed(tmp_path, monkeypatch):
    st = _build(tmp_path, True, monkeypatch).current_generation()
    leaf, _ = list(st.searcher.reader().leaf_readers())[0]
    m = leaf.postings("body", b"brazil")
    m = getattr(m, "child", m)          # under a deletion filter
    assert m._compression and m._blocklength == 128 and not compact.is_packed(m)


def test_our_blocks_are_packed(incremental, request):
    if request.node.callspec.params["incremental"] != "ours":
        pytest.skip("the packed codec is the 'ours' build's")
    st = incremental.current_generation()
    for leaf, _ in st.searcher.reader().leaf_readers():
        m = leaf.postings("body", b"brazil")
        assert compact.is_packed(getattr(m, "child", m))


@pytest.mark.parametrize("q", QUERIES)
def test_ranking_after_incremental_runs_is_whooshs(incremental, q):
    st = incremental.current_generation()
    parsed, _ = parse(st, q)
    match = st.evaluator.run(parsed)
    theirs = list(st.searcher.search(parsed, limit=50))
    if "-" not in q:        # Whoosh's AndNot skips the first document of a segment
        assert set(np.flatnonzero(match.mask).tolist()) == set(st.searcher.docs_for_query(parsed))
    ours = [int(d) for d in top_k(match.mask, match.score, 50)]
    assert len(ours) == len(theirs) > 0
    if "*" in q:            # Whoosh scores a prefix as a constant; we score its words (BM25F)
        return
    for h in theirs:
        assert match.score[h.docnum] == pytest.approx(h.score, rel=1e-5)
    # the same order, up to documents whose scores differ only by float32 rounding
    whoosh_score = {h.docnum: h.score for h in theirs}
    assert [d for d in ours if d in whoosh_score] == [h.docnum for h in theirs] or all(
        abs(float(match.score[a]) - whoosh_score[b]) <= 1e-5 * whoosh_score[b]
        for a, b in zip(ours, [h.docnum for h in theirs]))
