"""Web fixtures: one index per session over the web fixtures, hostile documents and the seed (webcorpus.py).

The index is built once (`build_index` into a session tmp folder); `app` is
session-scoped too so its Archive is opened once, as in a worker. `client` is
per test.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_index
from web.app import create_app
from webcorpus import HOSTILE_WORD, PAYLOADS, hostile_records, write_corpus  # noqa: F401 (re-exported)


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
def has_entities(app) -> bool:
    """Whether the entity extractor has landed (facets of org/country are empty before)."""
    with app.test_client() as c:
        facets = c.get("/api/search").get_json()["facets"]
    return bool(facets["country"]) and bool(facets["organisation"])


@pytest.fixture
def needs_entities(has_entities):
    if not has_entities:
        pytest.skip("indexer.entities not implemented yet: no organisation/country facets")
