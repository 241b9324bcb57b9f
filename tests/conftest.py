"""Fixtures for every test: the seed folder and the Reuters corpus (skipped where absent); the
`corpus` marker on the tests that read ../shared/corpus.

Folders add their own in their conftest.py (tests/web: the app and its index;
tests/e2e: the browser). Helpers that tests import by name live in `corpora.py`.
"""
from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

import corpora
from corpora import SEEDS, corpus_path

CORPUS_HELPERS = {name for name, v in vars(corpora).items() if getattr(v, "needs_corpus", False) is True}

# The query deadline (0.2 s) is a wall clock: on a busy machine a test's search could be
# cut short by a pause of the process, not by its cost. Tests (and the servers they
# start, which inherit this) get a generous one; the tests of the deadline set their own.
os.environ.setdefault("NEWSFACET_QUERY_SECONDS", "10")
# Spelling help has a deadline of its own (0.5 s): under load a correction ("cofee" -> "coffee")
# was cut short and the test of it failed at load 12; tests of the cut pass their own `seconds`.
os.environ.setdefault("NEWSFACET_SPELLING_SECONDS", "10")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_path()


@pytest.fixture(scope="session")
def make_archive(tmp_path_factory):
    """`make_archive(stories, name="archive", **build_kw)`: the stories (dicts) written as one JSON Lines
    file of a fresh folder and indexed (`build_index`, no progress bar; keywords such as procs=1 passed
    on); returns the index folder, whose parent holds `docs/`. Session-scoped so module fixtures use it."""
    import json

    from indexer.index.build import build_index

    def make(stories, name: str = "archive", **build_kw) -> Path:
        base = tmp_path_factory.mktemp(name)
        (base / "docs").mkdir()
        with open(base / "docs" / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for story in stories:
                f.write(json.dumps(story, ensure_ascii=False) + "\n")
        build_index([base / "docs"], base / "ix", progress=False, **build_kw)
        return base / "ix"
    return make


CORPUS_FIXTURES = {"corpus", "reuters5000"}        # fixtures that read ../shared/corpus


def _reads_corpus(func, seen: set) -> bool:
    """Whether `func` calls a corpus helper (marked `needs_corpus` in corpora.py), itself or through a
    function of its own module, imported at the top of the module or inside the function."""
    if func in seen or not inspect.isfunction(func):
        return False
    seen.add(func)
    names, codes = set(), [func.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    for name in names:
        value = func.__globals__.get(name)
        if name in CORPUS_HELPERS or getattr(value, "needs_corpus", False) is True:
            return True
        if inspect.isfunction(value) and value.__module__ == func.__module__ and _reads_corpus(value, seen):
            return True
    return False


# The test files that cost the most CPU (measured on 2 cores, most first), sent to pytest-xdist's two
# workers before all others: `make test` runs with --dist loadfile --no-loadscope-reorder, so a worker
# takes the next whole file in this order when it is nearly done with its own. Long files first and
# short ones last end the two workers together (xdist's own order, by number of tests, left a long
# file for the end of one worker). Files holding a run-wide build another needs are spread apart (the
# cluster of tests/solr first, the full-Reuters index second) so that one worker builds while the
# other runs something else. A file not listed follows, in collection order.
HEAVY_FIRST = [
    "solr/test_differential.py", "reliability/test_leading_wildcards.py", "reliability/test_reindex_under_load.py",
    "test_spelling.py", "test_language.py", "reliability/test_big_stories.py", "test_patterns_as_typed.py",
    "test_company_source_samples.py", "reliability/test_crashes.py", "test_threads.py", "test_multilingual.py",
    "reliability/test_corrupt_index.py", "test_install.py", "test_linear_patterns.py", "test_typed_postings.py",
    "test_dedup_minhash.py", "test_mixed_archive.py", "test_evaluate_sample.py", "reliability/test_budget.py",
    "reliability/test_hostile_documents.py", "solr/test_node_failure.py", "test_stream.py",
    "reliability/test_damaged_index.py", "e2e/test_browser.py", "solr/test_languages.py",
]


def _heavy_first(items) -> None:
    rank = {f"tests/{name}": n for n, name in enumerate(HEAVY_FIRST)}
    order = {}
    for item in items:
        order.setdefault(item.nodeid.split("::", 1)[0], len(order))
    items.sort(key=lambda item: (rank.get(item.nodeid.split("::", 1)[0], len(rank)),
                                 order[item.nodeid.split("::", 1)[0]]))


def pytest_collection_modifyitems(config, items):
    """The `corpus` marker on every test that reads ../shared/corpus: one that calls a corpus helper of
    corpora.py (`needs_corpus`: corpus_records, shared_corpus, …), itself, through a helper of its
    module or through a fixture, or uses a corpus fixture (CORPUS_FIXTURES). The helpers skip a test
    where the corpus is absent, or fail it under NEWSFACET_REQUIRE_CORPUS=1."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        fixtures = [d.func for defs in (info.name2fixturedefs.values() if info else ()) for d in defs]
        seen: set = set()
        if (CORPUS_FIXTURES & set(getattr(item, "fixturenames", ()))
                or any(_reads_corpus(f, seen) for f in [getattr(item, "function", None), *fixtures])):
            item.add_marker(pytest.mark.corpus)
    _heavy_first(items)


def pytest_unconfigure(config):
    """Delete the collections the engine tests shared (tests/solr/conftest.py, `reuters5000`) and stop
    the SolrCloud they started for this run, once every worker is done: in the run's main process
    (pytest-xdist's workers have `workerinput`)."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    try:
        base = config._tmp_path_factory.getbasetemp()
    except Exception:      # noqa: BLE001 - no temporary folder was ever made: nothing was started
        return
    folder = base / "solrcloud"
    if not (folder / "zk.pid").exists():       # the cluster of `make cluster`: it outlives the run
        _delete_shared_collections(base / "solr-collections.txt")
    else:
        import sys
        sys.path.insert(0, str(Path(__file__).resolve().parent / "solrcluster"))
        import cluster
        cluster.stop(folder)


def _delete_shared_collections(listed: Path) -> None:
    """Each `engine URL TAB collection` line: the collection and its configset, deleted (on a cluster
    of `make cluster`, which outlives the run; a cluster of the run's own goes with it anyway)."""
    if not listed.is_file():
        return
    from indexer.engines.solr.client import SolrClient, SolrURL
    for line in listed.read_text().splitlines():
        url, _, name = line.partition("\t")
        base = SolrURL.parse(url)
        client = SolrClient(SolrURL(base.nodes, name, base.context), timeout=120)
        try:
            client.request("admin/collections", {"action": "DELETE", "name": name}, timeout=120)
            client.request("admin/configs", {"action": "DELETE", "name": name})
        except Exception:      # noqa: BLE001 - a cluster already stopped took them with it
            pass
    listed.unlink()
