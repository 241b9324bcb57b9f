"""Fresh judged samples of the company and source facets (issue 22), drawn from every corpus.

Why samples of their own beside `evaluate_sample`'s: that company sample (seed 14) is the one the
company rules were corrected on, and it reads only Reuters' dev split. These are drawn with seeds
the rules never saw, from all of Reuters-21578, the German gnad stories and the saved web pages,
and judged by reading each value in its story; the verdicts live in data files of their own with
the reason (data/judged_companies.tsv, data/judged_sources.tsv):

- companies: 200 company values (story id, "company:VALUE", the text around the first mention);
  right when the value names one company, whole and nothing else, and names it by the value the
  facet gives the same company elsewhere ("Goldman Sachs", not "Sachs" or "Goldman Sachs
  International");
- sources: 200 source values of saved web pages (one a page: "page:FILE", "source:VALUE", the
  page's address, declared site name, publisher and <title>); right when the value names the
  outlet, site or organisation that published the page, and nothing else (no slogan, no headline,
  no section).

Web pages cost trafilatura's extraction (~0.2 s a page), so the pages read are a seeded draw of
PAGES of the 990 (the same draw for both samples); the sample is drawn from their values. A
seed is changed only for a fresh draw after the rules were corrected on the previous one; the
seeds used are listed at the head of each data file.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from indexer.extract import entities as E
from indexer.extract import gazetteer
from tests.eval.sample import _as_scanned, _context, _pick, precision
from indexer.extract.gazetteer import DATA, _rows

COMPANY_SEED = 2204
SOURCE_SEED = 2203
PAGES = 260            # pages read of the 990 (every page yields a source; ~1 in 5 a company)
COMPANIES = DATA / "judged_companies.tsv"
SOURCES = DATA / "judged_sources.tsv"


def _hash(seed: int, key: str) -> str:
    return hashlib.sha1(f"{seed}|{key}".encode()).hexdigest()


@lru_cache(maxsize=2)
def page_records(path: Path, seed: int = SOURCE_SEED, count: int = PAGES, declared: bool = True) -> tuple[dict, ...]:
    """The seeded draw of saved pages, read as the indexer reads them: id "page:FILE", title, body,
    language, source, and (with `declared`) what the page declares, for the judge: address, site
    name, <title> (the tests skip it: a second parse of every page)."""
    from tests.eval.html import _decode, load
    from indexer.index.prepare import language_and_dateline
    from indexer.read.html import _metadata, _name, _tree, parse_html

    pages = sorted(load(path), key=lambda p: _hash(seed, p[0]["file"]))[:count]
    out = []
    for item, raw in pages:
        text, _ = _decode(raw, item["file"], html=True)
        docs, _ = parse_html(text or "", item["file"], item["file"], url=item.get("url", ""))
        if not docs:
            continue
        doc = docs[0]
        tree = _tree(text or "") if declared else None
        m = _metadata(tree) if tree is not None else {"meta": {}, "article": {}, "title_tag": "", "url": ""}
        lang, _, _ = language_and_dateline(doc)
        said = (f"url={item.get('url') or m['url']} | og:site_name={m['meta'].get('og:site_name', '')} | "
                f"publisher={_name(m['article'].get('publisher'))} | title={m['title_tag'][:120]}")
        out.append({"id": f"page:{item['file']}", "title": doc.title, "body": doc.body, "language": lang,
                    "source": doc.source, "declared": said})
    return tuple(out)


def draw_companies(records) -> list[tuple[str, str, str]]:
    """The seeded sample of company values: (story id, "company:VALUE", context of the first mention)."""
    lines = []
    for rec in records:
        title, body = rec.get("title", "") or "", rec.get("body", "") or ""
        with gazetteer.in_language(rec.get("language", "en")):
            a = E.analyse(title, body, date=rec.get("date"))
        rest = _as_scanned(body)
        for value, m in a.companies.items():
            where = (_context(rest, m.first, m.first + len(value)) if m.first < len(rest)
                     else "TITLE: " + title)
            lines.append((rec["id"], f"company:{value}", where))
    return _pick(lines, COMPANY_SEED)


def draw_sources(pages) -> list[tuple[str, str, str]]:
    """The seeded sample of source values: one a page, with what the page declares."""
    lines = [(p["id"], f"source:{p['source']}", p["declared"]) for p in pages if p["source"]]
    return _pick(lines, SOURCE_SEED)


def judged(path: Path) -> dict[tuple[str, str], bool]:
    if not path.is_file():
        return {}
    return {(row[0], row[1]): row[2].strip() == "1" for row in _rows(path.name) if len(row) >= 3}


def report(sample: list[tuple[str, str, str]], path: Path, show: bool = False) -> dict:
    """Precision over the judged lines of a sample; with `show`, every line to judge."""
    verdicts = judged(path)
    p, n, todo = precision(sample, verdicts)
    if show:
        for sid, val, ctx in sample:
            mark = {True: "1", False: "0"}.get(verdicts.get((sid, val)), "?")
            print(f"{mark}\t{sid}\t{val}\t{ctx}")
    return {"precision": None if p is None else round(p, 3), "judged": n, "unjudged": todo, "size": len(sample)}


CHECK = DATA / "company_check.json"


def company_check(records) -> list[dict]:
    """The 30-company check: for each company of data/company_check.json, the stories whose title or
    body writes one of its forms (regular expressions chosen by reading the stories), and how many of
    them carry the company's one value ("a mention" is a story: the facet counts stories)."""
    import re
    spec = json.loads(CHECK.read_text(encoding="utf-8"))["companies"]
    pats = [(c["value"], re.compile("|".join(c["forms"]))) for c in spec]
    out = {v: {"value": v, "stories": 0, "under_value": 0, "misses": []} for v, _ in pats}
    for rec in records:
        title, body = rec.get("title") or "", rec.get("body") or ""
        hits = [v for v, p in pats if p.search(title + "\n" + body)]
        if not hits:
            continue
        with gazetteer.in_language(rec.get("language", "en")):
            values = set(E.analyse(title, body, date=rec.get("date")).companies)
        for v in hits:
            out[v]["stories"] += 1
            if v in values:
                out[v]["under_value"] += 1
            else:
                out[v]["misses"].append(rec["id"])
    return list(out.values())


def story_records(reuters: Path) -> list[dict]:
    """All of Reuters-21578, then the German gnad stories beside it (language "de", when present)."""
    import gzip
    out = []
    for path, extra in ((reuters, {}), (reuters.parent / "gnad-test.jsonl.gz", {"language": "de"})):
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                out.extend({**json.loads(line), **extra} for line in f)
    return out


def main(argv=None) -> int:
    """Print the current draws to judge (unjudged lines marked '?') and the 30-company check."""
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[3]
                    / "shared" / "corpus" / "reuters21578.jsonl.gz")
    ap.add_argument("--check", action="store_true", help="print the 30-company check, not the samples")
    args = ap.parse_args(argv)
    stories = story_records(args.corpus)
    if args.check:
        for c in company_check(stories):
            print(f"{c['value']}: {c['under_value']}/{c['stories']}  misses: {' '.join(c['misses'][:8])}")
        return 0
    pages = page_records(args.corpus.parent / "web-pages.tar.gz")
    for name, sample, path in (("companies", draw_companies(stories + list(pages)), COMPANIES),
                               ("sources", draw_sources(pages), SOURCES)):
        print(f"# {name}: {report(sample, path, show=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
