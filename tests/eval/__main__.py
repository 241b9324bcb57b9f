"""`make eval` (after the entity evaluation): spelling help and near-duplicate grouping on Reuters-21578.

    python -m tests.eval [--corpus PATH] [--eval-dir DIR] [--typos N] [--reuse] [--only spelling|dedup]

Indexes the corpus into DIR/index (default .eval/; `--reuse` keeps an index an
earlier run built), then prints, as JSON:
- spelling: the share of single-edit typos of words occurring >= 20 times whose
  correction is the original word (target >= 0.90), per kind of edit, and the same
  for real misspellings found in the corpus (tests/eval/spelling.py);
- dedup: every pair of stories within 7 days whose 3-word-shingle Jaccard similarity
  is >= 0.8 (MinHash-LSH candidates, verified exactly), the share of them the index
  puts in one near-duplicate group (target >= 0.95), and the grouped pairs below 0.5
  (target none) (tests/eval/dedup.py).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def records(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def index(corpus: Path, eval_dir: Path, reuse: bool):
    from indexer.index.build import build_index
    from indexer.search import Archive
    ix = eval_dir / "index"
    if not (reuse and (ix / "current").exists()):
        src = eval_dir / "src"
        src.mkdir(parents=True, exist_ok=True)
        link = src / corpus.name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(corpus.resolve(), link)
        log(f"indexing {corpus} into {ix} …")
        build_index([src], ix, rebuild=True, progress=False)
    return Archive(ix)


def spelling_figures(archive, recs: list[dict], n: int) -> dict:
    from whoosh.lang.porter import stem

    from indexer.query.didyoumean import did_you_mean
    from . import spelling as S
    live = archive.current_generation()
    occ, docs = S.word_counts(recs)
    known = S.known_in(live)
    typos, real_words = S.typo_set(occ, docs, known, n)
    started = time.perf_counter()
    single = S.evaluate(live, typos)
    single["ms_per_typo"] = round((time.perf_counter() - started) * 1000 / max(1, len(typos)), 1)
    single["left_out_as_real_words"] = real_words
    corpus = S.evaluate(live, S.corpus_misspellings(occ, docs, known, stem))
    return {"single_edits": single, "corpus_misspellings": corpus,
            "cofee brazl": did_you_mean(live, "cofee brazl")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWSFACET_CORPUS") or DEFAULT_CORPUS))
    ap.add_argument("--eval-dir", type=Path, default=ROOT / ".eval")
    ap.add_argument("--typos", type=int, default=1000)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--only", choices=("spelling", "dedup"))
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        log(f"corpus not found: {args.corpus}")
        return 2
    recs = records(args.corpus)
    archive = index(args.corpus, args.eval_dir, args.reuse)
    out = {}
    if args.only in (None, "spelling"):
        log("spelling …")
        out["spelling"] = spelling_figures(archive, recs, args.typos)
    if args.only in (None, "dedup"):
        from . import dedup
        log("near-duplicates …")
        out["dedup"] = dedup.figures(recs, archive)
    archive.close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
