"""How far any "about" rule of position and count can go on Reuters' labels (issue 22).

    python -m tests.eval.ceiling [--corpus PATH]

The salience rules (entity_rules: headline, dateline, lead, mention counts, story length) decide
whether a story is *about* a value it names. This measures the best any such rule could score on
the dev split, by fitting one to the gold labels: every (story, value) pair the extractor finds,
and every gold value it never finds, falls in a cell of the features such a rule can read; the
cells are taken best first (by the share of their pairs that are gold) and the best figure over
every prefix is printed. That is an upper bound, and a generous one: it is fitted to the very
labels it is scored on (a rule a journalist would accept has far fewer cells), so a target above
it cannot be met by re-tuning the salience rule, only by reading stories differently. Fitted on
reuters-1..5500 and applied to 5501..11000, it shows how much of it is fitting.

- countries: features dateline, headline, body or none, names (0-5+), demonyms (0-3+), capitals
  (0-2+), states, currencies, in the lead, brief/medium/long story, capital near its name;
  figure: F1 over all values (as `make eval` scores it);
- organisations: headline, brief, lead (with its spill), mentions (1-5+), where the first mention
  falls (quarter of the body), long story; figure: the best precision at recall >= 0.90, without
  and with the body's identity (a cell per body: a rule that knows Reuters' habits per body).
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from indexer.extract import entities as E
from indexer.read.newstext import split_dateline
from tests.eval.entities import DEFAULT_CORPUS, dev_records, gold_country, reuters_place_map


def _pairs(records):
    """(story number, 'c' or 'o', features, is gold) for every value found or gold."""
    places, orgmap = reuters_place_map(), E.reuters_org_map()
    scored = set(orgmap.values())
    for rec in records:
        n = int(rec["id"].rsplit("-", 1)[1])
        title, body = rec.get("title", ""), rec.get("body", "")
        a = E.analyse(title, body, split_dateline(body.strip())[0], date=rec.get("date"))
        size = 0 if a.body_tokens <= 30 else 1 if a.body_tokens <= 150 else 2
        gold = {gold_country(p, places) for p in rec.get("places", [])}
        for k, m in a.countries.items():
            names = m.count - m.capitals - m.demonyms - m.subdivisions - m.currencies
            f = (m.in_dateline, m.in_title, bool(body.strip()), min(names, 5), min(m.demonyms, 3), min(m.capitals, 2),
                 m.subdivisions > 0, m.currencies > 0, m.first < a.lead_tokens, size, m.near)
            yield n, "c", f, k in gold
        for _k in gold - set(a.countries):
            yield n, "c", "absent", True
        gold = {orgmap.get(o, "?" + o) for o in rec.get("orgs", [])}
        for k, m in a.organisations.items():
            if k not in scored or not m.count:
                continue
            quarter = min(4 * m.first // max(a.body_tokens, 1), 4) if m.first < 10**9 else 5
            f = (m.in_title, size == 0, m.first < a.lead_tokens + 15, min(m.count, 5), quarter, a.body_tokens > 300)
            yield n, "o", (f, k), k in gold
        for k in gold - {k for k, m in a.organisations.items() if m.count}:
            yield n, "o", ("absent", k), True


def _cells(pairs, key):
    cells = defaultdict(lambda: [0, 0])
    for p in pairs:
        cells[key(p)][0 if p[3] else 1] += 1
    return cells


def _ranked(cells, rest=()):
    """The cells best first (share of gold); cells the fit never saw (`rest`) last, in any order."""
    def found(c):
        return c != "absent" and not (isinstance(c, tuple) and c[0] == "absent")
    order = sorted((c for c in cells if found(c)), key=lambda c: -cells[c][0] / sum(cells[c]))
    return order + [c for c in rest if found(c) and c not in cells]


def _running(pairs, key, fit=None):
    """(tp, fp, gold) after each cell of `fit` (default: `pairs` themselves) is taken, best first,
    counted on `pairs`: the one walk both measures below read."""
    cells = _cells(pairs, key)
    order = _ranked(_cells(fit or pairs, key), cells)
    gold = sum(1 for p in pairs if p[3])
    tp = fp = 0
    for c in order:
        tp += cells[c][0] if c in cells else 0
        fp += cells[c][1] if c in cells else 0
        yield tp, fp, gold


def best_f1(pairs, key, fit=None) -> float:
    """The best F1 of taking the cells of `fit` (default: `pairs` themselves) best first, scored on `pairs`."""
    return max((2 * tp / (2 * tp + fp + gold - tp) for tp, fp, gold in _running(pairs, key, fit) if tp),
               default=0.0)


def best_precision(pairs, key, floor: float = 0.90, fit=None) -> float:
    """The best precision at recall >= `floor`, the cells taken as in `best_f1`."""
    return max((tp / (tp + fp) for tp, fp, gold in _running(pairs, key, fit) if gold and tp / gold >= floor),
               default=0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.ceiling", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    pairs = list(_pairs(dev_records(args.corpus)))
    cs = [p for p in pairs if p[1] == "c"]
    os_ = [p for p in pairs if p[1] == "o"]
    c1, c2 = [p for p in cs if p[0] <= 5500], [p for p in cs if p[0] > 5500]
    o1, o2 = [p for p in os_ if p[0] <= 5500], [p for p in os_ if p[0] > 5500]

    def cell(p):
        return p[2]

    def no_key(p):
        return p[2] if p[2][0] == "absent" else p[2][0]
    print("the best any position-and-count rule could score, fitted to Reuters' labels (dev split):")
    print(f"  countries F1 {best_f1(cs, cell):.3f} (target 0.95); fitted on 1..5500, on 5501..11000: "
          f"{best_f1(c2, cell, fit=c1):.3f} (fitted there: {best_f1(c2, cell):.3f})")
    print(f"  organisations, precision at recall >= 0.90 (target 0.85): {best_precision(os_, no_key):.3f} from position "
          f"and count; {best_precision(os_, cell):.3f} with a cell per body; fitted on 1..5500, on 5501..11000: "
          f"{best_precision(o2, no_key, fit=o1):.3f} / {best_precision(o2, cell, fit=o1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
