"""Every facet value's link narrows the results to exactly the count it shows."""
from __future__ import annotations


import pytest
from webhtml import hrefs

FACETS = ["date", "organisation", "country", "region"]
STARTS = [{}, {"q": "coffee"}, {"q": "programme", "from": "2019-06-01"}]


def api(client, url_or_params):
    r = client.get(url_or_params) if isinstance(url_or_params, str) else \
        client.get("/api/search", query_string=url_or_params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


@pytest.mark.parametrize("start", STARTS, ids=["all", "q", "q+from"])
@pytest.mark.parametrize("facet", FACETS)
def test_each_value_narrows_to_its_count(client, facet, start, needs_entities):
    data = api(client, start)
    values = data["facets"][facet]
    if facet != "date" or "from" not in start:      # a date value replaces from/to
        assert values, f"no {facet} values for {start}"
    for fv in values:
        if facet == "date" and "from" in start:
            continue
        narrowed = api(client, fv["toggle_url"])
        assert narrowed["total"] == fv["count"], (facet, fv)
        if facet == "date":     # a year drills down into months; the year shows as a chip
            chip = [f for f in narrowed["filters"] if f["param"] == "date"]
            assert chip and chip[0]["value"] == fv["value"]
            undo = chip[0]["remove_url"]
        else:
            chosen = [v for v in narrowed["facets"][facet] if v["value"] == fv["value"]]
            assert chosen and chosen[0]["selected"], fv
            undo = chosen[0]["toggle_url"]
        assert api(client, undo)["total"] == data["total"]     # clicking again removes the filter


@pytest.mark.parametrize("facet", FACETS)
def test_counts_over_every_hit_not_only_the_page(client, facet, needs_entities):
    one = api(client, {"q": "programme", "per_page": 1})
    many = api(client, {"q": "programme", "per_page": 100, "page": 1})
    assert len(one["hits"]) == 1 and len(many["hits"]) == many["total"] > 10
    counts = [(fv["value"], fv["count"]) for fv in one["facets"][facet]]
    assert counts == [(fv["value"], fv["count"]) for fv in many["facets"][facet]]
    assert counts == [(fv["value"], fv["count"]) for fv in api(client, {"q": "programme", "page": 2})["facets"][facet]]


def test_page_links_are_the_same_toggles(client, needs_entities):
    data = api(client, {"q": "coffee"})
    # page links carry "#results" (a facet tap lands on the results: issue 14); the API's do not
    page_links = {h.split("#")[0] for h in hrefs(client.get("/?q=coffee").get_data(as_text=True))}
    for facet in FACETS:
        for fv in data["facets"][facet]:
            assert fv["toggle_url"].replace("/api/search", "/", 1).replace("/?", "/?", 1) in page_links


def test_more_values_hide_in_details(client, needs_entities):
    page = client.get("/").get_data(as_text=True)
    data = api(client, {})
    long = [f for f in data["facets"] if f not in ("date", "language") and len(data["facets"][f]) > 8]
    assert page.count('<details class="more">') == len(long)


def test_hit_chips_add_their_filter(client, needs_entities):
    data = api(client, {"q": "coffee"})
    hit = next(h for h in data["hits"] if h["countries"])
    ref = hit["countries"][0]
    assert ref["filter_url"] == f"/api/search?q=coffee&country={ref['value']}"
    narrowed = api(client, ref["filter_url"])
    assert hit["id"] in {h["id"] for h in api(client, {"q": "coffee", "country": ref["value"], "per_page": 100})["hits"]}
    assert narrowed["total"] <= data["total"]
