"""Every facet, defined once: its field, URL parameter, title, chips, and how values are found and named.

Why one registry: the organisation/country/region triple used to be restated in the schema, the
indexer, the query side (filters, counts, labels, suggestions), the web views, the feeds and the
CLI; adding a facet meant editing all of them. Now each of those loops over `FACETS` (Datasette's
`facets.py` is the model: a facet is a small object registered once). Adding a facet is one
`FacetSpec(...)` entry in `FACETS` plus the function that finds its values in a story.

A facet may have two strengths of tagging (issue 14): what a story is *about* (the salience rules)
and every reliable *mention*. Both are indexed: `field` holds the about values, `mention_field`
every mention; a request's `match` (about | mention) picks which one filters and counts. The stored
`display` field keeps every mentioned value once, with its label and `"about": false` when the story
only mentions it, so the
hits show the chips of the strength asked for without a second stored list.

Part "Facets" of DESIGN.md: imports Extract's data only (the gazetteer look-ups), nothing of Whoosh.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .extract import companies, entities, gazetteer, language
from .extract.fold import fold

MATCHES = ("mention", "about")
# Default: every story that names a body or a country. A journalist filtering by the IMF expects every
# story in which the IMF appears (issue 14: "debt" + IMF + Mexico found 2 stories, the words 29);
# "Stories about" narrows to the salience rules when the list is too long.
DEFAULT_MATCH = "mention"


def _value(value: str, label: str, name: str = "", kind: str = "", about: bool = True) -> dict:
    item = {"value": value.replace(",", " ").strip(), "label": label}
    if name and name != label:
        item["name"] = name
    if kind:
        item["kind"] = kind
    if not about:                 # stored only when false: most values are what the story is about
        item["about"] = False
    return item


def _merge(about: list, mentioned: list, key: Callable, make: Callable) -> list[dict]:
    """Every mentioned value once, in order of mention, flagged whether the story is about it."""
    chosen = {key(x) for x in about}
    seen: dict[str, dict] = {}
    for x in list(about) + list(mentioned):
        k = key(x)
        if k not in seen:
            seen[k] = make(x, k in chosen)
    return list(seen.values())


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
        (c for c in language._languages() if fold(language.label(c)) == fold(text)), "")
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


@dataclass(frozen=True)
class FacetSpec:
    name: str                     # key in a result's `facets` ("organisation")
    param: str                    # URL and CLI parameter, query-syntax field and Whoosh field ("org")
    title: str                    # shown above the facet and on filter chips ("Organisation")
    display: str                  # stored field: the story's values with labels (see module doc)
    values: Callable              # (Document, Entities) -> [display dicts], about and mentions
    plural: str = ""              # key of a hit's and a story's chips ("organisations"); "" = no chips
    resolve: Callable | None = None   # name, alias or code -> (value, label, long name, kind) or None
    mentions: bool = True         # has a mention variant (`mention_field`)
    query_aliases: tuple[str, ...] = ()   # other field names the query syntax accepts (`agency:`)
    cli_help: str = ""
    on_hits: bool = True          # chips on result hits (the story page shows every facet)
    stored_labels: bool = True    # read labels from the stories (False: the value is the label)
    normalise: Callable | None = None     # a written form -> the value it is indexed as ("USX Corp" -> "USX")
    kind_field: str = ""          # values have kinds: also index "kind|value" terms here (query/orgkinds.py)
    single: bool = False          # one value a story, stored in its field (no display list): the language
    label: Callable | None = None     # value -> label, for a facet whose labels are not stored
    kind: str = ""                # the kind every value has, when the facet has one kind
    appended: bool = False        # its export column came after the first ones: it goes last (issue 22)

    @property
    def field(self) -> str:
        """The Whoosh field of the *about* values."""
        return self.param

    @property
    def mention_field(self) -> str:
        """The Whoosh field of every mention (the about field when the facet has no mention variant)."""
        return f"{self.param}_any" if self.mentions else self.param

    def field_for(self, match: str) -> str:
        return self.mention_field if match == "mention" else self.field

    def kind_field_for(self, match: str) -> str:
        """The "kind|value" field of a strength of tagging ("" when values have no kinds)."""
        if not self.kind_field:
            return ""
        return f"{self.kind_field}_any" if match == "mention" and self.mentions else self.kind_field

    def index_fields(self, doc, ents) -> dict:
        """The Whoosh fields of one story for this facet (prepare.py)."""
        items = self.values(doc, ents)
        if self.single:
            return {self.field: items[0]["value"]} if items else {}
        out = {self.display: items, self.field: ",".join(i["value"] for i in items if i.get("about", True))}
        if self.mentions:
            out[self.mention_field] = ",".join(i["value"] for i in items)
        if self.kind_field:
            def kinds(chosen):
                return ",".join(f"{i.get('kind') or 'other'}|{i['value']}" for i in chosen)
            out[self.kind_field_for("about")] = kinds(i for i in items if i.get("about", True))
            if self.mentions:
                out[self.kind_field_for("mention")] = kinds(items)
        return out

    def describe(self, value: str) -> tuple[str, str, str]:
        """(label, long name, kind) of a value from the gazetteers; the value itself when unknown."""
        try:
            found = self.resolve(value) if self.resolve else None
        except Exception:            # a gazetteer problem must not break a search: show the raw value
            found = None
        if found is None or found[0] != value:
            return value, "", self.kind
        return found[1], found[2], found[3]


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("organisation", "org", "Organisation", "orgs_display", _orgs, plural="organisations",
              resolve=_find_org, query_aliases=("organisation", "organization", "agency"), kind_field="org_kind",
              cli_help="Only stories naming this organisation (acronym or name; repeatable: OR)."),
    FacetSpec("company", "company", "Company", "companies_display", _companies, plural="companies",
              query_aliases=("firm",), stored_labels=False, kind="company", normalise=companies.facet_value,
              cli_help="Only stories naming this company (repeatable: OR)."),
    FacetSpec("country", "country", "Country", "countries_display", _countries, plural="countries",
              resolve=_find_country, query_aliases=("place",),
              cli_help="Only stories naming this country (code or name; repeatable: OR)."),
    FacetSpec("region", "region", "Region", "regions_display", _regions, plural="regions",
              resolve=_find_region, on_hits=False,
              cli_help="Only stories naming a country of this region (repeatable: OR)."),
    FacetSpec("language", "language", "Language", "", _languages, resolve=_find_language, mentions=False,
              single=True, stored_labels=False, label=language.label, on_hits=False,
              cli_help="Only stories in this language (ISO 639-1 code or name; repeatable: OR)."),
    FacetSpec("source", "source", "Source", "", _sources, mentions=False, single=True, stored_labels=False,
              label=_same, on_hits=False, query_aliases=("outlet", "publisher"),
              cli_help="Only stories from this source: the outlet, site or agency (repeatable: OR)."),
    # people.py: the full name as first written; "Baker" later in the story counts for "James Baker"
    FacetSpec("person", "person", "Person", "people_display", _people, plural="people", query_aliases=("people",),
              stored_labels=False, label=_same, appended=True,
              cli_help="Only stories naming this person (full name as the facet lists it; repeatable: OR)."),
)

BY_NAME = {f.name: f for f in FACETS}
BY_PARAM = {f.param: f for f in FACETS}


def get(key: str) -> FacetSpec | None:
    """The facet with this parameter or name ("org" or "organisation")."""
    return BY_PARAM.get(key) or BY_NAME.get(key)
