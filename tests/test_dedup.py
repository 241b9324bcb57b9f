"""Near-duplicate signatures and groups (dedup.py), and results that show each group once."""
from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from indexer.index import dedup
from indexer.index.build import build_index
from indexer.search import Archive, SearchRequest, parse_request

STORY = ("LONDON, March 3 - The International Coffee Organization said on Tuesday that export quotas "
         "would stay suspended until producers and consumers agree on a new way of sharing them, and "
         "that talks in London had ended without a date for the next meeting. Delegates said Brazil "
         "and Colombia had not moved from their positions and prices fell 4.5 pct on the news. Traders in "
         "New York said the market would now watch the weather in the producing countries, where a dry "
         "spell could cut next season's crop, and the dollar, which has fallen against the yen this year.")


def bits(a: int, b: int) -> int:
    return bin(a ^ b).count("1")


def test_signature_is_a_function_of_the_text_alone():
    code = "from indexer.index.dedup import simhash; import sys; print(simhash(sys.stdin.read()))"
    runs = {subprocess.run([sys.executable, "-c", code], input=STORY, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert runs == {str(dedup.simhash(STORY))}


def test_copies_and_corrections_are_close_other_stories_are_not():
    base = dedup.simhash(STORY)
    assert dedup.simhash(STORY.upper()) == base                   # case
    assert dedup.simhash(STORY.replace(" ", "  ")) == base        # spacing
    assert bits(dedup.simhash(STORY.replace("prices fell", "prices rose")), base) <= dedup.MAX_DISTANCE  # a correction
    other = STORY.replace("Coffee", "Cocoa").replace("Brazil and Colombia", "Ghana and Ivory Coast").replace(
        "export quotas", "buffer stock sales").replace("London", "Geneva").replace("fell", "rose")
    assert bits(dedup.simhash(other), base) > 2 * dedup.MAX_DISTANCE


def test_short_bodies_get_no_signature():
    assert dedup.simhash("Blah blah blah.") == dedup.NO_SIGNATURE
    assert dedup.simhash("") == dedup.NO_SIGNATURE


@pytest.mark.timing
def test_signature_cost_per_story():
    text = STORY[:700]
    dedup.simhash(text)
    n = 2000
    started = time.perf_counter()
    for _ in range(n):
        dedup.simhash(text)
    per_story_ms = (time.perf_counter() - started) / n * 1000
    print(f"simhash: {per_story_ms:.3f} ms per 700-character story")
    assert per_story_ms < 0.5          # about 0.05 ms on an idle core; generous for a loaded CI box


def test_groups_join_close_signatures_within_a_week():
    a = dedup.simhash(STORY)
    near = a ^ 0b1101                  # 3 bits away
    far = a ^ 0xFF00FF                 # 16 bits away
    day = _dt.date(1987, 3, 3).toordinal()
    sig = np.array([a, near, far, a, a, dedup.NO_SIGNATURE, dedup.NO_SIGNATURE, a], dtype=np.uint64)
    days = np.array([day, day + 1, day, day + 60, day, day, day, day], dtype=np.int32)
    live = np.array([True] * 7 + [False])
    g = dedup.groups(sig, live, days)
    assert g[0] == g[1] == g[4] == 0          # correction, copy
    assert g[2] == 2                          # another story
    assert g[3] == 3                          # the same text two months later: a template, not a version
    assert g[5] == 5 and g[6] == 6            # no signature: alone
    assert g[7] == 7                          # deleted: alone
    days[4] = 0
    assert dedup.groups(sig, live, days)[4] == 0     # an undated copy joins


def _random_signatures(n: int = 50_000) -> np.ndarray:
    rng = np.random.default_rng(7)
    sig = rng.integers(1, 2 ** 63, size=n, dtype=np.uint64)
    sig[10] = sig[9] ^ np.uint64(1)
    sig[11] = sig[10] ^ np.uint64(30)         # 5 bits from 9, 4 from 10
    return sig


def test_groups_are_transitive():
    sig = _random_signatures()
    g = dedup.groups(sig, np.ones(len(sig), bool))
    assert g[9] == g[10] == g[11] == 9
    assert len(np.unique(g)) == len(sig) - 2


@pytest.mark.timing
def test_groups_are_cheap():
    sig = _random_signatures()
    started = time.perf_counter()
    dedup.groups(sig, np.ones(len(sig), bool))
    assert time.perf_counter() - started < 2.0


# ---------------------------------------------------------------- in the index

def record(i: int, body: str, date: str = "1987-03-03", title: str | None = None) -> dict:
    return {"id": f"s{i}", "date": date, "title": title or f"Story {i}", "body": body}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    words = ("grain wheat maize sugar cocoa tin rubber copper steel bank loan bond shares profit dividend "
             "merger strike harvest tariff quota budget deficit inflation rates reserve currency").split()
    rng = np.random.default_rng(3)
    stories = [record(i, f"CITY, March 3 - {' '.join(rng.choice(words, 60))} coffee.") for i in range(30)]
    stories += [
        record(100, STORY, title="ICO quota talks end"),
        record(101, STORY, title="ICO QUOTA TALKS END", date="1987-03-04"),           # filed twice
        record(102, STORY.replace("prices fell", "prices rose"), title="CORRECTED - ICO quota talks end"),
        record(104, "BRASILIA, March 5 - Brazil said coffee export quotas suspended by the International Coffee "
                    "Organization after the London talks would hurt producers, and delegates from Colombia "
                    "agreed; the weather in the producing countries and the dollar worry traders.",
               date="1987-03-05", title="Brazil on coffee quotas"),
    ]
    root = tmp_path_factory.mktemp("dups")
    with open(root / "a.jsonl", "w") as f:
        for s in stories:
            f.write(json.dumps(s) + "\n")
    ix = tmp_path_factory.mktemp("ix")
    build_index([root], ix, progress=False, procs=1)
    (root / "later.jsonl").write_text(json.dumps(record(103, STORY, title="Copy under another id")) + "\n")
    build_index([root], ix, progress=False, procs=1)     # a later run adds one more copy
    return Archive(ix)


def test_results_show_one_story_per_group(archive):
    result = archive.search(SearchRequest(q="coffee", per_page=100))
    assert result.total == 35 and result.groups == 32 and result.grouped
    assert len(result.hits) == 32
    ico = [h for h in result.hits if h.id in ("s100", "s101", "s102", "s103")]
    assert len(ico) == 1 and ico[0].versions_count == 3
    assert {v.id for v in ico[0].versions} | {ico[0].id} == {"s100", "s101", "s102", "s103"}
    assert all(h.versions_count == 0 for h in result.hits if h not in ico)
    assert result.facet_counts == "stories"


def test_group_off_lists_every_version(archive):
    result = archive.search(parse_request({"q": ["coffee"], "group": ["off"], "per_page": ["100"]}))
    assert result.total == result.groups == len(result.hits) == 35 and not result.grouped


def test_the_newest_version_stands_for_the_group_in_date_order(archive):
    result = archive.search(SearchRequest(q="suspended", sort="newest"))
    assert [h.id for h in result.hits] == ["s104", "s101"] and result.total == 5


def test_a_filter_counts_only_matching_versions(archive):
    result = archive.search(SearchRequest(q="suspended", date_from=_dt.date(1987, 3, 4), date_to=_dt.date(1987, 3, 4)))
    assert result.total == 1 and result.hits[0].versions_count == 0


def test_story_lists_its_versions_and_related_stories_apart(archive):
    story = archive.story("s100")
    assert {v.id for v in story.versions} == {"s101", "s102", "s103"}
    similar = [v.id for v in story.similar]
    assert similar[0] == "s104" and not set(similar) & {"s100", "s101", "s102", "s103"}
    assert story.similar[0].date == "1987-03-05"


def test_bad_group_parameter():
    from indexer.search import QueryError
    with pytest.raises(QueryError):
        parse_request({"group": ["maybe"]})
