"""GET / and GET /api/search: every parameter, on the page and in the JSON twin."""
from __future__ import annotations

import html
import re

import pytest
from webhtml import hit_titles, hrefs, params_of, snippets, tags

RESULT_KEYS = {"query", "total", "page", "pages", "took_ms", "suggestion", "hits", "facets"}
HIT_KEYS = {"id", "title", "date", "dateline", "snippet", "organisations", "countries"}


def api(client, **params):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


# ---------------------------------------------------------------- the result object

def test_api_result_object_has_the_design_fields(client):
    data = api(client, q="coffee")
    assert RESULT_KEYS <= data.keys()
    assert data["query"] == "coffee" and data["total"] > 0 and data["page"] == 1
    assert isinstance(data["took_ms"], (int, float))
    for hit in data["hits"]:
        assert HIT_KEYS <= hit.keys()
        assert "<mark>" in hit["snippet"] or "<mark>" in hit["title"] or "coffee" in hit["title"].lower()
    assert set(data["facets"]) >= {"date", "organisation", "country"}
    for values in data["facets"].values():
        for fv in values:
            assert {"value", "label", "count", "selected", "toggle_url"} <= fv.keys()


def test_page_and_api_come_from_the_same_data(client):
    data = api(client, q="coffee", sort="newest")
    page = client.get("/?q=coffee&sort=newest").get_data(as_text=True)
    assert hit_titles(page) == [h["title"] for h in data["hits"]]


# ---------------------------------------------------------------- q

def test_query_is_kept_in_the_box_and_escaped(client):
    q = 'coffee "harvest outlook"'
    page = client.get("/", query_string={"q": q}).get_data(as_text=True)
    boxes = [a for t, a in tags(page) if t == "input" and a.get("name") == "q"]
    assert boxes and boxes[0]["value"] == q
    assert 'value="coffee &#34;harvest outlook&#34;"' in page or "&quot;harvest" in page


def test_hits_show_count_time_title_date_dateline_snippet(client):
    page = client.get("/?q=coffee").get_data(as_text=True)
    total = api(client, q="coffee")["total"]
    assert re.search(rf"{total:,} stor(y|ies) for “coffee”", page)
    assert re.search(r'<span class="took">\(\d+\.\d ms\)</span>', page)
    assert '<time datetime="20' in page
    assert 'class="dateline">BRASILIA<' in page or 'class="dateline">NAIROBI' in page
    marked = [s for s in snippets(page) if "<mark>" in s]
    assert marked and all(re.search(r"<mark>coffee</mark>", s, re.I) for s in marked)


def test_title_links_to_the_story_with_the_query_and_a_way_back(client):
    data = api(client, q="coffee", country="BR")
    page = client.get("/?q=coffee&country=BR").get_data(as_text=True)
    first = data["hits"][0]["id"]
    links = [h for h in hrefs(page) if h.startswith(f"/doc/{first}?")]
    assert links
    params = dict(params_of(links[0]))
    assert params["q"] == "coffee"
    assert params_of("/?" + params["back"]) == [("q", "coffee"), ("country", "BR")]


def test_no_query_lists_newest_with_facets_over_everything(client, app):
    data = api(client)
    assert data["total"] >= 50
    dates = [h["date"] for h in data["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)
    assert sum(fv["count"] for fv in data["facets"]["date"]) == data["total"]     # Undated is a bucket
    undated = {fv["value"]: fv["count"] for fv in data["facets"]["date"]}.get("undated", 0)
    assert undated == data["total"] - api(client, sort="oldest", **{"from": "0001-01-01"})["total"]
    page = client.get("/").get_data(as_text=True)
    assert "newest first" in page


# ---------------------------------------------------------------- filters

@pytest.mark.parametrize("param", ["org", "country", "region"])
def test_filter_params_narrow_and_show_a_removable_chip(client, param, needs_entities):
    facet = {"org": "organisation", "country": "country", "region": "region"}[param]
    values = api(client)["facets"][facet]
    assert values, f"no {facet} values in the fixture index"
    value = values[0]["value"]
    data = api(client, **{param: value})
    assert data["total"] == values[0]["count"]
    page = client.get("/", query_string={param: value}).get_data(as_text=True)
    chips = re.findall(r'<a class="chip chip-remove" href="([^"]*)"', page)
    assert chips and html.unescape(chips[0]) == "/"
    assert f'<input type="hidden" name="{param}" value="{html.escape(value)}">' in page


def test_values_of_one_facet_or_and_different_facets_and(client, needs_entities):
    c = {fv["value"]: fv["count"] for fv in api(client)["facets"]["country"]}
    assert "BR" in c and "KE" in c
    both = api(client, country=["BR", "KE"])["total"]
    assert max(c["BR"], c["KE"]) <= both <= c["BR"] + c["KE"]
    br_and_unicef = api(client, country="BR", org="UNICEF")["total"]
    assert br_and_unicef <= min(c["BR"], api(client, org="UNICEF")["total"])
    page = client.get("/?country=BR&country=KE").get_data(as_text=True)
    assert "(OR)" in page and "(AND)" in page


@pytest.mark.parametrize("params,first,last", [
    ({"from": "2020-01-01"}, "2020-01-01", None),
    ({"to": "2019-12-31"}, None, "2019-12-31"),
    ({"from": "2020-01-01", "to": "2020-12-31"}, "2020-01-01", "2020-12-31"),
    ({"date": "2020"}, "2020-01-01", "2020-12-31"),
    ({"date": "2020-05"}, "2020-05-01", "2020-05-31"),
])
def test_date_filters(client, params, first, last):
    data = api(client, per_page=100, **params)
    assert data["total"] > 0
    for hit in data["hits"]:
        assert hit["date"] is not None
        assert first is None or hit["date"] >= first
        assert last is None or hit["date"] <= last
    page = client.get("/", query_string=params).get_data(as_text=True)
    assert 'class="chip chip-remove"' in page


def test_from_to_are_kept_in_the_date_inputs(client):
    page = client.get("/?from=2019-02-01&to=2020-03-04").get_data(as_text=True)
    inputs = {a["name"]: a.get("value") for t, a in tags(page) if t == "input" and a.get("type") == "date"}
    assert inputs == {"from": "2019-02-01", "to": "2020-03-04"}
    labels = [a["for"] for t, a in tags(page) if t == "label"]
    assert {"q", "from", "to"} <= set(labels)


def test_years_drill_down_into_months(client):
    years = api(client)["facets"]["date"]
    assert api(client)["date_granularity"] == "year"
    assert {fv["value"] for fv in years} >= {"2019", "2020", "2021"}
    data = api(client, date="2020")
    assert data["date_granularity"] == "month"
    assert data["facets"]["date"] and all(fv["value"].startswith("2020-") for fv in data["facets"]["date"])
    page = client.get("/?date=2020").get_data(as_text=True)
    assert "← All years" in page
    assert '<rect class="bar-fg"' in page and 'style=' not in page


# ---------------------------------------------------------------- sort and paging

@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date(client, sort):
    dates = [h["date"] for h in api(client, q="coffee", sort=sort, per_page=100)["hits"] if h["date"]]
    assert len(dates) > 3
    assert dates == sorted(dates, reverse=sort == "newest")


def test_relevance_is_the_default_with_a_query(client):
    assert api(client, q="coffee")["sort"] == "relevance"


def test_sort_links_keep_every_other_parameter(client):
    page = client.get("/?q=coffee&country=BR&from=2019-01-01&page=2&per_page=2").get_data(as_text=True)
    sort_links = [h for h in hrefs(page) if "sort=" in h]
    assert {dict(params_of(h))["sort"] for h in sort_links} == {"newest", "oldest"}
    for h in sort_links:
        p = dict(params_of(h))
        assert p["q"] == "coffee" and p["country"] == "BR" and p["from"] == "2019-01-01"
        assert p["per_page"] == "2" and "page" not in p


def test_paging_keeps_every_other_parameter_and_pages_do_not_overlap(client):
    base = {"q": "coffee", "sort": "newest", "per_page": 3}
    first, second = api(client, **base), api(client, page=2, **base)
    assert first["pages"] >= 2 and second["page"] == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    page = client.get("/", query_string=base).get_data(as_text=True)
    nxt = [h for h in hrefs(page) if "page=2" in h]
    assert nxt and all(dict(params_of(h)) == {"q": "coffee", "sort": "newest", "per_page": "3", "page": "2"}
                       for h in nxt)
    assert first["next_url"] == "/api/search?q=coffee&sort=newest&page=2&per_page=3"
    assert '<ol class="hits" start="4">' in client.get("/", query_string={**base, "page": 2}).get_data(as_text=True)


def test_a_page_past_the_end_says_so(client):
    r = client.get("/?q=coffee&page=999")
    assert r.status_code == 200
    assert "There is no page 999" in r.get_data(as_text=True)


@pytest.mark.parametrize("per_page", [1, 5, 100])
def test_per_page(client, per_page):
    data = api(client, per_page=per_page)
    assert len(data["hits"]) == min(per_page, data["total"])


# ---------------------------------------------------------------- nothing found

def test_no_hits_says_so_and_offers_removing_filters(client):
    r = client.get("/?q=coffee&from=1990-01-01&to=1990-12-31")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "No stories found" in page and "Widen it by removing a filter" in page
    removes = [html.unescape(h) for h in re.findall(r'<a class="chip chip-remove" href="([^"]*)">Remove', page)]
    assert "/?q=coffee&to=1990-12-31" in removes and "/?q=coffee&from=1990-01-01" in removes


def test_did_you_mean(client):
    # a query finding nothing shows its correction's stories (issue 13; it used to list none)
    data = api(client, q="cofee")
    assert data["total"] == api(client, q="coffee")["total"] > 0
    assert data["suggestion"] == data["showing_results_for"] == "coffee" and data["query"] == "cofee"
    assert data["suggestion_url"] == "/api/search?q=coffee"
    assert data["search_instead_url"] == "/api/search?q=cofee&correct=off"
    assert data["export_csv_url"] == "/export.csv?q=coffee"
    exact = api(client, q="cofee", correct="off")
    assert exact["total"] == 0 and exact["suggestion"] == "coffee" and exact["showing_results_for"] is None
    page = client.get("/?q=cofee&country=BR").get_data(as_text=True)
    assert ('Showing results for <a href="/?q=coffee&amp;country=BR">coffee</a> — search instead for '
            '<a href="/?q=cofee&amp;country=BR&amp;correct=off">cofee</a>') in page
    page = client.get("/?q=cofee&country=BR&correct=off").get_data(as_text=True)
    assert 'Did you mean <a href="/?q=coffee&amp;country=BR">coffee</a>?' in page


def test_the_heading_counts_the_stories_of_the_correction_shown(client):
    # issue 18.6: "2,029 stories for “opek”" above the stories of "oper"; the count is the correction's
    shown = api(client, q="cofee")
    page = client.get("/?q=cofee").get_data(as_text=True)
    heading = re.search(r'<h1 id="results-heading"[^>]*>(.*?)<span', page, re.S).group(1)
    words = " ".join(heading.split())
    total = shown["total"]
    assert words == f"{total:,} {'story' if total == 1 else 'stories'} for “coffee”", words
    assert total == api(client, q="coffee")["total"]


def test_head_and_query_string_link_to_the_json_twin(client):
    page = client.get("/?q=coffee").get_data(as_text=True)
    assert '<a href="/api/search?q=coffee">/api/search</a>' in page
    assert client.head("/?q=coffee").status_code == 200


def test_organisation_facet_narrows_by_kind(client):
    page = client.get("/?q=&org_kind=intergovernmental")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-label="Kind of organisation"' in html
    assert '<strong aria-current="true">Intergovernmental</strong>' in html
    data = client.get("/api/search?org_kind=intergovernmental").get_json()
    assert data["facets"]["organisation"]
    assert {v["kind"] for v in data["facets"]["organisation"]} == {"intergovernmental"}
    kinds = {k["value"]: k for k in data["org_kinds"]}
    assert kinds["intergovernmental"]["selected"] and "org_kind=news+agency" in kinds["news agency"]["url"]
    assert "company" not in kinds       # issue 14: companies are a facet of their own
    assert "org_kind" not in kinds[""]["url"]
    # the kind is kept by other links, and a bad kind is a 400 that says why
    assert all("org_kind=intergovernmental" in v["toggle_url"] for v in data["facets"]["country"])
    bad = client.get("/api/search?org_kind=spies")
    assert bad.status_code == 400 and "'org_kind' must be one of" in bad.get_json()["error"]
