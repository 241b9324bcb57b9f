"""Measure the multilingual side: datelines, language detection, German search.

    python -m tests.eval.languages [--corpus-dir DIR] [--known-items N] [--json]

1. Datelines (`gnad-test.jsonl.gz`, 1,028 Der Standard stories): how many stories have a
   dateline in the agency style (`Wien –` after the lead sentence), and how often its
   city gives a country.
2. Language detection (`web-pages.tar.gz`): on the pages whose reference language is German
   (their `<html lang>`, else a .de/.at address), the share the detector calls German,
   from the page's visible text as the indexer reads it; the same over every page with a
   reference.
3. Known items (gnad): for each of N German stories, a query of 3 of its content words in
   another inflected form than the story has (Regierung -> Regierungen, Landes -> Land),
   none of them written that way in the story; the story must be in the top 10 of a search
   over all 1,028 stories, without a language filter. Target: 0.9.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

from indexer.extract import datelines, language
from indexer.extract.gazetteer import in_language
from indexer.extract.places import _dateline_country
from indexer.read.html import html_page      # the page as the indexer reads it (trafilatura)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT.parent / "shared" / "corpus"
_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)", re.I)
_WORD = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{5,}\b")
# German plural and case endings: `Regierung` / `Regierungen`, `Landes` / `Land`, `Bürger` / `Bürgern`.
_ENDINGS = ("e", "en", "n", "s", "es", "er", "ern", "nen")


def gnad_records(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def dateline_rate(records: list[dict]) -> dict:
    """Of the stories with a dateline-shaped opening (`Wien –`, the first in the lead), how
    many name a place whose country the gazetteer knows."""
    found = with_country = 0
    places = Counter()
    for rec in records:
        seen = datelines.candidates(rec["body"])
        if not seen:
            continue
        found += 1
        with in_language("de"):
            country = _dateline_country(seen[0][1])
        if country:
            with_country += 1
            places[country[0]] += 1
    return {"stories": len(records), "datelines": found, "with_country": with_country,
            "rate": round(with_country / found, 4) if found else 0.0, "top_countries": places.most_common(5)}


def _reference(raw: bytes, url: str) -> str:
    m = _HTML_LANG.search(raw[:5000])
    if m:
        return language.normalise(m.group(1).decode("ascii", "replace"))
    host = re.sub(r"^https?://", "", url).split("/")[0]
    return "de" if host.endswith((".de", ".at")) else ""


def detection(tar_path: Path) -> dict:
    with tarfile.open(tar_path) as tar:
        urls = {}
        seg = tar.extractfile("web-pages/segments.jsonl")
        for line in seg:
            rec = json.loads(line)
            urls[rec["file"]] = rec.get("url", "")
        german = right_de = total = right = 0
        confusions = Counter()
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("web-pages/pages/"):
                continue
            raw = tar.extractfile(member).read()
            ref = _reference(raw, urls.get(member.name.rsplit("/", 1)[1], ""))
            if not ref:
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", "replace")
            page = html_page(text)
            got = language.detect(page.title, page.body)
            total += 1
            right += got == ref
            if ref == "de":
                german += 1
                right_de += got == "de"
                if got != "de":
                    confusions[got or "(none)"] += 1
    return {"german_pages": german, "german_accuracy": round(right_de / german, 4) if german else 0.0,
            "german_confusions": confusions.most_common(5),
            "pages_with_reference": total, "accuracy": round(right / total, 4) if total else 0.0}


def _other_form(word: str, story_words: set[str], vocabulary: set[str]) -> str | None:
    """Another inflected form of `word` that other stories use and this one does not.

    Forms are paired by their endings alone (not by the stemmer under test), and only
    forms written in the corpus count, so every query word is a real German word.
    """
    forms = [word + e for e in _ENDINGS]
    forms += [word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 4]
    for other in forms:
        if other in vocabulary and other not in story_words:
            return other
    return None


def known_items(records: list[dict], n: int) -> dict:
    from indexer.index.build import build_index
    from indexer.search import Archive, SearchRequest

    df = Counter()
    for rec in records:
        df.update(set(_WORD.findall(rec["body"])))
    vocabulary = set(df)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "gnad.jsonl"
        src.write_text("".join(json.dumps({"id": r["id"], "body": r["body"]}) + "\n" for r in records),
                       encoding="utf-8")
        build_index([src], Path(tmp) / "ix", progress=False)
        archive = Archive(Path(tmp) / "ix")
        asked = found = 0
        misses = []
        for rec in records:
            if n and asked >= n:
                break
            story_words = set(_WORD.findall(rec["body"]))
            query = []
            for w in sorted(story_words, key=lambda w: (df[w], w)):
                other = _other_form(w, story_words, vocabulary)
                if other:
                    query.append(other)
                if len(query) == 3:
                    break
            if len(query) < 3:
                continue
            asked += 1
            result = archive.search(SearchRequest(q=" ".join(query), per_page=10, group=False))
            if rec["id"] in {h.id for h in result.hits}:
                found += 1
            elif len(misses) < 5:
                misses.append((rec["id"], " ".join(query)))
    return {"asked": asked, "found_top10": found, "rate": round(found / asked, 4) if asked else 0.0,
            "misses": misses}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.languages", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--known-items", type=int, default=0, help="German stories to look for (0: every one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    gnad, pages = args.corpus_dir / "gnad-test.jsonl.gz", args.corpus_dir / "web-pages.tar.gz"
    if not gnad.is_file() or not pages.is_file():
        print(f"corpus not found in {args.corpus_dir}", file=sys.stderr)
        return 2
    records = gnad_records(gnad)
    out = {"datelines": dateline_rate(records), "detection": detection(pages),
           "known_items": known_items(records, args.known_items)}
    if args.json:
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    d, det, k = out["datelines"], out["detection"], out["known_items"]
    print(f"\ngerman datelines   {d['datelines']} of {d['stories']} gnad stories have one; "
          f"{d['with_country']} give a country ({d['rate']:.1%})")
    print(f"language detection {det['german_accuracy']:.1%} of {det['german_pages']} German web pages detected as German "
          f"(misses: {', '.join(f'{c} {v}' for c, v in det['german_confusions']) or 'none'}); "
          f"{det['accuracy']:.1%} of all {det['pages_with_reference']} pages with a reference")
    print(f"german known items {k['found_top10']} of {k['asked']} found in the top 10 ({k['rate']:.1%}; target 90%)")
    for doc_id, q in k["misses"]:
        print(f"  missed {doc_id}: {q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
