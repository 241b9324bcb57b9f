"""A small index written for the query-language attacks: no corpus needed, built once per run.

Why its own stories: a backtracking regex explodes on long words that almost match
(`aaaa…` against `*?*?…q`), and a 2,000-story Reuters sample has few; an index of 240
stories whose words include such runs, companies, countries, organisations and dates in
1986-1988 gives every field a value for `field:*`, ranges and patterns, in a second or two.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

LONG_WORDS = ["a" * 40, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "e" * 35 + "x", "ab" * 20, "q" * 33,
              "donaudampfschifffahrtsgesellschaftskapitaen", "bundesausbildungsfoerderungsgesetz",
              "internationalisation", "counterrevolutionaries", "x" * 64]
COMMON = ("oil prices coffee exports bank banks rate rates market trade said would year government "
          "shares company billion million dollar yen central minister talks agreement growth report "
          "import export wheat grain sugar cocoa gold copper strike union profit loss quarter").split()
PLACES = ["Brazil", "Japan", "West Germany", "the United States", "Kenya", "Colombia", "France", "Canada"]
BODIES = ["the International Monetary Fund", "the United Nations", "OPEC", "the World Bank", "the IMF"]
FIRMS = ["USX Corp", "Texaco Inc", "General Motors Corp", "BankAmerica Corp", "Nestle SA"]


def _story(rng: random.Random, i: int) -> dict:
    words = rng.choices(COMMON, k=40) + rng.sample(LONG_WORDS, 2)
    invented = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 24))) for _ in range(6)]
    rng.shuffle(words)
    body = (f"{rng.choice(PLACES)} and {rng.choice(BODIES)} said on Monday that {rng.choice(FIRMS)} "
            f"{' '.join(words[:20])}. {' '.join(invented)} {' '.join(words[20:])}. "
            f"Officials in {rng.choice(PLACES)} met {rng.choice(FIRMS)} about it.")
    story = {"id": f"q-{i}", "title": " ".join(rng.choices(COMMON, k=5)).title(), "body": body}
    if i % 9:                    # a few undated stories too
        story["date"] = f"{1986 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return story


def query_index(tmp_path_factory, n: int = 240) -> Path:
    """An index of `n` generated stories (same every run), built once per test run (every worker reads it)."""
    from corpora import built_once

    def build(base: Path) -> None:
        from indexer.index.build import build_index
        (base / "docs").mkdir()
        rng = random.Random(24)
        with open(base / "docs" / "stories.jsonl", "w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps(_story(rng, i)) + "\n")
        build_index([base / "docs"], base / "ix", progress=False)
    return built_once(tmp_path_factory, f"queries-{n}", build) / "ix"
