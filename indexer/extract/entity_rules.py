"""The rules that decide whether a name counts: per mention (is "Jordan" the country or a person,
is "WHO" the agency or "EC" part of a company's name; the acronyms a story defines are read by
`acronyms`) and per story (the salience rule: is
the story about this country, or does it only drop the name).

Why a module of its own: these are the tuned parts of entity extraction (see the README, "Facet
accuracy", and `make eval`); keeping them apart from the scan that finds mentions (`entities`) and
the data loading (`gazetteer`) puts every threshold and every exception in one place to read and
tune. The word lists they consult live in `indexer/extract/data/ambiguity.json`, not here.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from functools import lru_cache

from . import companies
from .acronyms import learn_acronyms, national_agency  # noqa: F401  (entities, explain: acronyms a story defines)
from .gazetteer import (_TOKEN, DATA, Country, _gaz, _OrgEntry)
# the word lists and look-ups of the country rules (re-exported: entities imports _historic from here)
from .country_rules import (_company_run_breaks, _company_run_stops, _currency_units, _first_names,  # noqa: F401
                            _headline_not_company_next, _historic, _is_country_word, _is_name_word,
                            _languages, _names_language, _speech_words)


class _Doc:
    """One story's text segments and the facts the rules need about it."""

    def __init__(self, segments: list[tuple[str, bool]], date: str = "", ticker_words: frozenset[str] = frozenset()):
        self.segments = segments
        self.date = date                 # ISO date of the story, "" when unknown
        self.ticker_words = ticker_words  # headline words of a company named before its ticker ("IMO DELAVAL <IMD>")
        self.surnames: set[str] = set()   # country words read as a person's surname ("Jerry Welsh"): later alone too
        self._words: frozenset[str] | None = None
        self._glued: frozenset[str] | None = None

    @property
    def glued(self) -> frozenset[str]:
        """Capitals written together with digits ("Amazon-EC2", "F16"): product codes, not bodies."""
        if self._glued is None:
            self._glued = frozenset(m.group(1) for text, _ in self.segments for m in _GLUED.finditer(text))
        return self._glued

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(t for text, _ in self.segments for t in _TOKEN.findall(text))
        return self._words


_GLUED = re.compile(r"\b([A-Z]{2,})(?=\d)")
# a company in a headline, the words before its ticker: "IMO DELAVAL <IMD> SETS INITIAL DIVIDEND"
_TICKER_RUN = re.compile(r"((?:[A-Z][A-Z0-9&.'-]*\s+){1,6})<[A-Z][A-Z0-9.]{0,7}>")


def ticker_words(title: str) -> frozenset[str]:
    """The headline's words that name a company before its ticker symbol (Reuters' headlines)."""
    return frozenset(w for m in _TICKER_RUN.finditer(title) for w in m.group(1).split()) if "<" in title else frozenset()


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
    subdivisions: int = 0            # of count: mentions by a state or province ("New Mexico")
    currencies: int = 0              # of count: mentions by a currency ("Saudi riyal")
    hosts: int = 0                   # organisations: uses as a meeting's host, not in count (org_uses.json)
    near: bool = False               # a capital mention within a sentence or so of a name mention
    _pos: tuple = field(default_factory=lambda: ([], []), repr=False)   # body tokens of the mentions by name, by capital (sorted)
    forms: set = field(default_factory=set)

    def add_position(self, pos: int, is_capital: bool, near: int) -> None:
        """A mention by name or capital at body token `pos`: `near` once a capital and a name
        mention lie within `near` tokens of each other."""
        if self.near:
            return
        other = self._pos[not is_capital]      # the nearest mention of the other kind at or after pos - near
        i = bisect_left(other, pos - near)      # (a scan of every mention was quadratic in a long story)
        if i < len(other) and other[i] <= pos + near:
            self.near = True
        insort(self._pos[is_capital], pos)


@dataclass
class Analysis:
    countries: dict[str, Mention] = field(default_factory=dict)
    organisations: dict[str, Mention] = field(default_factory=dict)
    regions: dict[str, Mention] = field(default_factory=dict)
    companies: dict = field(default_factory=dict)   # value -> companies.CompanyMention
    people: dict = field(default_factory=dict)      # folded name -> people.PersonMention
    body_tokens: int = 0
    lead_tokens: int = 0             # tokens of the body's first sentence
    lead_chars: int = 0              # characters of the body's first sentence


# --------------------------------------------------------------------------- the salience rule

SHORT_STORY = 30   # body tokens: a brief is about everything it names
# The body's evidence for a country: each mention by name counts 1, by demonym ("French") DEMONYM,
# by its capital 0 (capitals name governments, markets and venues: "talks in Paris"); naming it in
# the lead sentence adds LEAD. A story of up to MEDIUM_STORY words is about the countries whose
# evidence reaches SALIENT_MEDIUM (two names, or a name and a demonym), a longer one SALIENT (three).
# Tuned on Reuters stories 1-8000 and checked on 8001-11000 (README, "Facet accuracy").
DEMONYM = 0.75
SUBDIVISION = 0.0  # a state or province ("New Mexico"): a mention of its country, no evidence it is about it
LEAD = 0.5
MEDIUM_STORY = 150
SALIENT_MEDIUM = 1.75
SALIENT = 3.0
NEAR = 40          # tokens: a capital this close to its country's name confirms it ("to Belarus ... in Minsk")
# An organisation named once counts when named in the lead: its first sentence or the next few words
# (a wire lead often runs on: "..., the International Coffee Organization said").
LEAD_SPILL = 15


def _salient(m: Mention, a: Analysis) -> bool:
    """Is the story about this country, or does it only drop the name? The dateline's country,
    anything in the title and everything in a brief are; in a longer body, the evidence must add
    up (see SALIENT): two names in a short story, three in a long one, demonyms counting less; or
    its name and its capital close together ("Ambassador to Belarus ... a meeting in Minsk")."""
    if m.in_dateline:
        return True
    if m.subdivisions + m.currencies == m.count:
        # only its states or currency named: a mention ("SAUDI RIYAL DEPOSIT RATES" in a headline: about)
        return m.in_title and m.currencies > 0
    if m.in_title or a.body_tokens <= SHORT_STORY:
        return True
    names = m.count - m.capitals - m.demonyms - m.subdivisions - m.currencies
    evidence = (names + DEMONYM * m.demonyms + SUBDIVISION * m.subdivisions
                + (LEAD if m.first < a.lead_tokens else 0.0))
    return evidence >= (SALIENT_MEDIUM if a.body_tokens <= MEDIUM_STORY else SALIENT) or m.near


def _org_salient(m: Mention, a: Analysis) -> bool:
    """An organisation counts when in the title, in a brief, or named twice in a longer body
    ("the Community" and "the Fund" name the EC and the IMF again); one named once also counts in
    the lead (see LEAD_SPILL), or when the headline or the lead names the body it belongs to (the
    UN agencies of a story that opens on the UN: see extract). "The story is about the parent" was the rule
    before issue 22: on Reuters' labels it only added wrong values (an EC fund in an EC story)."""
    return m.count > 0 and (m.in_title or a.body_tokens <= SHORT_STORY or m.count >= 2)


def _mentioned(m: Mention) -> bool:
    """A reliable mention of a country: the dateline, a name or a demonym. A capital alone names a
    venue or a government ("talks in Paris"), so it is evidence for *about*, not a mention."""
    return m.in_dateline or m.count > m.capitals


# characters after the lead sentence in which a company named once still counts (as LEAD_SPILL)
LEAD_SPILL_CHARS = 100


def _company_salient(m, a: Analysis) -> bool:
    """A story is about a company (or a person: people.py) it names in the title, in a brief, twice,
    or in its lead."""
    return (m.in_title or a.body_tokens <= SHORT_STORY or m.count >= 2
            or m.first < a.lead_chars + LEAD_SPILL_CHARS)


# --------------------------------------------------------------------------- per-mention rules

_SENT_END = re.compile(r"[.!?:;\n\"“”]")


def _org_ok(entry: _OrgEntry, key: tuple[str, ...], toks: list[str], i: int, ln: int,
            doc: _Doc, caps: bool) -> bool:
    is_acronym = ln == 1 and key[0].isupper() and len(key[0]) > 1
    if entry.context and is_acronym and not (entry.context & doc.words):
        return False
    if entry.active and doc.date and key[0] == entry.org.acronym and not (
            (not entry.active[0] or entry.active[0] <= doc.date) and
            (not entry.active[1] or doc.date < entry.active[1])):
        return False                     # "ICC" in 1987: the International Criminal Court did not exist
    if ln == 1 and (_company_tail(toks, i + 1, caps) or (caps and key[0] in doc.ticker_words)
                    or (is_acronym and key[0] in doc.glued)):
        return False                     # "AID Corp", "Olivetti EC SpA", "Reuter Inc", "IMO DELAVAL <IMD>": a company
    if i > 0 and ln > 1 and entry.org.key in _national_generic() and _is_country_word(toks[i - 1]) \
            and toks[i - 1] not in _national_generic()[entry.org.key]:
        return False                     # "the Irish Agriculture Department" is not the USDA
    if _national_agency(entry, key, toks, i, ln, caps):
        return False                     # "the Canadian International Development Agency" is not the IDA
    if entry.cue_next and ln == 1 and not is_acronym:
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if nxt not in entry.cue_next:
            return False
    return True


@lru_cache(maxsize=1)
def _org_uses() -> dict:
    return json.loads((DATA / "org_uses.json").read_text(encoding="utf-8"))


def _host_next() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in _org_uses()["host_next"].items()}


@lru_cache(maxsize=1)
def _national_generic() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in _org_uses()["national_generic"].items()}


def _national_agency(entry: _OrgEntry, key: tuple[str, ...], toks: list[str], i: int, ln: int, caps: bool) -> bool:
    """"the Canadian International Development Agency": a country's own agency (acronyms.national_agency)."""
    if i == 0 or ln < 2:
        return False
    if caps:
        return national_agency(toks[i - 1].title(), key[0].title(), entry)
    return national_agency(toks[i - 1], key[0], entry)


def _host_use(key: str, toks: list[str], j: int) -> bool:
    """Is this mention the host of a meeting about something else ("a United Nations conference
    on natural rubber")? Then it is a mention, not evidence that the story is about the body."""
    words = _host_next().get(key)
    return bool(words) and j < len(toks) and toks[j] in words


@lru_cache(maxsize=1)
def _legal_upper() -> frozenset[str]:
    return companies.legal_upper()


def _company_tail(toks: list[str], j: int, caps: bool) -> bool:
    """A legal form within the next three words, through capitalised words and "and"/"&" only:
    the acronym is part of a company's name, not the body it spells elsewhere. In capitals
    (headlines) only the next word, never CO ("EC AND JAPAN CO-OPERATION" names the EC)."""
    legal = _legal_upper()
    if caps:
        return j < len(toks) and toks[j] in legal and toks[j] != "CO"
    for t in toks[j:j + 3]:
        if t.upper() in legal and t[:1].isupper():
            return True
        if not (t[:1].isupper() or t in ("and", "&")):
            return False
    return False


def _country_ok(country: Country, key: tuple[str, ...], toks: list[str], i: int, ln: int, text: str,
                spans: list[tuple[int, int]], caps: bool, doc: _Doc, georgia_side: list) -> Country | None:
    g = _gaz()
    if i + ln < len(toks) and toks[i + ln].lower() in g.currency_words:
        if toks[i + ln].lower() in _currency_units():
            return None                  # "Canadian dlr bond", "U.S. dlrs": a unit, not the country
        return _CURRENCY                 # "Saudi riyal": a mention of the country, no evidence
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
    if word in _languages()["words"] and _names_language(word, nxt, prv, toks, i, text, spans):
        return None                      # "Spanish for 'Christ Child'", "the French-language daily"
    if _begins_company(toks, i, caps, g, text, spans):
        return None                      # "British Airways"; but "SAUDI OIL MINISTER" is Saudi Arabia
    if word in g.not_prev and not sentence_start and prv.lower() in g.not_prev[word]:
        return None
    if not caps and word in doc.surnames and _speaks("" if sentence_start else prv, nxt, g):
        return None                      # "Jerry Welsh ... The company said Welsh was": the person again
    if (not caps and not sentence_start and prv in _first_names() and prv not in g.geo_modifiers
            and not re.search(r"[^\s]", gap_before) and _surname_word(word) and not nxt[:1].isupper()):
        doc.surnames.add(word)
        return None                      # "John Ireland said", "Jerry Welsh to": a surname ("Orange Julius Canada Ltd" is not)
    if word in g.person_names and not caps and _names_person(prv, nxt, i, text, spans, sentence_start, gap_before, g):
        return None
    if word in g.georgia_names and _georgia_side(doc, georgia_side, g) == "US":
        return g.countries["US"]
    return country


def _surname_word(word: str) -> bool:
    """A country word that is also a surname after a first name: the country's own name ("John
    Ireland") or a singular demonym ("Jerry Welsh", "Michael German"); a plural never is ("the
    U.S. Said Iranians used the platforms": "Said" is a first name too)."""
    return _is_name_word(word) or (not word.endswith("s") and _is_country_word(word))


def _speaks(prv: str, nxt: str, g) -> bool:
    """A surname alone is the person when a verb of saying or being is next to it ("German said",
    "said Welsh was") or a title before it; "German officials said" is the country still."""
    before, after = _speech_words()
    return nxt in after or prv in before or prv in g.titles


def _begins_company(toks: list[str], i: int, caps: bool, g, text: str = "", spans=()) -> bool:
    """The country word at `i` begins a company's name: a company word follows in its run of
    capitalised words. In all-caps text every word is "capitalised": only the next word can make it
    a company there ("Jersey Central Power and Light Co": "and" and "of" join a company's name).
    The run ends at a comma, a full stop, a bracket ("company_run_breaks"): "Singapore, the
    Philippines, Thailand ... and Brunei.  Financial terms" names no company."""
    j = i + 1
    while j < len(toks) and j < (i + 2 if caps else i + 7) and (
            toks[j][:1].isupper() or (not caps and toks[j] in ("and", "of") and j > i + 1)):
        if not caps and toks[j] in _company_run_stops():
            break                        # "Indonesian Minister of Mines and Energy": an office, no company
        word = toks[j].upper()
        if word in g.company_words and not (j == i + 1 and word in g.company_words_not_first) and not (
                caps and j + 1 < len(toks) and toks[j + 1] in _headline_not_company_next()):
            # spans are found lazily: read the gaps only for a run that would make a company
            return not (text and j < len(spans) and any(
                _run_break(toks[k - 1], text[spans[k - 1][1]:spans[k][0]]) for k in range(i + 1, j + 1)))
        j += 1
    return False


def _run_break(prev: str, gap: str) -> bool:
    """Punctuation between two words that ends a name's run; an abbreviation's own full stop
    ("U.S. Steel": the token is "U.S." and the gap starts with its dot) is none."""
    if prev.endswith(".") and gap.startswith("."):
        gap = gap[1:]
    breaks = _company_run_breaks()
    return any(ch in breaks for ch in gap)


def _names_person(prv: str, nxt: str, i: int, text: str, spans: list[tuple[int, int]], sentence_start: bool,
                  gap_before: str, g) -> bool:
    """A country word that is also a person's name (Jordan, Chad) names a person here: after a
    title ("Mr. Jordan"), after a capitalised word ("Michael Jordan"), before one ("Chad Smith")."""
    if prv in g.titles and (not sentence_start or gap_before.strip() == "."):     # "Mr. Jordan"
        return True
    adjoining = not sentence_start and not re.search(r"[,;()\-–—]", gap_before)
    if (adjoining and prv[:1].isupper() and prv not in g.geo_modifiers
            and prv not in g.titles and not _is_country_word(prv)):
        return True
    gap_after = text[spans[i][1]:spans[i + 1][0]] if i + 1 < len(spans) else ""
    return bool(nxt[:1].isupper() and nxt not in g.place_words and not nxt.isupper()
                and gap_after.strip() == "" and (sentence_start or prv not in g.prepositions)
                and not _is_country_word(nxt))


def _georgia_side(doc: _Doc, georgia_side: list, g) -> str:
    """"US" when the story's words are more the US state's than the Caucasus country's (decided
    once a story, kept in `georgia_side[0]`), else "GE"."""
    if georgia_side[0] is None:
        us = len(doc.words & g.georgia_us)
        ge = len(doc.words & g.georgia_ge)
        georgia_side[0] = "US" if us > ge else "GE"
    return georgia_side[0]


_CURRENCY = Country("", "")          # _country_ok's answer for a country word before its currency
