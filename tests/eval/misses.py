"""Where the country facet's misses on Reuters' dev split come from (issue 22, recall).

    python -m tests.eval.misses [--corpus PATH] [--ids FROM-TO] [--show]

Every false negative (a gold place the story is not given as "about") falls in one class:

  (a) mentioned       the story's countries_mentioned hold it: the "about" rule left it out
  (a') candidate      the scan noted it (a capital alone, a state, a currency) but it is no mention
  (b) not extracted   nothing in the story was read as that country

Class (a) is what re-tuning the "about" rule could win (`python -m tests.eval.ceiling` bounds it);
class (b) needs the text to be read differently, or has nothing in the text to read. `--show`
prints each story of class (b), its headline and the start of its body, to read and group by cause
(docs/facets.md, "Issue 22, fourth pass", has the groups found on the dev split).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from indexer.extract import entities as E
from indexer.read.newstext import split_dateline
from tests.eval.entities import DEFAULT_CORPUS, _id_range, dev_records, gold_country, reuters_place_map

HALF = 5500          # reuters-1..5500 and 5501..11000: the two halves a change must move together


def classify(records):
    """Yield (story id, gold code, class, record) for every false negative."""
    places = reuters_place_map()
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        dateline = split_dateline(body.strip())[0]
        a = E.analyse(title, body, dateline, rec.get("date"))
        ent = E.extract(title, body, dateline, date=rec.get("date"))
        got = {c.code for c in ent.countries}
        mentioned = {c.code for c in ent.countries_mentioned}
        for code in sorted({gold_country(p, places) for p in rec.get("places", [])} - got):
            kind = "a mentioned" if code in mentioned else "a' candidate" if code in a.countries else "b not extracted"
            yield rec["id"], code, kind, rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.misses", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--ids", type=_id_range, default=None, metavar="FROM-TO")
    ap.add_argument("--show", action="store_true", help="print the stories of class (b)")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    counts: Counter = Counter()
    for sid, code, kind, rec in classify(dev_records(args.corpus, ids=args.ids)):
        half = 1 if int(sid.rsplit("-", 1)[1]) <= HALF else 2
        counts[kind] += 1
        counts[(kind, half)] += 1
        if args.show and kind.startswith("b"):
            body = " ".join((rec.get("body") or "").split())
            print(f"{sid} {code} gold={','.join(rec.get('places', []))} | {rec.get('title', '')}\n    {body[:300]}")
    total = sum(v for k, v in counts.items() if isinstance(k, str))
    print(f"false negatives: {total}")
    for kind in ("a mentioned", "a' candidate", "b not extracted"):
        print(f"  {kind:16} {counts[kind]:5}   (reuters-1..{HALF}: {counts[(kind, 1)]}, "
              f"{HALF + 1}..11000: {counts[(kind, 2)]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
