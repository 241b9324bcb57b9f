"""Every facet, defined once: its field, URL parameter, title, chips, and how values are found and named.

Why one registry: the organisation/country/region triple used to be restated in the schema, the
indexer, the query side (filters, counts, labels, suggestions), the web views, the feeds and the
CLI; adding a facet meant editing all of them. Now each of those loops over `FACETS` (Datasette's
`facets.py` is the model: a facet is a small object of a facet class, registered once). Adding a
facet is one entry below (or `FACETS.register(...)` at run time) plus the function that finds its
values in a story; its class (base.py, classes.py) says how it is stored, shown and exported, and
the date facet (date.py) is `FACETS.date`.

Part "Facets" of DESIGN.md: imports Extract's data only (the gazetteer look-ups), nothing of Whoosh.
"""
from __future__ import annotations

from ..extract import companies, entities, gazetteer, language
from ..extract.fold import fold
from .base import (DEFAULT_MATCH, FIRST_COLUMNS, LAST_COLUMNS, MATCHES, ONE_VALUE_COLUMNS, Facet, merge as _merge,
                   value as _value)
from .base import merge as merge_values, value as facet_value     # for a facet's `values` function
from .classes import KindedFacet, NamedFacet, SingleValueFacet, StoryOnlyFacet
from .date import DATE, DateFacet
from .registry import Registry


def _orgs(doc, ents) -> list[dict]:
    return _merge(ents.organisations, ents.organisations_mentioned, lambda o: o.key,
                  lambda o, about: _value(o.key, o.key, o.name, o.kind, about))


def _companies(doc, ents) -> list[dict]:
    return _merge(ents.companies, ents.companies_mentioned, lambda o: o.key,
                  lambda o, about: _value(o.key, o.key, o.name, "company", about))


def _countries(doc, ents) -> list[dict]:
    return _merge(ents.countries, ents.countries_mentioned, lambda c: c.code,
                  lambda c, about: _value(c.code, c.name, about=about))


def _regions(doc, ents) -> list[dict]:
    return _merge(ents.regions, ents.regions_mentioned, lambda r: r, lambda r, about: _value(r, r, about=about))


def _people(doc, ents) -> list[dict]:
    return _merge(ents.people, ents.people_mentioned, lambda p: p, lambda p, about: _value(p, p, about=about))


def _languages(doc, ents) -> list[dict]:
    code = language.facet_value(getattr(doc, "language", "") or "")
    return [_value(code, language.label(code))]


MAX_SOURCE_CHARS = 200


def _sources(doc, ents) -> list[dict]:
    """The outlet, site or agency that published the story, as its source names itself (a
    record's `source`, a feed's title, a page's site name), spaces collapsed; none when unknown."""
    name = " ".join((getattr(doc, "source", "") or "").split())[:MAX_SOURCE_CHARS]
    return [_value(name, name)] if name else []


def _same(value: str) -> str:
    return value


def _find_language(text: str) -> tuple[str, str, str, str] | None:
    """A language from its code or tag (`de`, `deu`, `de-AT`) or English name (`German`)."""
    code = language.normalise(text) or next(
        (c for c in language.languages() if fold(language.label(c)) == fold(text)), "")
    return (code, language.label(code), "", "") if code else None


def _any_language(find, text: str):
    """A value by its English name, else by its name in another language (`Österreich`, `ONU`)."""
    found = find(text)
    if found is None:
        with gazetteer.in_language("und"):
            found = find(text)
    return found


def _find_org(text: str) -> tuple[str, str, str, str] | None:
    o = _any_language(entities.find_organisation, text)
    return (o.key, o.key, o.name if o.name != o.key else "", o.kind) if o else None


def _find_country(text: str) -> tuple[str, str, str, str] | None:
    c = _any_language(entities.find_country, text)
    return (c.code, c.name, "", "") if c else None


def _find_region(text: str) -> tuple[str, str, str, str] | None:
    r = entities.find_region(text)
    return (r, r, "", "") if r else None


# The organisation facet's kinds, as its links offer them (companies are a facet of their own:
# `org_kind=company` is still accepted, and lists nothing)
ORG_KIND_LINKS = (("", "All"), ("intergovernmental", "Intergovernmental"), ("government", "Government"),
                  ("news agency", "News agencies"), ("other", "Other"))

FACETS = Registry(DATE, (
    KindedFacet("organisation", "org", "Organisation", "orgs_display", _orgs, plural="organisations",
                resolve=_find_org, query_aliases=("organisation", "organization", "agency"), export_at=FIRST_COLUMNS,
                kinds=ORG_KIND_LINKS, accepted_kinds=("intergovernmental", "government", "company", "news agency", "other"),
                kind_aliases=("org_kind",),
                cli_help="Only stories naming this organisation (acronym or name; repeatable: OR)."),
    NamedFacet("company", "company", "Company", "companies_display", _companies, plural="companies",
               query_aliases=("firm",), kind="company", normalise=companies.facet_value, export_at=FIRST_COLUMNS,
               cli_help="Only stories naming this company (repeatable: OR)."),
    Facet("country", "country", "Country", "countries_display", _countries, plural="countries",
          resolve=_find_country, query_aliases=("place",), export_at=FIRST_COLUMNS,
          cli_help="Only stories naming this country (code or name; repeatable: OR)."),
    StoryOnlyFacet("region", "region", "Region", "regions_display", _regions, plural="regions",
                   resolve=_find_region,
                   cli_help="Only stories naming a country of this region (repeatable: OR)."),
    SingleValueFacet("language", "language", "Language", values=_languages, resolve=_find_language,
                     label=language.label,
                     cli_help="Only stories in this language (ISO 639-1 code or name; repeatable: OR)."),
    SingleValueFacet("source", "source", "Source", values=_sources, label=_same, query_aliases=("outlet", "publisher"),
                     cli_help="Only stories from this source: the outlet, site or agency (repeatable: OR)."),
    # people.py: the full name as first written; "Baker" later in the story counts for "James Baker"
    NamedFacet("person", "person", "Person", "people_display", _people, plural="people", query_aliases=("people",),
               label=_same, cli_help="Only stories naming this person (full name as the facet lists it; repeatable: OR)."),
))

BY_NAME = FACETS.by_name         # kept up to date by FACETS.register / unregister
BY_PARAM = FACETS.by_param
FacetSpec = Facet                # the former name of the base class


def get(key: str) -> Facet | None:
    """The facet with this parameter or name ("org" or "organisation")."""
    return FACETS.get(key)


__all__ = ["FACETS", "BY_NAME", "BY_PARAM", "DATE", "DEFAULT_MATCH", "MATCHES", "Facet", "FacetSpec", "KindedFacet",
           "NamedFacet", "SingleValueFacet", "StoryOnlyFacet", "DateFacet", "Registry", "FIRST_COLUMNS",
           "ONE_VALUE_COLUMNS", "LAST_COLUMNS", "get", "facet_value", "merge_values"]
