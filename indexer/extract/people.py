"""People a story names, found by rules whose data live in `data/people.json` and `data/first_names.tsv`.

Why rules and not NER: no model may be fetched at run time (as for companies). News copy names a
person in a few regular ways, and each is a *cue* that `newsfacet entities --explain` reports:

- an honorific before a name: "Mr. Volcker", "Frau Merkel"; it makes even a country word a
  person ("Mr. Jordan");
- a title or role before it: "Treasury Secretary James Baker", "Bundeskanzler Helmut Kohl",
  "SPÖ-Chef Werner Faymann", "analyst Michael Lucky";
- an apposition or a party after it: "Paul Volcker, chairman of ...", "Peter Müller, ein Sprecher",
  "Wolfgang Katzian (SPÖ)";
- a verb of saying after or before it: "James Baker said", "sagte Hans Jörg Schelling";
- a known first name (Faker's lists, `first_names.tsv`) before a capitalised surname.

A name is a run of capitalised words (initials, "van der", "al-", "Jr" allowed), titles stripped
from its front. It is not a person when a word of it names a body, a place, a day or a month
(`not_person_words`), when it is a country, region or body the gazetteer knows, or a company of
the story ("Morgan Stanley", "Dean Witter Reynolds": followed by a legal form, or a company value).
A one-word name needs an honorific or a title; a speech verb alone never makes one ("Texaco said").

Once a story has named "James Baker", a later "Baker" ("Baker said", "Mr. Baker") is the same
person: it counts as a mention of the full name, which is the value (the full name as first
written; case-folded twins one value). The about/mention split is the company facet's rule
(`entity_rules._company_salient`): a story is about a person named in its headline, in a brief,
twice, or in its lead.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .gazetteer import DATA, _fold, _gaz
from .places import _places, _state_key
from .people_names import _IS_INITIAL, _TOK, _core, _genitive, _runs, _shape, _split

@dataclass
class PersonMention:
    """One person in one story: what the about/mention rule weighs (as companies.CompanyMention)."""
    name: str                        # the value: the full name as first written
    count: int = 0
    first: int = 10**9               # character offset of the first mention in the body
    in_title: bool = False
    cues: list = field(default_factory=list)      # why: ('title', 'Treasury Secretary'), ('first name', 'James') ...
    forms: set = field(default_factory=set)       # as written: "James Baker", "Baker"


class _Rules:
    def __init__(self) -> None:
        d = json.loads((DATA / "people.json").read_text(encoding="utf-8"))
        self.honorifics = frozenset(d["honorifics"])
        self.titles = frozenset(d["titles"])
        self.title_suffixes = tuple(d["title_suffixes"])
        self.roles_lower = frozenset(d["roles_before_lower"])
        self.not_words = frozenset(d["not_person_words"])
        self.stop = frozenset(d["leading_stop"])
        self.suffixes = frozenset(d["suffixes"])
        self.particles = frozenset(d["particles"])
        self.hyphen_tails = frozenset(d["hyphen_tails"])
        self.weak_titles = frozenset(d["weak_titles"])
        self.cap_particles = frozenset(d["capital_particles"])
        self.articles_de = frozenset(d["articles_de"])
        self.noun_endings = tuple(d["noun_endings_de"])
        self.place_before = re.compile(r"\b(?:" + "|".join(re.escape(x) for x in d["place_before"]) + r")[ ]$")
        self.plural_de = frozenset(d["plural_articles_de"])
        self.company_after = re.compile("[ ]+(?:" + "|".join(re.escape(x) for x in d["company_after"]) + r")\b")
        self.of_titles = re.compile(rf"\b(?:{'|'.join(map(re.escape, d['titles_before_of']))}) of (?:the )?$")
        not_first = frozenset(d["not_first_names"])
        self.first_names = frozenset(
            line.strip() for line in (DATA / "first_names.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")) - not_first
        self.run = re.compile(rf"(?<![\w.\-'’]){_TOK}(?:[ ]{{1,2}}{_TOK})*(?:,?[ ](?:Jr|Sr)\.?|[ ](?:II|III|IV)\b)?(?![\w'’-])")
        joins = "|".join(re.escape(p) for p in sorted(d["joining_particles"], key=len, reverse=True))
        self.particle_gap = re.compile(rf"[ ](?:{joins})[ ]")
        words = lambda xs: "|".join(re.escape(x) for x in sorted(xs, key=len, reverse=True))     # noqa: E731
        hon = words(self.honorifics | {t for t in self.titles if len(t) <= 4})
        self.before = re.compile(rf"(?:\b(?P<hon>{hon})\.?|\b(?P<role>{words(self.roles_lower)})|"
                                 rf"\b(?P<verb>{words(d['speech_before'])}))[ ]+$")
        self.after_verb = re.compile(rf"[ ]+(?P<verb>{words(d['speech_after'])})\b")
        roles = words(d["apposition_roles"])
        self.apposition = re.compile(
            rf",[ ]+(?:(?:the|a|an|its|his|her|their|our)[ ]+)?(?:[\w.'’&-]+[ ]+){{0,3}}?(?P<role>{roles})\b"
            rf"|,[ ]+(?:(?:der|die|das|ein|eine|einer|des)[ ]+)?(?:[\w.'’-]+[ ]+){{0,2}}?(?P<de>{words(d['role_nouns_de'])})\b"
            rf"|,[ ]+(?P<age>\d{{2}}),")
        self.party = re.compile(rf"[ ]+\((?P<party>{words(d['parties'])})(?:[-–][\w. ]+)?\)")

    def is_title(self, word: str) -> bool:
        w = word.rstrip(".")
        if w in self.titles or w in self.honorifics or "-" in w and w.rsplit("-", 1)[1].capitalize() in self.titles:
            return True                      # "co-Chairman", "Vize-Kanzler", "GPA-djp-Chef"
        low = w.lower()
        return len(low) > 5 and low.endswith(self.title_suffixes) and not low.startswith("ex-") or (
            low.startswith("ex-") and self.is_title(w[3:].capitalize()))


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules()


def first_names() -> frozenset[str]:
    """Given names (from Faker: data/first_names.tsv, less people.json's not_first_names); the
    country and acronym rules read them too."""
    return _rules().first_names


def _bad_word(w: str, r: _Rules) -> bool:
    """A word no person's name holds: a body's or a place's word, a day, a month, a legal form."""
    return w in r.not_words or w.rstrip(".") in r.not_words or w.upper() in _gaz().company_words


def _country_word(w: str) -> bool:
    g = _gaz()
    hit = g.lookup.get(_fold(w))
    return hit is not None


def _known_name(name: str) -> bool:
    """A country, region, body or capital the gazetteer knows, or a place of geonames ("Santa Fe")."""
    g = _gaz()
    if g.lookup.get(_fold(name)) is not None or g.org_lookup.get(_fold(name)) is not None:
        return True
    return " " in name and _places().find(name) is not None


def find(title: str, body: str, title_caps: bool, companies: dict | None = None) -> dict[str, PersonMention]:
    """Every person the story names, keyed by the case-folded full name, in order of first mention."""
    r = _rules()
    found: dict[str, PersonMention] = {}
    company_names = {_fold(v) for v in companies or ()}
    for m in (companies or {}).values():
        company_names.update(_fold(a) for a in getattr(m, "aliases", ()))
        company_names.add(_fold(m.org.name))
    surnames: list[tuple[str, int, int]] = []      # one-word mentions to join: (word, seg, pos)
    for seg, text in ((0, title), (1, body)):
        if not text or (seg == 0 and title_caps):
            continue
        for m in _runs(text, r):
            run = m.group(0)
            titles, name = _split(run, r, bool(r.of_titles.search(text, max(0, m.start() - 30), m.start())))
            if not name:
                continue
            pos = 0
            for t in titles:
                pos = run.find(t, pos) + len(t)
            start = m.start() + run.find(name[0], pos)
            if len(name) == 1 and not titles and not _honorific_before(text, m.start(), r):
                if not _bad_word(name[0], r):       # "Baker said": a surname to join later, no person alone
                    surnames.append((name[0], seg, start))
                continue
            name = _shape(name, r)
            if _gaz().multilingual and name:
                name = _genitive(name, text)
            cues = _cues(text, m, titles, name, r)
            value = _decide(name, cues, text, m, r, company_names)
            if value is None:
                if len(name) == 1 and not _bad_word(name[0], r):
                    surnames.append((name[0], seg, start))
                continue
            _note(found, value, cues, seg, start)
    if found:
        _join_surnames(found, surnames, title, body, title_caps, r)
    return dict(sorted(found.items(), key=lambda kv: (not kv[1].in_title, kv[1].first)))


def _honorific_before(text: str, pos: int, r: _Rules) -> bool:
    """"Mr. Volcker", "Sen. Dole": one word alone is a person only after an honorific (cheap test first)."""
    if pos < 3:
        return False
    c = text[pos - 2]
    b = r.before.search(text, max(0, pos - 40), pos) if c == "." or c.isalpha() else None
    return b is not None and b.group("hon") is not None


def _after_article(text: str, pos: int, r: _Rules) -> bool:
    """"der Herr Vater", "seine Frau Anna": Herr and Frau after an article are nouns, no honorific."""
    prev = text[max(0, pos - 12):pos].split()
    return bool(prev) and prev[-1].strip("(\"„“'‚").lower() in r.articles_de


def _plural(text: str, m, titles: list[str], r: _Rules) -> bool:
    """"die Forscher Quanten-Ferrofluide": a masculine German title after die/den is a plural, no title."""
    if len(titles) != 1 or not _gaz().multilingual or titles[0].endswith("in"):
        return False
    prev = text[max(0, m.start() - 8):m.start()].split()
    return bool(prev) and prev[-1] in r.plural_de and prev[-1] != "der"


def _cues(text: str, m: re.Match, titles: list[str], name: list[str], r: _Rules) -> list[tuple[str, str]]:
    cues = []
    if titles and titles[-1].endswith(("'s", "’s")):
        pass                                     # "Petro-Canada's Calgary office": an owner, no title
    elif titles and not (titles[-1] in ("Herr", "Frau") and _after_article(text, m.start(), r)) and not _plural(text, m, titles, r):
        kind = "weak title" if titles[-1].rstrip(".") in r.weak_titles else "title"
        cues.append((kind, " ".join(t for t in titles[-3:] if t not in r.stop)))
    elif not titles:
        b = r.before.search(text, max(0, m.start() - 40), m.start())
        if b and not (b.group("hon") in ("Herr", "Frau") and _after_article(text, b.start(), r)):
            kind = "honorific" if b.group("hon") else "role" if b.group("role") else "speech verb before"
            cues.append((kind, b.group(0).strip()))
    a = r.apposition.match(text, m.end())
    if a:
        cues.append(("apposition", a.group(0).strip()))
    p = r.party.match(text, m.end())
    if p:
        cues.append(("party", p.group("party")))
    v = r.after_verb.match(text, m.end())
    if v:
        cues.append(("speech verb", v.group("verb")))
    core = _core(name, r)
    if len(core) >= 2 and core[0] in r.first_names:
        cues.append(("first name", core[0]))
    return cues


def _decide(name: list[str], cues: list, text: str, m: re.Match, r: _Rules, company_names: set) -> str | None:
    """The person's name as written, or None when the run is no person (see the module doc)."""
    kinds = {k for k, _ in cues}
    core = _core(name, r)
    if r.place_before.search(text, max(0, m.start() - 8), m.start()) and "title" not in kinds:
        return None                          # "St. Louis Blues", "San Jose Sharks": a place
    if not core or not cues or any(_bad_word(w, r) for w in name):
        return None
    joined = " ".join(name)
    if kinds == {"honorific"} or (kinds <= {"honorific", "speech verb", "apposition"} and "honorific" in kinds):
        if len(core) == 1:
            return joined                    # "Mr. Volcker", "Mr. Jordan": a title makes any word a person
    folded = _fold(joined)
    if (_known_name(joined) or folded in company_names or _fold(core[-1]) in company_names
            or any(c.startswith(folded + " ") for c in company_names)):
        return None                          # "Rick Hohl" of "Rick Hohl Interiors"
    if r.company_after.match(text, m.end()):
        return None                          # "Alex Brown and Sons"
    nxt = text[m.end():m.end() + 12]
    if nxt.startswith((" &", " and Co", " und ")) or text[max(0, m.start() - 3):m.start()] in ("&  ", " & "):
        return None                          # "Smith Barney, Harris Upham and Co", "Ernst & Whinney"
    after = re.match(r"[ ]+([\w.]+)", nxt)
    if after and after.group(1).upper().rstrip(".") in _gaz().company_words:
        return None                          # "Frank Russell Co", "Douglas Aircraft"
    if "title" not in kinds and "honorific" not in kinds and _state_key(core[0]) in _places().states:
        return None                          # "Virginia Power", "Indiana Michigan": a state, not a first name
    countries = [w for w in core if _country_word(w)]
    if len(core) == 1:
        if "title" in kinds and not countries:
            return joined                    # "President Reagan", "Chancellor Kohl"
        return None                          # one word with a verb only: "Texaco said" (joined later if a surname)
    if countries:
        person_like = _gaz().person_names
        if not all(w in person_like for w in countries) or len(countries) == len(core):
            return None                      # "Saudi Arabia", "British Columbia"; not "Hamilton Jordan"
    strong = kinds & {"title", "weak title", "honorific", "role", "apposition", "party"}
    if len(core) >= 3 and not strong and not any(_IS_INITIAL(w) for w in name):
        return None                          # "Archer Daniels Midland": three bare names are a firm's
    # a verb of saying alone is no evidence: companies, papers and countries say things too
    return joined if strong or "first name" in kinds else None


def _note(found: dict, value: str, cues: list, seg: int, pos: int) -> None:
    key = _fold(" ".join(_core(value.split(), _rules())))
    m = found.get(key)
    if m is None:
        # "Paul Volcker" after "Volcker" alone: the full name is the value
        for k, other in list(found.items()):
            if " " not in other.name and key.endswith(" " + k):
                found.pop(k)
                other.name = value
                found[key] = m = other
                break
        else:
            m = found[key] = PersonMention(value)
    m.count += 1
    m.forms.add(value)
    for c in cues:
        if c not in m.cues:
            m.cues.append(c)
    if seg == 0:
        m.in_title = True
    else:
        m.first = min(m.first, pos)


def _join_surnames(found: dict, surnames: list, title: str, body: str, title_caps: bool, r: _Rules) -> None:
    """"Baker said", "Mr. Baker" after "James Baker": later mentions of the surname are the same person.
    One-word people found by a title ("Mr. Baker") merge into the full name the story gives too."""
    by_surname: dict[str, PersonMention] = {}
    for m in found.values():
        core = _core(m.name.split(), r)
        if len(core) >= 2:
            by_surname.setdefault(core[-1], m)
    for key, m in list(found.items()):
        if " " not in m.name and m.name in by_surname and by_surname[m.name] is not m:
            full = by_surname[m.name]
            full.count += m.count
            full.first = min(full.first, m.first)
            full.in_title = full.in_title or m.in_title
            full.forms |= m.forms
            full.cues += [c for c in m.cues if c not in full.cues]
            del found[key]
    for word, seg, pos in surnames:
        m = by_surname.get(word)
        if m is not None:
            m.count += 1
            m.forms.add(word)
            if seg == 0:
                m.in_title = True
            else:
                m.first = min(m.first, pos)
    if title and title_caps:         # "BAKER SAYS DOLLAR ...": the surname in a headline in capitals
        words = set(re.findall(r"[\w'’-]+", title))
        for surname, m in by_surname.items():
            if surname.upper() in words:
                m.in_title = True
