"""Web fixtures: one index per run over the web fixtures, hostile documents and the seed (webcorpus.py).

Test modules import these by name (`from webfixtures import app, client`). They are
not in a conftest.py on purpose: pytest imports every conftest.py under the one
module name `conftest`, and other test modules do `from conftest import ...`
meaning tests/conftest.py, which a conftest.py here would shadow.

A fixture imported into several modules is set up once per module, so the index
and the app are cached here: built once per run (`build_index` into a session tmp
folder); one app, so its Archive is opened once, as in a worker. `client` is per test.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_index
from web.app import create_app
from webcorpus import HOSTILE_WORD, PAYLOADS, hostile_records, write_corpus  # noqa: F401 (re-exported)


_cache: dict[str, object] = {}


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    if "index" not in _cache:
        base = tmp_path_factory.mktemp("webidx")
        docs = write_corpus(base / "docs")
        index_dir = base / "index"
        report = build_index([docs], index_dir, progress=False, procs=1)
        assert report.total_documents > 40, report
        _cache["index"] = index_dir
    return _cache["index"]


@pytest.fixture(scope="session")
def app(web_index):
    if "app" not in _cache:
        _cache["app"] = create_app({"INDEX_DIR": str(web_index), "TESTING": True})
    return _cache["app"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def needs_entities(app):
    """Skip where the index has no organisation/country facets (no entity extractor)."""
    if "entities" not in _cache:
        facets = app.test_client().get("/api/search").get_json()["facets"]
        _cache["entities"] = bool(facets["country"]) and bool(facets["organisation"])
    if not _cache["entities"]:
        pytest.skip("indexer.entities found no organisations or countries in the web fixtures")
