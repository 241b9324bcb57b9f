"""Story ids never collide silently, and the manifest describes the bytes that were parsed (issue 11)."""
from __future__ import annotations

import gc
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import indexer.read.documents as documents
from indexer.index import store
from indexer.index.build import build_index, load_manifest
from indexer.search import Archive, SearchRequest


def stored(index_dir: Path) -> dict[str, dict]:
    ix, _ = store.open_live(index_dir)
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_file_name_in_two_folders_keeps_both_stories(tmp_path):
    write(tmp_path / "2025" / "kenya_drought.txt", " date 2025-03-01 NAIROBI, Kenya, March 1. The 2025 drought story.\n")
    write(tmp_path / "2026" / "kenya_drought.txt", " date 2026-03-01 NAIROBI, Kenya, March 1. The 2026 drought story.\n")
    ix = tmp_path / "ix"
    assert build_index([tmp_path / "2025"], ix, progress=False).new == 1
    r = build_index([tmp_path / "2026"], ix, progress=False)
    assert (r.new, r.skipped, r.total_documents) == (1, 0, 2)
    docs = stored(ix)
    assert sorted(docs) == ["2026/kenya_drought.txt", "kenya_drought.txt"]
    assert "2025 drought" in docs["kenya_drought.txt"]["body"]
    assert "2026 drought" in docs["2026/kenya_drought.txt"]["body"]
    again = build_index([tmp_path / "2025"], ix, progress=False)          # nothing to bring back: nothing lost
    assert (again.new, again.changed, again.removed, again.total_documents) == (0, 0, 0, 2)
    archive = Archive(ix)
    assert archive.search(SearchRequest(q="drought")).total == 2
    # the second file keeps its qualified id when it changes
    write(tmp_path / "2026" / "kenya_drought.txt", " date 2026-03-02 NAIROBI, Kenya, March 2. Rain at last.\n")
    r = build_index([tmp_path / "2026"], ix, progress=False)
    assert r.changed == 1 and "Rain at last" in stored(ix)["2026/kenya_drought.txt"]["body"]


def test_records_without_ids_in_two_folders_keep_both(tmp_path):
    for year in ("2025", "2026"):
        write(tmp_path / year / "wire.jsonl", json.dumps({"title": f"Wire {year}", "body": f"Story of {year}."}) + "\n")
        build_index([tmp_path / year], tmp_path / "ix", progress=False)
    assert sorted(stored(tmp_path / "ix")) == ["2026/wire.jsonl#1", "wire.jsonl#1"]


def test_explicit_id_clash_across_runs_is_reported_and_replaces_nothing(tmp_path):
    write(tmp_path / "a" / "one.jsonl", json.dumps({"id": "same", "body": "first story"}) + "\n")
    write(tmp_path / "b" / "two.jsonl", json.dumps({"id": "same", "body": "second story"}) + "\n"
          + json.dumps({"id": "other", "body": "third story"}) + "\n")
    ix = tmp_path / "ix"
    build_index([tmp_path / "a"], ix, progress=False)
    seen = []
    r = build_index([tmp_path / "b"], ix, progress=False, on_problem=seen.append)
    assert r.skipped == 1
    [p] = [p for p in seen if p.skipped]
    assert p.path.endswith("two.jsonl") and "duplicate id 'same'" in p.reason and "one.jsonl" in p.reason
    docs = stored(ix)
    assert sorted(docs) == ["other", "same"] and docs["same"]["body"] == "first story"


def test_ids_stay_when_the_archive_folder_moves(tmp_path):
    write(tmp_path / "old" / "news" / "x.txt", "A story about moving archives.\n")
    ix = tmp_path / "ix"
    build_index([tmp_path / "old" / "news"], ix, progress=False)
    shutil.move(tmp_path / "old" / "news", tmp_path / "news")
    r = build_index([tmp_path / "news"], ix, progress=False)
    assert (r.new, r.removed, r.skipped) == (1, 1, 0)
    assert sorted(stored(ix)) == ["x.txt"]


def test_file_rewritten_while_read_is_read_again_next_run(tmp_path, monkeypatch):
    """`cp` over a file during a run: the run parsed half; the manifest must not claim the whole."""
    path = tmp_path / "docs" / "wire.jsonl"
    half = "".join(json.dumps({"id": f"s-{i}", "body": f"Story {i}."}) + "\n" for i in range(10))
    rest = "".join(json.dumps({"id": f"s-{i}", "body": f"Story {i}."}) + "\n" for i in range(10, 20))
    write(path, half)
    parse = documents._parse

    def parse_then_the_copy_finishes(*args, **kwargs):
        got = parse(*args, **kwargs)
        with open(path, "a", encoding="utf-8") as f:
            f.write(rest)
        return got

    monkeypatch.setattr(documents, "_parse", parse_then_the_copy_finishes)
    seen = []
    ix = tmp_path / "ix"
    r = build_index([path.parent], ix, progress=False, procs=1, on_problem=seen.append)
    assert r.documents == 10 and any("changed while it was being read" in p.reason for p in seen)
    monkeypatch.setattr(documents, "_parse", parse)
    r = build_index([path.parent], ix, progress=False)
    assert (r.changed, r.total_documents) == (1, 20)
    entry = load_manifest(store.live_dir(ix))[str(path)]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["size"] == path.stat().st_size
    assert build_index([path.parent], ix, progress=False).unchanged == 1


@pytest.mark.parametrize("stories", [5, 450])       # in-process, and the parallel writers
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")   # Whoosh leaves a failed writer's files open
def test_full_disk_leaves_the_live_index_as_it_was(tmp_path, monkeypatch, stories):
    from whoosh.filedb.structfile import StructFile
    root = tmp_path / "docs"
    write(root / "first.txt", "The first story, about WHO.\n")
    ix = tmp_path / "ix"
    build_index([root], ix, progress=False)
    live = store.live_dir(ix)
    files_before = sorted(p.name for p in live.iterdir())
    write(root / "more.jsonl", "".join(json.dumps({"id": f"m-{i}", "body": f"More story {i} " + "text " * 50}) + "\n"
                                       for i in range(stories)))
    real_write = StructFile.write

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(StructFile, "write", full)
    gc.disable()         # the failed writer's lock must be released by the code, not by the collector
    try:
        with pytest.raises(store.DiskFull, match="no space left on the disk holding .*index is as it was"):
            build_index([root], ix, progress=False, procs=2)
        monkeypatch.setattr(StructFile, "write", real_write)
        assert store.live_dir(ix) == live
        assert sorted(p.name for p in live.iterdir()) == files_before     # no partial segment left behind
        assert sorted(stored(ix)) == ["first.txt"]
        r = build_index([root], ix, progress=False, procs=2)          # space freed: the next run works
    finally:
        gc.enable()
    assert (r.new, r.total_documents) == (1, 1 + stories)


def test_pages_read_by_the_pool_match_pages_read_in_process(tmp_path):
    root = tmp_path / "pages"
    for i in range(20):
        write(root / f"p{i:02d}.html", f"<html lang='en'><head><title>Page {i}</title></head><body><h1>Story {i}</h1>"
              + "".join(f"<p>GENEVA, March {i % 28 + 1} - Paragraph {j} of story {i} about the WHO and trade.</p>"
                        for j in range(5)) + "</body></html>")
    one = build_index([root], tmp_path / "ix1", progress=False, procs=1)
    two = build_index([root], tmp_path / "ix2", progress=False, procs=2)
    assert one.new == two.new == 20
    a, b = stored(tmp_path / "ix1"), stored(tmp_path / "ix2")
    assert sorted(a) == sorted(b) == [f"p{i:02d}.html" for i in range(20)]
    assert all((a[k]["title"], a[k]["body"], a[k]["dateline"]) == (b[k]["title"], b[k]["body"], b[k]["dateline"])
               for k in a)
