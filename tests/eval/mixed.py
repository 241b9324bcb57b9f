"""Measure a mixed English + German archive against an English-only one (issue 21).

    python -m tests.eval.mixed [--corpus-dir DIR] [--limit N] [--typos N] [--json]

1. English queries unchanged by German stories: N Reuters stories (default 3,000) indexed alone,
   and the same stories with every gnad story (1,028, German); for each of 40 English queries
   (words, phrases, booleans, stop-word mixes such as `the oil`, OR, field queries, `-x`, words
   that are German stop words such as `die`, `also`) the set of Reuters stories found must be
   the same in both (target: 40 identical). The top 10 Reuters stories are compared too
   (reported, not a target: BM25 reads the archive's average story length, which the German
   stories change).
2. Typos restored under filters and in German, on the mixed archive (target >= 0.9 each, and 0
   corrections that find nothing under the request's filters):
   (a) single-edit typos of Reuters words, each searched under a country or organisation filter
       drawn from a story holding the word: the suggestion must be the word;
   (b) German typos of gnad words, half of them of words with an umlaut or ß (one edit: `Regirung`,
       `Präsdent`; an umlaut put on a vowel or taken off one: `Präsidönt`): the suggestion must be
       the word, or a form of it (same German stem), with and without `language=de`.
   A typo given no suggestion counts as restored when it finds the stories its word finds (folding:
   `döppel` is `doppel`). Umlauts written without their dots (`Prasident`) are no typo: the share of
   such words that find the word's stories as typed is reported apart.
   A typo that is itself a word the archive knows (in more than `RARE` stories, in any of its
   languages) is left out and counted. Every suggestion is searched under the request's
   filters: one finding nothing is counted as empty.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.eval.patterns import DEFAULT_DIR, _build, _records

RARE = 6             # as didyoumean.RARE: a word in more stories is not a typo anyone could correct
MIN_COUNT = 10       # a typo is made of a word written at least this often
MIN_LENGTH = 5
MISSES = 15          # misses listed per measure
# English queries; a German word's stem must not change what any of them finds in English stories
QUERIES = [
    "oil", "coffee", "dividend", "merger", "mergers", "bank", "prices", "government", "wheat", "profit",
    '"interest rates"', '"net loss"', '"crude oil"', '"the company said"',
    "oil AND prices", "coffee OR cocoa", "wheat AND NOT corn", "gold OR silver OR copper",
    "the oil", "the dividend", "of the bank", "a merger", "the OR oil", "to be or not",
    "merger OR acquisition", "opec OR oil", "title:merger", "title:(oil prices)", "body:dividend",
    'title:"crude oil"', "oil -opec", "bank -loan", "dividend -quarterly",
    "die", "also", "man", "war", "hat", "was", "will",
]
_EN_WORD = re.compile(r"[a-z]+")
_DE_WORD = re.compile(r"[a-zäöüß]+")
UMLAUTS = {"ä": "a", "ö": "o", "ü": "u"}


def reuters_ids(archive, q: str, top: int = 10) -> tuple[set[str], list[str]]:
    """(every Reuters story `q` finds, the first `top` of them in relevance order)."""
    from indexer.search import QueryError, SearchRequest
    try:
        _, rows = archive.export(SearchRequest(q=q, group=False))
    except QueryError:
        return set(), []
    found = [r["id"] for r in rows if r["id"].startswith("reuters-")]
    return set(found), found[:top]


def compare_queries(english, mixed, queries: list[str]) -> dict:
    rows = []
    for q in queries:
        a, a10 = reuters_ids(english, q)
        b, b10 = reuters_ids(mixed, q)
        rows.append({"query": q, "english": len(a), "mixed": len(b), "identical": a == b,
                     "only_english": sorted(a - b)[:5], "only_mixed": sorted(b - a)[:5],
                     "top10_overlap": len(set(a10) & set(b10)), "top10_same_order": a10 == b10})
    return {"queries": len(rows), "identical": sum(r["identical"] for r in rows),
            "top10_same_order": sum(r["top10_same_order"] for r in rows),
            "top10_overlap": round(sum(r["top10_overlap"] for r in rows) / max(1, 10 * len(rows)), 3),
            "rows": rows}


def known_in(archive):
    """Whether a word is in more than RARE stories as some language of the archive analyses it."""
    live = archive.current_generation()
    reader, analyzer = live.searcher.reader(), live.searcher.schema["body"].analyzer
    bind = getattr(analyzer, "for_language", None)
    analyzers = [bind(lang) for lang in ("en", "de")] if bind else [analyzer]

    def known(word: str) -> bool:
        stems = {t.text for a in analyzers for t in a(word)}
        return not stems or any(reader.doc_frequency("body", s) + reader.doc_frequency("title", s) > RARE
                                for s in stems)
    return known


def one_edit(word: str, kind: str, rng: random.Random, alphabet: str) -> str:
    i = rng.randrange(len(word))
    if kind == "umlaut":                      # Präsident -> Präsidönt: a vowel swapped for an umlaut or back
        spots = [j for j, c in enumerate(word) if c in "aouäöü"]
        if not spots:
            return word
        j = rng.choice(spots)
        swap = {"a": "ä", "o": "ö", "u": "ü", "ä": "a", "ö": "o", "ü": "u"}[word[j]]
        return word[:j] + swap + word[j + 1:]
    c = rng.choice(alphabet.replace(word[i], ""))
    if kind == "deletion":
        return word[:i] + word[i + 1:]
    if kind == "insertion":
        return word[:i] + c + word[i:]
    if kind == "substitution":
        return word[:i] + c + word[i + 1:]
    i = min(i, len(word) - 2)                 # transposition
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def typos(records: list[dict], known, n: int, kinds: tuple[str, ...], pattern, alphabet: str,
          seed: int, umlauts: bool = False) -> tuple[list[tuple[str, str, str]], int]:
    """((typo, word, kind), ...) of words in at least MIN_COUNT places; and how many typos were known
    words. `umlauts`: every other typo is made of a word with an umlaut or ß (`Östereich`, `Präsdent`)."""
    occ = Counter(w for rec in records for w in pattern.findall(f"{rec.get('title') or ''} {rec['body']}".lower()))
    rng = random.Random(seed)
    words = sorted(w for w, c in occ.items() if c >= MIN_COUNT and len(w) >= MIN_LENGTH)
    rng.shuffle(words)
    if umlauts:
        marked = [w for w in words if any(c in "äöüß" for c in w)]
        plain = [w for w in words if w not in set(marked)]
        words = [w for pair in zip(marked, plain) for w in pair]
    out, real = [], 0
    for i, w in enumerate(words):
        if len(out) >= n:
            break
        kind = kinds[i % len(kinds)]
        t = one_edit(w, kind, rng, alphabet)
        if t == w or t in occ:
            continue
        if known(t):
            real += 1
            continue
        out.append((t, w, kind))
    return out, real


def facet_values(archive) -> dict[str, list[tuple[str, str]]]:
    """Each story's countries and organisations as the index extracted them (filter values)."""
    from indexer.search import SearchRequest
    _, rows = archive.export(SearchRequest(group=False))
    return {r["id"]: [("country", c) for c in r.get("countries") or []] + [("org", o) for o in r.get("organisations") or []]
            for r in rows}


def _filters_for(records: list[dict], word: str, values: dict, rng: random.Random) -> dict[str, list[str]]:
    """A country or organisation of a story holding `word`."""
    rx = re.compile(rf"\b{word}\b")
    holding = [r["id"] for r in records if values.get(r["id"]) and rx.search(f"{r.get('title') or ''} {r['body']}".lower())]
    if not holding:
        return {}
    param, value = rng.choice(values[rng.choice(holding)])
    return {param: [value]}


def score_typos(archive, cases: list[tuple[str, str, str, dict]], same_word) -> dict:
    """Share of typos whose suggestion is their word, and the suggestions that find nothing."""
    from indexer.search import SearchRequest
    by_kind: dict[str, list[int]] = {}
    misses, empty = [], []
    for typo, word, kind, filters in cases:
        got = archive.search(SearchRequest(q=typo, filters=filters, correct=False)).suggestion
        ok = same_word(got.lower(), word) if got else _same_stories(archive, typo, word, filters)
        by_kind.setdefault(kind, []).append(int(ok))
        if got and archive.search(SearchRequest(q=got, filters=filters, correct=False)).total == 0:
            empty.append(f"{typo} -> {got} under {filters}")
        if not ok and len(misses) < MISSES:
            misses.append(f"{typo} -> {got} (meant {word}){' under ' + str(filters) if filters else ''}")
    every = [x for v in by_kind.values() for x in v]
    return {"typos": len(every), "restored": round(sum(every) / max(1, len(every)), 3),
            "by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
            "per_kind": {k: len(v) for k, v in sorted(by_kind.items())},
            "empty_corrections": len(empty), "empty": empty[:10], "misses": misses}


def _same_stories(archive, typo: str, word: str, filters: dict) -> bool:
    """A typo with no correction is restored when it finds what its word finds (`döppel` folds to
    `doppel`: an umlaut typed on a letter that has none)."""
    from indexer.search import SearchRequest

    def ids(q: str) -> set[str]:
        return {r["id"] for r in archive.export(SearchRequest(q=q, filters=filters, group=False))[1]}
    found = ids(typo)
    return bool(found) and found == ids(word)


def filtered_typos(mixed, reuters: list[dict], n: int, seed: int = 21) -> dict:
    known = known_in(mixed)
    found, real = typos(reuters, known, n, ("deletion", "insertion", "substitution", "transposition"),
                        _EN_WORD, "abcdefghijklmnopqrstuvwxyz", seed)
    rng, values = random.Random(seed), facet_values(mixed)
    cases = [(t, w, k, f) for t, w, k in found if (f := _filters_for(reuters, w, values, rng))]
    out = score_typos(mixed, cases, lambda got, word: got == word)
    out["known_words_left_out"] = real
    return out


def german_typos(mixed, german: list[dict], n: int, seed: int = 21, languages: tuple[str, ...] = ()) -> dict:
    """German typos, half of words with an umlaut or ß; `languages`: the request's language filter."""
    known = known_in(mixed)
    analyzer = mixed.current_generation().searcher.schema["body"].analyzer
    de = analyzer.for_language("de") if hasattr(analyzer, "for_language") else analyzer

    def stem(w: str) -> list[str]:
        return [t.text for t in de(w)]
    found, real = typos(german, known, n, ("deletion", "insertion", "substitution", "transposition", "umlaut"),
                        _DE_WORD, "abcdefghijklmnopqrstuvwxyzäöüß", seed, umlauts=True)
    filters = {"language": list(languages)} if languages else {}
    cases = [(t, w, k, filters) for t, w, k in found]
    out = score_typos(mixed, cases, lambda got, word: got == word or stem(got) == stem(word))
    out["exact"] = round(sum(1 for t, w, _, f in cases if (mixed.search(_req(t, f)).suggestion or "").lower() == w)
                         / max(1, len(found)), 3)
    out["known_words_left_out"] = real
    return out


def dropped_dots(mixed, german: list[dict], n: int, seed: int = 21) -> dict:
    """Umlauts written without their dots (`Osterreich`, `Prasident`): found as typed by folding, no
    correction needed: the share of such words whose search finds the stories of the word itself."""
    from indexer.search import SearchRequest
    occ = Counter(w for rec in german for w in _DE_WORD.findall(rec["body"].lower()))
    words = sorted(w for w, c in occ.items() if c >= MIN_COUNT and any(u in w for u in UMLAUTS))
    random.Random(seed).shuffle(words)
    same = 0
    for w in words[:n]:
        bare = "".join(UMLAUTS.get(c, c) for c in w)
        same += mixed.export(SearchRequest(q=bare, group=False))[0] == mixed.export(SearchRequest(q=w, group=False))[0] > 0
    return {"words": len(words[:n]), "found_as_the_word": round(same / max(1, len(words[:n])), 3)}


def _req(q: str, filters: dict | None = None):
    from indexer.search import SearchRequest
    return SearchRequest(q=q, filters=filters or {}, correct=False)


def _index(records: list[dict], where: Path) -> Path:
    return where / "ix" if (where / "ix" / "current").exists() else _build(records, where)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.mixed", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--limit", type=int, default=3000, help="Reuters stories (default 3,000)")
    ap.add_argument("--typos", type=int, default=200, help="typos of each set")
    ap.add_argument("--work-dir", type=Path, help="build (or reuse) the two indexes here, not in a temporary folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("NEWSFACET_QUERY_SECONDS", "10")
    os.environ.setdefault("NEWSFACET_SPELLING_SECONDS", "5")
    from indexer.search import Archive
    reuters = _records(args.corpus_dir / "reuters21578.jsonl.gz", args.limit)
    german = _records(args.corpus_dir / "gnad-test.jsonl.gz")
    with tempfile.TemporaryDirectory(prefix="newsfacet-mixed-") as tmp:
        work = args.work_dir or Path(tmp)
        english = Archive(_index(reuters, work / "english"))
        mixed = Archive(_index(reuters + german, work / "mixed"))
        try:
            report = {"stories": {"reuters": len(reuters), "gnad": len(german)},
                      "queries": compare_queries(english, mixed, QUERIES),
                      "filtered_typos": filtered_typos(mixed, reuters, args.typos),
                      "german_typos": german_typos(mixed, german, args.typos),
                      "german_typos_language_de": german_typos(mixed, german, args.typos, languages=("de",)),
                      "dropped_dots": dropped_dots(mixed, german, args.typos)}
        finally:
            english.close()
            mixed.close()
    if args.json:
        json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
        print()
        return 0
    q = report["queries"]
    print(f"English queries, {len(reuters):,} Reuters stories alone vs with {len(german):,} gnad stories: "
          f"{q['identical']} of {q['queries']} identical result sets; top 10 in the same order {q['top10_same_order']}, "
          f"top-10 overlap {q['top10_overlap']:.3f}")
    for row in q["rows"]:
        if not row["identical"]:
            print(f"  differs {row['query']!r}: {row['english']} vs {row['mixed']} "
                  f"(only English {row['only_english']}, only mixed {row['only_mixed']})")
    for name in ("filtered_typos", "german_typos", "german_typos_language_de"):
        r = report[name]
        print(f"{name}: {r['typos']} typos, restored {r['restored']:.3f} {r['by_kind']}, "
              f"{r['empty_corrections']} corrections finding nothing, {r['known_words_left_out']} known words left out")
        for m in r["misses"]:
            print(f"  miss {m}")
    d = report["dropped_dots"]
    print(f"umlauts without dots (Prasident): {d['words']} words, the same stories as the word {d['found_as_the_word']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
