"""Precision of what has no gold labels, on samples a person judges by reading (issue 14).

Reuters' labels say what a story is *about*; nothing says which passing *mentions* and which
*companies* are right. So `make eval` draws a fixed random sample (seeded: the same mentions every
run while the extractor is unchanged) and prints each with its context:

- mentions: 200 country and organisation values a story names without being about them (the
  values the "Any mention" switch adds; the about values are scored against Reuters' labels);
- companies: 200 company values (indexer/extract/companies.py);
- countries: 200 country values the facet gives (about or mentioned) of Reuters' dev split and
  gnad (issue 22), each shown where the story first names it (its dateline, headline or body):
  right when the story does name that country there (not a namesake: a state, a person, a
  company's name, a dish);
- organisations: 200 organisation values of Reuters' dev split and gnad (issue 22), about or
  mentioned, each at its first mention: right when the words name that body (not a currency, a
  rate, a company or another body with the same acronym);
- people: 200 person values (indexer/extract/people.py) of Reuters' dev split and the German gnad stories
  (issue 22), each shown at its first mention: right when the value is a person's name, whole
  and nothing else ("Paul Volcker"; not "Morgan Stanley", not "Roger Federer den Kürzeren").

A person judges each line once; the verdicts live in `data/judged_mentions.tsv` (facet, story id,
value, 1 right / 0 wrong, a note), and the precision printed is over the judged lines of the
current sample. A changed extractor draws some new lines: they are printed as unjudged, to judge.
"""
from __future__ import annotations

import hashlib
import re

from indexer.extract import entities as E
from indexer.extract import gazetteer
from indexer.extract.gazetteer import DATA, _rows

SAMPLE = 200
SEED = 14
COUNTRY_SEED = 41      # the country sample's own draw (issue 22): lines no rule was corrected on
PEOPLE_SEED = 23       # the person sample's own draw (issue 22): lines the rules were not corrected on (seed 22 was)
ORG_SEED = 2201        # the organisation sample's own draw (issue 22): fresh lines, none judged before
JUDGED = DATA / "judged_mentions.tsv"
_TOKEN = re.compile(r"[A-Z](?:\.[A-Z])+\.?|[^\W\d_]+|\d+")


def _context(text: str, start: int, end: int, width: int = 70) -> str:
    s = text[max(0, start - width):start] + "[[" + text[start:end] + "]]" + text[end:end + width]
    return " ".join(s.split())


def _as_scanned(body: str) -> str:
    """The body as the scan saw it: the dateline cut off, ticker symbols blanked."""
    _, rest = E.split_dateline(body)
    return E._TICKER.sub(E._blank, rest) if "<" in rest else rest


def _mention_context(title: str, body: str, m) -> str:
    """The text around a country or organisation mention (its first one in the body, else the title)."""
    rest = _as_scanned(body)
    if m.first < 10**9:
        spans = [t.span() for t in _TOKEN.finditer(rest)]
        if m.first < len(spans):
            return _context(rest, *spans[m.first])
    return "TITLE: " + title


def draw(records) -> dict[str, list[tuple[str, str, str]]]:
    """{"mention": [(story id, facet:value, context)], "company": [...]}: the seeded samples."""
    mentions, companies = [], []
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        a = E.analyse(title, body, date=rec.get("date"))
        ent = E.extract(title, body, date=rec.get("date"))
        about = {c.code for c in ent.countries} | {o.key for o in ent.organisations}
        for code, m in a.countries.items():
            if code not in about and code in {c.code for c in ent.countries_mentioned}:
                mentions.append((rec["id"], f"country:{code}", _mention_context(title, body, m)))
        for key, m in a.organisations.items():
            if key not in about and key in {o.key for o in ent.organisations_mentioned}:
                mentions.append((rec["id"], f"org:{key}", _mention_context(title, body, m)))
        rest = _as_scanned(body)
        for value, m in a.companies.items():
            where = (_context(rest, m.first, m.first + len(value)) if m.first < len(rest)
                     else "TITLE: " + title)
            companies.append((rec["id"], f"company:{value}", where))
    return {"mention": _pick(mentions), "company": _pick(companies)}


def draw_people(records) -> list[tuple[str, str, str]]:
    """The seeded sample of person values: (story id, "person:NAME", context of the first mention).
    A record's `language` (gnad's German stories: "de") selects the names the scan reads, as indexing does."""
    lines = []
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        with gazetteer.in_language(rec.get("language", "en")):
            a = E.analyse(title, body, date=rec.get("date"))
        rest = _as_scanned(body)
        for m in a.people.values():
            if m.first >= len(rest):
                where = "TITLE: " + title
            else:
                form = next((f for f in sorted(m.forms, key=len, reverse=True) if rest.startswith(f, m.first)), "")
                where = _context(rest, m.first, m.first + (len(form) or 1))
            lines.append((rec["id"], f"person:{m.name}", where))
    return _pick(lines, PEOPLE_SEED)


def draw_countries(records) -> list[tuple[str, str, str]]:
    """The seeded sample of country values the facet gives, about or mentioned: (story id,
    "country-value:CODE", where the story first names it). A record's `language` selects the
    names the scan reads and its agency dateline (`Wien –`), as indexing does (prepare.py)."""
    from indexer.extract import datelines
    lines = []
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        lang = rec.get("language", "en")
        dateline = ""
        if lang != "en":
            found = datelines.find(body, lang)
            dateline = found[0] if found else ""
        with gazetteer.in_language(lang):
            a = E.analyse(title, body, dateline, date=rec.get("date"))
            ent = E.extract(title, body, dateline, date=rec.get("date"))
        about = {c.code for c in ent.countries}
        for c in ent.countries_mentioned:
            m = a.countries.get(c.code)
            if m is None:
                continue
            if m.in_dateline and not m.count:
                where = "DATELINE: " + (dateline or E.split_dateline(body)[0])
            elif m.first < 10**9:
                where = _mention_context(title, body, m)
            else:
                where = "TITLE: " + title
            tag = "about" if c.code in about else "mention"
            lines.append((rec["id"], f"country-value:{c.code}", f"[{tag}] {where}"))
    return _pick(lines, COUNTRY_SEED)


def countries_report(records, show: bool = False) -> dict:
    """Precision of the country sample; with `show`, every line to judge."""
    return _sample_report(draw_countries(records), show)


def draw_organisations(records) -> list[tuple[str, str, str]]:
    """The seeded sample of organisation values (issue 22): (story id, "organisation:KEY", context of
    the first mention), from every value the organisation facet gives a story (about or mentioned),
    in the story's own language as indexing reads it. Right when the words name that body."""
    lines = []
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        with gazetteer.in_language(rec.get("language", "en")):
            a = E.analyse(title, body, date=rec.get("date"))
            ent = E.extract(title, body, date=rec.get("date"))
        for o in ent.organisations_mentioned:
            lines.append((rec["id"], f"organisation:{o.key}", _mention_context(title, body, a.organisations[o.key])))
    return _pick(lines, ORG_SEED)


def organisations_report(records, show: bool = False) -> dict:
    """Precision of the organisation sample; with `show`, every line to judge."""
    return _sample_report(draw_organisations(records), show)


def _sample_report(sample: list[tuple[str, str, str]], show: bool) -> dict:
    verdicts = judged()
    p, n, todo = precision(sample, verdicts)
    if show:
        for sid, val, ctx in sample:
            mark = {True: "1", False: "0"}.get(verdicts.get((sid, val)), "?")
            print(f"{mark}\t{sid}\t{val}\t{ctx}")
    return {"precision": None if p is None else round(p, 3), "judged": n, "unjudged": todo}


def people_report(records, show: bool = False) -> dict:
    """Precision of the person sample; with `show`, every line to judge."""
    return _sample_report(draw_people(records), show)


def _pick(lines: list[tuple[str, str, str]], seed: int = SEED) -> list[tuple[str, str, str]]:
    """SAMPLE lines chosen by a hash of (story, value): a random sample that stays the same when the
    extractor changes elsewhere (only lines it adds or drops come and go)."""
    def key(line):
        return hashlib.sha1(f"{seed}|{line[0]}|{line[1]}".encode()).hexdigest()
    return sorted(lines, key=key)[:SAMPLE]


def judged() -> dict[tuple[str, str], bool]:
    if not JUDGED.is_file():
        return {}
    return {(row[0], row[1]): row[2].strip() == "1" for row in _rows(JUDGED.name) if len(row) >= 3}


def precision(sample: list[tuple[str, str, str]], verdicts: dict) -> tuple[float | None, int, int]:
    """(precision over the judged lines, judged, unjudged)."""
    marks = [verdicts[(sid, val)] for sid, val, _ in sample if (sid, val) in verdicts]
    return (sum(marks) / len(marks) if marks else None), len(marks), len(sample) - len(marks)


def report(records, show: bool = False) -> dict:
    """Precision of the mention and company samples; with `show`, every line to judge."""
    samples = draw(records)
    verdicts = judged()
    out = {}
    for name, sample in samples.items():
        p, n, todo = precision(sample, verdicts)
        out[name] = {"precision": None if p is None else round(p, 3), "judged": n, "unjudged": todo}
        if show:
            for sid, val, ctx in sample:
                mark = {True: "1", False: "0"}.get(verdicts.get((sid, val)), "?")
                print(f"{mark}\t{sid}\t{val}\t{ctx}")
    return out
