"""The Whoosh field-length speed-up answers exactly as Whoosh's own code."""
from __future__ import annotations

import json

from indexer import speedups
from indexer.build import build_index
from indexer.store import open_live


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
                    assert (speedups._doc_field_length(perdoc, docnum, field)
                            == speedups._original(perdoc, docnum, field)), (docnum, field)


def test_view_file_reads_like_bytesio():
    import io
    import pickle

    from whoosh.filedb.structfile import BufferFile

    payload = b"line one\nline two\n" + pickle.dumps({"a": [1, 2, 3]}) + b"tail"
    ours, theirs = speedups._ViewFile(memoryview(payload)), io.BytesIO(payload)
    assert ours.readline() == theirs.readline()
    assert ours.read(4) == theirs.read(4)
    assert ours.tell() == theirs.tell()
    ours.seek(-4, 2), theirs.seek(-4, 2)
    assert ours.read() == theirs.read() == b"tail"
    ours.seek(18), theirs.seek(18)
    assert pickle.load(ours) == pickle.load(theirs) == {"a": [1, 2, 3]}
    assert list(speedups._ViewFile(b"a\nb\nc")) == [b"a\n", b"b\n", b"c"]
    # Whoosh's BufferFile no longer copies its buffer
    f = BufferFile(memoryview(payload))
    assert isinstance(f.file, speedups._ViewFile) and f.get(0, 4) == b"line"
