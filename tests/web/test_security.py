"""Security headers on every response, and hostile documents shown as text."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from webcorpus import HOSTILE_WORD, PAYLOADS, hostile_records
from webhtml import hit_titles, inner, only_mark_tags, snippets, tags, text_of

from web.app import CSP

# Tags the templates themselves write; anything else on a page came from a document.
OUR_TAGS = {"html", "head", "meta", "title", "link", "body", "a", "header", "form", "label", "div", "input",
            "button", "main", "section", "h1", "h2", "h3", "span", "p", "nav", "strong", "ol", "ul", "li",
            "time", "mark", "aside", "svg", "rect", "details", "summary", "footer", "code", "article",
            "dl", "dt", "dd"}


# attributes a browser reads as a URL (and so would run a javascript: scheme from)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset", "background",
                  "cite", "ping"}
OUR_SCRIPT = ("script", {"src": "/static/suggest.js", "defer": None})     # the one script: a file


def assert_nothing_active(page: str) -> None:
    found = tags(page)
    assert found.count(OUR_SCRIPT) <= 1
    found = [tag for tag in found if tag != OUR_SCRIPT]
    names = {t for t, _ in found}
    assert names <= OUR_TAGS, names - OUR_TAGS
    assert [t for t, _ in found].count("body") == 1
    for t, attrs in found:
        for name, value in attrs.items():
            assert not name.startswith("on"), (t, attrs)
            assert name != "style", (t, attrs)
            if name in URL_ATTRIBUTES:    # where a browser follows a scheme (a data-label is text to match)
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), (t, attrs)
        if t == "svg":
            assert attrs.get("class") == "bar"
        if t == "mark":
            assert attrs == {}


@pytest.mark.parametrize("path", ["/", "/?q=coffee", "/doc/story-001", "/api/search", "/api/doc/story-001",
                                  "/healthz", "/static/style.css", "/nope", "/?page=x", "/api/search?page=x"])
def test_security_headers_everywhere(client, path):
    r = client.get(path)
    r.close()       # a static file's response holds the file open
    assert r.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert r.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/?q=coffee&country=BR", "/?date=2020", "/doc/story-001?q=coffee", "/?page=x", "/nope"):
        page = client.get(path).get_data(as_text=True)
        page = page.replace('<script src="/static/suggest.js" defer></script>', "", 1)   # the one script, a file
        assert "<script" not in page and "<style" not in page and " style=" not in page


def test_hostile_titles_snippets_and_sources_are_text(client):
    r = client.get("/", query_string={"q": HOSTILE_WORD, "per_page": 100})
    page = r.get_data(as_text=True)
    assert_nothing_active(page)
    titles = hit_titles(page)
    expected = {rec["title"] for rec in hostile_records()}
    assert expected <= set(titles)
    snips = snippets(page)
    assert snips and all(only_mark_tags(s) for s in snips)
    assert any("<mark>" in s for s in snips)
    shown = " ".join(text_of(s) for s in snips)
    for p in PAYLOADS:
        if "&" not in p:
            assert p.split()[0] in shown or p.upper().split()[0] in shown, p
    assert "&amp;lt;script&amp;gt;" in page     # an entity in a document is shown as the entity


def test_a_literal_ticker_title_is_text(client):
    page = client.get("/?q=merge").get_data(as_text=True)
    assert "COMPANY <SRD> TO MERGE" in hit_titles(page)
    assert "COMPANY &lt;SRD&gt; TO MERGE" in page
    story = client.get("/doc/merger-1").get_data(as_text=True)
    assert inner(story, r"<h1[^>]*>(.*?)</h1>") == ["COMPANY &lt;SRD&gt; TO MERGE"]


def test_hostile_api_snippets_hold_only_mark(client):
    data = client.get("/api/search", query_string={"q": HOSTILE_WORD, "per_page": 100}).get_json()
    assert data["total"] >= len(PAYLOADS)
    for hit in data["hits"]:
        assert only_mark_tags(hit["snippet"]), hit["snippet"]


@pytest.mark.parametrize("rec", hostile_records(), ids=range(len(PAYLOADS)))
def test_hostile_story_pages(client, rec):
    url = "/doc/" + quote(rec["id"], safe="/")
    r = client.get(url, query_string={"q": HOSTILE_WORD, "back": f"q={HOSTILE_WORD}&x=<script>"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert_nothing_active(page)
    h1 = inner(page, r"<h1[^>]*>(.*?)</h1>")
    assert text_of(h1[0]) == rec["title"]
    paras = inner(page, r'<div class="story-body">(.*?)</div>')[0]
    assert only_mark_tags(re.sub(r'<p dir="auto"( lang="[a-z]{2}")?>', "", paras).replace("</p>", ""))
    assert f"<mark>{HOSTILE_WORD}</mark>" in paras
    assert html.escape(rec["source"], quote=False) in page
    back = re.findall(r'<a href="([^"]*)">← Back to the results</a>', page)
    assert back == [f"/?q={HOSTILE_WORD}"]


def test_hostile_ids_round_trip_through_links(client):
    data = client.get("/api/search", query_string={"q": HOSTILE_WORD, "per_page": 100}).get_json()
    page = client.get("/", query_string={"q": HOSTILE_WORD, "per_page": 100}).get_data(as_text=True)
    links = {a["href"] for t, a in tags(page) if t == "a" and a.get("href", "").startswith("/doc/")}
    assert len(links) == data["total"]
    for hit in data["hits"]:
        r = client.get(hit["doc_url"])
        assert r.status_code == 200, hit["id"]
        assert r.get_json()["id"] == hit["id"]
    for link in links:
        assert client.get(link).status_code == 200, link


def test_hostile_file_names_are_text(client):
    data = client.get("/api/search", query_string={"q": "named", "per_page": 100}).get_json()
    ids = {h["id"] for h in data["hits"]}
    assert any("<script>" in i for i in ids), ids
    page = client.get("/", query_string={"q": "named", "per_page": 100}).get_data(as_text=True)
    assert_nothing_active(page)


def test_hostile_query_and_filters_are_escaped(client):
    q = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    for params in ({"q": q}, {"q": q, "country": q, "org": q, "region": q}, {"from": q}, {"sort": q},
                   {"q": q, "page": "999"}):
        page = client.get("/", query_string=params).get_data(as_text=True)
        assert_nothing_active(page)
        assert "<script>alert(1)" not in page


def test_story_url_only_links_http(client):
    page = client.get("/doc/" + quote(hostile_records()[0]["id"], safe="/")).get_data(as_text=True)
    assert "Original" not in page


def test_back_link_cannot_leave_the_site(client):
    for back in ("//evil.example/", "https://evil.example/?q=x", "q=x#<script>", "\r\nLocation: x"):
        page = client.get("/doc/story-001", query_string={"back": back}).get_data(as_text=True)
        hrefs = [a["href"] for t, a in tags(page) if t == "a"]
        assert all(h.startswith(("/", "#")) and not h.startswith("//") for h in hrefs), hrefs


@pytest.mark.parametrize("given, shown", [
    ("plain &amp; <mark>marked</mark> text", "plain &amp; <mark>marked</mark> text"),
    ("<mark onclick=x>a</mark>", "<mark>a</mark>"),
    ("<script>alert(1)</script><mark>b</mark>", "alert(1)<mark>b</mark>"),
    ("<img src=x onerror=alert(1)>", ""),
    ("a > b", "a &gt; b"),
])
def test_marked_filter_lets_through_only_text_and_bare_marks(given, shown):
    from web.app import marked
    assert str(marked(given)) == shown


# ---------------------------------------------------------------- issue 24.11: source URLs, CSV formulas

HOSTILE_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
                "file:///etc/passwd", "//evil.example/x", "\x01javascript:alert(1)"]
GOOD_URL = "https://news.example/story?id=1&x=2"


@pytest.fixture(scope="module")
def url_client(tmp_path_factory):
    import json as _json

    from indexer.index.build import build_index
    from web.app import create_app
    base = tmp_path_factory.mktemp("urls")
    (base / "docs").mkdir()
    with open(base / "docs" / "u.jsonl", "w") as f:
        for n, url in enumerate(HOSTILE_URLS + [GOOD_URL]):
            f.write(_json.dumps({"id": f"u{n}", "date": f"2020-01-{n + 1:02d}", "title": f"quokka story {n}",
                                 "url": url, "body": f"A quokka report number {n}."}) + "\n")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return create_app({"INDEX_DIR": str(base / "ix"), "TESTING": True}).test_client()


def test_only_web_source_urls_leave_the_server(url_client):
    """javascript:, data:, vbscript: (anything but http/https) never reach the API, exports or pages."""
    import csv
    import io
    import json as _json
    n = len(HOSTILE_URLS)
    hits = url_client.get(f"/api/search?q=quokka&per_page={n + 1}").get_json()["hits"]
    assert len(hits) == n + 1
    by_id = {h["id"]: h["url"] for h in hits}
    assert by_id == {**{f"u{i}": "" for i in range(n)}, f"u{n}": GOOD_URL}
    for i in range(n + 1):
        assert url_client.get(f"/api/doc/u{i}").get_json()["url"] == (GOOD_URL if i == n else "")
        page = url_client.get(f"/doc/u{i}").get_data(as_text=True)
        assert_nothing_active(page)
        assert ("script:" in page.lower()) is False and "data:text" not in page and "/etc/passwd" not in page
    rows = list(csv.DictReader(io.StringIO(url_client.get("/export.csv?q=quokka").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert {r["id"]: r["source_url"] for r in rows} == by_id
    lines = url_client.get("/export.jsonl?q=quokka").get_data(as_text=True).splitlines()
    assert {r["id"]: r["source_url"] for r in map(_json.loads, lines)} == by_id


@pytest.mark.parametrize("value", ["|cmd", "%0A=1", "\r=1", "\t=1", "=1", "+1", "-1", "@1", " |cmd",
                                   "\uff5ccmd", "\uff05x"])
def test_csv_cells_starting_a_formula_or_dde_are_text(value):
    from web.export import safe_cell
    assert safe_cell(value) == "'" + value


def test_exported_csv_defuses_a_leading_pipe(tmp_path):
    import csv
    import io
    import json as _json

    from indexer.index.build import build_index
    from web.app import create_app
    (tmp_path / "docs").mkdir()
    evil = ["|calc'!A0", "%SYSTEMROOT%"]
    with open(tmp_path / "docs" / "p.jsonl", "w") as f:
        for n, t in enumerate(evil):
            f.write(_json.dumps({"id": f"p{n}", "date": f"2020-01-0{n + 1}", "title": t,
                                 "body": f"wombat report {n}."}) + "\n")
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False, procs=1)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=wombat").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert sorted(r["title"] for r in rows) == sorted("'" + t for t in evil)
