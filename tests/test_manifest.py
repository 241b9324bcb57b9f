"""The typed manifest (indexer/index/manifest.py) reads and writes manifest.json as it always was.

`fixtures/manifest/v1.json` was written by the index run before the manifest was typed
(commit 1c69c7e; `{root}` stands for the folder it indexed), with a feed entry in the shape
a rebuild's replay writes (no ETag or Last-Modified).
"""
from __future__ import annotations

import json
from pathlib import Path

from indexer.index import store
from indexer.index.build import build_index
from indexer.index.manifest import MANIFEST, FeedEntry, FileEntry, Manifest, load_manifest

FIXTURE = Path(__file__).parent / "fixtures" / "manifest" / "v1.json"
FEED = "https://news.example/feed.xml"
FILES = {"one/kenya.txt": "Kenya floods\n\nRain in Nairobi.\n",
         "two/kenya.txt": "Kenya vote\n\nA vote in Kenya.\n",
         "one/wire.jsonl": '{"id": "wire-1", "title": "UN aid", "body": "UNICEF sends aid."}\n'
                           '{"id": "wire-2", "title": "Trade", "body": "Exports grew."}\n'}


def old_files(root: Path) -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8").replace("{root}", str(root)))["files"]


def test_entries_are_typed_and_round_trip(tmp_path):
    files = old_files(tmp_path)
    m = Manifest.from_json(files)
    kenya = m[f"{tmp_path}/two/kenya.txt"]
    assert isinstance(kenya, FileEntry) and kenya.prefix == "two/" and kenya.ids == ["two/kenya.txt"]
    assert isinstance(m[FEED], FeedEntry) and m[FEED].etag == "" and m[FEED].hashes
    assert m.all_ids() == {"kenya.txt", "two/kenya.txt", "wire-1", "wire-2", "https://news.example/a"}
    out = m.to_json()
    assert list(out) == list(files)                  # the order the run wrote them in
    for key, entry in files.items():                 # files byte for byte; feeds gain only empty validators
        if entry.get("feed"):
            assert out[key] == {**entry, "etag": "", "last_modified": ""}
        else:
            assert json.dumps(out[key]) == json.dumps(entry)
    assert Manifest.from_json(out) == m


def test_keys_it_does_not_know_are_kept():
    m = Manifest.from_json({"/a.txt": {"size": 1, "mtime_ns": 2, "sha256": "x", "ids": ["a"], "later": [1]},
                            FEED: {"feed": True, "ids": [], "later": "y"}})
    assert m.to_json()["/a.txt"]["later"] == [1] and m.to_json()[FEED]["later"] == "y"


def test_an_entry_without_ids_stays_without(tmp_path):
    m = Manifest.from_json({"/a.txt": {"size": 1, "mtime_ns": 2, "sha256": "x"}})
    assert m["/a.txt"].ids is None and "ids" not in m.to_json()["/a.txt"]


def test_save_and_load(tmp_path):
    m = Manifest.from_json(old_files(tmp_path))
    m.save(tmp_path)
    assert json.loads((tmp_path / MANIFEST).read_text())["version"] == 1
    assert Manifest.load(tmp_path) == m and load_manifest(tmp_path) == m.to_json()
    assert Manifest.load(tmp_path / "nowhere") == Manifest()


def test_an_index_with_an_old_manifest_updates_incrementally(tmp_path):
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    ix = tmp_path / "ix"
    roots = [tmp_path / "one", tmp_path / "two"]
    build_index(roots, ix, progress=False, procs=1)
    gen = store.live_dir(ix)
    (gen / MANIFEST).write_text(json.dumps({"version": 1, "files": old_files(tmp_path)}), encoding="utf-8")

    r = build_index(roots, ix, progress=False, procs=1)   # other mtimes, same bytes: touched, not changed
    assert (r.new, r.changed, r.removed, r.unchanged, r.documents) == (0, 0, 0, 3, 0)
    after = load_manifest(gen)
    assert after[str(tmp_path / "two/kenya.txt")]["prefix"] == "two/" and FEED in after
    assert build_index(roots, ix, progress=False, procs=1).unchanged == 3

    (tmp_path / "two/kenya.txt").write_text("Kenya vote\n\nA second vote in Kenya.\n", encoding="utf-8")
    r = build_index(roots, ix, progress=False, procs=1)
    assert (r.new, r.changed, r.total_documents) == (0, 1, 4)
    assert load_manifest(gen)[str(tmp_path / "two/kenya.txt")]["ids"] == ["two/kenya.txt"]
