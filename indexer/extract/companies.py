"""Companies a story names, found without a model: legal forms, appositions, and the story's own aliases.

Why rules and not NER: no model may be fetched at run time, and an unofficial re-upload is no
dependency to trust. News copy is regular enough: a company is introduced once with its legal form
("USX Corp", "Hoechst AG", "Standard and Poor's Corp") or an apposition that calls it one
("Caesars World, the casino company"), then named by its short name ("USX said ..."). So:

1. every legal form (`data/companies.json`: Inc, Corp, Co, Ltd, PLC, AG, SA, NV, GmbH ...) is found
   with one regular-expression pass, and the run of capitalised words before it (with connectors
   such as "and", "of") is the name; sentence-opening words ("The", "In") are dropped from its front;
2. "NAME, the/a ... company|firm|bank|group|carrier|maker" makes NAME a company too;
3. the name without its legal form is the facet value ("USX Corp", "USX Corporation", "USX" -> `USX`),
   and every later mention of that short name in the story counts (the alias merge bodies get from
   the gazetteer); in an all-capitals headline the upper-cased short name counts.

A name the gazetteer knows as an organisation (Federal Deposit Insurance Corp, the World Bank) or a
country is not a company here. The cost is a regex pass per story plus a `str.count` per company:
a few microseconds on a typical story (`make eval` prints extract()'s time).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import company_names
from .company_names import _is_city, _is_place, _of_place, _possessive_place
from .gazetteer import DATA, Organisation, _gaz, _tokens


@dataclass
class CompanyMention:
    """One company in one story: what the about/mention rule weighs (as entity_rules.Mention)."""
    org: Organisation
    count: int = 0
    first: int = 10**9               # character offset of the first mention in the body
    in_title: bool = False
    forms: set = field(default_factory=set)
    aliases: set = field(default_factory=set)     # acronyms the story defines for it


class _Rules:
    def __init__(self) -> None:
        d = json.loads((DATA / "companies.json").read_text(encoding="utf-8"))
        self.legal = frozenset(d["legal_forms"])
        self.ends = frozenset(d["name_ends"])
        self.connectors = frozenset(d["connectors"])
        self.stop = frozenset(d["leading_stop"])
        self.not_core = frozenset(d["not_core"])
        self.not_org_last = frozenset(d["not_organisation_last_words"])
        self.of_heads = frozenset(d["of_heads"])
        self.complete_ends = frozenset(d["complete_ends"])
        self.body_last = frozenset(d["body_last_words"])
        self.family = frozenset(d["family_words"])
        self.suffixes = frozenset(d["subsidiary_suffixes"])
        self.after_legal_not = frozenset(d["after_legal_not_company"])
        self.months = frozenset(d["months"])
        self.and_generic = frozenset(d["and_generic_words"])
        self.kept = {w: frozenset(nxt) for w, nxt in d["stop_kept_before"].items()}
        # a legal form with or without its final full stop ("N.V." and "N.V")
        self.legal_any = self.legal | {f[:-1] for f in self.legal if f.endswith(".")}
        forms = sorted(self.legal | self.ends, key=len, reverse=True)
        # no look-behind: it would cost 4x on every character; the word start is checked in find()
        self.trigger = re.compile(r"(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w&/-])\.?")
        cues = "|".join(sorted(map(re.escape, d["cue_nouns"]), key=len, reverse=True))
        # "Caesars World, the casino company", "USX, the largest U.S. steel maker,"
        # ... but not "of Summit, the company said": the story speaking, not an apposition
        # and the noun ends the apposition ("Furthermore, the nature of futures brokerage makes" is none)
        self.apposition = re.compile(r",\s+(?:the|a|an)\s+(?:[\w.'-]+\s+){0,4}?(?:" + cues + r")\b"
                                     r"(?=\s*[,.;)]|\s+(?:of|in|at|based|which|that|whose|with|owned)\b)")


    def is_legal(self, word: str) -> bool:
        return word in self.legal_any


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules()


# after a known name: more capitalised words and a legal form ("General Motors Acceptance Corp" is a
# company of its own), or a person's relative clause ("mit Walt Disney, der gesagt hat", "..., who said")
_BARE_NOT = re.compile(r"(?:\s+[A-Z][\w&.'-]*){1,3}\s+(?:Inc|Corp|Co|Ltd|Plc|PLC|AG|SA|NV|Corporation|Company)\b"
                       r"|,\s+(?:who|der)\s")
_UNITS = frozenset(("dlrs", "dlr", "stg", "yen", "pct", "cts"))
_PERSON_HEAD = re.compile(r"[A-Z][a-z]+ [A-Z]\. [A-Z][a-z]+")      # "Asher B. Edelman"
_DEFINED = re.compile(r"\s*\(\s*([A-Z][A-Za-z&]*[A-Z])\s*\)")
_DOTTED = re.compile(r"(?:[A-Z]\.)+")
_WORD = re.compile(r"[A-Z](?:\.[A-Z])+\.?|[\w'’&.-]+(?:/[A-Z][\w'’&.-]*)?")    # "Hughes/Conserdyne Corp"


def _name_before(text: str, end: int, r: _Rules) -> list[str]:
    """The run of capitalised words (and connectors) ending at `end`, left to right."""
    window = text[max(0, end - 90):end]
    words = list(_WORD.finditer(window))
    out: list[str] = []
    named = False                        # out holds a word that is no legal form
    last_start = len(window)
    for m in reversed(words):
        gap = window[m.end():last_start]
        if gap.strip():                  # a comma, a bracket, a full stop: the name ends there
            break
        word = m.group(0)
        w = word.rstrip(".") if not _DOTTED.fullmatch(word) else word
        if (len(w) > 4 or w.casefold() in _UNITS) and word[-1] == "." and w == word[:-1] and not r.is_legal(w):
            break                        # "... of Britain. The Bank", "200 mln U.S. Dlrs. Morgan Guaranty": a sentence ended
        legal = r.is_legal(w)
        if (legal and named) or out and r.is_legal(w.rstrip("'’s")):
            if out and out[-1] in ("and", "&"):
                out = out[:-1]           # "Moody's Investors Service Inc and Standard and Poor's Corp"
            elif out and out[-1] in r.connectors:
                if "and" not in out:     # "Public Service Co of Indiana Inc": the tail of another name
                    return []
                out = out[:len(out) - 1 - out[::-1].index("and")]   # "Husky Oil Ltd of Canada and Pearson Plc"
            break                        # "Lac Minerals Ltd and Cambior Inc", "Atlantic Richfield Co's Arco"
        if w[:1].isupper() or w[:1].isdigit() and out:
            out.append(w)
            named = named or not legal
        elif w in r.connectors and (out or w in ("and", "&")):     # "Montgomery Ward and Co"
            out.append(w)
        else:
            break
        last_start = m.start()
        if len(out) >= 7:
            break
    out.reverse()
    return _trim(out, r)


_RATING = re.compile(r"(?:[A-C]{1,3}|[AB]a{1,2})(?:[-+]\w*|\d)?")


def _trim(out: list[str], r: _Rules) -> list[str]:
    """Drop what comes before the name: sentence openers, "Italy's", "Paris-based", a rating ("BBB"),
    a person ("Michael Lucky of Shearson Lehman Brothers"), a country or list item joined by "and"."""
    for i, w in enumerate(out):
        if w in ("of", "der", "des", "von") and (i == 0 or out[i - 1] not in r.of_heads):
            return _trim(out[i + 1:], r)
        if w in ("and", "&") and i and i + 1 < len(out) and not (i + 2 == len(out) and out[i + 1] in r.and_generic) \
                and not (_is_place(out[:i]) and _is_city(out[i + 1])) and (
                _is_place(out[:i]) or out[i - 1] in r.complete_ends or out[i - 1].lower().endswith("corp")):
            # ... but "China International Trust and Investment Corp", "Hongkong and Shanghai Banking Corp": one name
            return _trim(out[i + 1:], r)         # "Citicorp and Chase Manhattan Corp": two names
    while out and (out[0] in r.connectors or _stop(out, r) or _possessive_place(out[0]) or _date_word(out, r)
                   or out[0].endswith("-based") or (len(out) > 1 and out[1] not in r.connectors and _RATING.fullmatch(out[0]))):
        out = out[1:]
    return out


def _date_word(out: list[str], r: _Rules) -> bool:
    """"March 26. CTC, a group of dealers": a date before the name (a month before a number, a number)."""
    return out[0].rstrip(".").isdigit() or (out[0] in r.months and len(out) > 1 and out[1].rstrip(".").isdigit())


def _stop(out: list[str], r: _Rules) -> bool:
    """A sentence opener before the name ("Analysts", "The"); "Bankers Trust" keeps its first word."""
    return out[0] in r.stop and not (len(out) > 1 and out[1] in r.kept.get(out[0], ()))


def _core(words: list[str], r: _Rules) -> list[str]:
    """The name without legal forms at its end ("Morgan Stanley and Co Inc" -> "Morgan Stanley")."""
    core = list(words)
    while core and (r.is_legal(core[-1]) or core[-1] in r.connectors):
        core.pop()
    return core


def _known_elsewhere(core: list[str], full: list[str]) -> bool:
    return _known(" ".join(core), " ".join(full))


@lru_cache(maxsize=8192)
def _known(core: str, full: str) -> bool:
    """The gazetteer's organisations and countries are not companies (cached: names recur)."""
    g = _gaz()
    if tuple(_tokens(core)) in g.org_by_name or tuple(_tokens(full)) in g.org_by_name:
        return True
    return g.lookup.get(core.casefold()) is not None


def find(title: str, body: str, title_caps: bool) -> dict[str, CompanyMention]:
    """Every company named in the story, keyed by its facet value, in order of first mention."""
    r = _rules()
    found: dict[str, CompanyMention] = {}
    for seg, text in ((0, title), (1, body)):
        if seg == 0 and title_caps:      # "IBM CALLS NOTES": only an acronym the archive defines names a company there
            for acr, pos in company_names.bare_acronyms(text):
                _note_acronym(found, acr, r, seg, pos)
            continue
        if not text:
            continue
        _find_legal_forms(found, text, seg, r)
        _find_bare(found, text, seg, r)
    if found:
        _merge_short_names(found)
        _count_aliases(found, title, body, title_caps)
        found = dict(sorted(found.items(), key=lambda kv: (not kv[1].in_title, kv[1].first)))
    return found


def _find_legal_forms(found: dict[str, CompanyMention], text: str, seg: int, r: _Rules) -> None:
    """Names ending in a legal form or a company word ("Acme Widgets Corp", "Bank of America")."""
    for m in r.trigger.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in ".&-"):
            continue
        form = m.group(0).rstrip(".") if m.group(0) not in r.legal else m.group(0)
        words = company_names.comma_head(text, m.start(), _name_before(text, m.start(), r))
        if form in r.ends:
            words = words + [form] if words else []
        if m.end() < len(text) and text[m.end():].lstrip()[:12].split(" ")[0].rstrip(".,;") in r.after_legal_not:
            continue                 # "Advance Corporation Tax", "the Companies Act"
        place = _of_place(text, m.end(), form) if words else None
        if place:                    # "Public Service Co of Indiana (Inc)", "Bank of America"
            words = words + [form, "of", *place.split()]
            form = ""
        value = _note(found, words, r, seg, m.start(), form)
        acr = _DEFINED.match(text, m.end()) if value else None
        if acr:                      # "Acme Widgets Corp (AWC)": AWC names it again
            found[value].aliases.add(acr.group(1))


def _find_bare(found: dict[str, CompanyMention], text: str, seg: int, r: _Rules) -> None:
    """Names without a legal form: in apposition, ones the archive knows, acronyms it defines."""
    for m in r.apposition.finditer(text):
        _note(found, _name_before(text, m.start(), r), r, seg, m.start(), "")
    for name, pos in company_names.bare_names(text):         # "Goldman Sachs said", "IBM said"
        if not _BARE_NOT.match(text, pos + len(name)):
            _note(found, name.split(), r, seg, pos, "")
    for acr, pos in company_names.bare_acronyms(text):      # "IBM said": an acronym the archive defines
        if not company_names.defined_otherwise(text, acr):    # "Coffee Marketing Board (CMB)" is not Chase's
            _note_acronym(found, acr, r, seg, pos)


def _split_joined(found: dict, words: list[str], r: _Rules) -> tuple[list[str], list[str]]:
    """(head, name): "MCA and Cineplex Odeon Corp", "Merrill Lynch Capital Markets and Morgan Stanley
    Inc", "Wagner and Brown and AFG Industries Inc" are two companies joined by "and", not one name:
    split where the name after "and" is one the archive knows (data/company_aliases.tsv) or the
    name before it is a company the story has named already. ("Procter and Gamble", "Cable and
    Wireless" stay whole: neither half is a company of its own.)"""
    for i in range(len(words) - 2, 0, -1):
        if words[i] not in ("and", "&"):
            continue
        head, tail = words[:i], _core(words[i + 1:], r)
        if not tail or not tail[0][:1].isupper() or (len(tail) == 1 and tail[0] in r.family):
            continue                     # "Alex. Brown and Sons Inc": one name
        if _is_place(head) and _is_city(tail[0]):
            continue                     # "Hongkong and Shanghai Banking Corp": one name
        known_tail = company_names.is_known(" ".join(tail))
        if known_tail or ((len(tail) > 1 or tail[0] not in r.and_generic)
                          and company_names.canonical(" ".join(_core(head, r))) in found):
            return head, words[i + 1:]   # not "Mitsubishi Trust and Banking Corp": a one-word tail
        if _PERSON_HEAD.fullmatch(" ".join(head)) or any(
                company_names.is_known(" ".join(head[:n])) for n in range(2, len(head))):
            return [], words[i + 1:]     # "Asher B. Edelman and Dominion Textiles", "Merrill Lynch Capital Markets and Cazenove"
    return [], words


def _note_acronym(found: dict, acr: str, r: _Rules, seg: int, pos: int) -> None:
    value = _note(found, [acr], r, seg, pos, "")
    if value and found[value].org.name == acr:
        found[value].org = Organisation(company_names.written_name(acr), value, "company")


def _note(found: dict, words: list[str], r: _Rules, seg: int, pos: int, form: str) -> str | None:
    words = _trim(company_names.clean(words), r)
    head, words = _split_joined(found, words, r)
    if head and company_names.is_known(" ".join(_core(head, r))):
        _note(found, head, r, seg, pos, "")      # an unknown head may be a person ("Geneen and ...")
    owner = words[0][:-2] if words and words[0].endswith(("'s", "’s")) and len(words) > 1 else ""
    if owner and (owner.isupper() and len(owner) >= 2 or company_names.canonical(owner) in found
                  or company_names.is_known(owner)):
        words = words[1:]                # "CP's Cominco Ltd": the owner, a company of its own, is no part of the name
    core = _core(words, r)
    if not core or (len(core) == 1 and (core[0] in r.not_core or core[0] in r.suffixes or len(core[0]) < 2)):
        return None                      # "SHV (United Kingdom) Holding Co", "Standard and Poor's Asia Inc"
    if not any(c.isalpha() for c in core[0]) or all(w in r.not_core or w in r.connectors for w in core):
        return None
    written = " ".join(core)
    if not (form and r.is_legal(form)) and core[-1] in r.body_last and not company_names.is_known(written):
        return None                      # "the Securities and Exchange Commission, the group ...", "an academic group"
    value = company_names.canonical(written)
    full = words + [form] if form and r.is_legal(form) else core
    if _known_elsewhere(core, full):
        return None
    m = found.get(value)
    if m is None:
        m = found[value] = CompanyMention(Organisation(" ".join(full), value, "company"))
    elif len(" ".join(full)) > len(m.org.name):      # "Morgan Stanley and Co Inc" over "... and Co"
        m.org = Organisation(" ".join(full), value, "company")
    m.forms.add(form)
    if written != value:
        m.aliases.add(written)           # "International Business Machines" counts for IBM
    if seg == 0:
        m.in_title = True
    else:
        m.first = min(m.first, pos)
    return value


def _merge_short_names(found: dict[str, CompanyMention]) -> None:
    """"Unicorp Canada Corp ... Unicorp, a holding company": the short name is the same company."""
    if len(found) < 2:
        return
    for value in list(found):
        if company_names.is_canonical(value):
            continue                     # IBM is not IBM Canada: the archive knows IBM as a company of its own
        if any(f and _rules().is_legal(f) for f in found[value].forms):
            continue                     # "Texaco Canada Inc, 78 pct owned by Texaco Inc": the parent, named as such
        for other, om in found.items():
            if other != value and other.startswith(value + " "):
                m = found.pop(value)
                om.aliases.add(value)
                om.in_title = om.in_title or m.in_title
                om.first = min(om.first, m.first)
                break


def _count_aliases(found: dict[str, CompanyMention], title: str, body: str, title_caps: bool) -> None:
    """Every mention of a company's short name counts ("USX Corp ... USX said ... USX's")."""
    for value, m in found.items():
        hits = sorted(p for n in {value, *m.aliases} for p in _occurrences(body, n))
        m.count = max(len(hits), 1)
        if hits:
            m.first = min(m.first, hits[0])
        if title and (_occurrences(title, value) or (title_caps and _occurrences(title, value.upper()))):
            m.in_title = True            # "USX CORP <X> SETS PAYOUT"


def _occurrences(text: str, name: str) -> list[int]:
    """Where `name` occurs as whole words (str.find: no regular expression compiled per name)."""
    out = []
    i = text.find(name)
    n = len(name)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + n] if i + n < len(text) else " "
        if not (before.isalnum() or before in "&-") and not (after.isalnum() or after in "&-"):
            out.append(i)
        i = text.find(name, i + n)
    return out


def instrument_like(long_form: str) -> bool:
    """A defined acronym that names a rate, an instrument or a number, not a body (LIBOR, PINs)."""
    words = long_form.replace('"', " ").replace("”", " ").split()
    return bool(words) and words[-1].rstrip("s") in {w.rstrip("s") for w in _rules().not_org_last}


@lru_cache(maxsize=1)
def legal_upper() -> frozenset[str]:
    """The legal forms in capitals ("INC", "CORP", "PLC"), for all-capitals headlines."""
    return frozenset(f.upper() for f in _rules().legal_any)


def legal_form_name(name: str) -> bool:
    """A long form that ends in a legal form is a company's name ("Acme Widgets Corp")."""
    words = name.replace(",", " ").split()
    r = _rules()
    return bool(words) and (words[-1].rstrip(".") in r.legal or words[-1] in r.legal)


def short_name(name: str) -> str:
    """A company's facet value from any of its written forms ("USX Corp." -> "USX")."""
    r = _rules()
    words = [w if _DOTTED.fullmatch(w) else w.rstrip(".") for w in name.replace(",", " ").split()]
    legal = {f.casefold() for f in r.legal_any}
    while words and (words[-1].casefold() in legal or words[-1] in r.connectors):     # typed in any case
        words.pop()
    return " ".join(words) or name.strip()


def facet_value(name: str) -> str:
    """The company facet's value for a name a reader types: its legal form dropped and mapped to
    the company's one value ("International Business Machines Corp" -> "IBM", "Salomon Inc" ->
    "Salomon Brothers")."""
    return company_names.canonical(short_name(name))
