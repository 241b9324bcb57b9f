"""Bad requests get a 400 that says what was wrong; nothing becomes a traceback."""
from __future__ import annotations

import pytest

from web.app import create_app
from web.archive import EXTENSION

BAD = [
    ({"page": "abc"}, "page", "whole number"),
    ({"page": "0"}, "page", "between"),
    ({"page": "-1"}, "page", "between"),
    ({"page": "1000000000"}, "page", "between"),
    ({"page": "1.5"}, "page", "whole number"),
    ({"per_page": "1000"}, "per_page", "between"),
    ({"per_page": "x"}, "per_page", "whole number"),
    ({"from": "2020-13-01"}, "from", "date"),
    ({"from": "yesterday"}, "from", "date"),
    ({"to": "2020-02-30"}, "to", "date"),
    ({"to": "<script>"}, "to", "date"),
    ({"date": "2020-1"}, "date", "YYYY"),
    ({"date": "twenty"}, "date", "YYYY"),
    ({"from": "2021-01-01", "to": "2020-01-01"}, "from", "after"),
    ({"sort": "best"}, "sort", "relevance, newest, oldest"),
    ({"sort": "<b>x</b>"}, "sort", "relevance"),
    ({"q": "x" * 20_000}, "q", "20,000 characters"),
    ({"country": [f"C{i}" for i in range(60)]}, "country", "at most"),
]


@pytest.mark.parametrize("params,param,words", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_parameter_page_is_400_and_says_what(client, params, param, words):
    r = client.get("/", query_string=params)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert words.replace("'", "&#39;") in page and f"&#39;{param}&#39;" in page or param == "q"
    assert "Traceback" not in page and "<script>" not in page
    assert 'role="alert"' in page


@pytest.mark.parametrize("params,param,words", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_parameter_api_is_400_json(client, params, param, words):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 400
    assert r.is_json
    body = r.get_json()
    assert words in body["error"] and body["param"] == param


@pytest.mark.parametrize("params", [
    {"q": '"unbalanced'}, {"q": "(((coffee"}, {"q": "title:"}, {"q": "nosuchfield:x"},
    {"q": "*"}, {"q": "*ee"}, {"q": "coffee\x00\u202e"}, {"q": "AND OR NOT"},
    {"q": "x" * 1000}, {"org": "\x00"}, {"country": ""}, {"unknown": "1"},
])
def test_odd_queries_never_500(client, params):
    for path in ("/", "/api/search"):
        r = client.get(path, query_string=params)
        assert r.status_code in (200, 400), (path, params, r.status_code)


@pytest.mark.parametrize("path,json", [
    ("/doc/no-such-story", False), ("/api/doc/no-such-story", True),
    ("/no/such/page", False), ("/api/nothing", True),
])
def test_404(client, path, json):
    r = client.get(path)
    assert r.status_code == 404
    assert r.is_json == json
    if json:
        assert r.get_json()["error"]
    else:
        assert "404" in r.get_data(as_text=True)


def test_unknown_story_says_so(client):
    assert "There is no story with the id" in client.get("/doc/a/b/none.txt").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/api/search"])
def test_post_is_405(client, path):
    r = client.post(path)
    assert r.status_code == 405
    assert r.is_json == path.startswith("/api")


@pytest.mark.parametrize("path,json", [("/", False), ("/?q=x", False), ("/doc/x", False),
                                       ("/api/search", True), ("/api/doc/x", True), ("/healthz", True)])
def test_no_index_is_a_friendly_503(tmp_path, path, json):
    client = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True}).test_client()
    r = client.get(path)
    assert r.status_code == 503
    assert r.is_json == json
    text = r.get_json()["error"] if json else r.get_data(as_text=True)
    assert "newsfacet index" in text


def test_index_appearing_later_is_picked_up(tmp_path, web_index):
    app = create_app({"INDEX_DIR": str(tmp_path / "later"), "TESTING": True})
    client = app.test_client()
    assert client.get("/api/search").status_code == 503
    (tmp_path / "later").symlink_to(web_index)
    assert client.get("/api/search").status_code == 200


class Exploding:
    def __getattr__(self, name):
        def boom(*a, **k):
            raise RuntimeError("secret internal detail /etc/passwd")
        return boom


@pytest.mark.parametrize("path,json", [("/", False), ("/doc/x", False), ("/api/search", True),
                                       ("/api/doc/x", True), ("/healthz", True)])
def test_unexpected_errors_are_500_without_a_traceback(tmp_path, path, json):
    app = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True})
    app.extensions[EXTENSION] = Exploding()
    r = app.test_client().get(path)
    assert r.status_code == 500
    assert r.is_json == json
    text = r.get_data(as_text=True)
    assert "secret internal detail" not in text and "Traceback" not in text
    assert "Content-Security-Policy" in r.headers


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok" and body["documents"] > 40 and body["generation"]


def test_index_dir_defaults_to_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSFACET_INDEX", str(tmp_path / "from-env"))
    assert create_app().config["INDEX_DIR"] == str(tmp_path / "from-env")
    monkeypatch.delenv("NEWSFACET_INDEX")
    assert create_app().config["INDEX_DIR"] == "index"
    assert create_app({"INDEX_DIR": tmp_path}).config["INDEX_DIR"] == str(tmp_path)
