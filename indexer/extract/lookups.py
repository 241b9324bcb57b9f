"""Look-ups of one name in the gazetteers: the `country:`, `org:` and region parameters of a query,
the facet kinds, and the Reuters code map of the evaluation; and the other way round, every name
the gazetteers hold (`known_names`, what the index's name table resolves).

Why a module of its own: these answer "which entity is this text?" for one string, in any case,
from the same tables the story scan uses, and never read a story; `entities` re-exports them
(its contract lists them), so callers keep importing from there.
"""
from __future__ import annotations

from .gazetteer import _COUNTRY, _REGION, Country, Organisation, _fold, _gaz, _gazetteer, _rows
from .language import languages


def find_country(text: str) -> Country | None:
    """A country from a code or any name we know, in any case ("br", "U.S.", "west germany")."""
    if not text or not text.strip():
        return None
    g = _gaz()
    t = text.strip()
    if t.upper() in g.codes:
        return g.codes[t.upper()]
    hit = g.lookup.get(_fold(t))
    if hit and hit[0] == _COUNTRY:
        return hit[1]
    return None


def find_organisation(text: str) -> Organisation | None:
    """An organisation from its acronym, name or an alias, in any case ("unicef", "World Bank")."""
    if not text or not text.strip():
        return None
    g = _gaz()
    f = _fold(text)
    if f in g.org_lookup:
        return g.org_lookup[f].org
    for e in g.orgs:
        if _fold(e.org.key) == f:
            return e.org
    return None


def find_region(text: str) -> str | None:
    """A region from its name or a phrase for it, in any case ("western europe", "Gulf states")."""
    if not text or not text.strip():
        return None
    g = _gaz()
    f = _fold(text)
    hit = g.lookup.get(f)
    if hit and hit[0] == _REGION:
        return hit[1]
    return next((r for r in set(g.regions.values()) if _fold(r) == f), None)


def region_of(code: str) -> str | None:
    """The UN M49 sub-region of a country code (ISO 3166-1 alpha-2 or ISO 3166-3)."""
    return _gaz().regions.get(code)


def organisations() -> list[Organisation]:
    """Every organisation in the gazetteer (for listing facet kinds)."""
    return [e.org for e in _gaz().orgs]


def reuters_org_map() -> dict[str, str]:
    """Reuters-21578 `orgs` code -> our organisation key (for the evaluation)."""
    codes = ((c, e.org.key) for e in _gaz().orgs if e.reuters
             for c in ([e.reuters] if isinstance(e.reuters, str) else e.reuters))
    return dict(codes)


def known_names() -> dict[str, set[str]]:
    """param ("org", "country", "region", "language") -> every name and code the gazetteers hold for
    it, English and every other language: their folded look-up keys and the names as written (for
    messages that offer them). index/names.py resolves each one by the facet's own look-up."""
    out: dict[str, set[str]] = {"org": set(), "country": set(), "region": set(), "language": set()}
    for multilingual in (False, True):
        g = _gazetteer(multilingual)
        for key, (kind, _) in g.lookup.items():
            if kind == _COUNTRY:
                out["country"].add(key)
            elif kind == _REGION:
                out["region"].add(key)
        out["org"].update(g.org_lookup)
        out["org"].update(e.org.key for e in g.orgs)
        out["org"].update(e.org.name for e in g.orgs)
        out["country"].update(g.codes)
        out["country"].update(c.name for c in g.countries.values())
        out["country"].update(g.countries)
        out["region"].update(g.regions.values())
    for code, (alpha3, name, native) in languages().items():
        out["language"].update(n for n in (code, alpha3, name, native) if n)
    # the same names as written (the look-up keys above are folded), for messages that offer them
    for _code, _lang, written in _rows("country_names.tsv", header=True):
        out["country"].update(written.split("|"))
    for _code, display, aliases, *demonyms in _rows("countries.tsv"):
        out["country"].update([display, *aliases.split("|"), *(demonyms[0].split("|") if demonyms else [])])
    for file in ("org_names.tsv", "org_names_curated.tsv"):
        out["org"].update(row[2] for row in _rows(file, header=True))
    out["region"].update(row[0] for row in _rows("regions.tsv"))
    return out
