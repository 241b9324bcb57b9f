"""The facet classes (indexer/facets/): what each kind of facet says about itself, the date facet's
parameters, timeline and labels, and the registry's API. The surfaces that read them are checked
with a registered facet in test_facet_registry_surfaces.py."""
from __future__ import annotations

import datetime as _dt

import pytest

from indexer.facets import (DATE, FACETS, Facet, KindedFacet, NamedFacet, SingleValueFacet, StoryOnlyFacet,
                            facet_value)
from indexer.search import QueryError, parse_request


def test_todays_facets_are_of_their_classes():
    kinds = {f.name: type(f) for f in FACETS}
    assert kinds == {"organisation": KindedFacet, "company": NamedFacet, "country": Facet, "region": StoryOnlyFacet,
                     "language": SingleValueFacet, "source": SingleValueFacet, "person": NamedFacet}
    assert [f.name for f in FACETS.with_chips_on_hits()] == ["organisation", "company", "country", "person"]
    assert [f.name for f in FACETS.with_chips_on_stories()] == ["organisation", "company", "country", "region", "person"]
    assert [f.name for f in FACETS.kinded()] == ["organisation"]


def test_fields_and_export_columns_as_before():
    org = FACETS.get("org")
    assert org.schema_fields() == {"org": "keyword", "org_any": "keyword", "org_kind": "keyword",
                                   "org_kind_any": "keyword", "orgs_display": "stored"}
    assert FACETS.get("language").schema_fields() == {"language": "value"}
    assert FACETS.export_columns(("id", "date", "title", "dateline"), ("url", "source_url")) == (
        "id", "date", "title", "dateline", "organisations", "companies", "countries", "url", "source_url",
        "language", "source", "people")


def test_chips_by_strength_of_tagging():
    stored = {"orgs_display": [facet_value("UN", "UN", "United Nations", "intergovernmental"),
                               facet_value("IMF", "IMF", about=False)], "language": "en"}
    org = FACETS.get("org")
    assert org.hit_chips(stored, "mention") == {"organisations": [{"value": "UN", "label": "UN"},
                                                                  {"value": "IMF", "label": "IMF"}]}
    assert org.hit_chips(stored, "about") == {"organisations": [{"value": "UN", "label": "UN"}]}
    assert FACETS.get("region").hit_chips(stored) == {} and FACETS.get("region").story_chips(stored) == {"regions": []}
    assert FACETS.get("language").export_cells(stored, "mention") == {"language": "en"}
    assert org.export_cells(stored, "about") == {"organisations": ["UN"]}


def test_labels_a_facet_gives_itself():
    assert FACETS.get("person").label_of("James Baker") == ("James Baker", "", "")
    assert FACETS.get("company").label_of("USX") is None            # no label function: the value or a name table
    assert FACETS.get("country").label_of("BR") is None             # stored with the stories
    assert FACETS.get("language").label_of("de") == ("German", "", "")


def test_kind_parameters():
    org = FACETS.get("org")
    assert org.kind_params == ("org_kind", "kind_org") and org.kind_field == "org_kind"
    assert parse_request({"kind_org": ["government"]}).org_kind == "government"
    assert parse_request({"org_kind": ["news agency"]}).kinds == {"org": "news agency"}
    with pytest.raises(QueryError, match="'kind_org' must be one of intergovernmental, government, company"):
        parse_request({"kind_org": ["spies"]})


def test_date_parameters():
    req = parse_request({"date": ["1987-02"]})
    assert (req.date_from, req.date_to) == (_dt.date(1987, 2, 1), _dt.date(1987, 2, 28))
    assert parse_request({"date": ["undated"]}).undated
    assert parse_request({"from": ["1987"], "to": ["1988-06"]}).date_to == _dt.date(1988, 6, 30)
    for bad, param in (({"date": ["March"]}, "date"), ({"from": ["1987-13-01"]}, "from"),
                       ({"from": ["1988"], "to": ["1987"]}, "from")):
        with pytest.raises(QueryError) as err:
            parse_request(bad)
        assert err.value.param == param
    assert DATE.params == ("date", "from", "to") and DATE.exclusive["date"] == ("from", "to")


def test_date_timeline_and_labels():
    assert DATE.buckets({"1987-03-02": 2, "1987-03-04": 1}, 0) == (
        [("1987-03-02", 2), ("1987-03-03", 0), ("1987-03-04", 1)], "day")
    assert DATE.buckets({"1987-03-02": 2, "1987-05-04": 1}, 3) == (
        [("1987-03", 2), ("1987-04", 0), ("1987-05", 1), ("undated", 3)], "month")
    assert DATE.buckets({"1987-03-02": 2, "1991-01-01": 1}, 0) == ([("1987", 2), ("1988..1990", 0), ("1991", 1)], "year")
    assert DATE.label("1987-03") == "Mar 1987" and DATE.label("1987-03-05", long=True) == "5 March 1987"
    assert DATE.label("1988..1990") == "1988–1990: none" and DATE.label("undated") == "Undated"


def test_registry_refuses_clashes_and_unknown_names():
    with pytest.raises(ValueError):
        FACETS.register(Facet("country", "land", "Land", "lands_display", lambda d, e: []))
    with pytest.raises(ValueError):
        FACETS.register(Facet("when", "date", "When", "when_display", lambda d, e: []))
    with pytest.raises(KeyError):
        FACETS.unregister("nothing")
    version = FACETS.version
    FACETS.register(Facet("sector", "sector", "Sector", "sectors_display", lambda d, e: []), before="country")
    try:
        assert [f.name for f in FACETS][2] == "sector" and FACETS.get("sector").field == "sector"
    finally:
        FACETS.unregister("sector")
    assert FACETS.version == version + 2 and "sector" not in FACETS.by_name
