"""Tail latency under a hostile query mix, and the first search after a reindex.

Why: the normal mix says how fast a user is served; this says how long one request
can hold a worker. The mix is what an attacker (or a careless script) sends: leading
wildcards up to the length limit, long phrases of common words, many prefixes,
booleans of dozens of words, the deepest page, the largest page, unknown facet values,
queries of unknown words (each one a "did you mean" look-up).
Each is run as `Archive.search`; a refusal (400, the query budget) counts as an
answer and its time is the time to refuse. Figures: p50, p99 and max per request.

The first search after a reindex is measured as a web worker meets it: the archive
warms a new generation in a background thread (`CurrentGeneration(background=True)`) while
searches go on; the new generation is the same index hard-linked into a fresh
generation folder (what a reindex swaps in, without the minutes of indexing), and the
figures are the slowest search while it was being opened and the first answered from it.
"""
from __future__ import annotations

import itertools
import os
import shutil
import string
import threading
import time
from pathlib import Path

from indexer.index import store
from indexer.search import Archive, QueryError, parse_request

from .stats import summary

COMMON = "said year also last per new pct dlrs week oil rate bank trade market prices".split()
SHORT = COMMON[:12]          # short words: 199 of them still fit the 1,000-character limit


def _wildcards(n: int) -> str:
    pats = ("*" + a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2))
    return " ".join(itertools.islice(pats, n))


def mix() -> list[tuple[str, dict]]:
    """(label, HTTP-style parameters) of the hostile requests."""
    words = SHORT * 20
    return [
        ("leading wildcards x8", {"q": [_wildcards(8)]}),
        ("leading wildcards x26", {"q": [_wildcards(26)]}),
        ("leading wildcards to the length limit", {"q": [_wildcards(250)[:999]]}),
        ("'*e'", {"q": ["*e"]}),
        ("phrase of 30 common words", {"q": ['"' + " ".join(words[:30]) + '"']}),
        ("phrase of 64 common words", {"q": ['"' + " ".join(words[:64]) + '"']}),
        ("phrase of 199 common words", {"q": ['"' + " ".join(words[:199]) + '"']}),
        ("phrase 'said' x 60", {"q": ['"' + " ".join(["said"] * 60) + '"']}),
        ("130 two-letter prefixes OR-ed", {"q": [" OR ".join(a + b + "*" for a, b in itertools.product(
            "abcdefghijklmnoprstuvwxyz", "aeiou"))[:999]]}),
        ("20 prefixes OR-ed", {"q": [" OR ".join(w[:3] + "*" for w in COMMON[:20])]}),
        ("boolean of 40 words", {"q": [" OR ".join(COMMON) + " " + " ".join(f"-x{i}" for i in range(25))]}),
        ("deepest page", {"q": ["said"], "page": ["10000"]}),
        ("deep page of everything", {"page": ["2000"], "per_page": ["100"]}),
        ("largest page", {"q": ["oil"], "per_page": ["100"]}),
        ("largest page, no grouping", {"q": ["the"], "per_page": ["100"], "group": ["off"]}),
        ("50 unknown organisations", {"q": ["oil"], "org": [f"junk-{i}" for i in range(50)]}),
        ("unknown country, region", {"country": ["ZZ", "Atlantis"], "region": ["Mars"]}),
        ("country:name of nothing", {"q": ["country:atlantis org:nosuchbody oil"]}),
        ("120 unknown words (did you mean)", {"q": [" ".join(f"qz{chr(97 + i % 26)}{chr(97 + i // 26)}xw"
                                                              for i in range(120))]}),
        ("40 misspellings (did you mean)", {"q": [" ".join(["cofee", "brazl", "exprts", "oill", "pricse"] * 8)]}),
    ]


def _one(archive: Archive, params: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    try:
        res = archive.search(parse_request(params))
        outcome = "cut short" if res.notice and "too long" in res.notice else "answered"
    except QueryError as exc:
        outcome = "refused: " + (getattr(exc, "cap", None) or exc.param or "?")
    return (time.perf_counter() - t0) * 1000, outcome


def run(archive: Archive, rounds: int = 3) -> dict:
    """Every hostile request `rounds` times (after one untimed pass); pooled p50/p99/max."""
    requests = mix()
    for _, params in requests:
        _one(archive, params)
    samples, per = [], {}
    for _ in range(rounds):
        for label, params in requests:
            ms, outcome = _one(archive, params)
            samples.append(ms)
            entry = per.setdefault(label, {"ms": [], "outcome": outcome})
            entry["ms"].append(round(ms, 1))
    s = summary(samples)
    a = sorted(samples)
    p99 = a[min(len(a) - 1, int(round(0.99 * (len(a) - 1))))] if a else None
    return {"requests": len(requests), "rounds": rounds, "median_ms": s["median_ms"],
            "p99_ms": None if p99 is None else round(p99, 2), "max_ms": s["max_ms"],
            "over_1s": sum(1 for ms in samples if ms > 1000),
            "per_request": {k: {"max_ms": max(v["ms"]), "outcome": v["outcome"]} for k, v in per.items()}}


def _link_generation(index_dir: Path) -> Path:
    """A new generation folder holding hard links to the live one's files (a reindex's result)."""
    live = store.live_dir(index_dir)
    new = store.new_generation(index_dir)
    for f in live.iterdir():
        if f.is_file():
            os.link(f, new / f.name)
    return new


def first_after_reindex(index_dir: Path, warm_queries: list[dict], seconds: float = 120.0) -> dict:
    """Swap in a new generation under a warmed archive; time the searches around the swap."""
    archive = Archive(index_dir, refresh_every=0.0, background=True)
    old_gen = store.live_dir(index_dir)
    for params in warm_queries:
        archive.search(parse_request(params))
    probe = parse_request(warm_queries[0])
    new = _link_generation(index_dir)
    during: list[float] = []
    try:
        old = archive.generation
        store.swap_live(index_dir, new)
        deadline = time.monotonic() + seconds
        while archive.generation == old and time.monotonic() < deadline:
            t0 = time.perf_counter()
            archive.search(probe)                 # answered by the old generation meanwhile
            during.append((time.perf_counter() - t0) * 1000)
        swapped = archive.generation != old
        t0 = time.perf_counter()
        archive.search(probe)
        first_ms = (time.perf_counter() - t0) * 1000
        after = []
        for params in warm_queries[1:]:
            t0 = time.perf_counter()
            archive.search(parse_request(params))
            after.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        archive.search(parse_request({"q": ["zinc smelter"]}))     # a search not asked before
        unseen_ms = (time.perf_counter() - t0) * 1000
    finally:
        store.swap_live(index_dir, old_gen)
        archive.close()
        for t in threading.enumerate():   # the new generation's checksums and warming, still reading it
            if t.name in ("newsfacet-verify", "newsfacet-warm"):
                t.join(timeout=120)
        shutil.rmtree(new, ignore_errors=True)
    return {"swapped": swapped, "searches_while_warming": len(during),
            "max_while_warming_ms": round(max(during), 1) if during else None,
            "first_ms": round(first_ms, 1), "next_searches": summary(after), "unseen_ms": round(unseen_ms, 1)}
