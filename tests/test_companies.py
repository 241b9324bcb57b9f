"""Companies (indexer/companies.py) and the about/mention split of entities.extract (issue 14)."""
from __future__ import annotations

import pytest

from indexer import entities as E


def companies(title: str, body: str, about: bool = False) -> dict[str, str]:
    ent = E.extract(title, body)
    return {c.key: c.name for c in (ent.companies if about else ent.companies_mentioned)}


@pytest.mark.parametrize("body, value, name", [
    ("USX Corp said its board approved a dividend.", "USX", "USX Corp"),
    ("The rating was cut by Standard and Poor's Corp on Monday.", "Standard and Poor's", "Standard and Poor's Corp"),
    ("Hoechst AG said sales rose.", "Hoechst", "Hoechst AG"),
    ("Shares of Unilever Plc fell.", "Unilever", "Unilever Plc"),
    ("Morgan Stanley and Co Inc will manage the issue.", "Morgan Stanley", "Morgan Stanley and Co Inc"),
    ("Montgomery Ward and Co, a unit of Mobil, said.", "Montgomery Ward", "Montgomery Ward and Co"),
    ("Italy's Ferruzzi SpA took a stake.", "Ferruzzi", "Ferruzzi SpA"),
    ("The deal is with Caesars World, the casino company, and ends soon.", "Caesars World", "Caesars World"),
    ("But analyst Michael Lucky of Shearson Lehman Brothers Inc said it.", "Shearson Lehman Brothers",
     "Shearson Lehman Brothers Inc"),
    ("S and P raised to BBB-plus from BBB Public Service Co of Indiana's bonds.", "Public Service Co of Indiana",
     "Public Service Co of Indiana"),
    ("Sara Lee Corp agreed to buy a stake in Paris-based DIM S.A., a unit of BIC.", "DIM", "DIM S.A."),
    ("It holds Husky Oil Ltd of Canada and Pearson Plc of Britain.", "Pearson", "Pearson Plc"),
])
def test_company_names(body, value, name):
    assert companies("", body)[value] == name


def test_two_companies_joined_by_and_stay_two():
    found = companies("", "Lac Minerals Ltd and Cambior Inc said they drilled a hole.")
    assert set(found) == {"Lac Minerals", "Cambior"}


def test_short_name_is_the_same_company():
    body = ("Unicorp Canada Corp told the SEC it cut its stake. Unicorp, a management and investment "
            "holding company controlled by its chairman, sold shares. Unicorp said more later.")
    assert set(companies("", body)) == {"Unicorp Canada"}


@pytest.mark.parametrize("body", [
    "Furthermore, the competitive nature of futures brokerage makes it hard.",
    "He was named president of Summit, the company said.",
    "The Federal Deposit Insurance Corp closed the bank.",          # a government body
    "The World Bank, the lending group, said.",                     # an organisation
    "The Co said profits rose.",
])
def test_not_companies(body):
    assert companies("", body) == {}


def test_about_needs_title_lead_or_two_mentions():
    body = ("The market rose on Tuesday as traders bought shares across the board in a busy session "
            "that saw volume climb to the highest level in weeks. Brokers said demand came from "
            "funds and foreign buyers as the dollar steadied and bond yields fell again. "
            "Among the gainers was Polaroid Corp, up two dlrs.")
    assert "Polaroid" in companies("", body)
    assert "Polaroid" not in companies("", body, about=True)
    assert "Polaroid" in companies("POLAROID CORP RISES", body, about=True)


def test_mentions_include_everything_about():
    body = ("Oil prices rose sharply on Monday in heavy trading across the main markets as dealers "
            "reacted to reports of lower output. The Fund said nothing. Traders in London said "
            "a report from the International Monetary Fund was due later. Brazil was not discussed, "
            "nor was France, but Japan, Japan and Japan were.")
    ent = E.extract("OIL PRICES RISE", body)
    assert {c.code for c in ent.countries} <= {c.code for c in ent.countries_mentioned}
    assert {"BR", "FR", "JP"} <= {c.code for c in ent.countries_mentioned}
    assert "JP" in {c.code for c in ent.countries} and "BR" not in {c.code for c in ent.countries}
    assert "IMF" in {o.key for o in ent.organisations_mentioned}
    assert set(ent.regions) <= set(ent.regions_mentioned)


def test_a_capital_alone_is_no_mention():
    ent = E.extract("", "Ministers met in Paris on Monday to discuss trade and tariffs at length with "
                        "many delegations from around the world who came for a week of talks.")
    assert "FR" not in {c.code for c in ent.countries_mentioned}
