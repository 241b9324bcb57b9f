"""The Whoosh patches answer exactly as Whoosh's own code, and are applied only by `install()`."""
from __future__ import annotations

import io
import json
import pickle

from whoosh.codec import whoosh3
from whoosh.filedb.structfile import BufferFile
from whoosh.writing import PostingPool

from indexer.index import whoosh_ext
from indexer.index.build import build_index
from indexer.index.store import open_live
from indexer.index.whoosh_ext import patches


def test_install_patches_whoosh_once():
    assert whoosh_ext.install() is True and whoosh_ext.install() is True
    assert whoosh3.W3PerDocReader.doc_field_length is patches.doc_field_length
    assert BufferFile.__init__ is patches.buffer_file_init
    assert PostingPool.add is patches.pool_add and PostingPool.items is patches.pool_items
    from whoosh.formats import Frequency, Positions
    assert Positions.word_values is patches.positions_word_values
    assert Frequency.word_values is patches.frequency_word_values


def test_the_pool_keeps_whooshs_size_estimate_and_spills_as_it_did(tmp_path):
    """patch 4: the same items, the same size estimate, the same spill past the limit."""
    from whoosh.filedb.filestore import FileStorage
    items = [("body", b"w%d" % (i % 37), i, 1.0, b"\x00\x00\x00\x01" if i % 3 else None) for i in range(500)]
    items += [("title", "é".encode() * 5, 600, 2.5, b"")]
    pools = []
    for add in (patches.ORIGINAL_POOL_ADD, patches.pool_add):
        folder = tmp_path / add.__name__ / str(len(pools))
        folder.mkdir(parents=True)
        pool = PostingPool(FileStorage(str(folder)), None, limitmb=0.02)
        for item in items:
            add(pool, item)
        pools.append((pool.currentsize, list(pool.current), len(pool.runs), sorted(pool.fieldnames), list(pool.items())))
    assert pools[0] == pools[1]
    assert pools[0][2] > 0            # it spilled


def test_field_lengths_match_whoosh(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    bodies = ["", "one", "two words here", "a " * 300 + "long", "the of and"]
    with open(root / "d.jsonl", "w") as f:
        for i, b in enumerate(bodies):
            f.write(json.dumps({"id": str(i), "title": "T" * i, "body": b}) + "\n")
    build_index([root], tmp_path / "ix", progress=False)
    ix, _ = open_live(tmp_path / "ix")
    with ix.reader() as reader:
        for seg_reader, _ in reader.leaf_readers():
            perdoc = seg_reader._perdoc
            for docnum in range(seg_reader.doc_count_all()):
                for field in ("title", "body", "nosuchfield"):
                    assert (patches.doc_field_length(perdoc, docnum, field)
                            == patches.ORIGINAL_DOC_FIELD_LENGTH(perdoc, docnum, field)), (docnum, field)


def test_view_file_reads_like_bytesio():
    payload = b"line one\nline two\n" + pickle.dumps({"a": [1, 2, 3]}) + b"tail"
    ours, theirs = patches.ViewFile(memoryview(payload)), io.BytesIO(payload)
    assert ours.readline() == theirs.readline()
    assert ours.read(4) == theirs.read(4)
    assert ours.tell() == theirs.tell()
    ours.seek(-4, 2), theirs.seek(-4, 2)
    assert ours.read() == theirs.read() == b"tail"
    ours.seek(18), theirs.seek(18)
    assert pickle.load(ours) == pickle.load(theirs) == {"a": [1, 2, 3]}
    assert list(patches.ViewFile(b"a\nb\nc")) == [b"a\n", b"b\n", b"c"]
    whoosh_ext.install()
    # Whoosh's BufferFile no longer copies its buffer
    f = BufferFile(memoryview(payload))
    assert isinstance(f.file, patches.ViewFile) and f.get(0, 4) == b"line"


def test_view_file_keeps_a_read_position_per_thread():
    """Whoosh seeks then reads on one shared file object: each thread needs its own cursor."""
    import threading
    f = patches.ViewFile(memoryview(bytes(range(100))))
    f.seek(10)
    seen = {}

    def other():
        seen["start"] = f.tell()           # a new thread starts at 0, not at this thread's 10
        f.seek(50)
        seen["read"] = f.read(2)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"start": 0, "read": bytes([50, 51])}
    assert f.tell() == 10 and f.read(2) == bytes([10, 11])


def test_the_pool_sorts_its_postings_as_whoosh_does(tmp_path):
    """patch 5: the same order as sorting the whole tuples, held in memory or spilled."""
    import random
    from whoosh.filedb.filestore import FileStorage
    rng = random.Random(5)
    items = [(rng.choice(["body", "title", "org", "body_typed"]), b"w%d" % rng.randrange(300), doc,
              float(rng.randrange(1, 4)), rng.choice([None, b"", b"\x00\x00\x00\x02"]))
             for doc in range(400) for _ in range(rng.randrange(1, 30))]
    items = list({it[:3]: it for it in items}.values())          # a field's term holds a document once
    for limitmb in (64, 0.01):
        pool = PostingPool(FileStorage(str(tmp_path)), None, limitmb=limitmb)
        for item in items:
            pool.add(item)
        assert list(patches.pool_items(pool)) == sorted(items)


def test_word_values_are_whooshs():
    """patch 6: the same (word, count, weight, value) items in the same order, for each field of the
    schema (stemmed, typed, keyword, id) and analyzer language, boosts included."""
    from whoosh.analysis import StandardAnalyzer
    from whoosh.formats import Frequency, Positions
    from indexer.index.analysis import LanguageText
    from indexer.index.schema import SCHEMA
    assert whoosh_ext.install() and Positions.word_values is patches.positions_word_values
    texts = ["", "Coffee coffee COFFEE prices, the price of coffee rose; Brazil's crop.",
             "Café Zürich Straße ﬁnance ｃｏｆｆｅｅ the of and " * 3, "one", "a b c a b a"]
    for name in ("title", "body", "title_typed", "body_typed"):
        field = SCHEMA[name]
        for text in texts:
            for value in (text, LanguageText(text, "de")):
                got = list(field.format.word_values(value, field.analyzer, mode="index"))
                want_fn = (patches.ORIGINAL_POSITIONS_WORD_VALUES if type(field.format) is Positions
                           else patches.ORIGINAL_FREQUENCY_WORD_VALUES)
                assert got == list(want_fn(field.format, value, field.analyzer, mode="index")), (name, text)
    boosted = Positions(field_boost=2.5)
    for fmt, original in ((boosted, patches.ORIGINAL_POSITIONS_WORD_VALUES),
                          (Frequency(field_boost=2.0), patches.ORIGINAL_FREQUENCY_WORD_VALUES)):
        for text in texts:
            assert (list(type(fmt).word_values(fmt, text, StandardAnalyzer()))
                    == list(original(fmt, text, StandardAnalyzer()))), text
