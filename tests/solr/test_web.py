"""The web page and the JSON API served over SolrCloud (issue 23): the same answers as over Whoosh,
and one browser test of the page (search, highlights, a facet, a story)."""
from __future__ import annotations

import csv
import re
import sys
import threading
from pathlib import Path

import pytest

from indexer.query import didyoumean
from web.app import create_app

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(600)]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))


@pytest.fixture(scope="module")
def apps(reuters5000):
    """The app over the run's 5,000 Reuters stories in SolrCloud, and over the same in Whoosh. The
    correction of `cofee brazl` is compared without its own 0.5 s deadline: on a loaded machine one
    engine's may run out where the other's does not (test_engine_spelling.py does the same)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(didyoumean, "SECONDS", 30.0)
    solr = create_app({"INDEX_DIR": str(reuters5000.client.url), "TESTING": True})
    whoosh = create_app({"INDEX_DIR": str(reuters5000.whoosh), "TESTING": True})
    yield solr, whoosh
    patch.undo()


@pytest.mark.parametrize("query", ["q=coffee&group=off", "q=oil&country=US&group=off",
                                   "q=trade&not_country=JP&match=about&group=off", "country=BR&group=off",
                                   "q=%22net+profit%22&sort=newest&group=off", "q=dividend", "q=qtly+div&page=2",
                                   "q=cofee+brazl", "q=*ing+oil", "q=person:*&match=about&group=off"])
def test_api_search_same_as_whoosh(apps, query):
    solr, whoosh = apps
    s = solr.test_client().get("/api/search?" + query)
    w = whoosh.test_client().get("/api/search?" + query)
    assert s.status_code == w.status_code == 200
    sj, wj = s.get_json(), w.get_json()
    assert sj["total"] == wj["total"] > 0
    for key in ("groups", "pages", "grouped", "suggestion", "showing_results_for"):
        assert sj.get(key) == wj.get(key), key
    for name in wj["facets"]:
        assert [(v["value"], v["count"]) for v in sj["facets"][name]] == \
               [(v["value"], v["count"]) for v in wj["facets"][name]], name
    assert set(sj["hits"][0]) == set(wj["hits"][0])          # the same hit record


def test_bad_query_is_a_400_and_no_engine_a_clear_error(apps):
    solr, _ = apps
    bad = solr.test_client().get("/api/search?q=" + "+".join(f"w{i}" for i in range(200)))
    assert bad.status_code == 400 and "error" in bad.get_json()
    down = create_app({"INDEX_DIR": "solr://127.0.0.1:9/newsfacet", "TESTING": True})     # nothing listens on 9
    answer = down.test_client().get("/api/search?q=oil")
    assert answer.status_code == 503 and "127.0.0.1:9" in answer.get_json()["error"]
    page = down.test_client().get("/?q=oil")
    assert page.status_code == 503 and b"search engine" in page.data


@pytest.mark.parametrize("query", ["q=coffee&sort=newest", "country=BR&sort=oldest", "q=oil+-opec&sort=newest",
                                   "q=person:*&sort=newest"])     # the people column, last
def test_export_same_as_whoosh(apps, query):
    """Every match, in date order, streamed in chunks: the same rows as Whoosh's export."""
    solr, whoosh = apps
    answers = []
    for app in (solr, whoosh):             # each streamed body read whole before the next request
        with app.test_client() as client:
            r = client.get("/export.csv?" + query)
            answers.append((r.status_code, r.headers["X-Total-Count"], r.get_data(as_text=True).splitlines()))
    (s_status, s_count, s_lines), (w_status, w_count, w_lines) = answers
    assert s_status == w_status == 200
    assert s_count == w_count != "0"
    assert s_lines[0] == w_lines[0]                     # the header
    # Stories of one day may come in either engine's indexing order (Whoosh's parallel writer
    # numbers its segments' stories as they finish): the same days in the same order, each with
    # the same rows.
    def by_day(lines):
        rows = list(csv.reader(lines[1:]))
        return [r[1] for r in rows], {day: sorted(map(tuple, (r for r in rows if r[1] == day)))
                                     for day in {r[1] for r in rows}}
    assert by_day(s_lines) == by_day(w_lines)


def test_pages_and_story(apps):
    solr, _ = apps
    client = solr.test_client()
    page = client.get("/?q=coffee")
    assert page.status_code == 200 and b"<mark>" in page.data
    hit = client.get("/api/search?q=coffee").get_json()["hits"][0]
    story = client.get(f"/api/doc/{hit['id']}")
    assert story.status_code == 200 and story.get_json()["title"] == hit["title"]
    similar = story.get_json()["similar"]               # Solr's MoreLikeThis, across both shards
    assert similar and hit["id"] not in {s["id"] for s in similar}
    assert client.get(f"/doc/{hit['id']}?q=coffee").status_code == 200
    assert client.get("/doc/no-such-story").status_code == 404
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["documents"] == 5000


@pytest.mark.e2e
def test_in_a_browser(apps):
    from e2efixtures import CHROMIUM, CHROMIUM_ARGS, _unavailable
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    from werkzeug.serving import make_server
    solr, whoosh = apps
    expected = whoosh.test_client().get("/api/search?q=coffee").get_json()["total"]
    server = make_server("127.0.0.1", 0, solr, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    failed: list[BaseException] = []

    def drive():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    _click_through(browser.new_page(), server.server_port, expected)
                finally:
                    browser.close()
        except BaseException as exc:     # noqa: BLE001 - re-raised in the test's own thread
            failed.append(exc)
    try:
        # Its own thread: the e2e tests' session-scoped Playwright may be running in this process
        # (pytest-xdist gives a worker several files), and a second sync Playwright in the same
        # thread refuses to start ("Playwright Sync API inside the asyncio loop").
        driver = threading.Thread(target=drive, daemon=True)
        driver.start()
        driver.join(timeout=300)
        assert not driver.is_alive(), "the browser did not finish in 300 s"
        if failed:
            raise failed[0]
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _click_through(page, port: int, expected: int) -> None:
    page.set_default_timeout(20_000)
    page.goto(f"http://127.0.0.1:{port}/?q=coffee")
    heading = page.locator("#results-heading").inner_text()
    assert int(re.match(r"([\d,]+) stor", heading).group(1).replace(",", "")) == expected
    marks = page.locator(".snippet mark")
    assert marks.count() > 0 and {t.lower() for t in marks.all_inner_texts()} == {"coffee"}
    links = page.locator("#facet-country .facet-values a.toggle")
    assert links.count() > 0
    links.first.click()
    page.wait_for_url(re.compile(r"country="))
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("mark").count() > 0
