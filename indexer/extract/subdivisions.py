"""Sub-national places (states, provinces, regions) whose names must not be read as a country.

Why: a story about "New Mexico", "British Columbia" or "New Jersey" is about a place in the US or
Canada; scanning for country names alone finds Mexico, the United Kingdom ("British") or Jersey
inside them. The names come from pycountry's ISO 3166-2 subdivisions (a dependency already),
chosen by `data/subdivisions.json`: every state and province of the countries listed there, and
in every other country the subdivisions whose name holds another country's name ("New South
Wales", "Northern Ireland"). Nothing is hand-listed in Python; the few regions ISO does not list
("New England") are in the data file with the reason.

The gazetteer adds these names to its tables as places of their own country; the scan takes the
longest name at each word, so "New Mexico" is read whole and "Mexico" inside it never is.
"""
from __future__ import annotations

import json
from typing import Callable

from .gazetteer import DATA


def config() -> dict:
    return json.loads((DATA / "subdivisions.json").read_text(encoding="utf-8"))


def places(country_names: dict[str, list[str]], tokens: Callable[[str], list[str]]) -> list[tuple[str, str]]:
    """(name, ISO 3166-1 code of its country) for every sub-national place to know.

    `country_names` maps each country code to its names (to find namesakes), `tokens` is the
    gazetteer's tokeniser (so "Northern Ireland" contains "Ireland" as the scan sees it)."""
    import pycountry

    cfg = config()
    full = {cc: set(types) for cc, types in cfg["full"].items()}
    code_of = {tuple(tokens(n)): cc for cc, names in country_names.items() for n in names if n}
    exact = {n.casefold() for names in country_names.values() for n in names if n}
    alone = frozenset(cfg["not_alone"])
    out: list[tuple[str, str]] = []
    for s in pycountry.subdivisions:
        name = s.name
        if "(" in name or "," in name or name.casefold() in exact or name in alone:
            continue                     # "Svalbard (Arctic Region)"; Georgia is a country's name too
        if s.country_code in full:
            if s.type in full[s.country_code]:
                out.append((name, s.country_code))
            continue
        toks = tuple(tokens(name))
        inside = {code_of[toks[i:j]] for i in range(len(toks)) for j in range(i + 1, len(toks) + 1)
                  if (i, j) != (0, len(toks)) and toks[i:j] in code_of}
        # CN-HK "Hong Kong SAR", FR-RE "La Réunion": the country of ISO 3166-1 it also is, not a namesake
        if inside and s.code.split("-", 1)[1] not in inside:
            out.append((name, s.country_code))
    out += [(name, cc) for name, cc, _why in cfg["extra"]]
    return out

