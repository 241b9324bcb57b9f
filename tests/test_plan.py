"""What an index run will do (indexer/index/plan.py), decided without Whoosh, a folder or a clock."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from indexer.index.manifest import FeedEntry, FileEntry, Manifest
from indexer.index.plan import Discovered, Found, plan

ROOT = "/archive"
LIST = "/archive/feeds.txt"


def found(rel: str, size: int = 10, mtime: int = 1) -> Found:
    return Found(f"{ROOT}/{rel}", Path(ROOT, rel), Path(ROOT), size, mtime)


def walk(*files: Found, feeds=(), lists=(), seen=()) -> Discovered:
    return Discovered(files=list(files), seen={f.key for f in files} | set(seen) | set(lists), roots=[ROOT],
                      feeds=list(feeds), lists=set(lists))


@pytest.fixture
def manifest() -> Manifest:
    return Manifest({
        f"{ROOT}/same.txt": FileEntry(10, 1, "s1", ["same.txt"]),
        f"{ROOT}/touched.txt": FileEntry(10, 1, "s2", ["touched.txt"]),
        f"{ROOT}/gone.txt": FileEntry(10, 1, "s3", ["gone.txt"]),
        "/elsewhere/kept.txt": FileEntry(10, 1, "s4", ["kept.txt"]),
        "https://a.example/feed": FeedEntry(list=LIST, ids=["a1"]),
        "https://b.example/feed": FeedEntry(list=LIST, ids=["b1"]),
        "https://c.example/feed": FeedEntry(list="", ids=["c1"]),
    })


def test_new_changed_removed_unchanged(manifest):
    todo = plan(walk(found("same.txt"), found("touched.txt", mtime=2), found("new.txt"),
                     feeds=[("https://a.example/feed", LIST)], lists=[LIST]), manifest)
    assert todo.new == [f"{ROOT}/new.txt"]
    assert todo.changed == [f"{ROOT}/touched.txt"]
    assert todo.unchanged == [f"{ROOT}/same.txt"]
    assert [f.key for f in todo.to_read] == [f"{ROOT}/touched.txt", f"{ROOT}/new.txt"]   # walk order
    # gone from under the run's path; a feed taken off its list. Not: a file outside the paths
    # given, a feed named on the command line once, a feed still listed.
    assert todo.removed == {f"{ROOT}/gone.txt", "https://b.example/feed"}
    assert todo.feeds == [("https://a.example/feed", LIST)]


def test_owner_holds_the_ids_of_sources_not_read_again(manifest):
    todo = plan(walk(found("same.txt"), found("touched.txt", size=11)), manifest)
    assert todo.owner == {"same.txt": f"{ROOT}/same.txt", "kept.txt": "/elsewhere/kept.txt",
                          "a1": "https://a.example/feed", "b1": "https://b.example/feed",
                          "c1": "https://c.example/feed"}     # touched.txt is read again; gone.txt is gone


def test_a_file_the_walk_met_but_could_not_stat_is_not_removed(manifest):
    todo = plan(walk(found("same.txt"), seen=[f"{ROOT}/gone.txt", f"{ROOT}/touched.txt"]), manifest)
    assert todo.removed == set() and todo.to_read == []


def test_rebuild_reads_every_file_and_keeps_the_replayed_feeds(manifest):
    todo = plan(walk(found("same.txt"), found("new.txt")), manifest, rebuild=True)
    assert todo.new == [f"{ROOT}/same.txt", f"{ROOT}/new.txt"] and todo.changed == todo.unchanged == []
    assert todo.removed == set() and todo.rebuild
    assert set(todo.owner) == {"a1", "b1", "c1"}


def test_feeds_followed_and_dropped_by_list():
    m = Manifest({"https://a.example/feed": FeedEntry(list=LIST, ids=["a1"])})
    assert plan(walk(lists=[LIST]), m).removed == {"https://a.example/feed"}         # the list no longer names it
    assert plan(walk(), m).removed == set()                                         # the list was not walked
    assert plan(walk(feeds=[("https://a.example/feed", "")]), m).removed == set()   # named on the command line


def test_an_empty_manifest_makes_everything_new():
    todo = plan(walk(found("a.txt"), found("b.txt")), Manifest())
    assert todo.new == [f"{ROOT}/a.txt", f"{ROOT}/b.txt"] and todo.removed == set() and todo.owner == {}


def test_a_file_that_changed_while_read_is_read_again():
    """Its entry says mtime -1 (build.py), which no file has."""
    m = Manifest({f"{ROOT}/a.txt": FileEntry(10, -1, "", ["a.txt"])})
    assert plan(walk(found("a.txt", size=10, mtime=1)), m).changed == [f"{ROOT}/a.txt"]


def test_planning_needs_no_whoosh():
    code = "import sys, indexer.index.plan; sys.exit(any(m.startswith('whoosh') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd="/").returncode == 0
