"""Fixtures for every test: the seed folder and the Reuters corpus (skipped where absent).

Folders add their own in their conftest.py (tests/web: the app and its index;
tests/e2e: the browser). Helpers that tests import by name live in `corpora.py`.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpora import SEEDS, corpus_path

# The query deadline (0.2 s) is a wall clock: on a busy machine a test's search could be
# cut short by a pause of the process, not by its cost. Tests (and the servers they
# start, which inherit this) get a generous one; the tests of the deadline set their own.
os.environ.setdefault("NEWSFACET_QUERY_SECONDS", "10")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_path()


def pytest_unconfigure(config):
    """Stop the SolrCloud the engine tests started for this run (tests/solr/conftest.py), once every
    worker is done: in the run's main process (pytest-xdist's workers have `workerinput`)."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    try:
        folder = config._tmp_path_factory.getbasetemp() / "solrcloud"
    except Exception:      # noqa: BLE001 - no temporary folder was ever made: nothing was started
        return
    if (folder / "zk.pid").exists():
        import sys
        sys.path.insert(0, str(Path(__file__).resolve().parent / "solrcluster"))
        import cluster
        cluster.stop(folder)
