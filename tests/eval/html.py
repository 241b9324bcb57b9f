"""Score the HTML reader on trafilatura's evaluation set: is the article in, and the site out?

    python -m tests.eval.html [--pages PATH] [--limit N] [--json]

`../shared/corpus/web-pages.tar.gz` (990 saved pages, read in place with `tarfile`)
lists for each page text segments of its main text (`with`) and of its boilerplate
(`without`: menus, footers, teasers, cookie notices). A `with` segment found in the
story's text is a true positive, one missed a false negative; a `without` segment
found is a false positive. Scored as trafilatura's own evaluation scores it
(substring of the extracted text), over all segments, for:

- `body`: the text NewsFacet indexes as the story's body (trafilatura's main text);
- `title+body`: everything indexed, the headline read from the page's metadata too;
- `all visible text`: the baseline of keeping every text node (what we did before).

Pages are decoded as `newsfacet index` decodes a file (documents._decode), so the
figures are those of the indexer. Pages per second are for one process.
"""
from __future__ import annotations

import argparse
import json
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.read.documents import _decode
from indexer.read.html import _tree, _visible_text, parse_html

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES = ROOT.parent / "shared" / "corpus" / "web-pages.tar.gz"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, text: str, with_: list[str], without: list[str]) -> None:
        found = [s in text for s in with_]
        self.tp += sum(found)
        self.fn += len(found) - sum(found)
        bad = sum(s in text for s in without)
        self.fp += bad
        self.tn += len(without) - bad

    def figures(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)}


def load(path: Path, limit: int | None = None):
    """[(segments record, raw bytes)] read from the tar in place."""
    with tarfile.open(path) as tar:
        members = {m.name.rsplit("/", 1)[-1]: m for m in tar.getmembers() if m.isfile() and "/pages/" in m.name}
        seg = next(m for m in tar.getmembers() if m.name.endswith("segments.jsonl"))
        items = [json.loads(line) for line in tar.extractfile(seg).read().decode("utf-8").splitlines() if line.strip()]
        items = items[:limit] if limit else items
        return [(it, tar.extractfile(members[it["file"]]).read()) for it in items if it["file"] in members]


def evaluate(pages) -> dict:
    body, indexed, visible = Score(), Score(), Score()
    seconds = 0.0
    for item, raw in pages:
        text, _ = _decode(raw, item["file"], html=True)
        text = text or ""
        started = time.perf_counter()
        docs, _ = parse_html(text, item["file"], item["file"], url=item.get("url", ""))
        seconds += time.perf_counter() - started
        doc = docs[0] if docs else None
        body.add(doc.body if doc else "", item["with"], item["without"])
        indexed.add(f"{doc.title}\n{doc.body}" if doc else "", item["with"], item["without"])
        tree = _tree(text)
        all_text = " ".join(_visible_text(tree).split()) if tree is not None else ""
        visible.add(all_text, item["with"], item["without"])
    return {"pages": len(pages), "pages_per_s": round(len(pages) / seconds, 1) if seconds else 0.0,
            "body": body.figures(), "title+body": indexed.figures(), "all visible text": visible.figures(),
            "published": {"trafilatura 2.2 standard": {"f1": 0.924}, "html_text (all visible text)": {"f1": 0.691}}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.pages.is_file():
        print(f"error: {args.pages} not found (the saved web pages of ../shared/corpus)", file=sys.stderr)
        return 2
    result = evaluate(load(args.pages, args.limit))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['pages']} pages, {result['pages_per_s']} pages/s (one process, reading only)")
    print(f"{'':22} precision  recall  F1")
    for name in ("body", "title+body", "all visible text"):
        f = result[name]
        print(f"{name:22} {f['precision']:9.3f}  {f['recall']:6.3f}  {f['f1']:.3f}")
    print("published: trafilatura 2.2 standard F1 0.924; all visible text (html_text) F1 0.691")
    return 0


if __name__ == "__main__":
    sys.exit(main())
