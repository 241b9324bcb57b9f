"""The indexer end to end: formats in, incremental runs, atomic rebuild, the lock."""
from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest

from indexer.index import store
from indexer.index.build import build_index, load_manifest
from indexer.search import Archive, SearchRequest


def ids_in(index_dir: Path) -> list[str]:
    ix, _ = store.open_live(index_dir)
    with ix.searcher() as s:
        return sorted(f["id"] for f in s.all_stored_fields())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    write(root / "a.txt", " date 2026-01-05 GENEVA, Switzerland, January 5. The World Health Organization (WHO) met.\n")
    write(root / "b.txt", " date 2026-01-06 PARIS, France, January 6. The OECD published its outlook.\n")
    write(root / "sub" / "c.md", "# Coffee talks\n\nBrazil and Colombia discussed coffee quotas.\n")
    return root


def test_first_run_indexes_every_file_and_writes_a_manifest(folder, tmp_path):
    ix = tmp_path / "ix"
    report = build_index([folder], ix, progress=False)
    assert (report.new, report.changed, report.removed, report.skipped) == (3, 0, 0, 0)
    assert report.summary() == "indexed 3 new, 0 changed, 0 removed stories, 0 skipped"
    assert ids_in(ix) == ["a.txt", "b.txt", "sub/c.md"]
    manifest = load_manifest(store.live_dir(ix))
    entry = manifest[os.path.abspath(folder / "a.txt")]
    assert entry["ids"] == ["a.txt"] and len(entry["sha256"]) == 64 and entry["size"] > 0


def test_incremental_touch_change_delete_and_rerun(folder, tmp_path):
    ix = tmp_path / "ix"
    build_index([folder], ix, progress=False)

    # re-run: nothing to do, no duplicates
    r = build_index([folder], ix, progress=False)
    assert (r.new, r.changed, r.removed, r.documents) == (0, 0, 0, 0)
    assert ids_in(ix) == ["a.txt", "b.txt", "sub/c.md"]

    # touch without changing the content: nothing re-indexed
    later = time.time() + 5
    os.utime(folder / "a.txt", (later, later))
    r = build_index([folder], ix, progress=False)
    assert (r.changed, r.documents) == (0, 0)

    # change: 1 changed, and the new text is what is found
    write(folder / "a.txt", " date 2026-01-05 GENEVA, Switzerland, January 5. Penguins.\n")
    r = build_index([folder], ix, progress=False)
    assert (r.new, r.changed, r.removed) == (0, 1, 0)
    archive = Archive(ix)
    assert archive.search(SearchRequest(q="penguins")).total == 1
    assert archive.search(SearchRequest(q="organization")).total == 0

    # delete: 1 removed
    (folder / "b.txt").unlink()
    r = build_index([folder], ix, progress=False)
    assert (r.new, r.changed, r.removed) == (0, 0, 1)
    assert ids_in(ix) == ["a.txt", "sub/c.md"]

    # re-run again: nothing to do, each story exactly once
    r = build_index([folder], ix, progress=False)
    assert (r.new, r.changed, r.removed, r.documents) == (0, 0, 0, 0)
    assert ids_in(ix) == ["a.txt", "sub/c.md"]


def test_indexing_another_folder_keeps_the_first(folder, tmp_path):
    ix = tmp_path / "ix"
    other = tmp_path / "other"
    write(other / "z.txt", "Zebra story.\n")
    build_index([folder], ix, progress=False)
    r = build_index([other], ix, progress=False)
    assert (r.new, r.removed) == (1, 0)
    assert len(ids_in(ix)) == 4


def test_every_input_format_is_indexed(tmp_path):
    root = tmp_path / "formats"
    write(root / "story.txt", " date 2026-02-09 ASHGABAT, Turkmenistan, February 9. Plain text story about UNICEF.\n")
    write(root / "note.md", "# Markdown heading\n\nA markdown story about NATO.\n")
    write(root / "page.html", "<html><head><title>HTML title</title><script>var secret=1;</script>"
          "<meta property='article:published_time' content='2025-05-01T10:00:00Z'></head>"
          "<body><h1>Head</h1><p>An HTML story about OPEC.</p></body></html>")
    write(root / "one.json", json.dumps({"id": "j-1", "title": "JSON object", "date": "2024-03-01",
                                          "body": "A JSON story about the IMF."}))
    write(root / "many.json", json.dumps([{"id": "j-2", "title": "List item", "body": "A list story."}]))
    write(root / "lines.jsonl", "\n".join(json.dumps({"id": f"l-{i}", "title": f"Line {i}", "body": "JSON Lines."})
                                          for i in range(3)) + "\n")
    with gzip.open(root / "packed.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "gz-1", "title": "Gzipped", "body": "Compressed story.", "date": "1987-02-26"}) + "\n")
    ix = tmp_path / "ix"
    r = build_index([root], ix, progress=False)
    assert r.skipped == 0
    assert ids_in(ix) == sorted(["story.txt", "note.md", "page.html", "j-1", "j-2", "l-0", "l-1", "l-2", "gz-1"])
    archive = Archive(ix)
    assert [h.id for h in archive.search(SearchRequest(q="secret")).hits] == []     # script text is not indexed
    assert archive.search(SearchRequest(q="title:head")).hits[0].id == "page.html"     # the <h1> is the headline
    gz = archive.story("gz-1")
    assert gz.date == "1987-02-26" and gz.title == "Gzipped"


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path):
    root = tmp_path / "mixed"
    write(root / "good.txt", "A good story about coffee.\n")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    write(root / "broken.json", "{\"id\": \"x\", ")
    write(root / "lines.jsonl", json.dumps({"id": "ok-1", "body": "fine"}) + "\n{not json\n"
          + json.dumps({"id": "ok-2", "body": "also fine"}) + "\n")
    seen = []
    ix = tmp_path / "ix"
    r = build_index([root], ix, progress=False, on_problem=seen.append)
    assert ids_in(ix) == ["good.txt", "ok-1", "ok-2"]
    reported = {(Path(p.path).name, p.line) for p in seen if p.skipped}
    assert {name for name, _ in reported} == {"binary.txt", "broken.json", "lines.jsonl"}
    assert ("lines.jsonl", 2) in reported
    assert r.skipped == 3
    assert (r.new, r.summary()) == (2, "indexed 3 new, 0 changed, 0 removed stories, 3 skipped")      # 2 files, 3 stories


def test_duplicate_ids_across_files_are_reported_not_doubled(tmp_path):
    root = tmp_path / "dups"
    write(root / "a.jsonl", json.dumps({"id": "same", "body": "first"}) + "\n")
    write(root / "b.jsonl", json.dumps({"id": "same", "body": "second"}) + "\n")
    seen = []
    build_index([root], tmp_path / "ix", progress=False, on_problem=seen.append)
    assert ids_in(tmp_path / "ix") == ["same"]
    assert any("duplicate id 'same'" in p.reason for p in seen)


def test_rebuild_swaps_a_new_generation_atomically(folder, tmp_path):
    ix = tmp_path / "ix"
    build_index([folder], ix, progress=False)
    old_gen = store.live_dir(ix)
    archive = Archive(ix, refresh_every=0)      # checks for a new generation on every call: no sleep
    assert archive.search(SearchRequest()).total == 3
    before = archive.generation

    write(folder / "d.txt", "A fourth story.\n")
    r = build_index([folder], ix, rebuild=True, progress=False)
    new_gen = store.live_dir(ix)
    assert r.rebuilt and new_gen != old_gen and (ix / "current").is_symlink()
    assert r.new == 4          # a rebuild reads everything into the new generation
    assert ids_in(ix) == ["a.txt", "b.txt", "d.txt", "sub/c.md"]
    assert archive.search(SearchRequest()).total == 4
    assert archive.generation != before


def test_rebuild_failure_leaves_the_live_index_untouched(folder, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    build_index([folder], ix, progress=False)
    live = store.live_dir(ix)

    import indexer.index.build as build

    def boom(*a, **k):
        raise RuntimeError("simulated crash in the middle of a rebuild")

    monkeypatch.setattr(build, "_write", boom)
    with pytest.raises(RuntimeError):
        build_index([folder], ix, rebuild=True, progress=False)
    assert store.live_dir(ix) == live
    assert ids_in(ix) == ["a.txt", "b.txt", "sub/c.md"]


def test_second_indexer_gets_a_clear_message(folder, tmp_path):
    ix = tmp_path / "ix"
    with store.indexer_lock(ix):
        with pytest.raises(store.IndexLocked, match=r"another `newsfacet index` \(pid \d+\)"):
            build_index([folder], ix, progress=False)
    # released: the next run works
    assert build_index([folder], ix, progress=False).new == 3


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        build_index([tmp_path / "nope"], tmp_path / "ix", progress=False)


def test_parallel_extraction_matches_serial(tmp_path):
    """Enough stories to use the process pool: the same index as in-process extraction."""
    root = tmp_path / "many"
    lines = [json.dumps({"id": f"s-{i}", "title": f"Story {i}", "date": "1987-03-01",
                         "body": f"LONDON, March 1 - Story {i} about the IMF and Brazil."}) for i in range(900)]
    write(root / "all.jsonl", "\n".join(lines) + "\n")
    r2 = build_index([root], tmp_path / "ix2", procs=2, progress=False)
    r1 = build_index([root], tmp_path / "ix1", procs=1, progress=False)
    assert r1.documents == r2.documents == 900
    a1, a2 = Archive(tmp_path / "ix1"), Archive(tmp_path / "ix2")
    f1, f2 = a1.search(SearchRequest()).facets, a2.search(SearchRequest()).facets
    assert [(v.value, v.count) for v in f1["country"]] == [(v.value, v.count) for v in f2["country"]]


def test_incremental_run_removes_what_a_killed_rebuild_left(folder, tmp_path):
    ix = tmp_path / "ix"
    build_index([folder], ix, progress=False)
    orphan = ix / "gen-19990101-000000-1-00001"          # as a rebuild killed mid-run leaves it
    orphan.mkdir()
    (orphan / "MAIN_x.seg").write_bytes(b"half written")
    fresh_orphan = ix / "gen-29990101-000000-1-00002"    # recent: could be a rebuild running now
    fresh_orphan.mkdir()
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    build_index([folder], ix, progress=False)
    assert not orphan.exists() and fresh_orphan.exists()
    assert store.live_dir(ix).exists() and ids_in(ix) == ["a.txt", "b.txt", "sub/c.md"]
