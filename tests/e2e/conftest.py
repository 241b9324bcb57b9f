"""Browser fixtures: Debian's chromium driven by Playwright, the app served on loopback.

The app runs under werkzeug's threaded server in a thread of the test process, on
a free port, over the same documents as tests/web (fixtures, seed, hostile ones).
Without /usr/bin/chromium (or the playwright package) the tests skip, saying why;
with NEWSFACET_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))
from e2efixtures import CHROMIUM, CHROMIUM_ARGS, PageWatch, _unavailable  # noqa: E402
from webcorpus import write_corpus  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the app, serving an index of the web test documents (one module uses it)."""
    from werkzeug.serving import make_server

    from indexer.index.build import build_index
    from web.app import create_app

    base = tmp_path_factory.mktemp("e2e")
    docs = write_corpus(base / "docs")
    build_index([docs], base / "index", progress=False, procs=1)
    app = create_app({"INDEX_DIR": str(base / "index")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.watch = PageWatch(p)
    yield p
    p.close()
