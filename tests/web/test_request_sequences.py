"""Issue 18.1: no request changes what a later one is answered (one click used to poison a worker).

`/?org_kind=intergovernmental` stored two-field labels in the generation's label table, which
the first name look-up after it (`country=Mexico`, `org=unicef`, `country:Brazil`) could not
read: a 500 for every name in that worker until it restarted. The class of bug is shared
state that a request changes. A hypothesis state machine sends random sequences of requests
(every route, every parameter, valid, invalid and absent values) to ONE long-lived app and
checks each answer against the answer of a fresh app on the same index (status and body,
timings aside), and that none is a 500. `make test` runs a bounded, derandomised number of
sequences; `make soak` (the `soak` marker) many more.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from web.app import create_app

ROUTES = ("/", "/api/search", "/export.csv", "/export.jsonl", "/feed.atom")
FACET_PARAMS = ("org", "country", "region", "language", "company")
# names and codes a journalist types, values NewsFacet knows that no story holds, text naming nothing
NAMES = ("Brazil", "brazil", "BR", "UK", "Britain", "USA", "U.S.", "West Germany", "USSR", "Mexico", "Österreich",
         "unicef", "UNICEF", "EEC", "EC", "European Community", "IMF", "World Bank", "Ukraine", "UA", "de", "German",
         "Oceania", "Western Europe", "Atlantis", "Zzyzx", "", " ", "x" * 90, "Kenya", "KE", "en", "USX Corp")
WORDS = ("coffee", "cocoa", "debt", "oil", "unicef", "brazil", "kenya", "regierung", "bank", "the", "prices",
         "cofee", "brazl", "opek", "water")
FIELD_QUERIES = ("country:Brazil", "country:UK", 'country:"U.S."', "org:EEC", "org:EC", "country:Österreich",
                 "org:unicef", "region:Oceania", "language:de", "company:usx", "country:Atlantis", "-country:BR",
                 "coffee country:Brazil", "agency:imf debt", "place:kenya")
KINDS = ("intergovernmental", "government", "company", "news agency", "other", "", "bogus")
CHOICES = {
    "match": ("about", "mention", "", "bogus"),
    "sort": ("relevance", "newest", "oldest", "", "bogus"),
    "page": ("1", "2", "0", "x", "999"),
    "per_page": ("1", "5", "100", "1000"),
    "from": ("2018-01-01", "2018", "bogus", "2030-01-01"),
    "to": ("2019-12-31", "2019-06", "soon"),
    "date": ("2018", "2018-05", "2017..2019", "undated", "bogus"),
    "group": ("on", "off", "maybe"),
    "correct": ("on", "off"),
}
TIMINGS = re.compile(r'("took_ms":\s*)[0-9.]+|(<span class="took">\()[0-9.]+|(<updated>)[^<]*')


def normalise(body: bytes) -> str:
    """An answer without what differs between two runs of the same request: timings and the feed's clock."""
    return TIMINGS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "#", body.decode("utf-8", "replace"))


def answer(client, url: str) -> tuple[int, str]:
    """(status, normalised body), the body read whole now: an export streams within its request."""
    r = client.get(url)
    try:
        return r.status_code, normalise(r.get_data())
    finally:
        r.close()


def close(app) -> None:
    """Close the app's archive now (its files), not when the garbage collector gets to it."""
    archive = app.extensions.get("newsfacet.archive")
    if archive is not None:
        archive.close()


def _pools(client) -> tuple[dict[str, list[str]], list[str]]:
    data = client.get("/api/search", query_string={"per_page": "20"}).get_json()
    held = {"org": [], "country": [], "region": [], "language": [], "company": []}
    names = {"organisation": "org", "country": "country", "region": "region", "language": "language",
             "company": "company"}
    for facet, param in names.items():
        held[param] = [fv["value"] for fv in data["facets"].get(facet, [])[:6]]
    return held, [h["id"] for h in data["hits"][:5]]


def request_strategy(held: dict[str, list[str]], ids: list[str]):
    values = {p: st.sampled_from(held[p] + list(NAMES)) if held[p] else st.sampled_from(NAMES) for p in FACET_PARAMS}
    q = st.one_of(st.just(None), st.sampled_from(WORDS), st.sampled_from(FIELD_QUERIES),
                  st.lists(st.sampled_from(WORDS + FIELD_QUERIES), min_size=2, max_size=3).map(" ".join))

    @st.composite
    def search(draw):
        params: list[tuple[str, str]] = []
        text = draw(q)
        if text is not None:
            params.append(("q", text))
        for p in draw(st.lists(st.sampled_from(FACET_PARAMS), max_size=3)):
            params.append((draw(st.sampled_from((p, "not_" + p, "find_" + p, "sort_" + p))), draw(values[p])))
        if draw(st.booleans()):
            params.append(("org_kind", draw(st.sampled_from(KINDS))))
        for name in draw(st.lists(st.sampled_from(sorted(CHOICES)), max_size=2, unique=True)):
            params.append((name, draw(st.sampled_from(CHOICES[name]))))
        route = draw(st.sampled_from(ROUTES))
        return route + ("?" + urlencode(params) if params else "")

    doc = st.builds(lambda route, doc_id, q: f"{route}{doc_id}" + (f"?{urlencode({'q': q})}" if q else ""),
                    st.sampled_from(("/doc/", "/api/doc/")), st.sampled_from(ids + ["no/such/story.txt"]),
                    st.one_of(st.none(), st.sampled_from(WORDS + FIELD_QUERIES)))
    suggest = st.builds(lambda text, limit: "/api/suggest?" + urlencode({"q": text, "limit": limit}),
                        st.sampled_from(("co", "bra", "coffee bra", "un", "kenya o", "", "org:un")),
                        st.sampled_from(("8", "3", "x")))
    @st.composite
    def browse(draw):
        """A page without words or names: the front page's tabs, sorts, strengths and panel views."""
        params = [("org_kind", draw(st.sampled_from(KINDS)))] if draw(st.booleans()) else []
        for name in draw(st.lists(st.sampled_from(sorted(CHOICES)), max_size=2, unique=True)):
            params.append((name, draw(st.sampled_from(CHOICES[name]))))
        if draw(st.booleans()):
            p = draw(st.sampled_from(FACET_PARAMS))
            params.append((draw(st.sampled_from(("find_" + p, "sort_" + p))), draw(st.sampled_from(("name", "a", "count")))))
        return draw(st.sampled_from(("/", "/api/search", "/feed.atom"))) + ("?" + urlencode(params) if params else "")

    return browse(), st.one_of(search(), search(), search(), doc, suggest, st.just("/healthz"))


def check_sequences(web_index, max_examples: int, steps: int, derandomize: bool) -> None:
    config = {"INDEX_DIR": str(web_index), "TESTING": True, "WARM_IN_BACKGROUND": False}
    fresh_answers: dict[str, tuple[int, str]] = {}

    def fresh(url: str) -> tuple[int, str]:
        """The answer of an app that has answered nothing before (one per URL; the same URL, the same answer)."""
        if url not in fresh_answers:
            app = create_app(config)
            fresh_answers[url] = answer(app.test_client(), url)
            close(app)
        return fresh_answers[url]

    held, ids = _pools(create_app(config).test_client())
    browsing, requests = request_strategy(held, ids)

    class OneWorker(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.client = create_app(config).test_client()      # the long-lived worker of this sequence

        def teardown(self):
            close(self.client.application)

        def check(self, url: str) -> None:
            got = answer(self.client, url)
            assert got[0] != 500, (url, got[1][:500])
            assert got == fresh(url), url

        @rule(url=browsing)
        def browse(self, url):
            self.check(url)

        @rule(url=requests)
        def ask(self, url):
            self.check(url)

    run_state_machine_as_test(OneWorker, settings=settings(
        max_examples=max_examples, stateful_step_count=steps, deadline=None, derandomize=derandomize,
        database=None, suppress_health_check=list(HealthCheck), print_blob=True))


def test_request_sequences_answer_as_a_fresh_app(web_index):
    check_sequences(web_index, max_examples=12, steps=12, derandomize=True)


@pytest.mark.soak
@pytest.mark.timeout(3600)
def test_request_sequences_soak(web_index):
    check_sequences(web_index, max_examples=400, steps=40, derandomize=False)


def test_org_kind_then_names_answer_as_a_fresh_app(web_index):
    """The sequence of the issue, written out: the "Intergovernmental" tab, then filters by a name."""
    config = {"INDEX_DIR": str(web_index), "TESTING": True}
    worker = create_app(config).test_client()
    assert worker.get("/?org_kind=intergovernmental").status_code == 200
    for url in ("/api/search?q=debt&country=Mexico", "/export.csv?q=coffee&country=Brazil",
                "/feed.atom?q=coffee&country=Brazil", "/api/search?" + urlencode({"q": "coffee country:Brazil"}),
                "/api/search?org=unicef", "/api/search?country=BR"):
        got = answer(worker, url)
        assert got[0] == 200, (url, got[1][:300])
        assert got == answer(create_app(config).test_client(), url), url
    data = json.loads(worker.get("/api/search?org=unicef").data)
    assert data["total"] > 0 and [f["value"] for f in data["filters"]] == ["UNICEF"]
