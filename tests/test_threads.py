"""One Archive shared by 8 threads answers exactly as it does to one thread.

`Archive` is shared by every thread of a process (`flask run`, gunicorn's threaded
workers), and it fills caches as it goes: scored postings, phrase matches, collapsed
browsing results, date orders, the suggester. Here a fresh archive (caches empty, and
made small so they evict) is hammered by 8 threads running a mix of searches,
suggestions, stories and exports in different orders; every answer must equal the
one a single thread got from another archive over the same index.
"""
from __future__ import annotations

import json
import random
import sys
import threading
from dataclasses import asdict

import pytest

from indexer.index.build import build_index
from indexer.query import arrays as evaluate, matching
from indexer.search import Archive, parse_request

THREADS = 8
ROUNDS = 3
WORDS = ("coffee oil wheat gold bank loan trade price export tariff quota talks minister harvest "
         "shipping strike merger profit dividend inflation").split()
PLACES = ["Brazil", "Colombia", "Mexico", "Kenya", "Japan", "Norway", "Egypt", "Turkmenistan"]
ORGS = ["UNICEF", "the International Monetary Fund", "OPEC", "the World Bank", "UNDP"]


def _stories(n: int):
    rng = random.Random(7)
    prev = ""
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(20, 80))]
        body = (f"{rng.choice(PLACES).upper()}, March {1 + i % 28} - {rng.choice(ORGS)} said "
                f"{' '.join(words)} in {rng.choice(PLACES)}.")
        if i % 10 == 0 and i:                 # near-duplicates, for collapsed results
            body = prev
        prev = body
        yield {"id": f"t{i}", "date": f"{1985 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 17 else None,
               "title": " ".join(rng.choice(WORDS) for _ in range(4)).capitalize(), "body": body}


REQUESTS = [{}, {"q": "coffee"}, {"q": "coffee oil"}, {"q": "coffee OR gold"}, {"q": "oil -bank"},
            {"q": '"trade talks"'}, {"q": '"price export"'}, {"q": "ta*"}, {"q": "mer*"},
            {"q": "title:coffee"}, {"q": "coffee", "sort": "newest"}, {"q": "oil", "sort": "oldest", "page": "2"},
            {"country": "BR"}, {"country": ["BR", "KE"]}, {"org": "UNICEF"}, {"q": "gold", "country": "MX"},
            {"from": "1986-01-01", "to": "1986-12-31"}, {"date": "1987"}, {"sort": "oldest"},
            {"q": "wheat harvest", "group": "off"}, {"q": "inflation", "per_page": "50"},
            {"org_kind": "intergovernmental"}, {"q": "oil", "org_kind": "government"}]


def _answer(archive: Archive, what: tuple) -> str:
    kind, arg = what
    if kind == "search":
        d = asdict(archive.search(parse_request({k: v if isinstance(v, list) else [v] for k, v in arg.items()})))
        d.pop("took_ms")
        return json.dumps(d, sort_keys=True, default=str)
    if kind == "suggest":
        return json.dumps([asdict(s) for s in archive.suggest(arg)], sort_keys=True)
    if kind == "story":
        return json.dumps(asdict(archive.story(arg, "coffee")), sort_keys=True, default=str)
    count, rows = archive.export(parse_request({"q": [arg]}))
    return json.dumps([count, list(rows)], sort_keys=True, default=str)


WORK = ([("search", r) for r in REQUESTS] + [("suggest", p) for p in ("co", "tr", "mer", "bra", "uni")]
        + [("story", f"t{i}") for i in (1, 20, 333)] + [("export", q) for q in ("gold", '"trade talks"')])


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("threads")
    with open(root / "stories.jsonl", "w", encoding="utf-8") as f:
        for s in _stories(1200):
            f.write(json.dumps(s) + "\n")
    ix = tmp_path_factory.mktemp("ix")
    build_index([root], ix, progress=False, procs=1)
    return ix


def test_eight_threads_answer_as_one(index_dir, monkeypatch):
    single = Archive(index_dir)
    expected = {repr(w): _answer(single, w) for w in WORK}
    assert single.current_generation().tables.shared.any()       # near-duplicates: collapsing is exercised
    single.close()

    monkeypatch.setattr(evaluate, "FALLBACK_CACHE", 2)      # small caches: evictions race too
    monkeypatch.setattr(matching, "COLLAPSED_CACHE", 2)
    shared = Archive(index_dir, refresh_every=0)             # every call also checks for a new generation
    shared.current_generation().evaluator.p.cache.max_bytes = 64 * 1024
    start = threading.Barrier(THREADS)
    wrong: list[str] = []
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        try:
            for _ in range(ROUNDS):
                work = WORK[:]
                rng.shuffle(work)
                for w in work:
                    if _answer(shared, w) != expected[repr(w)]:
                        wrong.append(repr(w))
        except BaseException as exc:          # noqa: BLE001 - reported below with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)               # switch threads every few bytecodes: races show up
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    shared.close()
    assert not errors, errors[:3]
    assert not wrong, sorted(set(wrong))[:10]
    assert len(expected) == len(WORK) and all(expected.values())
