"""The engine seam (indexer/engines/__init__.py, `Engine`): both engines answer the same calls,
`search.Archive` reaches an index only through one, and on Whoosh only the engine opens files."""
from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import pytest

from indexer.engines import Engine
from indexer.engines.solr.client import SolrClient
from indexer.index.build import build_index
from indexer.query.solrsearch import SolrEngine
from indexer.query.whooshengine import WhooshEngine
from indexer.search import Archive, SearchRequest, open_archive, open_engine

QUERY = Path(__file__).resolve().parents[1] / "indexer" / "query"
PROTOCOL = [name for name, value in vars(Engine).items() if callable(value) and not name.startswith("_")]


def _signature(cls, name: str) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter but `self`: what a caller of the protocol relies on."""
    params = list(inspect.signature(getattr(cls, name)).parameters.values())[1:]
    return [(p.name, p.kind, p.default) for p in params]


def test_the_protocol_names_what_the_query_side_needs():
    assert {"search", "facets", "document", "suggest", "related", "stats"} <= set(PROTOCOL)


@pytest.mark.parametrize("engine", [WhooshEngine, SolrEngine], ids=["whoosh", "solr"])
@pytest.mark.parametrize("method", PROTOCOL)
def test_each_engine_implements_each_call_with_the_protocols_parameters(engine, method):
    assert callable(getattr(engine, method, None)), f"{engine.__name__} has no {method}"
    assert not isinstance(inspect.getattr_static(engine, method), property)     # a call, not an attribute
    assert _signature(engine, method) == _signature(Engine, method)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    (root / "docs").mkdir()
    stories = [{"id": f"s{i}", "date": f"1987-03-{i + 1:02d}", "title": f"Coffee report {i}",
                "body": "Brazil coffee exports rose, growers in Brazil said. UNICEF helped."} for i in range(6)]
    (root / "docs" / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in stories), encoding="utf-8")
    build_index([root / "docs"], root / "ix", progress=False, procs=1)
    return root / "ix"


def test_both_engines_satisfy_the_protocol_at_run_time(index_dir):
    whoosh = open_engine(index_dir)
    solr = open_engine("solr://127.0.0.1:9/none")      # nothing is asked of the cluster to build one
    try:
        assert isinstance(whoosh, WhooshEngine) and isinstance(whoosh, Engine)
        assert isinstance(solr, SolrEngine) and isinstance(solr, Engine)
    finally:
        whoosh.close()


def test_the_archive_picks_the_engine_and_only_delegates(index_dir):
    archive = open_archive(index_dir)
    assert isinstance(archive.engine, WhooshEngine) and archive.index_dir == Path(index_dir)
    assert isinstance(Archive("solr://127.0.0.1:9/none").engine, SolrEngine)
    whole = archive.search(SearchRequest())
    assert archive.facets(SearchRequest()) == whole.facets                  # the same counts, without hits
    story = archive.story("s1", "coffee")
    assert story is not None and archive.related("s1") == story.similar
    assert archive.story_text("s1")[0] == "Coffee report 1"
    assert archive.stats()["documents"] == archive.document_count() == 6
    archive.close()


class Recording:
    """An engine that records what it is asked: any object with the protocol's calls plugs in."""

    index_dir = "memory://"

    def __init__(self):
        self.asked: list[str] = []

    def __getattr__(self, name):
        if name not in PROTOCOL:
            raise AttributeError(name)
        return lambda *args, **kwargs: self.asked.append(name) or name


def test_any_engine_of_the_protocol_plugs_into_the_archive():
    engine = Recording()
    archive = Archive(engine=engine)
    assert archive.search(SearchRequest()) == "search" and archive.story("x") == "document"
    assert archive.story_text("x") == "document_text" and archive.generation == "generation"
    archive.suggest("co"), archive.related("x"), archive.stats(), archive.health(), archive.export(SearchRequest())
    assert engine.asked == ["search", "document", "document_text", "generation", "suggest", "related",
                            "stats", "health", "export"]


# What opens the files of a Whoosh index: the store's opening, Whoosh's own, and the parts of a
# generation that map its files. Outside the engine's modules, no query module calls them.
OPENERS = {"open_live", "open_dir", "create_in", "exists_in", "searcher", "open_generation"}
OPENING_CLASSES = {"Tables", "TypedSets", "NameTable", "Generation", "CurrentGeneration", "FileStorage"}
ENGINE_MODULES = {"whooshengine.py", "current.py", "generation.py"}


def _opens(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            found += [f"imports {n}" for n in names if n.startswith(("whoosh.index", "whoosh.filedb"))]
            found += [f"imports {n}" for n in names if n in ("indexer.index.store", "store")]
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr in OPENERS:
                found.append(f"calls .{f.attr}()")
            elif isinstance(f, ast.Attribute) and f.attr == "open" and isinstance(f.value, ast.Name) \
                    and f.value.id in OPENING_CLASSES:
                found.append(f"calls {f.value.id}.open()")
            elif isinstance(f, ast.Name) and f.id in ("CurrentGeneration", "FileStorage"):
                found.append(f"makes {f.id}")
    return found


def test_the_query_modules_open_index_files_only_through_the_engine():
    checked = sorted(p for p in QUERY.glob("*.py") if p.name not in ENGINE_MODULES)
    assert len(checked) > 20
    offenders = {p.name: found for p in checked if (found := _opens(p))}
    assert offenders == {}
    assert _opens(QUERY / "generation.py")       # the check sees an opening where there is one


def test_the_solr_engine_is_built_without_asking_the_cluster():
    engine = SolrEngine(SolrClient("solr://127.0.0.1:9/none"))
    assert engine.generation() == "solr://127.0.0.1:9/none" and engine.index_dir == "solr://127.0.0.1:9/none"
