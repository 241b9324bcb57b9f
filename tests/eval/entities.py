"""Score the entity extractor against Reuters-21578's gold `places` and `orgs` (the dev split).

    python -m tests.eval.entities [--corpus PATH] [--limit N] [--ids FROM-TO] [--top K] [--json]

Countries: micro precision, recall and F1 of extracted country codes against the story's `places`
mapped through `data/reuters_places.tsv` (codes not listed there map through find_country).
Organisations: recall of the gold `orgs` (mapped through the gazetteer's `reuters` field), and
precision counting only extracted organisations that are one of Reuters' intergovernmental bodies
(companies, ministries and news agencies we also extract are neither right nor wrong here).
The worst confusions (most frequent false positives and misses) show what to improve next.
`--ids 8001-11000` scores part of the split (rules tuned on reuters-1..8000 are checked there).
The extractor gets the dateline the document reader parses, as the indexer does (prepare.py).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from indexer.extract import entities as E
from tests.eval import sample as evaluate_sample
from indexer.read.newstext import split_dateline

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"
GNAD = "gnad-test.jsonl.gz"        # beside the Reuters file: German stories for the person sample


def reuters_place_map() -> dict[str, str]:
    m = {}
    for row in E._rows("reuters_places.tsv"):
        m[row[0]] = row[1]
    return m


def gold_country(code: str, table: dict[str, str]) -> str:
    if code in table:
        return table[code]
    c = E.find_country(code.replace("-", " "))
    return c.code if c else f"?{code}"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_pos: Counter = field(default_factory=Counter)
    misses: Counter = field(default_factory=Counter)

    def add(self, got: set[str], gold: set[str]) -> None:
        self.tp += len(got & gold)
        self.fp += len(got - gold)
        self.fn += len(gold - got)
        self.false_pos.update(got - gold)
        self.misses.update(gold - got)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self, top: int = 10) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "false_positives": self.false_pos.most_common(top), "misses": self.misses.most_common(top)}


def dev_records(path: Path, limit: int | None = None, ids: tuple[int, int] | None = None):
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if "places" not in rec:
                continue
            if ids and not ids[0] <= int(rec["id"].rsplit("-", 1)[1]) <= ids[1]:
                continue
            yield rec
            n += 1
            if limit and n >= limit:
                return


def evaluate(records, use_date: bool = True) -> dict:
    """Score extract() over records with gold labels; returns a JSON-ready dict."""
    places = reuters_place_map()
    orgmap = E.reuters_org_map()
    scored_orgs = set(orgmap.values())
    countries, labelled, orgs, orgs_indexed = Score(), Score(), Score(), Score()
    n = 0
    elapsed = 0.0
    for rec in records:
        title, body = rec.get("title", ""), rec.get("body", "")
        dateline = split_dateline(body.strip())[0]      # as the indexer reads it (documents.py)
        t0 = time.perf_counter()
        ent = E.extract(title, body, dateline, date=rec.get("date") if use_date else None)
        elapsed += time.perf_counter() - t0
        n += 1
        got, gold = {c.code for c in ent.countries}, {gold_country(p, places) for p in rec.get("places", [])}
        countries.add(got, gold)
        if gold:                         # docs/evaluation.md, "Stories without a place": both figures shown
            labelled.add(got, gold)
        got = {o.key for o in ent.organisations if o.key in scored_orgs}
        gold = {orgmap.get(o, f"?{o}") for o in rec.get("orgs", [])}
        orgs.add(got, gold)
        if rec.get("places") or rec.get("orgs"):
            orgs_indexed.add(got, gold)
    return {"stories": n, "ms_per_story": round(1000 * elapsed / n, 4) if n else 0.0,
            "countries": countries, "countries_labelled": labelled,
            "organisations": orgs, "organisations_indexed": orgs_indexed}


def _id_range(text: str) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in text.split("-", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a range of story numbers: {text!r} (e.g. 8001-11000)") from None
    return lo, hi


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.entities", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="Reuters JSON Lines (.jsonl.gz)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N labelled stories")
    ap.add_argument("--ids", type=_id_range, default=None, metavar="FROM-TO",
                    help="only stories reuters-FROM .. reuters-TO (e.g. 8001-11000)")
    ap.add_argument("--top", type=int, default=15, help="how many confusions to show")
    ap.add_argument("--no-date", action="store_true", help="do not pass the story date to extract()")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--sample", action="store_true",
                    help="print the 200-line mention, company, person and country samples with context, to judge")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    E._gaz()  # load the gazetteers outside the timing
    E._places()
    res = evaluate(dev_records(args.corpus, args.limit, args.ids), use_date=not args.no_date)
    c, o = res["countries"], res["organisations"]
    if args.json:
        print(json.dumps({"stories": res["stories"], "ms_per_story": res["ms_per_story"],
                          "countries": c.as_dict(args.top),
                          "countries_labelled": res["countries_labelled"].as_dict(args.top),
                          "organisations": o.as_dict(args.top),
                          "organisations_indexed": res["organisations_indexed"].as_dict(args.top)}, indent=1))
        return 0
    if args.sample:
        evaluate_sample.report(dev_records(args.corpus), show=True)
        evaluate_sample.people_report(_people_records(args.corpus), show=True)
        evaluate_sample.countries_report(_people_records(args.corpus), show=True)
        evaluate_sample.organisations_report(_people_records(args.corpus), show=True)
        return 0
    part = f"reuters-{args.ids[0]}..{args.ids[1]}" if args.ids else "dev split"
    _print_scores(res, part + ("" if part == "dev split" else " of the dev split"), _baseline().get(part))
    for label, s in (("countries", c), ("organisations", o)):
        print(f"\n{label}: most frequent false positives")
        print("  " + ", ".join(f"{k} {v}" for k, v in s.false_pos.most_common(args.top)))
        print(f"{label}: most frequent misses")
        print("  " + ", ".join(f"{k} {v}" for k, v in s.misses.most_common(args.top)))
    if args.ids is None and args.limit is None:      # `make eval`: the held-out part and the samples too
        held = evaluate(dev_records(args.corpus, ids=HELD_OUT), use_date=not args.no_date)
        part = f"reuters-{HELD_OUT[0]}..{HELD_OUT[1]}"
        print()
        _print_scores(held, part + " (held out: rules tuned on 1..8000)", _baseline().get(part))
        print("\nprecision on samples judged by reading (python -m tests.eval.entities --sample prints them):")
        for name, r in evaluate_sample.report(dev_records(args.corpus)).items():
            what = {"mention": "mentions a story is not about (the 'Any mention' switch adds them)",
                    "company": "companies"}[name]
            p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
            print(f"  {what}: precision {p} over {r['judged']} judged"
                  + (f" ({r['unjudged']} new lines unjudged)" if r["unjudged"] else "") + "  (new: no figure before)")
        r = evaluate_sample.people_report(_people_records(args.corpus))
        p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        print(f"  people (Reuters dev split and gnad): precision {p} over {r['judged']} judged"
              + (f" ({r['unjudged']} new lines unjudged)" if r["unjudged"] else "") + "  (new facet: issue 22)")
        r = evaluate_sample.countries_report(_people_records(args.corpus))
        p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        print(f"  country values, about or mentioned (Reuters dev split and gnad): precision {p} over {r['judged']} judged"
              + (f" ({r['unjudged']} new lines unjudged)" if r["unjudged"] else "") + "  (issue 22)")
        r = evaluate_sample.organisations_report(_people_records(args.corpus))
        p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        print(f"  organisations (Reuters dev split and gnad): precision {p} over {r['judged']} judged"
              + (f" ({r['unjudged']} new lines unjudged)" if r["unjudged"] else "") + "  (issue 22)")
    return 0


def _people_records(corpus: Path):
    """Reuters' dev split, then the German gnad stories beside it (when present), for the person sample."""
    yield from dev_records(corpus)
    gnad = corpus.parent / GNAD
    if gnad.is_file():
        with gzip.open(gnad, "rt", encoding="utf-8") as f:
            for line in f:
                yield {**json.loads(line), "language": "de"}


HELD_OUT = (8001, 11000)


def _baseline() -> dict:
    path = E.DATA / "eval_baseline.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _print_scores(res: dict, part: str, before: dict | None) -> None:
    """The about figures, with the figures before issue 14 beside them."""
    c, o = res["countries"], res["organisations"]
    before = before or {}

    def was(key: str) -> str:
        b = before.get(key)
        return f"   [before: P {b[0]:.3f} R {b[1]:.3f}]" if b else ""
    print(f"stories scored: {res['stories']} ({part}), extract(): {res['ms_per_story']:.3f} ms per story")
    print(f"countries      precision {c.precision:.3f}  recall {c.recall:.3f}  F1 {c.f1:.3f}"
          f"   (tp {c.tp}, fp {c.fp}, fn {c.fn}){was('countries')}")
    lab = res["countries_labelled"]
    print(f"  on stories Reuters gave a place ({lab.tp + lab.fn} gold values): precision {lab.precision:.3f}"
          f"  recall {lab.recall:.3f}  F1 {lab.f1:.3f}   (tp {lab.tp}, fp {lab.fp}, fn {lab.fn})")
    print(f"organisations  precision {o.precision:.3f}  recall {o.recall:.3f}  F1 {o.f1:.3f}"
          f"   (tp {o.tp}, fp {o.fp}, fn {o.fn}; precision over Reuters' bodies only){was('organisations')}")
    x = res.get("organisations_indexed")
    if x is not None:      # 854 of 11,000 stories carry no place and no org: Reuters' indexers never labelled them
        print(f"  (stories Reuters labelled)  precision {x.precision:.3f}  recall {x.recall:.3f}"
              f"   (tp {x.tp}, fp {x.fp}, fn {x.fn}; a story with no place and no org was never indexed)")


if __name__ == "__main__":
    sys.exit(main())
