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
Turkey, China, Georgia) and the gazetteers live in `indexer/extract/data/`, not here.

The work is split three ways: `gazetteer` loads the data files into the lookup tables (and
resolves dateline places), `entity_rules` holds the rules that decide whether a mention counts
and whether the story is about it, and this module scans a story and answers the contract above.
Everything other modules and tests use is importable from here.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

# Names used below, and names other code (tests/eval/entities.py, tests, data-file comments) reaches as
# `entities.<name>`: re-exported so this module stays the one place to import from.
from .gazetteer import (_ANAPHOR, _CAPITAL, _COUNTRY, _DEMONYM, _ORG, _REGION, _SUBDIV, _TOKEN,  # noqa: F401
                        DATA, Country, Organisation, _fold, _gaz, _norm_token, _rows)
from .places import _dateline_country, _places, _state_key
from . import companies, datelines, people
from .lookups import find_country, find_organisation, find_region, organisations, region_of, reuters_org_map  # noqa: F401
from .entity_rules import (_CURRENCY, LEAD_SPILL, NEAR, Analysis, Mention, _company_salient,  # noqa: F401
                           _country_ok, _Doc, _historic, _host_use, learn_acronyms, _mentioned, _org_ok,
                           _org_salient, _salient, ticker_words)


@dataclass
class Entities:
    """What a story is *about* (the salience rules, scored against Reuters' labels) and every
    reliable *mention* (the same ambiguity rules, no salience rule): the `*_mentioned` lists hold
    every value of the first lists and the ones the story only names in passing."""
    countries: list[Country] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    companies: list[Organisation] = field(default_factory=list)
    countries_mentioned: list[Country] = field(default_factory=list)
    organisations_mentioned: list[Organisation] = field(default_factory=list)
    regions_mentioned: list[str] = field(default_factory=list)
    companies_mentioned: list[Organisation] = field(default_factory=list)
    people: list[str] = field(default_factory=list)              # full names as first written (people.py)
    people_mentioned: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- datelines

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[A-Za-z]*\.?"
# "HOUSTON, Feb 26 - ", "ASHGABAT, Turkmenistan, February 9. ", "NEW YORK, MARCH 2 -", "Lima, march 31 -",
# "WASHINGTON, June 19, -", "BRUSSELS, March 27, Reuter -" (the wire's credit, no body the story names)
# and the wire's typos ("March 187", "MArch 2"); leading "****" is noise.
_DATELINE = re.compile(
    r"\A[\s*]*(?P<place>[A-Za-z][A-Za-z .'’&/-]*[A-Za-z.](?:,\s*[A-Za-z][A-Za-z .'’&-]*?)*)\s*,\s*"
    r"(?:" + _MONTH + r"\s+\d{1,3}|\d{1,2}\s+" + _MONTH + r")(?:,?\s*\d{4})?(?:,?\s*Reuters?)?\s*,?\s*(?:[-–—]+|\.)\s*")
# "WASHINGTON - President Reagan ...": a place in capitals and a dash, no date (kept only if it resolves)
_DATELINE_NODATE = re.compile(r"\A[\s*]*(?P<place>[A-Z][A-Z .'’&-]*[A-Z.](?:,\s*[A-Z][A-Za-z .'’&-]*?)?)\s+[-–—]+\s+")


# the wire's slips in a dated dateline: a misspelt month ("Mach 4", "Macrh 31", "Jne 19", "ABR 7"), a
# letter O for a zero ("March 2O"), a stray character before the place ("c CHICAGO, March 9 -",
# "0 LONDON, April 29 -"), a space before the comma ("OAKLAND , N.J., March 2"): kept only if the
# place resolves to a country
_DATELINE_SLIP = re.compile(
    r"\A[\s*]*(?:[a-z0-9]\s+)?(?P<place>[A-Z][A-Za-z .'’&/-]*[A-Za-z.](?:\s*,\s*[A-Za-z][A-Za-z .'’&-]*?)*)\s*,\s*"
    r"[A-Za-z]{2,5}\.?\s+\d[\dO]{0,2}(?:,?\s*\d{4})?\s*,?\s*(?:[-–—]+|\.)\s*")


def split_dateline(body: str) -> tuple[str, str]:
    """(dateline place, rest of body) when the body starts with a news dateline, else ("", body)."""
    m = _DATELINE.match(body[:160])
    if not m or not _dateline_country(m.group("place").strip()):
        slip = _DATELINE_SLIP.match(body[:160])
        if slip and _dateline_country(slip.group("place").strip()):
            return slip.group("place").strip(), body[slip.end():]
    if not m:
        m = _DATELINE_NODATE.match(body[:80])
        if not m or not _dateline_country(m.group("place").strip()):
            return "", body
    return m.group("place").strip(), body[m.end():]


# --------------------------------------------------------------------------- extraction

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


_NO_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NO_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def is_caps(text: str) -> bool:
    """A text in capitals (a wire's flash headline, an all-caps story): capitals are no cue there."""
    sample = text[:3000]
    up = len(sample) - len(sample.translate(_NO_UPPER))
    return up > 3 and len(sample) - len(sample.translate(_NO_LOWER)) < up * 0.1


def analyse(title: str, body: str, dateline: str = "", date: _dt.date | str | None = None) -> Analysis:
    """Every mention of a known entity in the story, before the salience rule picks the facets."""
    g = _gaz()
    title = title or ""
    body = body or ""
    place, rest = split_dateline(body)
    if not dateline:
        dateline = place or (datelines.in_title(title) if not body.strip() else "")   # "GENEVA - negotiators ..."
    if place:
        body = rest
    original_title = title
    if "<" in title:
        title = _TICKER.sub(_blank, title)
    if "<" in body:
        body = _TICKER.sub(_blank, body)
    segments = [(title, is_caps(title)), (body, is_caps(body))]
    doc = _Doc(segments, str(date)[:10] if date else "", ticker_words(original_title))
    out = Analysis()
    out.companies = companies.find(title, body, segments[0][1])
    out.people = people.find(title, body, segments[0][1], out.companies)
    if dateline:
        hit = _dateline_country(dateline.strip())
        if hit:
            code = _historic(hit[0], hit[1], date)
            m = out.countries[code] = Mention(g.countries.get(code) or Country(code, code))
            m.in_dateline = True
    scan = _Scan(g, out, doc, date, learn_acronyms(body) if "(" in body else {})
    for seg, (text, caps) in enumerate(segments):
        if text:
            scan.segment(seg, text, caps)
    if dateline and out.countries and "," not in dateline:
        _other_city_of_that_name(out, dateline.strip())
    return out


@dataclass
class _Segment:
    """The title (0) or the body (1) as the scan reads it."""
    seg: int
    text: str
    caps: bool
    toks: list[str]
    spans: "_Spans"


class _Scan:
    """One story's scan for known names: the mentions noted so far and what the rules need to
    decide the next (the acronyms the story defines, which Georgia it means)."""

    def __init__(self, g, out: Analysis, doc: _Doc, date, learnt: dict) -> None:
        self.g, self.out, self.doc, self.date, self.learnt = g, out, doc, date, learnt
        self.last_end: dict[tuple[int, str], int] = {}
        self.georgia_side: list[str | None] = [None]

    def note(self, table: dict, key: str, value, seg: int, pos: int, form) -> None:
        m = table.get(key)
        if m is None:
            m = table[key] = Mention(value)
        # "International Monetary Fund (IMF)": the acronym right after its name is one mention
        end = pos + len(form) - (1 if form[0][0] == "@" else 0)
        if self.last_end.get((seg, key)) == pos:
            self.last_end[(seg, key)] = end
            m.forms.add(form)
            return
        self.last_end[(seg, key)] = end
        m.count += 1
        if seg == 1 and form[0] != "@demonym":
            m.add_position(pos, form[0] == "@capital", NEAR)
        if form[0] == "@capital":
            m.capitals += 1
        elif form[0] == "@demonym":
            m.demonyms += 1
        elif form[0] == "@subdivision":
            m.subdivisions += 1
        elif form[0] == "@currency":
            m.currencies += 1
        m.forms.add(form)
        if seg == 0:
            m.in_title = True
        elif pos < m.first:
            m.first = pos

    def segment(self, seg: int, text: str, caps: bool) -> None:
        """Note every name of one segment, the longest known name at each token first."""
        out = self.out
        toks = raw = _TOKEN.findall(text)
        if "." in text:
            toks = [t + "." if "." in t and t[-1] != "." else t for t in toks]     # as _norm_token
        if seg == 1:
            out.body_tokens = len(toks)
            end = _lead_end(text)
            out.lead_tokens = len(_TOKEN.findall(text[:end])) if end is not None else len(toks)
            out.lead_chars = end if end is not None else len(text)
        s = _Segment(seg, text, caps, toks, _Spans(text, raw))
        table = self.g.first_upper if caps else self.g.first
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            if not caps and t in self.learnt:
                entry = self.learnt[t]
                self.note(out.organisations, entry.org.key, entry.org, seg, i, (t,))
                i += 1
                continue
            cands = table.get(t)
            i += (self._first_match(s, i, cands) if cands else 0) or 1

    def _first_match(self, s: _Segment, i: int, cands: list) -> int:
        """The tokens taken by the first candidate name at token `i` the rules accept (0: none)."""
        for key, kind, value in cands:
            ln = len(key)
            if ln > 1 and tuple(s.toks[i:i + ln]) != key:
                continue
            taken = self._candidate(s, i, key, kind, value, cands)
            if taken is not None:
                return taken
        return 0

    def _candidate(self, s: _Segment, i: int, key: tuple, kind: str, value, cands: list) -> int | None:
        """Note one candidate name; the tokens it takes, or None when the rules refuse it."""
        ln = len(key)
        if kind == _ORG:
            return self._organisation(s, i, key, value, cands)
        if kind == _ANAPHOR:
            # "the Fund" is the IMF again once the story has named the IMF
            if value.org.key not in self.out.organisations or i == 0 or s.toks[i - 1] not in ("the", "The"):
                return None
            self.note(self.out.organisations, value.org.key, value.org, s.seg, i, key)
        elif kind in (_COUNTRY, _CAPITAL, _DEMONYM):
            return self._country(s, i, key, kind, value)
        elif kind == _SUBDIV:
            # "New Mexico", "British Columbia": a place of its own country, read whole; but
            # "Texas Instruments", "Ohio Edison": a name's first word, "Continental Illinois": its last
            if not (ln == 1 and not s.caps and (
                    (i + 1 < len(s.toks) and s.toks[i + 1][:1].isupper()) or self._ends_name(s, i))):
                self.note(self.out.countries, value.code, value, s.seg, i, ("@subdivision",) + key)
        elif kind == _REGION:
            self.note(self.out.regions, value, value, s.seg, i, key)
        return ln

    def _ends_name(self, s: _Segment, i: int) -> bool:
        """A one-word state right after a capitalised word ends a name ("Continental Illinois"); not after
        a comma, a direction ("Central Illinois": geo_modifiers) or a lake ("Lake Ontario": name_before_state)."""
        prv = s.toks[i - 1] if i > 0 else ""
        if not prv[:1].isupper() or prv in self.g.geo_modifiers or prv in self.g.name_before_state or i >= len(s.spans):
            return False
        return s.text[s.spans[i - 1][1]:s.spans[i][0]] == " "

    def _organisation(self, s: _Segment, i: int, key: tuple, value, cands: list) -> int | None:
        g, out, toks, ln = self.g, self.out, s.toks, len(key)
        if not _org_ok(value, key, toks, i, ln, self.doc, s.caps):
            return None
        # an acronym that is an English word counts in capitals only if the story's
        # mixed-case text names it too (and then that text adds it)
        if s.seg == 1 and _host_use(value.org.key, toks, i + ln):
            m = out.organisations.setdefault(value.org.key, Mention(value.org))
            m.hosts += 1             # "a United Nations conference on ...": no evidence
            m.forms.add(("@host",) + key)
        elif not (s.caps and ln == 1 and key[0] in g.caps_words):
            self.note(out.organisations, value.org.key, value.org, s.seg, i, key)
            # "Brazilian Coffee Institute": a body named after its country is evidence for it (a name or
            # demonym at its start); an intergovernmental body's is not ("the Uruguay Round" is GATT's)
            national = ln > 1 and value.org.kind != "intergovernmental"
            for key2, kind2, country in cands if national else ():
                if kind2 in (_COUNTRY, _DEMONYM) and len(key2) < ln and tuple(toks[i:i + len(key2)]) == key2:
                    code = _historic(country.code, "", self.date)
                    self.note(out.countries, code, g.countries.get(code, country), s.seg, i,
                              key2 if kind2 == _COUNTRY else (_FORM[kind2],) + key2)
                    break
        return ln

    def _country(self, s: _Segment, i: int, key: tuple, kind: str, value) -> int:
        g, ln = self.g, len(key)
        country = _country_ok(value, key, s.toks, i, ln, s.text, s.spans, s.caps, self.doc, self.georgia_side)
        if country is _CURRENCY:     # "Saudi riyal": a mention, no evidence (entity_rules);
            if kind == _CAPITAL:     # "the Paris currency pact" is no currency of France
                return 0
            code = _historic(value.code, "", self.date)
            self.note(self.out.countries, code, g.countries.get(code, value), s.seg, i, ("@currency",) + key)
            return ln
        if kind == _CAPITAL and i + ln < len(s.toks) and country is not None and s.toks[i + ln].lower() in g.capital_not_next:
            country = None           # "the Paris accord", "the Louvre pact": an agreement
        if country is not None and not (s.caps and ln == 1 and key[0] in g.caps_words):
            code = _historic(country.code, "", self.date)
            self.note(self.out.countries, code, g.countries.get(code, country), s.seg, i,
                      key if kind == _COUNTRY else (_FORM[kind],) + key)
        return ln


class _Spans:
    """Character spans of a segment's tokens, found only as far as a rule asks (`str.find` from the
    previous token's end: the text between two tokens holds no letter or digit, so the first hit is
    the token). Most stories need the spans of a few early tokens, not a regex pass over all."""

    __slots__ = ("text", "raw", "spans")

    def __init__(self, text: str, raw: list[str]):
        self.text, self.raw, self.spans = text, raw, []

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> tuple[int, int]:
        spans, raw, find = self.spans, self.raw, self.text.find
        pos = spans[-1][1] if spans else 0
        while len(spans) <= i:
            tok = raw[len(spans)]
            start = find(tok, pos)
            pos = start + len(tok)
            spans.append((start, pos))
        return spans[i]


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
        # a comparable place only: London, Ontario never takes over LONDON; any size when the story
        # names the state it is in ("SANTA FE ... New Mexico")
        if other != code and om.count and rec and (rec[0] * 4 >= biggest or _in_named_state(om, rec, places)):
            om.in_dateline = True
            rest = {k: v for k, v in out.countries.items() if k not in (code, other)}
            out.countries = {other: om, **rest}
            return


def _in_named_state(m, rec: tuple, places) -> bool:
    return (rec[1], rec[2]) in {places.states.get(_state_key(" ".join(f[1:]))) for f in m.forms if f[0] == "@subdivision"}


def extract(title: str, body: str, dateline: str = "", date: _dt.date | str | None = None) -> Entities:
    """The countries, organisations and regions a story names, in order of first mention.

    `dateline` is the place the reader parsed ("ASHGABAT, Turkmenistan", "HOUSTON"); a news
    dateline at the start of `body` is recognised too. With `date` (optional), places and names
    of successor states map back to the former country of that time (Moscow in 1987 -> SUHH).
    """
    a = analyse(title, body, dateline, date)
    g = _gaz()
    countries = [m.value for m in a.countries.values() if _salient(m, a)]
    headline = {k for k, m in a.organisations.items() if m.in_title or m.first < a.lead_tokens + LEAD_SPILL}
    parents = g.parents
    orgs = [m.value for k, m in a.organisations.items()
            if (_org_salient(m, a) or parents.get(k) in headline or m.first < a.lead_tokens + LEAD_SPILL)
            and m.value.kind != "company"]
    mentioned = [m.value for m in a.countries.values() if _mentioned(m)]
    cos = [m.org for m in a.companies.values() if _company_salient(m, a)]
    return Entities(countries=countries, organisations=orgs, regions=_regions(a.regions, countries, g),
                    companies=cos,
                    countries_mentioned=mentioned,
                    organisations_mentioned=[m.value for m in a.organisations.values()
                                             if m.value.kind != "company"],
                    regions_mentioned=_regions(a.regions, mentioned, g),
                    companies_mentioned=[m.org for m in a.companies.values()],
                    people=[m.name for m in a.people.values() if _company_salient(m, a)],
                    people_mentioned=[m.name for m in a.people.values()])


def _regions(named: dict, countries: list[Country], g) -> list[str]:
    """Regions named in the story, then those of its countries."""
    regions = dict.fromkeys(named)
    for c in countries:
        r = g.regions.get(c.code)
        if r:
            regions.setdefault(r, None)
    return list(regions)


_FORM = {_CAPITAL: "@capital", _DEMONYM: "@demonym"}
