"""The packed posting codec (indexer/index/whoosh_ext/compact.py): the same postings as W3's pickles, fewer bytes.

The same stories are written twice, with Whoosh's W3 codec and with the packed one (small
blocks, so that lists span several; two segments and deletions), and every term of every
field is compared through Whoosh's own matchers (ids, weights, the values' bytes, positions),
through the block readers the query engine uses, and through Whoosh's searcher (scores and
phrases). Then: the postings file really is smaller, segments keep their codec in the TOC,
and merging (packed or W3 segments into a packed one) keeps every posting.
"""
from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions

from indexer.index import whoosh_ext
from indexer.index.schema import SCHEMA, codec
from indexer.index.whoosh_ext import compact, packing

WORDS = ("coffee oil grain wheat gold bank loan trade price export import tariff quota talks minister "
         "brazil said the a of").split()


def _docs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    for i in range(n):
        size = int(rng.choice([1, 5, 40, 300, 700]))         # some positions past 255
        body = " ".join(rng.choice(WORDS, size=size, p=_zipf()))
        yield {"id": f"d{seed}-{i}", "title": " ".join(rng.choice(WORDS, size=3)), "body": body,
               "body_typed": body, "org": ",".join(rng.choice(["UN", "IMF", "OPEC"], size=int(rng.integers(0, 3)))),
               "day": "1987-01-01"}


def _zipf():
    w = np.array([1 / (k + 1) for k in range(len(WORDS))])
    return w / w.sum()


def _build(path: Path, make_codec, segments: int = 2, per_segment: int = 120):
    whoosh_ext.install()
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(path, SCHEMA)
    for s in range(segments):
        w = ix.writer(codec=make_codec())
        for d in _docs(per_segment, seed=s):
            w.add_document(**d)
        w.commit(merge=False)
    w = ix.writer(codec=make_codec())
    w.delete_by_term("id", "d0-3")
    w.delete_by_term("id", f"d{segments - 1}-10")
    w.commit(merge=False)
    return whoosh_index.open_dir(path)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("compact")
    return (_build(root / "w3", lambda: W3Codec(blocklimit=16, compression=0)),
            _build(root / "packed", lambda: compact.PackedCodec(blocklimit=16, compression=0)))


FIELDS = ["body", "title", "body_typed", "org", "day", "id"]


def _stepped(leaf, fieldname, btext):
    m = leaf.postings(fieldname, btext)
    out = []
    fmt = leaf.schema[fieldname].format
    while m.is_active():
        positions = m.value_as("positions") if fmt.supports("positions") else None
        out.append((m.id(), m.weight(), m.value(), positions))
        m.next()
    return out


def _block_infos(leaf, fieldname, btext):
    """What Whoosh's skipping and block-quality code read of each block."""
    m = leaf.postings(fieldname, btext)
    m = getattr(m, "child", m)
    m.reset()
    out = []
    while m.is_active():
        out.append((m._blocklength, m.block_max_id(), m.block_max_weight(), m.block_min_length(),
                    m.block_max_length(), m.block_min_id()))
        m._next_block()
    return out


@pytest.mark.parametrize("fieldname", FIELDS)
def test_every_posting_reads_back_the_same(pair, fieldname):
    w3, packed = pair
    with w3.reader() as a, packed.reader() as b:
        leaves_a, leaves_b = [x for x, _ in a.leaf_readers()], [x for x, _ in b.leaf_readers()]
        assert len(leaves_a) == len(leaves_b) == 2
        checked = 0
        for la, lb in zip(leaves_a, leaves_b):
            assert list(la.lexicon(fieldname)) == list(lb.lexicon(fieldname))
            for btext in la.lexicon(fieldname):
                assert _stepped(la, fieldname, btext) == _stepped(lb, fieldname, btext), btext
                assert _block_infos(la, fieldname, btext) == _block_infos(lb, fieldname, btext), btext
                fa, fb = whoosh_ext.term_postings(la, fieldname, btext), whoosh_ext.term_postings(lb, fieldname, btext)
                assert fa[0].tolist() == fb[0].tolist() and fa[1].tolist() == fb[1].tolist()
                assert fb[0].dtype == np.int32 and fb[1].dtype == np.float32
                checked += 1
            whole_a = [(t, ids.tolist()) for t, ids in whoosh_ext.field_postings(la, fieldname)]
            whole_b = [(t, ids.tolist()) for t, ids in whoosh_ext.field_postings(lb, fieldname)]
            assert whole_a == whole_b
        assert checked


def test_the_packed_index_is_read_with_packed_blocks(pair):
    """The comparison above compared two different formats (else it would test nothing)."""
    _, packed = pair
    with packed.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        assert isinstance(leaf.segment().codec(), compact.PackedCodec)      # kept in the TOC
        m = leaf.postings("body", b"coffe")
        m = getattr(m, "child", m)
        assert compact.is_packed(m)
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        assert raw.startswith(packing.MAGIC)


@pytest.mark.parametrize("text", ["coffee", "oil price", '"the coffee"', '"said the"~2', "gold OR wheat -bank",
                                  "title:tariff", "body_typed:brazil"])
def test_whoosh_searches_answer_the_same(pair, text):
    from whoosh.qparser import QueryParser
    w3, packed = pair
    found = []
    for ix in pair:
        with ix.searcher() as s:
            q = QueryParser("body", ix.schema).parse(text)
            found.append([(h["id"], round(h.score, 6)) for h in s.search(q, limit=None)])
    assert found[0] == found[1] and found[0]


def test_the_postings_file_is_several_times_smaller(pair):
    """The cut is real: the same postings in a third of the bytes or less (blocks of 16 here; at
    512 a block, 1x Reuters, the body's are 7x smaller)."""
    def posting_bytes(ix, fieldname):
        with ix.reader() as reader:
            return sum(_length(info) for leaf, _ in reader.leaf_readers()
                       for (name, _t), info in leaf._terms.items() if name == fieldname)
    for fieldname, ratio in (("body", 3), ("body_typed", 2), ("title", 2)):
        w3, packed = (posting_bytes(ix, fieldname) for ix in pair)
        assert w3 and packed < w3 / ratio, (fieldname, packed, w3)


def _length(info) -> int:
    length = info.extent()[1] if not info.is_inlined() else 0
    return length[0] if isinstance(length, tuple) else length


def test_merging_keeps_every_posting(pair, tmp_path):
    """An optimize merges W3 and packed segments alike into one packed segment, postings intact."""
    w3, packed = pair
    expected = {}
    with packed.searcher() as s:
        for f in ("body", "org"):
            for btext in s.reader().lexicon(f):
                expected[(f, btext)] = [s.stored_fields(d)["id"] for d in s.postings(f, btext).all_ids()]
    for ix in (w3, packed):
        w = ix.writer(codec=codec())
        w.commit(optimize=True)
        merged = whoosh_index.open_dir(ix.storage.folder)
        with merged.searcher() as s:
            (leaf, _), = s.reader().leaf_readers()
            assert isinstance(leaf.segment().codec(), compact.PackedCodec)
            for (f, btext), ids in expected.items():
                assert [s.stored_fields(d)["id"] for d in s.postings(f, btext).all_ids()] == ids, (f, btext)
            m = s.postings("body", b"coffe")
            docs = list(m.all_ids())
            assert docs and all(isinstance(p, int) for p in s.postings("body", b"coffe").value_as("positions"))


def test_a_value_that_would_not_come_back_identical_keeps_the_pickle():
    odd = struct.pack("!I", 2) + pickle.dumps([3, 4], 2)[:-1]          # no STOP: Positions.encode never writes this
    good = struct.pack("!I", 2) + pickle.dumps([3, 4], 2)
    data = packing.encode_block([5, 9], [2.0, 2.0], [odd, good], Positions())
    block = packing.Block(data, 2)
    assert block.vkind == packing.V_PICKLE
    assert [block.value(0), block.value(1)] == [odd, good]
    data = packing.encode_block([5, 9, 70000], [1.0, 3.0, 0.5], [good, good, good], Positions())
    block = packing.Block(data, 3)
    assert block.vkind == packing.V_POSITIONS and block.ids.tolist() == [5, 9, 70000]
    assert block.weights.tolist() == [1.0, 3.0, 0.5] and block.value(2) == good and block.positions(1) == [3, 7]


def test_the_indexer_writes_packed_segments():
    assert isinstance(codec(), compact.PackedCodec) and codec()._blocklimit == 512


def _segment_parts(ix) -> dict[str, bytes]:
    """Every part of the index's one segment, by name without the segment's id."""
    segment = ix.reader().segment()
    compound = segment.open_compound_file(ix.storage)
    try:
        return {name.replace(segment.segment_id(), ""): compound.open_file(name).read() for name in compound.list()}
    finally:
        compound.close()


def _one_segment(path: Path) -> dict[str, bytes]:
    whoosh_ext.install()
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(path, SCHEMA)
    w = ix.writer(codec=compact.PackedCodec(blocklimit=16, compression=0))
    for d in _docs(150, seed=7):
        w.add_document(**d)
    w.commit()
    return _segment_parts(whoosh_index.open_dir(path))


def test_the_term_at_a_time_writer_writes_the_same_bytes_as_whooshs_loop(tmp_path, monkeypatch):
    """PackedFieldWriter.add_postings (a term's postings at once, the small blocks packed without
    numpy) writes the very files Whoosh's posting-at-a-time loop and the numpy packer write."""
    fast = _one_segment(tmp_path / "fast")
    from whoosh.codec import whoosh3
    monkeypatch.setattr(compact.PackedCodec, "field_writer", lambda self, st, seg: whoosh3.W3FieldWriter(self, st, seg))
    monkeypatch.setattr(compact, "encode_block", packing._encode_numpy)
    slow = _one_segment(tmp_path / "slow")
    assert fast.keys() == slow.keys()
    assert any(k.endswith(".pst") for k in fast)
    for name in fast:
        assert fast[name] == slow[name], name


@pytest.mark.parametrize("weights, values, fmt", [
    ([1.0, 1.0, 1.0], [], None),
    ([2.0, 2.0, 2.0], [], None),
    ([1.0, 3.0, 70000.0], [struct.pack("!I", 1), struct.pack("!I", 3), struct.pack("!I", 70000)], "freq"),
    ([0.5, 1.25, 3.0], [], None),
    ([1.0, 2.0, 1.0], [Positions().encode([4]), Positions().encode([1, 300]), Positions().encode([70000])], "pos"),
    ([1.0, 1.0, 1.0], [Positions().encode([4]), b"\x00\x00\x00\x01junk", Positions().encode([2])], "pos"),
])
def test_small_blocks_pack_as_numpy_does(weights, values, fmt):
    from whoosh.formats import Existence, Frequency
    fmt = {"freq": Frequency(), "pos": Positions(), None: Existence()}[fmt]
    for ids in ([0, 5, 9], [3, 300, 70000], [100000, 200000, 5000000]):
        assert packing._encode_small(ids, weights, values, fmt) == packing._encode_numpy(ids, weights, values, fmt)
