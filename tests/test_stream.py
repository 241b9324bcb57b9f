"""Indexing memory is bounded whatever the size of the input (issue 24.8, "stream records").

A `.jsonl.gz` used to be read record by record but returned as one list, and the run held
every story of every file until it wrote them: a large, legitimate archive cost memory in
proportion to its expanded text. Now stories go from the reader into the run's spool
(indexer/index/stream.py) and from there to the writer one batch at a time.
"""
from __future__ import annotations

import gzip
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from corpora import corpus_records

import indexer.index.build as build
from indexer.index import store
from indexer.index.build import build_index, load_manifest
from indexer.search import Archive, SearchRequest

TEXT_BYTES = 45_000_000     # expanded JSON Lines: holding it whole is unmistakable next to the bound
STORY_BODIES = 5            # Reuters bodies per record: ~4 KB stories, so the run's ids (kept) stay small


def long_records(total: int, tag: str, bodies: int = STORY_BODIES):
    """Records of `bodies` Reuters bodies (~4 KB by default), with ids of their own, until `total` bytes of JSON Lines."""
    recs = [r for r in corpus_records() if r.get("body")]
    n = size = 0
    while size < total:
        group = [recs[(n * bodies + i) % len(recs)] for i in range(bodies)]
        line = json.dumps({"id": f"{tag}-{n}", "date": group[0].get("date"), "title": group[0].get("title", ""),
                           "body": "\n\n".join(r["body"] for r in group)}) + "\n"
        size += len(line)
        n += 1
        yield line


def write_gz(path: Path, lines) -> tuple[int, int]:
    """(records, expanded bytes); level 1 keeps the test fast and the ratio that of text (~3x)."""
    n = size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        for line in lines:
            f.write(line)
            n, size = n + 1, size + len(line)
    return n, size


@pytest.mark.corpus
@pytest.mark.timeout(240)
def test_a_large_jsonl_gz_flows_to_the_writer_in_bounded_memory(tmp_path, monkeypatch):
    archive = tmp_path / "archive"
    archive.mkdir()
    records, text = write_gz(archive / "big.jsonl.gz", long_records(TEXT_BYTES, "big"))
    assert text >= TEXT_BYTES and (archive / "big.jsonl.gz").stat().st_size < text / 2     # passes the bomb guard
    small = tmp_path / "small"
    small.mkdir()
    write_gz(small / "warm.jsonl.gz", long_records(50_000, "warm"))

    seen = {"stories": 0, "bytes": 0, "peak": 0}

    def counting_sink(ix, writer, docs, procs, fresh, on_progress):   # the real writer's loop, Whoosh left out
        for doc, _key in docs:
            seen["stories"] += 1
            seen["bytes"] += len(doc.body)
            on_progress(1)
        seen["peak"] = tracemalloc.get_traced_memory()[1]
        writer.commit()
        return []

    monkeypatch.setattr(build, "_write", counting_sink)
    build_index([small], tmp_path / "warm", procs=1, progress=False)       # imports and caches, not measured
    seen.update(stories=0, bytes=0)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        report = build_index([archive], tmp_path / "ix", procs=1, progress=False)
    finally:
        tracemalloc.stop()
    assert (report.stories_new, report.skipped, seen["stories"]) == (records, 0, records)
    assert seen["bytes"] > 0.8 * text                 # every story's text went through the pipeline
    grown = seen["peak"] - base
    assert grown < text / 3, f"peak {grown / 1e6:.1f} MB while reading {text / 1e6:.1f} MB of text"
    entry = load_manifest(store.live_dir(tmp_path / "ix"))[os.path.abspath(archive / "big.jsonl.gz")]
    assert len(entry["ids"]) == records and entry["ids"][:2] == ["big-0", "big-1"]


@pytest.mark.corpus
@pytest.mark.timeout(300)
@pytest.mark.parametrize("procs", [1, 2])
def test_spooled_stories_are_indexed_once_with_their_files_decisions(tmp_path, procs):
    """The real writer, in-process and in parallel (over PARALLEL_THRESHOLD stories, several spool batches):
    every story once, under its file; the duplicate of another file's id skipped and named."""
    root = tmp_path / "archive"
    (root / "a").mkdir(parents=True)
    lines = list(long_records(600_000, "r", bodies=1))
    assert len(lines) > build.PARALLEL_THRESHOLD
    write_gz(root / "a" / "one.jsonl.gz", lines[:-1])
    (root / "b.jsonl").write_text(lines[5] + json.dumps({"title": "Own id", "body": "A story without an id."}) + "\n")
    seen = []
    report = build_index([root], tmp_path / "ix", procs=procs, progress=False, on_problem=seen.append)
    assert report.total_documents == report.documents == len(lines)     # len-1 records + 1 new in b.jsonl
    assert [p.reason for p in seen if p.path.endswith("b.jsonl")] == [
        f"duplicate id 'r-5' (also in {os.path.abspath(root / 'a' / 'one.jsonl.gz')}); skipped"]
    ix, _ = store.open_live(tmp_path / "ix")
    with ix.searcher() as s:
        paths = {f["id"]: f["path"] for f in s.all_stored_fields()}
    one, b = (os.path.abspath(root / "a" / "one.jsonl.gz"), os.path.abspath(root / "b.jsonl"))
    assert paths == {**{f"r-{n}": one for n in range(len(lines) - 1)}, "b.jsonl#2": b}
    assert Archive(tmp_path / "ix").search(SearchRequest(q='"a story without an id"')).total == 1


@pytest.mark.parametrize("procs", [1, 2, 3, 7])
def test_the_workers_shares_hold_every_kept_story_once(tmp_path, monkeypatch, request, procs):
    """What each worker reads back from the spool: the kept files' stories with the build's decisions applied
    (prefix, skipped duplicate, a feed's later copy), then the feeds', each exactly once across the shares."""
    from indexer.read.documents import Document
    from indexer.index.stream import Spool, Stories
    monkeypatch.setattr("indexer.index.stream.BATCH", 4)          # several batches per file, cut across shares

    def doc(i: str, path: str) -> Document:
        return Document(id=i, path=path, title=i, date=None, body=f"body of {i}")

    spool = Spool(tmp_path)
    request.addfinalizer(spool.close)

    def read(ids: list[str], path: str):                  # as the build does: a file read, then adopted
        sink = spool.sink()
        for i in ids:
            sink.append(doc(i, path))
        assert spool.adopt(sink) is sink and sink.buffer == []
        return sink

    a = read([f"a.txt#{n}" for n in range(10)], "a.txt")  # path-made ids: get the prefix
    b = read([f"x{n}" for n in range(7)], "b.jsonl")
    read([f"g{n}" for n in range(5)], "g.jsonl").clear()   # a file that turned out unreadable
    assert len(spool.batches) == 3 + 2 + 2
    assert list(a.final_ids("new/"))[:2] == ["new/a.txt#0", "new/a.txt#1"]
    a.keep("/k/a.txt", "new/")
    b.skip.add("x3")
    b.keep("/k/b.jsonl", "")
    spool.overridden = {"x5"}
    extra = [(doc("x5", "feed"), "feed:1"), (doc("f1", "feed"), "feed:1")]
    stories = Stories(spool, extra, 10 + 5 + 2)
    got = [(d.id, k) for w in range(procs) for d, k in stories.share(w, procs)]
    assert got == ([(f"new/a.txt#{n}", "/k/a.txt") for n in range(10)]
                   + [(f"x{n}", "/k/b.jsonl") for n in (0, 1, 2, 4, 6)] + [("x5", "feed:1"), ("f1", "feed:1")])
    assert [(d.id, k) for d, k in stories] == got and len(stories) == len(got)
