"""An opened generation (indexer/query/generation.py): its parts, built once in `Generation.open`,
its caches (each a bounded `BytesCache` that owns its lock), and no other module writing on it."""
from __future__ import annotations

import ast
import json
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from indexer.facets import DEFAULT_MATCH
from indexer.index.build import build_index
from indexer.index.caches import BytesCache
from indexer.query.arrays import Evaluator
from indexer.query.budget import Lexicons
from indexer.query.caches import Caches
from indexer.query.generation import Generation
from indexer.query.tables import Tables
from indexer.search import Archive, SearchRequest

INDEXER = Path(__file__).resolve().parents[1] / "indexer"


def _write(docs: Path, n: int) -> None:
    stories = [{"id": f"g{i}", "date": f"1987-04-{i % 28 + 1:02d}", "title": f"Oil output {i}",
                "body": "Crude oil output in Kuwait rose, OPEC said."} for i in range(n)]
    (docs / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in stories), encoding="utf-8")


@pytest.fixture
def archive(tmp_path):
    (tmp_path / "docs").mkdir()
    _write(tmp_path / "docs", 8)
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False, procs=1)
    a = Archive(tmp_path / "ix")
    yield a
    a.close()


def test_a_generation_holds_its_parts_typed(archive):
    gen = archive.current_generation()
    assert isinstance(gen, Generation)
    assert isinstance(gen.tables, Tables) and isinstance(gen.evaluator, Evaluator)
    assert isinstance(gen.lexicons, Lexicons) and isinstance(gen.labels, Mapping)
    assert gen.parser is not None and gen.plain_parser is not None and gen.names is not None
    assert gen.folder.is_dir() and archive.generation == f"{gen.folder.name}/{gen.commit}"
    assert gen.files and all(Path(p).exists() for p in gen.files)
    assert int(gen.tables.live.sum()) == 8 == gen.health()["documents"]
    assert archive.current_generation() is gen          # kept while nothing lands


def test_every_cache_is_one_bounded_type_that_requests_fill(archive):
    gen = archive.current_generation()
    assert isinstance(gen.caches, Caches)
    assert all(isinstance(c, BytesCache) for c in gen.caches.all().values())
    assert gen.caches.whole.lookup(DEFAULT_MATCH) is not None         # the front page, warmed when it opened
    assert len(gen.caches.corrections) == 0 and "suggester" not in gen.caches.parts
    archive.search(SearchRequest(q="oyl"))             # a correction is looked for
    archive.suggest("cru")
    assert len(gen.caches.corrections) == 1
    suggester = gen.suggester
    assert gen.caches.parts.get("suggester") is suggester and gen.suggester is suggester    # made once


def test_the_suggester_is_made_once_whichever_threads_ask_first(archive):
    gen = archive.current_generation()
    got, start = [], threading.Barrier(6)

    def ask():
        start.wait()
        got.append(gen.suggester)
    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in got}) == 1


def test_a_new_generation_comes_with_new_parts_and_empty_caches(archive, tmp_path):
    old = archive.current_generation()
    archive.search(SearchRequest())
    _write(tmp_path / "docs", 12)
    build_index([tmp_path / "docs"], tmp_path / "ix", rebuild=True, progress=False, procs=1)
    new = archive.current_generation()
    assert new is not old and new.folder != old.folder and new.caches is not old.caches
    assert new.health()["documents"] == 12 and old.health()["documents"] == 8


# The attributes of a generation (its parts, caches and checks; and the caches it once carried as
# attributes, written by six modules) and the names it goes by in the code.
FIELDS = set(Generation.__dataclass_fields__) | {"damage", "verified_at", "diagnosed", "suggester", "health",
                                                 "whole", "collapsed", "parsers", "kind_labels"}
NAMES = {"live", "gen", "generation", "opened", "g"}


def _writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            while isinstance(t, ast.Subscript):         # gen.caches[...] = ... writes on it too
                t = t.value
            if isinstance(t, ast.Attribute) and t.attr in FIELDS and isinstance(t.value, ast.Name) \
                    and t.value.id in NAMES:
                found.append(f"line {node.lineno}: {t.value.id}.{t.attr}")
    return found


def test_no_module_but_the_generations_own_writes_on_a_generation():
    modules = [p for p in INDEXER.rglob("*.py") if p.name != "generation.py"]
    assert {p.name for p in modules} >= {"matching.py", "facetcounts.py", "whooshengine.py", "current.py"}
    assert {str(p.relative_to(INDEXER)): w for p in modules if (w := _writes(p))} == {}


def test_the_check_of_writes_sees_one(tmp_path):
    (tmp_path / "m.py").write_text("def f(live, gen):\n    live.suggester = 1\n    gen.collapsed[k] = 2\n    x.y = 3\n")
    assert _writes(tmp_path / "m.py") == ["line 2: live.suggester", "line 3: gen.collapsed"]
