"""A forged `Host:` header never reaches a feed, an export or an absolute link.

Links come from the configured base URL (`newsfacet serve --base-url`, default where
the server listens); the request's Host was copied into Atom ids and links and the
CSV `url` column (`http://evil.example/doc/...`).
"""
from __future__ import annotations

import pytest
from relfixtures import newsfacet, reuters_index

from web.app import create_app
from web.serve import base_url_for

pytestmark = pytest.mark.corpus
EVIL = "evil.example"
ROUTES = ("/feed.atom?q=oil", "/export.csv?q=oil", "/export.jsonl?q=oil", "/api/search?q=oil", "/?q=oil")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return reuters_index(tmp_path_factory)


@pytest.mark.parametrize("base, expected", [("https://news.example.org", "https://news.example.org/doc/"),
                                            ("", "http://localhost/doc/")])
@pytest.mark.parametrize("route", ROUTES)
def test_links_come_from_the_base_url_whatever_the_host(index_dir, base, expected, route):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "BASE_URL": base}).test_client()
    r = client.get(route, headers={"Host": EVIL, "X-Forwarded-Host": EVIL})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert EVIL not in body
    if route.startswith(("/feed", "/export")):
        assert expected in body


def test_the_base_url_is_checked():
    assert base_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert base_url_for("::1", 8000) == "http://[::1]:8000"
    assert base_url_for("0.0.0.0", 80, "https://news.example.org/") == "https://news.example.org"
    for bad in ("news.example.org", "ftp://x", "https://x.org/?a=1", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            base_url_for("127.0.0.1", 8000, bad)
    with pytest.raises(ValueError):
        create_app({"BASE_URL": "not a url"})


def test_serve_refuses_a_bad_base_url(index_dir):
    r = newsfacet("serve", "--index-dir", index_dir, "--port", "1", "--base-url", "evil.example", timeout=30)
    assert r.returncode == 2 and "base URL" in r.stderr
