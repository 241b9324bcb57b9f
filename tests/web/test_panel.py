"""The facet panel's parameters (issue 14): match, not_<param>, names for values, find_ and sort_."""
from __future__ import annotations

import pytest
from corpora import data_missing
from markupsafe import escape


def api(client, params, status: int = 200):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == status, r.get_data(as_text=True)
    return r.get_json()


def partial_value(client, facet: str, q: str = ""):
    """A value of `facet` that some but not all hits hold."""
    data = api(client, {"q": q})
    for fv in data["facets"][facet]:
        if 0 < fv["count"] < data["total"]:
            return data, fv
    data_missing(f"no {facet} value covers only part of the hits")


def test_match_about_is_narrower_than_any_mention(client, needs_entities):
    about = api(client, {"match": "about"})
    mention = api(client, {"match": "mention"})
    assert about["match"] == "about" and mention["match"] == "mention"
    counts = {fv["value"]: fv["count"] for fv in mention["facets"]["country"]}
    for fv in about["facets"]["country"]:
        assert fv["count"] <= counts.get(fv["value"], 0), fv
        narrowed = api(client, {"match": "about", "country": fv["value"]})
        assert narrowed["total"] == fv["count"]
        wider = api(client, {"match": "mention", "country": fv["value"]})
        assert wider["total"] >= narrowed["total"]
    # (that "any mention" finds more than "about" is shown on Reuters: tests/test_corpus.py)


def test_match_must_be_about_or_mention(client):
    r = client.get("/api/search", query_string={"match": "everything"})
    assert r.status_code == 400 and "match" in r.get_json()["error"]


@pytest.mark.parametrize("facet, param", [("country", "country"), ("organisation", "org")])
def test_leaving_a_value_out(client, facet, param, needs_entities):
    data, fv = partial_value(client, facet)
    out = api(client, {f"not_{param}": fv["value"]})
    assert out["total"] == data["total"] - fv["count"]
    first = out["facets"][facet][0]
    assert first["value"] == fv["value"] and first["excluded"] and not first["selected"]
    for hit in out["hits"]:       # no hit names the value left out
        assert fv["value"] not in {r["value"] for r in hit.get({"country": "countries"}.get(facet, "organisations"))}
    chip = [f for f in out["filters"] if f["param"] == f"not_{param}"]
    assert chip and chip[0]["excluded"] and chip[0]["label"] == fv["label"]
    # its toggle includes it instead; its exclude link stops leaving it out
    assert client.get(first["toggle_url"]).get_json()["total"] == fv["count"]
    assert client.get(first["exclude_url"]).get_json()["total"] == data["total"]


def test_excluded_value_is_struck_on_the_page(client, needs_entities):
    _, fv = partial_value(client, "country")
    page = client.get("/", query_string={"not_country": fv["value"]}).get_data(as_text=True)
    assert f"<s>{fv['label']}</s>" in page and "chip-excluded" in page


def test_a_country_by_name_is_its_code(client, needs_entities):
    _, fv = partial_value(client, "country")
    by_code = api(client, {"country": fv["value"]})
    by_name = api(client, {"country": fv["label"].upper()})
    assert by_name["total"] == by_code["total"] == fv["count"]
    assert [(f["value"], f["label"]) for f in by_name["filters"]] == [(fv["value"], fv["label"])]
    assert by_name["facets"]["country"][0]["value"] == fv["value"] and by_name["facets"]["country"][0]["selected"]


def test_an_organisation_in_any_case(client, needs_entities):
    _, fv = partial_value(client, "organisation")
    assert api(client, {"org": fv["value"].lower()})["total"] == fv["count"]


@pytest.mark.parametrize("param", ["country", "org", "company", "region", "not_country"])
def test_an_unknown_value_is_a_400_naming_it(client, param):
    r = client.get("/api/search", query_string={param: "Atlantis Zzyzx"})
    assert r.status_code == 400
    body = r.get_json()
    assert "Atlantis Zzyzx" in body["error"] and body.get("param") == param
    page = client.get("/", query_string={param: "Atlantis Zzyzx"})
    assert page.status_code == 400 and "Atlantis Zzyzx" in page.get_data(as_text=True)


def test_selected_value_comes_first_however_small(client, needs_entities):
    data = api(client, {})
    values = data["facets"]["country"]
    smallest = values[-1]
    picked = api(client, {"country": smallest["value"]})["facets"]["country"]
    assert picked[0]["value"] == smallest["value"] and picked[0]["selected"]


def test_find_keeps_matching_values_and_sort_by_name(client, needs_entities):
    values = api(client, {})["facets"]["country"]
    letter = values[0]["label"][:3]
    found = api(client, {"find_country": letter.lower()})["facets"]["country"]
    assert found and all(letter.lower() in f"{v['label']} {v['value']} {v['name']}".lower() for v in found)
    by_name = api(client, {"sort_country": "name"})["facets"]["country"]
    labels = [v["label"].casefold() for v in by_name]
    assert labels == sorted(labels) and len(by_name) == len(values)
    assert client.get("/api/search", query_string={"sort_country": "size"}).status_code == 400


def test_find_box_is_a_form_without_javascript(client, needs_entities):
    page = client.get("/", query_string={"find_country": "zzzz-none"}).get_data(as_text=True)
    assert 'name="find_country" value="zzzz-none"' in page
    assert "No country matches" in page


def test_full_name_beside_the_acronym(client, needs_entities):
    data = api(client, {})
    named = [fv for fv in data["facets"]["organisation"] if fv["name"]]
    if not named:
        data_missing("no organisation with a long name in the fixtures")
    page = client.get("/").get_data(as_text=True)
    assert f"— {escape(named[0]['name'])}" in page


def test_skip_link_to_the_filters(client):
    page = client.get("/").get_data(as_text=True)
    assert 'class="skip-filters" href="#facets-heading"' in page and 'id="facets-heading"' in page


def test_date_presets_count_back_from_the_newest_story(client):
    data = api(client, {})
    presets = {p["label"]: p for p in data["date_presets"]}
    week = presets["Last 7 days"]
    assert week["to"] == data["newest"]
    narrowed = client.get(week["url"]).get_json()
    assert narrowed["total"] == api(client, {"from": week["from"], "to": week["to"]})["total"] >= 1
    assert [p for p in narrowed["date_presets"] if p["selected"]][0]["label"] == "Last 7 days"


def test_empty_years_collapse_into_one_line(client):
    data = api(client, {})
    gaps = [fv for fv in data["facets"]["date"] if ".." in fv["value"]]
    for g in gaps:
        assert g["count"] == 0 and g["label"].endswith(": none") and g.get("gap")
    page = client.get("/").get_data(as_text=True)
    for g in gaps:
        assert f'<li class="gap"><span class="label">{g["label"]}</span></li>' in page


def test_a_value_by_name_toggles_off_like_its_code(client, needs_entities):
    _, fv = partial_value(client, "country")
    whole = api(client, {})["total"]
    by_name = api(client, {"country": fv["label"]})
    chosen = by_name["facets"]["country"][0]
    assert chosen["value"] == fv["value"] and chosen["selected"]
    assert client.get(chosen["toggle_url"]).get_json()["total"] == whole       # unselects it
    assert by_name["filters"][0]["value"] == fv["value"]                       # the chip names the code
