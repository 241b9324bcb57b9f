"""Why a story got each facet value: the rule that gave it and the words that are its evidence.

    newsfacet entities --explain FILE

Why: a journalist checks a facet before quoting a count; "Mexico" on a story about New Mexico,
or "Sachs" for Goldman Sachs, are found by reading the reason, not the value. Every value of
`entities.extract` is listed once with `about` (the story is about it) or only mentioned, the
rule that decided, and the evidence: the words matched (`"New Mexico" (a state or province)`),
how often, where (headline, dateline, lead), and the salience sum against its threshold. It
re-runs the same analysis `extract` uses (`entities.analyse`), so the reasons cannot drift from
the values.
"""
from __future__ import annotations

from . import company_names, entity_rules as R
from .entities import analyse, extract
from .gazetteer import _gaz

_FORM = {"@capital": "its capital", "@demonym": "a demonym or adjective", "@subdivision": "a state or province",
         "@currency": "its currency", "@host": "the host of a meeting about something else: no evidence"}


def _words(forms) -> list[str]:
    out = []
    for f in sorted(forms, key=lambda f: (f[0][:1] != "@", f)):
        if f and f[0] in _FORM:
            out.append(f'"{" ".join(f[1:])}" ({_FORM[f[0]]})')
        else:
            out.append(f'"{" ".join(f)}"')
    return out


def _country_rule(m, a, about: bool) -> str:
    if m.in_dateline:
        return "dateline: the story's dateline is in this country"
    if m.subdivisions + m.currencies == m.count:
        if about:
            return "headline: its currency is named in the headline"
        return "mention: only a state, province or its currency is named (a mention, never evidence of about)"
    if m.in_title:
        return "headline: named in the headline"
    if a.body_tokens <= R.SHORT_STORY:
        return f"brief: a story of {a.body_tokens} words (<= {R.SHORT_STORY}) is about all it names"
    names = m.count - m.capitals - m.demonyms - m.subdivisions - m.currencies
    lead = m.first < a.lead_tokens
    score = names + R.DEMONYM * m.demonyms + R.SUBDIVISION * m.subdivisions + (R.LEAD if lead else 0.0)
    need = R.SALIENT_MEDIUM if a.body_tokens <= R.MEDIUM_STORY else R.SALIENT
    sums = (f"evidence {score:.2f} = {names} name(s) + {R.DEMONYM} x {m.demonyms} demonym(s)"
            + (f" + {R.LEAD} (in the lead)" if lead else "") + f"; needs {need} in a story of {a.body_tokens} words")
    if about and m.near:
        return "capital near name: its capital named within a sentence of its name; " + sums
    return ("salience: " if about else "mention: too little evidence for about; ") + sums


def _org_rule(m, a, about: bool, learnt: bool) -> str:
    how = "defined in the story (no body of the gazetteer): " if learnt else ""
    if not about:
        if m.hosts and not m.count:
            return how + "mention: named only as the host of a meeting about something else (data/org_uses.json)"
        return how + "mention: named once, outside the headline and the lead"
    if m.in_title:
        return how + "headline: named in the headline"
    if a.body_tokens <= R.SHORT_STORY:
        return how + f"brief: a story of {a.body_tokens} words is about all it names"
    if m.count >= 2:
        return how + f"salience: named {m.count} times"
    if m.first < a.lead_tokens + R.LEAD_SPILL:
        return how + "lead: named in the first sentence"
    return how + "parent: the headline or the lead names the body it belongs to"


def _company_rule(m, a, about: bool) -> str:
    forms = sorted(f for f in m.forms if f)
    how = (f"legal form {', '.join(forms)}" if forms else "named as a company (an apposition or a name the archive knows)")
    if m.org.key != m.org.name and company_names.is_canonical(m.org.key):
        how += f"; one value for its names (data/company_aliases.tsv: {m.org.key})"
    if m.aliases:
        how += f"; also written {', '.join(sorted(m.aliases))}"
    if not about:
        return how + f"; mention: named {m.count} time(s), not in the headline or lead"
    where = ("headline" if m.in_title else f"brief of {a.body_tokens} words" if a.body_tokens <= R.SHORT_STORY
             else f"named {m.count} times" if m.count >= 2 else "lead")
    return how + f"; about: {where}"


_CUE = {"title": "a title or role before it", "weak title": "a title before it (one that also starts names of bodies)",
        "honorific": "an honorific before it", "role": "a role before it",
        "apposition": "an apposition after it", "party": "a party in brackets after it",
        "speech verb": "a verb of saying after it", "speech verb before": "a verb of saying before it",
        "first name": "a known first name (data/first_names.tsv)"}


def _person_rule(m, a, about: bool) -> str:
    """Why a person: the cues that made the name a person (people.py), then the company facet's about rule."""
    cues = "; ".join(f'{_CUE.get(kind, kind)}: "{word}"' for kind, word in m.cues)
    also = sorted(f for f in m.forms if f != m.name)
    how = f"person: {cues}" + (f"; also written {', '.join(also)} (the same person later in the story)" if also else "")
    if not about:
        return how + f"; mention: named {m.count} time(s), not in the headline or lead"
    where = ("headline" if m.in_title else f"brief of {a.body_tokens} words" if a.body_tokens <= R.SHORT_STORY
             else f"named {m.count} times" if m.count >= 2 else "lead")
    return how + f"; about: {where}"


def explain(title: str, body: str, dateline: str = "", date=None) -> list[dict]:
    """One line per value of `extract(...)`: facet, value, label, about, rule, evidence."""
    a = analyse(title, body, dateline, date)
    ents = extract(title, body, dateline, date)
    about_c = {c.code for c in ents.countries}
    about_o = {o.key for o in ents.organisations}
    about_co = {o.key for o in ents.companies}
    learnt = R.learn_acronyms(body) if "(" in body else {}
    known = {e.org for e in _gaz().orgs}
    out = []
    for c in ents.countries_mentioned:
        m = a.countries[c.code]
        out.append({"facet": "country", "value": c.code, "label": c.name, "about": c.code in about_c,
                    "rule": _country_rule(m, a, c.code in about_c),
                    "evidence": {"words": _words(m.forms), "count": m.count, "headline": m.in_title,
                                 "dateline": m.in_dateline}})
    for o in ents.organisations_mentioned:
        m = a.organisations[o.key]
        is_learnt = o.key in learnt and learnt[o.key].org == o and o not in known
        out.append({"facet": "organisation", "value": o.key, "label": o.name, "kind": o.kind,
                    "about": o.key in about_o, "rule": _org_rule(m, a, o.key in about_o, is_learnt),
                    "evidence": {"words": _words(m.forms), "count": m.count, "headline": m.in_title}})
    for o in ents.companies_mentioned:
        m = a.companies[o.key]
        out.append({"facet": "company", "value": o.key, "label": o.name, "about": o.key in about_co,
                    "rule": _company_rule(m, a, o.key in about_co),
                    "evidence": {"count": m.count, "headline": m.in_title}})
    about_p = set(ents.people)
    for m in a.people.values():
        out.append({"facet": "person", "value": m.name, "label": m.name, "about": m.name in about_p,
                    "rule": _person_rule(m, a, m.name in about_p),
                    "evidence": {"words": sorted(m.forms), "cues": [list(c) for c in m.cues],
                                 "count": m.count, "headline": m.in_title}})
    return out
