"""Contract tests for indexer/index/whoosh_ext: the Whoosh internals it relies on are still there
and still mean what it assumes. They fail loudly on any Whoosh but the pinned one.

Indexes are built inline with Whoosh's own writer (RamStorage-sized, on disk so the
memory-mapped path is the one tested), with small posting blocks so that every list
spans several, both with and without zlib compression of the blocks.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import whoosh
from whoosh import index as whoosh_index, query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import IndexingError, SegmentWriter

from indexer.index import whoosh_ext
from indexer.index.schema import SCHEMA
from indexer.index.whoosh_ext import blocks, version

ROOT = Path(__file__).resolve().parents[2]
WORDS = "coffee oil grain wheat gold bank loan trade price export import tariff quota talks minister".split()


def _docs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    for i in range(n):
        body = " ".join(rng.choice(WORDS, size=int(rng.integers(1, 60))))
        yield {"id": f"d{seed}-{i}", "title": " ".join(rng.choice(WORDS, size=3)), "body": body,
               "org": ",".join(rng.choice(["UN", "IMF", "OPEC"], size=int(rng.integers(0, 3)))), "day": "1987-01-01"}


def _build(path: Path, compression: int, segments: int = 1, per_segment: int = 300):
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(path, SCHEMA)
    for s in range(segments):
        w = ix.writer(codec=W3Codec(blocklimit=16, compression=compression))
        for d in _docs(per_segment, seed=s):
            w.add_document(**d)
        w.commit(merge=False)
    with ix.writer() as w:                 # deletions: FilterMatcher-wrapped postings
        w.delete_by_term("id", "d0-3")
        w.delete_by_term("id", f"d{segments - 1}-10")
    return whoosh_index.open_dir(path)


@pytest.fixture(scope="module", params=[0, 3], ids=["plain", "zlib"])
def compression(request) -> int:
    return request.param


@pytest.fixture(scope="module")
def ix(compression, tmp_path_factory):
    whoosh_ext.install()
    return _build(tmp_path_factory.mktemp("ix"), compression, segments=2)


# -- the version pin

def test_whoosh_is_the_pinned_version():
    """On another Whoosh this fails: re-check every private-API use in whoosh_ext, then move the pin."""
    assert tuple(whoosh.__version__[:3]) == version.WHOOSH_VERSION, (
        f"Whoosh {whoosh.versionstring()} is installed; indexer/index/whoosh_ext was written against "
        f"{'.'.join(map(str, version.WHOOSH_VERSION))}")
    assert whoosh_ext.supported()


def test_pyproject_pins_the_same_whoosh_exactly():
    text = (ROOT / "pyproject.toml").read_text()
    pins = re.findall(r'"whoosh-reloaded([^"]*)"', text)
    assert pins == ["==" + ".".join(map(str, version.WHOOSH_VERSION))]


def test_private_names_still_exist():
    from whoosh.codec import whoosh3
    from whoosh.filedb import structfile
    from whoosh.index import FileIndex
    for name in ("_finalize_segment", "_merge_segments", "_commit_toc", "_finish", "_close_segment",
                 "_check_state"):
        assert callable(getattr(SegmentWriter, name)), name
    assert callable(whoosh3.W3LeafMatcher._goto) and callable(whoosh3.W3PerDocReader._cached_reader)
    assert callable(whoosh3._lenfield) and whoosh3.LENGTHS_COLUMN is not None
    assert callable(FileIndex._segments)
    import inspect
    assert list(inspect.signature(structfile.BufferFile.__init__).parameters) in (
        ["self", "buf", "name", "onclose"],)


# -- the block and length readers

def _stepped(leaf, fieldname, btext):
    m = leaf.postings(fieldname, btext)
    ids, ws = [], []
    while m.is_active():
        ids.append(m.id())
        ws.append(m.weight())
        m.next()
    return ids, ws


@pytest.mark.parametrize("fieldname", ["body", "title", "org", "day"])
def test_block_reader_matches_whoosh_matchers(ix, fieldname):
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        assert len(leaves) == 2
        checked = 0
        for leaf, _ in leaves:
            for btext in leaf.lexicon(fieldname):
                found = whoosh_ext.term_postings(leaf, fieldname, btext)
                ids, ws = _stepped(leaf, fieldname, btext)
                live = np.array([not leaf.is_deleted(d) for d in found[0]], dtype=bool)
                # ours includes deleted documents (the caller masks them); Whoosh's matcher skips them
                assert found[0][live].tolist() == ids
                assert np.allclose(found[1][live], ws)
                assert found[0].dtype == np.int32 and found[1].dtype == np.float32
                checked += 1
        assert checked
        assert whoosh_ext.term_postings(leaves[0][0], fieldname, b"no-such-term") is None


@pytest.mark.parametrize("fieldname", ["body", "title", "org", "day"])
def test_a_fields_postings_read_whole_are_each_terms(ix, fieldname, monkeypatch):
    """`field_postings` walks the terms file once: every term of the field, in lexicon order, with
    the docnums `term_postings` reads (deleted ones included); the public fallback says the same."""
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            got = [(b, ids.tolist()) for b, ids in whoosh_ext.field_postings(leaf, fieldname)]
            assert [b for b, _ in got] == list(leaf.lexicon(fieldname)) and got
            for btext, ids in got:
                assert ids == whoosh_ext.term_postings(leaf, fieldname, btext)[0].tolist(), btext
            with monkeypatch.context() as mp:
                mp.setattr(version, "WHOOSH_VERSION", (0, 0, 0))
                mp.setattr(version, "_warned", set())
                with pytest.warns(whoosh_ext.WhooshVersionWarning):
                    slow = [(b, ids.tolist()) for b, ids in whoosh_ext.field_postings(leaf, fieldname)]
            assert slow == got
        assert list(whoosh_ext.field_postings(leaves_of(reader)[0], "nosuchfield")) == []


def leaves_of(reader):
    return [leaf for leaf, _ in reader.leaf_readers()]


def test_compression_setting_reaches_the_blocks(ix, compression):
    """The zlib fixture really writes compressed blocks (else it would test nothing new)."""
    with ix.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        m = leaf.postings("body", b"coffe")
        m = getattr(m, "child", m)
        compressed = bool(m._compression)
        sizes = m._blocklength
    assert sizes <= 16
    assert compressed == bool(compression)


@pytest.mark.parametrize("fieldname", ["body", "title", "org", "nosuchfield"])
def test_field_lengths_match_whoosh(ix, fieldname):
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            ours = whoosh_ext.field_lengths(leaf, fieldname)
            theirs = [blocks_len or 0 for blocks_len in
                      (leaf.doc_field_length(d, fieldname, 0) for d in range(leaf.doc_count_all()))]
            assert ours.tolist() == theirs


def test_public_fallbacks_answer_the_same(ix, monkeypatch):
    """On another Whoosh, the readers use the public API: same arrays, and a warning once."""
    with ix.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        fast = whoosh_ext.term_postings(leaf, "body", b"coffe"), whoosh_ext.field_lengths(leaf, "body")
        monkeypatch.setattr(version, "WHOOSH_VERSION", (0, 0, 0))
        monkeypatch.setattr(version, "_warned", set())
        with pytest.warns(whoosh_ext.WhooshVersionWarning, match="written against 0.0.0"):
            slow = whoosh_ext.term_postings(leaf, "body", b"coffe")
        assert slow[0].tolist() == fast[0][0].tolist()          # deleted documents included, as fast
        assert slow[1].tolist() == fast[0][1].tolist()
        with pytest.warns(whoosh_ext.WhooshVersionWarning):
            assert whoosh_ext.field_lengths(leaf, "body").tolist() == fast[1].tolist()


def test_blocks_of_a_positional_field_are_cut_before_positions(ix):
    """The marker the block reader cuts at is where Whoosh's pickled positions begin."""
    with ix.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        m = leaf.postings("body", b"coffe")
        m = getattr(m, "child", m)
        import pickle
        import zlib
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        raw = zlib.decompress(raw) if m._compression else raw
        assert blocks._VALUES_MARK in raw
        full = pickle.loads(raw)
        cut = pickle.loads(raw[:raw.find(blocks._VALUES_MARK)] + b"N\x87.")
        assert list(cut[0]) == list(full[0]) and cut[1] == full[1] and cut[2] is None


# -- committing segments from several writers

def test_commit_segments_makes_every_writer_visible_at_once(tmp_path):
    whoosh_ext.install()
    ix = _build(tmp_path, compression=0, segments=1, per_segment=50)
    before = ix.doc_count()
    seg_writers = []
    for s in (7, 8):
        w = SegmentWriter(ix, _lk=False, codec=W3Codec())
        for d in _docs(20, seed=s):
            w.add_document(**d)
        seg_writers.append(whoosh_ext.finalize_segment(w))
    assert whoosh_index.open_dir(tmp_path).doc_count() == before       # nothing visible yet
    writer = ix.writer()
    writer.delete_by_term("id", "d0-5")
    writer.add_document(**next(_docs(1, seed=9)))
    whoosh_ext.commit_segments(writer, seg_writers)
    after = whoosh_index.open_dir(tmp_path)
    assert after.doc_count() == before + 40 - 1 + 1
    assert whoosh_ext.segment_count(after) == 1 + 2 + 1
    with after.searcher() as s:
        assert s.document_number(id="d7-3") is not None and s.document_number(id="d0-5") is None
        assert len(list(s.reader().leaf_readers())) == whoosh_ext.segment_count(after)
    with pytest.raises(IndexingError):      # the writer is finished, and its lock released: a new writer can start
        writer.add_document(id="late")
    ix.writer().cancel()


def test_expanded_terms_is_the_public_expansion(ix):
    """Query code expands prefixes through `expanded_terms` (public), lazily, in field order."""
    with ix.reader() as reader:
        got = [t for _, t in wq.Prefix("body", "co").expanded_terms(reader)]
        assert got == sorted(t for t in reader.lexicon("body") if t.startswith(b"co"))


# -- importing changes nothing; install() does

def test_importing_newsfacet_does_not_patch_whoosh():
    code = ("import indexer.index.schema, indexer.search, indexer.index.build, web.app\n"
            "from whoosh.codec import whoosh3\nfrom whoosh.filedb import structfile\n"
            "from indexer.index.whoosh_ext import patches\n"
            "assert whoosh3.W3PerDocReader.doc_field_length is patches.ORIGINAL_DOC_FIELD_LENGTH\n"
            "assert structfile.BufferFile.__init__ is patches.ORIGINAL_BUFFER_FILE_INIT\n"
            "import indexer.index.whoosh_ext as x\nassert x.install()\n"
            "assert whoosh3.W3PerDocReader.doc_field_length is patches.doc_field_length\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_install_refuses_another_whoosh(monkeypatch):
    code = ("import warnings\nfrom indexer.index.whoosh_ext import patches, version\n"
            "version.WHOOSH_VERSION = (0, 0, 0)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    assert patches.install() is False\n"
            "assert 'not applied' in str(w[0].message)\n"
            "from whoosh.codec import whoosh3\n"
            "assert whoosh3.W3PerDocReader.doc_field_length is patches.ORIGINAL_DOC_FIELD_LENGTH\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_scores_are_the_same_on_compressed_and_plain_blocks(tmp_path):
    """The query engine's BM25F arrays do not depend on how the blocks were stored."""
    from indexer.query.arrays import Postings
    plain, packed = _build(tmp_path / "plain", 0, segments=2), _build(tmp_path / "zlib", 3, segments=2)
    with plain.reader() as a, packed.reader() as b:
        pa, pb = Postings(a), Postings(b)
        for fieldname in ("body", "title"):
            assert np.array_equal(pa.lengths(fieldname), pb.lengths(fieldname))
            for btext in list(a.lexicon(fieldname))[:8]:
                ids_a, sc_a = pa.bm25(fieldname, btext)
                ids_b, sc_b = pb.bm25(fieldname, btext)
                assert ids_a.size and np.array_equal(ids_a, ids_b) and np.array_equal(sc_a, sc_b)


def test_segment_files_of_the_toc_and_of_a_reader_are_the_files_on_disk(tmp_path):
    """store.check_segments reads the TOC's segment files, query/generation.py a reader's: both name
    the compound `.seg` files Whoosh wrote, one per segment, and agree with each other."""
    ix = _build(tmp_path, compression=0, segments=3, per_segment=40)
    on_disk = sorted(p.name for p in tmp_path.glob("*.seg"))
    from_toc = whoosh_ext.toc_segment_files(tmp_path)
    assert len(from_toc) == whoosh_ext.segment_count(ix) == 3
    assert sorted(from_toc) == on_disk
    with ix.searcher() as s:
        assert sorted(whoosh_ext.reader_segment_files(s.reader())) == on_disk
    (tmp_path / "MAIN_WRITELOCK").unlink(missing_ok=True)
    for toc in tmp_path.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a toc")
    with pytest.raises(Exception):      # noqa: B017,PT011 - whatever Whoosh raises; store.py names it damaged
        whoosh_ext.toc_segment_files(tmp_path)
