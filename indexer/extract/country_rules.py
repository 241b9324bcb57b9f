"""The word lists and small look-ups the country rules of `entity_rules._country_ok` consult:
which adjectives name a language ("Spanish for 'Christ Child'"), which words end a company's name
after a country word (an office: "Minister of Mines and Energy"), the currency units the wire
prices in, the first names that make a country word a surname ("John Ireland"), and the mapping
of a successor state back to the former country of the story's date (Moscow in 1987 -> SUHH).

Why a module of its own: `entity_rules` holds the decisions and their thresholds; the data they
read (all in `data/ambiguity.json`, `first_names.tsv` and `people.json`'s verbs of saying, `former_countries.tsv`
through the gazetteer) is loaded once here, behind small cached functions, so the rules module
stays a readable list of rules.
"""
from __future__ import annotations

import datetime as _dt
import json
from functools import lru_cache

from .gazetteer import _COUNTRY, _DEMONYM, DATA, _gaz


def _names_language(word: str, nxt: str, prv: str, toks: list[str], i: int, text: str, spans) -> bool:
    """Is this adjective the language, not the country? Next to a language word ("French-language",
    "Spanish-speaking"), after a verb of speaking or translating ("translated into Japanese"), at a
    clause's end after "in" or "into" ("written in French."), or glossing a word ("Spanish for 'Christ Child'")."""
    lang = _languages()
    if nxt.lower() in lang["next_lower"] or prv.lower() in lang["prev_lower"]:
        return True
    after = text[spans[i][1]:spans[i][1] + 8] if i < len(spans) else ""
    if prv.lower() in lang["end_prev_lower"] and after[:1] in (",", ".", ";", ":", ")"):
        return True
    if nxt == "for" and i + 1 < len(spans):
        return text[spans[i + 1][1]:spans[i + 1][1] + 3].lstrip()[:1] in ("\"", "'", "“", "‘")
    return False


@lru_cache(maxsize=1)
def _languages() -> dict[str, frozenset[str]]:
    d = json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))["languages"]
    return {k: frozenset(v) for k, v in d.items() if k != "_about"}


@lru_cache(maxsize=1)
def _currency_units() -> frozenset[str]:
    return frozenset(json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))["currency_units"])


@lru_cache(maxsize=1)
def _company_run_stops() -> frozenset[str]:
    return frozenset(json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))["company_run_stops"])


@lru_cache(maxsize=1)
def _company_run_breaks() -> frozenset[str]:
    return frozenset(json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))["company_run_breaks"])


@lru_cache(maxsize=1)
def _headline_not_company_next() -> frozenset[str]:
    return frozenset(json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))["headline_not_company_next"])


@lru_cache(maxsize=1)
def _speech_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words before, words after) a person's name that make a bare surname the person: people.json's
    verbs of saying, and after it a few of being ("Welsh was")."""
    d = json.loads((DATA / "people.json").read_text(encoding="utf-8"))
    before = frozenset(w for w in d["speech_before"] if " " not in w)
    return before, frozenset(d["speech_after"]) | frozenset(d["surname_verbs_after"])


def _first_names() -> frozenset[str]:
    """Given names (people.py's list, from Faker: data/first_names.tsv, less its not_first_names)."""
    from . import people
    return people.first_names()


def _is_name_word(tok: str) -> bool:
    """A country's own name in one word (France, Holland), not an adjective: "Mark French"
    is a surname too, but "Julia French" is rarer than "the July French" to mislead."""
    return any(len(key) == 1 and kind == _COUNTRY for key, kind, _v in _gaz().first.get(tok, ()))


def _is_country_word(tok: str) -> bool:
    for key, kind, _v in _gaz().first.get(tok, ()):
        if len(key) == 1 and (kind == _COUNTRY or kind == _DEMONYM):
            return True
    return False


def _historic(code: str, admin1: str, date) -> str:
    """Map a successor state back to the former country the story's date falls in."""
    if date is None:
        return code
    try:
        return _historic_cached(code, admin1, date)
    except TypeError:                    # an unhashable date-like value
        return _historic_uncached(code, admin1, date)


@lru_cache(maxsize=8192)
def _historic_cached(code: str, admin1: str, date) -> str:
    return _historic_uncached(code, admin1, date)


def _historic_uncached(code: str, admin1: str, date) -> str:
    if isinstance(date, str):
        try:
            date = _dt.date.fromisoformat(date[:10])
        except ValueError:
            return code
    if isinstance(date, _dt.datetime):
        date = date.date()
    for former, (start, until, succ) in _gaz().former.items():
        if not (start <= date < until):
            continue
        if code in succ or (admin1 and f"{code}:{admin1}" in succ):
            return former
    return code
