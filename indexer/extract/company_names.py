"""One value per company: the name a story writes, cleaned and mapped to the company's canonical value.

Why a module of its own: `companies` finds where a company is named; this decides which value
the name is, the same way in every story, so that a facet count is one company's count:

- markup and quotes are no part of a name ("Qatar National Bank SAQ>"s" -> "Qatar National Bank");
- the owner before a possessive is not ("New York's Shearson Lehman Brothers", "PepsiCo's Taco
  Bell" -> "Taco Bell"), nor a map reference before the name ("Al Trout A14-8-89-3 W5M Texaco
  Canada" -> "Texaco Canada");
- a partnership's name keeps its comma ("Goldman, Sachs and Co" is Goldman Sachs, not "Sachs";
  "Kidder, Peabody and Co" is Kidder Peabody);
- a subsidiary suffix is dropped ("Goldman Sachs International" -> "Goldman Sachs"; the words are
  `subsidiary_suffixes` in data/companies.json);
- the archive's own aliases (data/company_aliases.tsv, written by `python -m
  indexer.extract.data.learn_companies` from "International Business Machines Corp (IBM)" patterns and
  "Salomon" / "Salomon Brothers" pairs) map every written form to one value, and a bare alias
  that is an acronym ("IBM said") names the company in any story;
- places inside and before names (a state after "Co of", a city in "Hongkong and Shanghai Banking",
  a country's possessive before a name) are decided here too, for companies.find.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from .gazetteer import DATA, _gaz, _rows

_MARKUP_CUT = re.compile(r"[<>\"“”«»]")
_CODE = re.compile(r"(?=.*\d)(?:.*-.*|[A-Z]\d+[A-Z]\w*)")      # "A14-8-89-3", "W5M": a map reference
_POSSESSIVE = ("'s", "’s", "s'", "s’")
_ARTICLES = frozenset(("Die", "Der", "Das", "Den", "Dem", "Des"))
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_CAMEL = re.compile(r"[A-Z][a-z]+[A-Z][a-z]+")      # PaineWebber, BankAmerica, ChemLawn


USE_TABLE = True       # learn_companies turns the table off while it learns a new one


def use_learnt_aliases(on: bool) -> None:
    """Whether names map through the learnt aliases (company_aliases.tsv): learn_companies turns
    them off while it learns a new table, so that it learns from the names as written."""
    global USE_TABLE
    USE_TABLE = on
    _data.cache_clear()


@lru_cache(maxsize=1)
def _data() -> tuple[frozenset[str], dict[str, str], frozenset[str], dict[str, list[str]], dict[str, str]]:
    d = json.loads((DATA / "companies.json").read_text(encoding="utf-8"))
    rows = list(_rows("company_aliases.tsv", header=True)) if USE_TABLE else []
    aliases = {row[0]: row[1] for row in rows}
    # acronyms the archive defines ("International Business Machines Corp (IBM)"), not spellings ("AKZO" for Akzo)
    acronyms = frozenset(a for row in rows if row[2:3] and row[2].startswith("defined as")
                         for a in row[:2] if a.isupper() and a.isalpha() and len(a) >= 2)
    names: dict[str, list[str]] = {}       # first word -> the known names of two words or more
    for a in (*aliases, *aliases.values()):
        if " " in a and a[:1].isupper() and a not in names.get(a.split()[0], ()):
            names.setdefault(a.split()[0], []).append(a)
    for first in list(names):
        for name in list(names[first]):          # "Salomon Bros", "Shearson Lehman Bros" as written
            for abbr, long in d["abbreviations"].items():
                written = " ".join(abbr if w == long else w for w in name.split())
                if written != name and written not in names[first]:
                    names[first].append(written)
    for a in (*aliases, *aliases.values()):      # "PaineWebber analyst": a one-word name with a capital inside
        if " " not in a and _CAMEL.fullmatch(a) and a not in names.get(a, ()):
            names.setdefault(a, []).append(a)
    for lst in names.values():
        lst.sort(key=len, reverse=True)         # "Goldman Sachs International" before "Goldman Sachs"
    return frozenset(d["subsidiary_suffixes"]), aliases, acronyms, names, d["abbreviations"]


def is_known(name: str) -> bool:
    """A name the archive's table knows, as an alias or a value (Morgan Stanley, AFG Industries)."""
    aliases = _data()[1]
    return name in aliases or name in aliases.values()


_CO_OF = re.compile(r"^(.+?) (?:Co|Company) of [A-Z].*$")


def is_canonical(value: str) -> bool:
    """A value the archive's table names (IBM, Goldman Sachs): a company of its own."""
    return value in _data()[1].values()


_CAP_WORD = re.compile(r"[A-Z][\w'&.-]*")


def bare_names(text: str) -> list[tuple[str, int]]:
    """(name, offset) of every company name of two words or more the archive knows, written without
    a legal form ("lead underwriter Goldman Sachs"): the table's names (data/company_aliases.tsv)."""
    names = _data()[3]
    out = []
    for m in _CAP_WORD.finditer(text) if names else ():
        for name in names.get(m.group(0), ()):
            end = m.start() + len(name)
            if text.startswith(name, m.start()) and not text[end:end + 1].isalnum():
                out.append((name, m.start()))
                break
    return out


def clean(words: list[str]) -> list[str]:
    """The words of a name without markup, the owner before a possessive, a map reference."""
    out = [_MARKUP_CUT.split(w.lstrip("<>\"“”«»"), 1)[0] for w in words]   # "SAQ>\"s" -> "SAQ"
    out = [w for w in out if w]
    for i in range(len(out) - 1, -1, -1):
        if _CODE.fullmatch(out[i]):
            return out[i + 1:]
    for i in range(len(out) - 2, 0, -1):     # "Deal Wertsteigerung Die Österreichische ...": a German article
        if out[i] in _ARTICLES:
            return out[i + 1:]
    for i in range(len(out) - 2, 0, -1):     # an owner of two words or more: "New York's", "Robert Maxwell's"
        if out[i].endswith(_POSSESSIVE):
            return out[i + 1:]
    return out


def comma_head(text: str, start: int, words: list[str]) -> list[str]:
    """"Goldman, Sachs and Co": the partner names before the comma, when `words` (found before
    the legal form at `start`) end in "and" - the old partnership form "X, Y and Co"."""
    partnership = len(words) >= 2 and "and" in words and words.index("and") == 1
    if not partnership and not (words and len(words) <= 2 and all(w[:1].isupper() for w in words)):
        return words                     # one partner's name, then "and Co": "Sachs and Co"
    name = " ".join(words)
    i = text.rfind(name, max(0, start - 200), start + 1)
    if i < 0:
        return words
    m = re.search(r"(?:^|[\s(<])((?:[A-Z][\w&.'-]*\s)?[A-Z][\w&.'-]*),\s+$", text[max(0, i - 60):i])
    if not m:
        return words
    head = m.group(1).split()
    from .companies import _rules
    if _rules().is_legal(head[-1]):
        return words                     # "Drexel Burnham Lambert Inc, Kidder Peabody and Co": a list
    if _rules().is_legal(head[0]):
        head = head[1:]                  # "... Brothers Inc Goldman, Sachs and Co": the list's last name ended
    stop = _gaz().geo_modifiers
    if any(w in stop or _gaz().lookup.get(w.casefold()) for w in head):
        return words                     # "However, ...", "In Paris, Lazard Freres and Co"
    if not partnership and not is_known(canonical(" ".join(head + words))):
        return words                     # "Goldman, Sachs International Corp", "Kleinwort, Benson Ltd": a known name only
    return head + words


def canonical(value: str) -> str:
    """The company's one value for any of its written names."""
    suffixes, aliases, _, _, short = _data()
    words = [short.get(w, w) for w in value.split()]          # "Salomon Bros" -> "Salomon Brothers"
    value = " ".join(words)
    if len(words) > 1 and words[-1] in suffixes:
        shorter = " ".join(words[:-1])
        if not _gaz().lookup.get(shorter.casefold()):     # "British International" stays
            value = shorter
    co_of = _CO_OF.match(value)
    if co_of and co_of.group(1) in aliases:      # "Morgan Guaranty Trust Co of New York" is Morgan Guaranty Trust
        value = co_of.group(1)
    return aliases.get(value, value)


def bare_acronyms(text: str) -> list[tuple[str, int]]:
    """(acronym, offset) of every company acronym the archive defines, named alone ("IBM said")."""
    acronyms = _data()[2]
    if not acronyms:
        return []
    return [(m.group(0), m.start()) for m in _ACRONYM.finditer(text) if m.group(0) in acronyms]


def written_name(value: str) -> str:
    """The name the archive writes for a value that is an acronym ("IBM" -> "International
    Business Machines"), for the label's long form."""
    aliases = _data()[1]
    return max((a for a, v in aliases.items() if v == value), key=len, default=value)


def defined_otherwise(text: str, acr: str) -> bool:
    """True when the story defines the acronym for a name that is not the company's ("Uganda's
    Coffee Marketing Board (CMB)" while the archive's CMB is Chase Manhattan Bank)."""
    i = text.find(f"({acr})")
    if i < 0:
        i = text.find(f"<{acr}>")
        if i < 0:
            return False
    before = text[max(0, i - 80):i]
    names = [a for a, v in _data()[1].items() if v == acr or a == acr] + [_data()[1].get(acr, acr)]
    return not any(n in before for n in names if n != acr)


# --------------------------------------------------------------------------- places inside and before names

_OF_PLACE = re.compile(r" of ((?:[A-Z][a-z]+\.?)(?: [A-Z][a-z]+\.?)?)(?![\w-])")


def _is_state_or_country(name: str) -> bool:
    """"Public Service Co of Indiana", "Philippine Long Distance Telephone Co of ..." (not "Corp of Tokyo")."""
    from .places import _places, _state_key
    return _is_place([name]) or _state_key(name) in _places().states


def _of_place(text: str, end: int, form: str) -> str | None:
    """The state or country after "Co of" ("Public Service Co of Indiana Inc": Indiana, not "Indiana Inc";
    "Morgan Guaranty Trust Co of New York." : New York, the sentence's full stop left out); not after
    "Corp", where the place is most often the company's country ("NEC Corp of Japan" is NEC)."""
    if form not in ("Co", "Company"):
        return None
    of = _OF_PLACE.match(text, end)
    if not of:
        return None
    words = of.group(1).split()
    for n in range(len(words), 0, -1):
        for place in dict.fromkeys((" ".join(words[:n]).rstrip("."), " ".join(words[:n]))):
            if _is_state_or_country(place):
                return place
    return None


def _is_city(word: str) -> bool:
    """A city of 500,000 or more that is not a country ("Shanghai" of "Hongkong and Shanghai Banking
    Corp"; "Britain and France Telecom" stays two names)."""
    from .gazetteer import _fold
    from .places import _places
    hit = _places().best.get(_fold(word))
    return hit is not None and hit[0] >= 500_000 and not _is_place([word])


def _is_place(words: list[str]) -> bool:
    hit = _gaz().lookup.get(" ".join(words).casefold())
    return hit is not None


def _possessive_place(word: str) -> bool:
    """"Italy's Ferruzzi SpA": the country is not part of the name."""
    if not word.endswith(("'s", "’s")):
        return False
    hit = _gaz().lookup.get(word[:-2].casefold())
    return hit is not None
