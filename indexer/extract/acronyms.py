"""What an acronym a story defines names: a body (and of which kind), or nothing at all.

Why a module of its own: `learn_acronyms` finds definitions such as "Commodity Futures Trading
Commission (CFTC)" (Schwartz-Hearst, and a reordered variant for bodies named in their own
language); what a definition is, and what it names, is one question apart from the rules that
weigh mentions (`entity_rules`). Not every definition names a body ("Special Drawing Right (SDR)",
"Public Sector Borrowing Requirement (PSBR)", "United Arab Emirates (UAE)"), and a body the
gazetteer does not list is a government body far more often than the "other" it used to get
(CFTC, EPA, EIA). The stop list (with the reason for each entry) and the words that mark a
government body are data, `data/acronyms.json`; this module only applies them.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from . import companies
from .gazetteer import _COUNTRY, _SUBDIV, _TOKEN, DATA, Organisation, _fold, _gaz, _norm_token, _OrgEntry


@lru_cache(maxsize=1)
def _data() -> dict:
    d = json.loads((DATA / "acronyms.json").read_text(encoding="utf-8"))
    return {"stop": d["not_organisations"], "gov": frozenset(d["government_words"]),
            "gov_first": tuple(w + " " for w in d["government_first_words"]),
            "not_last": frozenset(d["not_body_last_words"]), "company": frozenset(d["company_words"]),
            "sports_codes": d["sports_codes"]}


@lru_cache(maxsize=1)
def _national_first_words() -> frozenset[str]:
    return frozenset(json.loads((DATA / "org_uses.json").read_text(encoding="utf-8"))["national_first_words"])


def national_agency(before: str, first: str, entry: _OrgEntry) -> bool:
    """An international body's name beginning with "International" right after a country's name or
    demonym names that country's own agency ("the Canadian International Development Agency",
    "Danish International Development Agency (DANIDA)"), not the intergovernmental body
    (data/org_uses.json, `national_first_words`)."""
    from .country_rules import _is_country_word
    return (entry.org.kind == "intergovernmental" and first in _national_first_words()
            and _is_country_word(before))


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import pycountry
    return frozenset(c.alpha_3 for c in pycountry.countries) | frozenset(_data()["sports_codes"])


def _in_order(letters: str, word: str) -> bool:
    """Every letter of `letters` in `word`, in order: the code could be read from the first word alone."""
    it = iter(word)
    return all(c in it for c in letters)


def _first_names() -> frozenset[str]:
    from . import people             # imported here: people imports the Extract modules that import this one
    return people.first_names()


def not_a_body(short: str, long_form: str) -> str | None:
    """Why the defined acronym `short` ("SDR") names no body, or None when it may name one: the stop
    list, a long form that ends in a person's name, one that ends as a programme, event or
    agreement does, a country."""
    reason = _data()["stop"].get(short)
    if reason:
        return reason
    words = long_form.split()
    if short in _country_codes() and len(words) == 2 and _in_order(short.lower(), words[0].lower()):
        return f"{short}: a country's code after a name (results: 'Francois Braud (FRA)')"
    if len(words) > 1 and words[-2] in _first_names():
        return f"{long_form}: ends in a person's name (a code after a name: 'Francois Braud (FRA)')"
    if words[-1] in _data()["not_last"]:
        return f"{long_form}: a {words[-1].lower()}, not a body"
    hit = _gaz().lookup.get(_fold(long_form))
    if hit and hit[0] == _COUNTRY:
        return f"{long_form}: a country"
    if hit and hit[0] == _SUBDIV:
        return f"{long_form}: a state or province"
    if len(words) == 1 and long_form[:1].isupper() and _is_city(long_form):
        return f"{long_form}: a city"
    return None


def _is_city(word: str) -> bool:
    """A large city's name ("Ljubljana"), not also a word a body's name is made of."""
    from .places import _places
    rec = _places().best.get(_fold(word))
    return bool(rec) and rec[0] >= 100_000


def kind(long_form: str) -> str | None:
    """"government" when the long form names a government body ("Environmental Protection
    Agency", "Federal Home Loan Bank Board"), else None (the caller decides)."""
    d = _data()
    words = long_form.replace(",", " ").split()
    if any(w in d["gov"] for w in words) or (long_form + " ").startswith(d["gov_first"]):
        return "government"
    return None


# --------------------------------------------------------------------------- acronyms a story defines

# a full stop after a word (not after an initial: "U.S. Department of Agriculture (USDA)")
_SENTENCE_BREAK = re.compile(r"(?:[a-z]{2}|[A-Z]{3,}|\d)[.!?]\s+(?=[A-Z])")
_ACRO_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&]*[A-Z][A-Za-z&]*)\s*\)")


def learn_acronyms(text: str) -> dict[str, _OrgEntry]:
    """Acronyms the story defines: "United Nations Office on Drugs and Crime (UNODC)", "the
    European Community's (EC)", "Brazilian Coffee Institute (IBC)" (the acronym of the body's own
    language); not those that name no body ("Special Drawing Right (SDR)": data/acronyms.json)."""
    g = _gaz()
    learnt: dict[str, _OrgEntry] = {}
    for m in _ACRO_DEF.finditer(text):
        short = m.group(1)
        if len(short) < 2 or len(short) > 12:
            continue
        head = text[max(0, m.start() - 200):m.start()].rstrip()
        if head.endswith(("'s", "’s")):
            head = head[:-2]
        breaks = list(_SENTENCE_BREAK.finditer(head))
        if breaks:                       # a long form never starts in the sentence before ("ICO. The ...")
            head = head[breaks[-1].end():]
        before = _TOKEN.findall(head)[-14:]
        long_toks = _long_form(short, before) or _long_form_reordered(short, before)
        if not long_toks:
            continue
        key = tuple(_norm_token(t) for t in long_toks)
        entry = g.org_by_name.get(key)
        if entry is None:
            # the longest known name that ends the long form ("... the UN Development Programme"),
            # unless a country's word comes first ("Danish International Development Agency (DANIDA)")
            for i in range(1, len(key)):
                entry = g.org_by_name.get(key[i:])
                if entry and national_agency(key[i - 1], key[i], entry):
                    entry = None
                    break
                if entry:
                    break
        known = g.org_lookup.get(short.casefold()) if entry is None else None
        if known and (_one_word_off(known.org.name, long_toks) or _squeezed(known.org.name) == _squeezed(" ".join(long_toks))):
            entry = known                # "Commodity Futures Trading Commmission (CFTC)": a typo
        if entry is None:
            name = _join_long(head, long_toks)
            if companies.instrument_like(name) or not_a_body(short, name):
                continue                 # "London Interbank Offered Rate (LIBOR)": a rate, not a body
            bracketed = text[:m.start()].rstrip().endswith(">")     # "<National Commercial Bank> (NCB)"
            entry = _OrgEntry(Organisation(name, short, "company" if bracketed else _guess_kind(name)),
                              frozenset(), False, frozenset(), None)
        learnt[short] = entry
    return learnt


def _squeezed(name: str) -> str:
    """A name without spaces, hyphens or case: "InterAmerican" is "Inter-American"."""
    return "".join(_TOKEN.findall(name)).casefold()


def _one_word_off(name: str, toks: list[str]) -> bool:
    """The known body's name, but for one misspelt word (of three or more)."""
    a = [w.lower() for w in _TOKEN.findall(name) if w.lower() not in _SMALL]
    b = [w.lower() for w in toks if w.lower() not in _SMALL]
    return len(a) == len(b) >= 3 and sum(x != y for x, y in zip(a, b)) <= 1


def _long_form_reordered(short: str, words: list[str]) -> list[str] | None:
    """"Brazilian Coffee Institute (IBC)": the acronym of the body's own name (Instituto Brasileiro
    do Cafe), whose initials are the English words' in another order. The last capitalised words
    (small words between them allowed) whose initials are the acronym's letters, each once."""
    letters = sorted(c.lower() for c in short if c.isalpha())
    if len(letters) < 3 or not short.isupper():
        return None
    picked: list[str] = []
    for k in range(1, min(len(words), len(letters) * 2) + 1):
        w = words[-k]
        if w.lower() in _SMALL:
            continue
        if not w[:1].isupper():
            return None
        picked.append(w)
        if len(picked) == len(letters):
            if sorted(x[0].lower() for x in picked) == letters and words[-k].lower() not in _SMALL:
                return words[-k:]
            return None
    return None


_SMALL = {"of", "for", "and", "the", "on", "in", "de", "des", "du", "la", "le", "et", "del", "y", "to", "s"}


def _long_form(short: str, words: list[str]) -> list[str] | None:
    """The words before "(SHORT)" whose initials spell SHORT ("American Soybean Association (ASA)");
    else Schwartz-Hearst: the fewest words whose letters spell SHORT in order, starting at a
    capitalised word with SHORT's first letter ("Commodity Futures Trading Commission (CFTC)")."""
    letters = [c.lower() for c in short if c.isalpha()]
    if not letters or not words:
        return None
    for k in range(len(letters), min(len(words), len(letters) + 6) + 1):
        cand = words[-k:]               # the words whose initials spell it, when there are such:
        if [w[0].lower() for w in cand if w.lower() not in _SMALL] == letters and cand[0][:1].isupper():
            return cand                 # "American Soybean Association (ASA)", not "Association"
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
    """The long form as written at the end of `text` (keeps hyphens and apostrophes; never the
    text before it: an earlier occurrence of its first word must not pull in "IBC (ICO. ...")."""
    m = re.search(r"(?<![\w])" + r"[^\w]{1,3}".join(map(re.escape, toks)) + r"[^\w]*$", text)
    s = m.group(0) if m else " ".join(toks)
    return " ".join(s.split()).strip(" ,.;:\"'“”(")


def _guess_kind(name: str) -> str:
    """The kind of a body the gazetteer does not know: a company when its name carries a legal form
    (it then goes to the company facet), else "other". Never guessed from words such as
    "International" or "Association": that made an exporters' association intergovernmental."""
    if companies.legal_form_name(name) or _data()["company"] & set(name.split()):
        return "company"                 # "Compagnie Francaise de Raffinage", "Fiat Chrysler Automobiles"
    return kind(name) or "other"
