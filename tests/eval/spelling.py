"""How often "did you mean" gives back the word a typo was made from.

The typo set is built from the corpus itself, so it has the words and the frequencies
that users of this archive type:
- single edits (deletion, insertion, substitution, transposition of neighbours, one
  of each chosen at random with a fixed seed) of words that occur at least MIN_COUNT
  times; a typo that is itself a word of the index (in more than `didyoumean.RARE`
  stories: "form" for "from") cannot be told from a query for that word and is left
  out (and counted);
- real misspellings in the corpus: words in at most two stories that are one edit
  from a word at least REAL_RATIO times more frequent, where that is the only such
  word ("internatinal" -> "international").
The score is the share of typos whose correction is exactly the original word.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from indexer.query.didyoumean import RARE, did_you_mean
from indexer.query.spellwords import edits1

MIN_COUNT = 20
MIN_LENGTH = 4
REAL_RATIO = 50
_WORD = re.compile(r"[a-z]+")


@dataclass
class Typo:
    typo: str
    word: str
    kind: str            # "deletion", "insertion", "substitution", "transposition" or "corpus"


def word_counts(records) -> tuple[Counter, Counter]:
    """(occurrences, stories) of every lower-case word of titles and bodies."""
    occ, docs = Counter(), Counter()
    for rec in records:
        words = _WORD.findall(f"{rec.get('title') or ''} {rec.get('body') or ''}".lower())
        occ.update(words)
        docs.update(set(words))
    return occ, docs


def one_edit(word: str, kind: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    c = rng.choice("abcdefghijklmnopqrstuvwxyz".replace(word[i], ""))
    if kind == "deletion":
        return word[:i] + word[i + 1:]
    if kind == "insertion":
        return word[:i] + c + word[i:]
    if kind == "substitution":
        return word[:i] + c + word[i + 1:]
    i = min(i, len(word) - 2)                      # transposition of word[i], word[i+1]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def typo_set(occ: Counter, docs: Counter, known, n: int, seed: int = 13) -> tuple[list[Typo], int]:
    """(typos, how many generated typos were real words and left out). `known(w)`: is w a common word?"""
    rng = random.Random(seed)
    words = sorted(w for w, c in occ.items() if c >= MIN_COUNT and len(w) >= MIN_LENGTH)
    rng.shuffle(words)
    kinds = ("deletion", "insertion", "substitution", "transposition")
    out, real_words = [], 0
    for i, w in enumerate(words):
        if len(out) >= n:
            break
        t = one_edit(w, kinds[i % 4], rng)
        if t == w:
            continue
        if known(t):
            real_words += 1
            continue
        out.append(Typo(t, w, kinds[i % 4]))
    return out, real_words


def corpus_misspellings(occ: Counter, docs: Counter, known, stem) -> list[Typo]:
    """Rare words one edit from exactly one much commoner word (not a form of it, not known)."""
    out = []
    for w, d in sorted(docs.items()):
        if d > 2 or len(w) < 6 or known(w):
            continue
        near = [e for e in edits1(w) if occ.get(e, 0) >= REAL_RATIO * occ[w] and occ[e] >= MIN_COUNT]
        if len(near) == 1 and stem(near[0]) != stem(w):
            out.append(Typo(w, near[0], "corpus"))
    return out


def evaluate(live, typos: list[Typo]) -> dict:
    """Share of typos corrected to their word, overall and per kind, with a few misses."""
    by_kind: dict[str, list[int]] = {}
    misses = []
    for t in typos:
        got = did_you_mean(live, t.typo)
        ok = (got or "").lower() == t.word
        by_kind.setdefault(t.kind, []).append(int(ok))
        if not ok and len(misses) < 15:
            misses.append(f"{t.typo} -> {got} (meant {t.word})")
    every = [x for v in by_kind.values() for x in v]
    return {"typos": len(every), "correct": round(sum(every) / max(1, len(every)), 3),
            "by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
            "misses": misses}


def known_in(live):
    """A word the index holds in more than RARE stories: not a typo anyone could correct."""
    reader = live.searcher.reader()
    analyzer = live.searcher.schema["body"].analyzer

    def known(word: str) -> bool:
        stems = [t.text for t in analyzer(word)]
        return not stems or any(reader.doc_frequency("body", s) + reader.doc_frequency("title", s) > RARE
                                for s in stems)
    return known
