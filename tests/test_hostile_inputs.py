"""Hostile inputs: every reader runs in time linear in the file, and a bomb is named (issue 11).

The bounds are generous (2 s of CPU for 1 MB, where a linear reader needs a small
fraction of that) and measured in this process's CPU time, so a busy machine does
not make them flake; the quadratic readers they replace took 20-100 s.
"""
from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

import indexer.read.guard as guard
from indexer.index.build import build_index
from indexer.read.documents import read_file
from indexer.read.newstext import derive_title

MB = 1 << 20
HOSTILE = {
    "tags.html": "<x " * (MB // 3),
    "anchors.html": "<a" * (MB // 2),
    "comments.html": "<!--" * (MB // 4),
    "nested.html": "<div>" * (MB // 5),
    "attrs.html": "<p " + 'a="x" ' * (MB // 6) + ">text</p>",
    "jsonld.html": '<script type="application/ld+json">' + "[" * (MB // 2) + "</script><p>x</p>",
    "mr.txt": "Mr. A " * (MB // 6),
    "dateline.txt": "HOUSTON, " * (MB // 9),
    "words.txt": "a" * MB,
    "spaces.txt": "x" + " \n" * (MB // 2) + "y",
    "front.md": "---\n" + "a: b\n" * (MB // 5),
    "deep.json": "[" * MB,
    "deep.jsonl": "{\"a\":" * (MB // 5) + "\n",
    "feed.rss": "<rss><channel><item><title>t</title><description>" + "&lt;x " * (MB // 6)
                + "</description></item></channel></rss>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_megabyte_of_hostile_text_reads_in_linear_time(tmp_path, name):
    path = tmp_path / name
    path.write_text(HOSTILE[name], encoding="utf-8")
    started = time.process_time()
    docs, problems = read_file(path, tmp_path)
    cpu = time.process_time() - started
    assert cpu < 2.0, f"{name}: {cpu:.2f} s of CPU for {path.stat().st_size} bytes"
    assert docs or any(p.skipped for p in problems)         # read, or reported by name
    assert all(p.path == str(path) for p in problems)


def test_derive_title_is_linear_on_a_long_first_paragraph():
    started = time.process_time()
    title = derive_title("Mr. A " * 400_000)
    assert time.process_time() - started < 2.0
    assert title.startswith("Mr. A Mr. A") and title.endswith("…") and len(title) <= 121


def test_the_hostile_folder_indexes_and_reports_by_name(tmp_path):
    root = tmp_path / "hostile"
    root.mkdir()
    for name, text in HOSTILE.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "good.txt").write_text("A good story about coffee.\n", encoding="utf-8")
    seen = []
    r = build_index([root], tmp_path / "ix", progress=False, on_problem=seen.append)
    assert r.new + r.skipped >= len(HOSTILE) and r.total_documents >= 1
    assert {Path(p.path).name for p in seen if p.skipped} <= set(HOSTILE)


def test_decompression_bomb_is_stopped_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "BOMB_FLOOR", MB)
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "first", "body": "The one real story."}) + "\n")
        for i in range(4000):               # ~4 MB expanded from ~30 KB: a ratio over 100
            f.write(json.dumps({"id": f"x{i}", "body": "z" * 1000}) + "\n")
    docs, problems = read_file(path, tmp_path)
    assert docs and docs[0].id == "first"
    [bomb] = [p for p in problems if "decompression bomb" in p.reason]
    assert bomb.path == str(path) and bomb.skipped
