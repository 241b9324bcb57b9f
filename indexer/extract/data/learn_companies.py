"""Writes `company_aliases.tsv`: the aliases of companies an archive teaches (issue 22.6).

    python -m indexer.extract.data.learn_companies [CORPUS.jsonl.gz] [--min N]

Why learnt, and from the dev split: a company is introduced once as "International Business
Machines Corp (IBM)" and named "IBM" in a hundred other stories; no library lists such pairs
for 1987's companies, and a hand list would miss most. The corpus (default: Reuters-21578's
dev split, stories reuters-1 .. reuters-11000; its test split is never read) is scanned with
the extractor's own company finder, and two kinds of pair are kept when seen at least N times
(default 2) and not taken by the gazetteer (a body or a country of that acronym):

- acronym definitions: "International Business Machines Corp (IBM)" -> the value is IBM, and
  "International Business Machines" is an alias of it;
- a one-word value and the same word with a family word after it ("Salomon" and "Salomon
  Brothers", `family_words` in companies.json): the longer one is the value;
- the first two words of a name of three or more ("Drexel Burnham" for Drexel Burnham Lambert),
  when no other name starts so and the two words were named with a legal form of their own at
  least once but ten times less often than the whole name (not "Credit Suisse": never so named);
- two spellings of one name ("Paine Webber" and "PaineWebber", "Trans Lux" and "Trans-Lux"): the
  commoner is the value;
- a value of two words or more and the same with a bank word after it ("Morgan Guaranty" and
  "Morgan Guaranty Trust", `bank_words`): the shorter one is the value ("X Co of New York" follows
  its stem: company_names.canonical);
- names of two words or more named with a legal form in NAMED stories ("Goldman Sachs and Co"):
  a story that writes the name without one ("lead underwriter Goldman Sachs") names it too.

The file is committed, so indexing needs no corpus; rerun this after changing companies.py.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"
DEV_LAST = 11000
USED = 5           # stories that write the acronym as a word
DEFINED = 3        # stories defining the acronym ("Arab Banking Corp (ABC)" twice is not enough: ABC the network)
NAMED = 5          # stories naming a company of two words or more with its legal form: matched without it
_TICKER = re.compile(r"<([A-Z]{2,6})>")
_WORD = re.compile(r"\b[A-Z]{2,8}\b")
_ROMAN = re.compile(r"[IVXLC]+")
_LOWER = re.compile(r"\b[a-z]{2,8}\b")


def _stories(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            n = rec["id"].rsplit("-", 1)[-1]
            if rec["id"].startswith("reuters-") and (not n.isdigit() or int(n) > DEV_LAST):
                continue
            yield rec


def learn(path: Path, least: int = 2) -> list[tuple[str, str, str]]:
    """(alias, value, why) of every pair the stories of `path` teach, by the kinds of the docstring
    (each kind keeps a pair an earlier kind chose)."""
    from indexer.extract import company_names
    from indexer.extract.gazetteer import _gaz

    g = _gaz()
    company_names.use_learnt_aliases(False)     # learn from the names as written, not as the last table maps them
    seen = _Seen()
    seen.count(path)
    rows: dict[str, tuple[str, str]] = {}
    _acronyms(seen, g, rows)
    _pairs(seen, least, rows)
    _named(seen, least, g, rows)
    _heads(seen, g, rows)
    company_names.use_learnt_aliases(True)
    return [(alias, v, why) for alias, (v, why) in sorted(rows.items())]


class _Seen:
    """What the stories say: the companies found, the acronyms defined and written as words."""

    def __init__(self) -> None:
        self.defined: Counter = Counter()
        self.values: Counter = Counter()
        self.alone: Counter = Counter()          # stories writing the acronym as a word (not as a ticker)
        self.lower: Counter = Counter()          # stories writing it in lower case: a word ("gene", "dec")

    def count(self, path: Path) -> None:
        from indexer.extract import companies, entities
        for rec in _stories(path):
            body = rec.get("body") or ""
            # "International Business Machines Corp <IBM>": the wire's ticker defines the acronym too
            found = companies.find(rec.get("title") or "", _TICKER.sub(r"(\1)", body),
                                   entities.is_caps(rec.get("title") or ""))
            self.alone.update(set(_WORD.findall(_TICKER.sub(" ", body))))
            self.lower.update(set(_LOWER.findall(body)))
            for value, m in found.items():
                self.values[value] += 1
                for acr in m.aliases:
                    if re.fullmatch(r"[A-Z]{2,8}", acr) and acr != value:
                        self.defined[(value, acr)] += 1


def _acronyms(seen: _Seen, g, rows: dict) -> None:
    """Acronym definitions: the value is the form the stories use most (IBM over International
    Business Machines)."""
    from indexer.extract.places import _places, _state_key
    states = _places().states
    values, alone, defined = seen.values, seen.alone, seen.defined
    by_acr: dict[str, list[str]] = {}
    for (value, acr), n in defined.items():
        if n >= DEFINED:
            by_acr.setdefault(acr, []).append(value)
    for acr, names in sorted(by_acr.items()):
        taken = acr.casefold() in g.org_lookup or g.lookup.get(acr.casefold())
        name = names[0] if len(names) == 1 else ""
        used = alone[acr]
        if (not name or taken or acr in g.caps_words or used < USED or seen.lower[acr.lower()]
                or acr in name.split() or _state_key(acr) in states or _ROMAN.fullmatch(acr)):
            continue                     # XON (Exxon's ticker) nobody writes; DEC and GENE are words
        why = f"defined as ({acr}) in {defined[(name, acr)]} stories; {acr} written in {used}, the name in {values[name]}"
        rows[name if used >= values[name] else acr] = (acr if used >= values[name] else name, why)


def _pairs(seen: _Seen, least: int, rows: dict) -> None:
    """A family word after a one-word value, two spellings of one name, a bank word after a value."""
    values = seen.values
    family = frozenset(json.loads((HERE / "companies.json").read_text(encoding="utf-8"))["family_words"])
    for value, n in values.items():
        words = value.split()
        if len(words) == 2 and words[1] in family and values[words[0]] >= least and n >= least:
            rows.setdefault(words[0], (value, f"'{words[0]}' alone in {values[words[0]]} stories, '{value}' in {n}"))
    spellings: dict[str, list[str]] = {}  # "Paine Webber" and "PaineWebber", "Trans Lux" and "Trans-Lux": one company
    for value in values:
        spellings.setdefault(re.sub(r"[^a-z0-9]", "", value.casefold()), []).append(value)
    for same in spellings.values():
        if len(same) > 1 and sum(values[v] for v in same) >= least:
            top = max(same, key=lambda v: (values[v], v))
            for v in same:
                if v != top:
                    rows.setdefault(v, (top, f"spelt '{top}' in {values[top]} stories, '{v}' in {values[v]}"))
    bank = frozenset(json.loads((HERE / "companies.json").read_text(encoding="utf-8"))["bank_words"])
    for value, n in values.items():      # "Morgan Guaranty Trust" is the bank of Morgan Guaranty
        words = value.split()
        stem = " ".join(words[:-1])
        if len(words) >= 3 and words[-1] in bank and values[stem] >= least and n >= least:
            rows.setdefault(value, (stem, f"'{stem}' in {values[stem]} stories, '{value}' in {n}"))


def _named(seen: _Seen, least: int, g, rows: dict) -> None:
    """Names of two words or more named with a legal form in NAMED stories ("Goldman Sachs and Co")."""
    values = seen.values
    bodies = [e.org.name for e in g.orgs]
    for value, n in values.items():      # "lead underwriter Goldman Sachs": a name the archive knows
        co_of = re.match(r"(.+?) Co of ", value)        # "Morgan Guaranty Trust Co of New York": its stem's
        tail = value.rsplit(" and ", 1)[-1]
        if (co_of and values[co_of.group(1)] >= least) or (tail != value and values[tail] >= NAMED):
            continue                     # "Wagner and Brown and AFG Industries": two companies
        if (n >= NAMED and " " in value and value not in rows and not g.lookup.get(value.casefold())
                and not any(b.endswith(" " + value) for b in bodies)):      # "(Securities and) Exchange Commission"
            rows[value] = (value, f"named with a legal form in {n} stories")


def _heads(seen: _Seen, g, rows: dict) -> None:
    """"Drexel Burnham analyst ...": the first two words of a longer name learnt by `_named`."""
    values = seen.values
    named = [v for v, (target, why) in rows.items() if v == target and why.startswith("named")]
    heads = Counter(" ".join(v.split()[:2]) for v in named)
    for value in named:
        words = value.split()
        head = " ".join(words[:2])
        if (len(words) >= 3 and heads[head] == 1 and all(w[:1].isupper() for w in words[:2])
                and head not in rows and head not in {t for t, _ in rows.values()}
                and 1 <= values[head] and values[head] * 10 < values[value] and not g.lookup.get(head.casefold())):
            rows[head] = (value, f"short for '{value}' ({values[value]} stories; '{head}' alone {values[head]})")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--min", type=int, default=2)
    args = ap.parse_args(argv)
    rows = learn(args.corpus, args.min)
    with (HERE / "company_aliases.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["alias", "value", "why"])
        w.writerows(rows)
    print(f"{len(rows)} aliases written")


if __name__ == "__main__":
    main()
