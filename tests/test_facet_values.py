"""Issue 22: facet values a reader can check, class by class, on stories written here and on
Reuters stories (skipped without the corpus, failed under NEWSFACET_REQUIRE_CORPUS=1)."""
from __future__ import annotations

import re

import pytest

from corpora import corpus_records
from indexer import entities as E

FILLER = " The talks went on for several hours and no agreement was reached by the end of the day." * 4


def mentioned(title: str, body: str) -> set[str]:
    return {c.code for c in E.extract(title, body).countries_mentioned}


# --------------------------------------------------------------------------- 22.1 sub-national places

@pytest.mark.parametrize("place, country, namesake", [
    ("New Mexico", "US", "MX"), ("New Jersey", "US", "JE"), ("New Hampshire", "US", "GB"),
    ("West Virginia", "US", "VI"), ("British Columbia", "CA", "GB"), ("New Brunswick", "CA", "GB"),
    ("New England", "US", "GB"), ("New South Wales", "AU", "GB"), ("Northern Ireland", "GB", "IE"),
])
def test_a_state_or_province_is_a_place_of_its_own_country(place, country, namesake):
    found = mentioned("", f"Farmers in {place} expect a good harvest this year.{FILLER}")
    assert country in found and namesake not in found


def test_a_state_in_capitals_in_the_headline():
    assert mentioned("NEW MEXICO UTILITY CUTS RATES", "The utility said rates fall.") == {"US"}


def test_a_state_alone_is_a_mention_not_what_the_story_is_about():
    ent = E.extract("", f"Wheat farmers in Kansas and Nebraska expect a good harvest.{FILLER}")
    assert [c.code for c in ent.countries_mentioned] == ["US"] and ent.countries == []


def test_a_state_name_that_starts_a_company_name_is_not_the_state():
    assert mentioned("", f"Texas Instruments Inc said profits rose.{FILLER}") == set()


def test_subdivisions_come_from_pycountry_not_python():
    from indexer import subdivisions
    from indexer.gazetteer import _tokens
    places = dict(subdivisions.places({"MX": ["Mexico"], "GB": ["United Kingdom", "Wales"]}, _tokens))
    assert places["Saskatchewan"] == "CA" and places["Wyoming"] == "US" and places["New South Wales"] == "AU"
    assert "Georgia" not in places and "Washington" not in places       # left to the country rules


@pytest.mark.corpus
@pytest.mark.parametrize("place, word, namesake", [
    ("New Mexico", "Mexico", "MX"), ("New Jersey", "Jersey", "JE"), ("New South Wales", "Wales", "GB"),
])
def test_reuters_stories_naming_a_state_never_get_its_namesake(place, word, namesake):
    seen = 0
    for rec in corpus_records(dev_only=True):
        text = (rec.get("title") or "") + "\n" + (rec.get("body") or "")
        if place.lower() not in text.lower():
            continue
        # the namesake's word only inside the state's name: the namesake must not be a value
        alone = len(re.findall(rf"\b{word}\b", text, re.I)) - len(re.findall(rf"\b{place}\b", text, re.I))
        if alone or (namesake == "GB" and re.search(r"\b(?:U\.K\.|Britain|British|London|England)\b", text, re.I)):
            continue
        seen += 1
        ent = E.extract(rec.get("title", ""), rec.get("body", ""), date=rec.get("date"))
        assert namesake not in {c.code for c in ent.countries_mentioned}, rec["id"]
        assert {"US", "AU"} & {c.code for c in ent.countries_mentioned}, rec["id"]
    assert seen >= 3, seen
