"""Web fixtures: one index per run over the web fixtures, hostile documents and the seed (webcorpus.py).

Built once per session (`build_index` into a session tmp folder); one app, so its
Archive is opened once, as in a worker. `client` is per test.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.index.build import build_index
from web.app import create_app
from webcorpus import write_corpus


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("webidx")
    docs = write_corpus(base / "docs")
    index_dir = base / "index"
    report = build_index([docs], index_dir, progress=False, procs=1)
    assert report.total_documents > 40, report
    return index_dir


@pytest.fixture(scope="session")
def app(web_index):
    return create_app({"INDEX_DIR": str(web_index), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def needs_entities(app) -> None:
    """The web fixtures name organisations, countries and regions (the seed's UNDP and
    Turkmenistan among them): an index without them is an extractor regression, which
    must fail the tests that depend on it, not skip them."""
    facets = app.test_client().get("/api/search").get_json()["facets"]
    missing = [name for name in ("organisation", "country", "region") if not facets[name]]
    assert not missing, f"indexer.extract.entities found no {', '.join(missing)} values in the web fixtures"
