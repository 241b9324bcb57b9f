"""The MinHash signature and groups (dedup.py), and grouping measured on Reuters (tests/eval/dedup.py)."""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pytest

from corpora import corpus_records
from indexer.index import dedup, schema
from tests.eval import dedup as measure
from test_dedup import STORY


def sig(title: str, body: str) -> np.ndarray:
    return np.frombuffer(dedup.minhash(title, body), dtype="<u2")


def agree(a: np.ndarray, b: np.ndarray) -> float:
    return float((a == b).mean())


def test_minhash_fits_its_column_and_is_a_function_of_the_text():
    assert len(dedup.minhash("t", STORY)) == dedup.SIGNATURE_BYTES == schema.MINHASH_BYTES
    assert dedup.minhash("Coffee talks", STORY) == dedup.minhash("COFFEE TALKS", STORY.replace(" ", "  "))


def test_agreement_estimates_jaccard():
    base = sig("ICO quota talks end", STORY)
    correction = sig("ICO quota talks end", STORY.replace("prices fell", "prices rose"))
    other = sig("Brazil on coffee", "BRASILIA, March 5 - Brazil said coffee export quotas suspended by the "
                "International Coffee Organization would hurt producers; the weather and the dollar worry traders.")
    assert agree(base, correction) >= dedup.MIN_AGREE
    assert agree(base, other) < 0.3


def test_short_bodies_get_no_minhash():
    assert dedup.minhash("A long headline of many words here", "Blah blah blah.") == dedup.NO_MINHASH


def test_minhash_groups_join_versions_within_a_week():
    a = sig("t", STORY)
    near = sig("t", STORY.replace("prices fell", "prices rose"))
    far = sig("t", STORY[::-1])
    none = np.zeros(dedup.NUM_HASHES, dtype="<u2")
    day = _dt.date(1987, 3, 3).toordinal()
    sigs = np.stack([a, near, far, a, a, none, none, a])
    days = np.array([day, day + 1, day, day + 60, day, day, day, day], dtype=np.int32)
    live = np.array([True] * 7 + [False])
    g = dedup.minhash_groups(sigs, live, days)
    assert g[0] == g[1] == g[4] == 0          # correction, copy
    assert g[2] == 2 and g[3] == 3            # another story; the same text two months later
    assert g[5] == 5 and g[6] == 6 and g[7] == 7      # no signature, deleted: alone
    days[4] = 0
    assert dedup.minhash_groups(sigs, live, days)[4] == 0     # an undated copy joins


def test_a_chain_of_weekly_versions_is_cut_at_a_week():
    """issue 21: versions each within a week of the next chained one group over 18 days
    (reuters-4298, 12 March, with reuters-10864, 30 March). A group spans at most MAX_DAYS."""
    a = sig("t", STORY)
    day = _dt.date(1987, 3, 12).toordinal()
    sigs = np.stack([a, a, a, a, a])
    days = np.array([day, day + 6, day + 12, day + 18, 0], dtype=np.int32)
    g = dedup.minhash_groups(sigs, np.ones(5, dtype=bool), days)
    assert g[0] == g[1] == g[4] == 0                       # 12 and 18 March, and the undated copy
    assert g[2] == g[3] == 2                               # 24 and 30 March: a group of their own
    for members in ({0, 1, 4}, {2, 3}):
        dated = [int(days[i]) for i in members if days[i]]
        assert max(dated) - min(dated) <= dedup.MAX_DAYS
    old = dedup.groups(np.array([7, 7, 7, 7], dtype=np.uint64), np.ones(4, dtype=bool),
                       np.array([day, day + 6, day + 12, day + 18]))
    assert old[0] == old[1] and old[2] == old[3] and old[0] != old[2]      # simhash indexes alike


def test_grouping_finds_the_near_duplicates_of_reuters(tmp_path):
    pytest.importorskip("datasketch")
    import json
    from indexer.index.build import build_index
    from indexer.search import Archive
    records = list(corpus_records(limit=4000))
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index([tmp_path], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    pairs, sets = measure.near_pairs(records)
    long = {r["id"] for r in records if len((r.get("body") or "").split()) >= dedup.MIN_WORDS}
    signed = {p: j for p, j in pairs.items() if p[0] in long and p[1] in long}   # the stories the index signs
    figures = measure.score(signed, sets, measure.index_groups(archive))
    assert figures["near_pairs"] >= 50, figures
    assert figures["recall"] >= 0.95, figures
    assert figures["grouped_pairs_below_0.5"] == 0, figures


def _brute_force_groups(sigs: np.ndarray, live: np.ndarray, day: np.ndarray) -> np.ndarray:
    """What minhash_groups computes, pair by pair: two stories sharing a band's minima whose
    minima agree on MIN_AGREE and whose dates are within MAX_DAYS (or unknown) are joined."""
    n = len(sigs)
    docs = [i for i in range(n) if live[i] and sigs[i].any()]
    a, b = [], []
    for x, i in enumerate(docs):
        for y in range(x + 1, len(docs)):
            j = docs[y]
            banded = any((sigs[i, k * dedup.ROWS:(k + 1) * dedup.ROWS] == sigs[j, k * dedup.ROWS:(k + 1) * dedup.ROWS]).all()
                         for k in range(dedup.BANDS))
            agree = (sigs[i] == sigs[j]).sum() >= dedup.MIN_AGREE * dedup.NUM_HASHES
            close = abs(int(day[i]) - int(day[j])) <= dedup.MAX_DAYS or day[i] == 0 or day[j] == 0
            if banded and agree and close:
                a.append(x)
                b.append(y)
    label = dedup.within_days(dedup._components(len(docs), np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)),
                              day[docs].astype(np.int64))
    group = np.arange(n, dtype=np.int32)
    first = np.full(len(docs), n, dtype=np.int64)
    np.minimum.at(first, label, np.array(docs))
    group[docs] = first[label]
    return group


def test_many_copies_group_as_pair_by_pair_whatever_the_chunk_of_pairs(monkeypatch):
    """Stories copied up to 12 times (the 50x bench copies each 50 times: millions of pairs), near
    copies, strangers, undated and weeks-apart copies: the groups are those pair by pair, and the
    same whether the signatures of the pairs are compared all at once or 5 pairs at a time."""
    rng = np.random.default_rng(20)
    base = rng.integers(1, 60000, size=(40, dedup.NUM_HASHES), dtype=np.uint16)
    rows, days = [], []
    for i, sig in enumerate(base):
        for c in range(1 + i % 12):
            row = sig.copy()
            if c % 3 == 2:                       # a near copy: a few minima differ
                row[rng.choice(dedup.NUM_HASHES, size=8, replace=False)] = rng.integers(1, 60000, size=8)
            rows.append(row)
            days.append(0 if c == 5 else 7000 + i + (30 if c % 4 == 3 else c))
    sigs, day = np.array(rows), np.array(days, dtype=np.int32)
    live = np.ones(len(sigs), dtype=bool)
    live[::17] = False
    want = _brute_force_groups(sigs, live, day)
    assert len(set(want.tolist())) < len(sigs) - 100          # most copies are grouped
    assert dedup.minhash_groups(sigs, live, day).tolist() == want.tolist()
    monkeypatch.setattr(dedup, "PAIRS_AT_ONCE", 5)
    assert dedup.minhash_groups(sigs, live, day).tolist() == want.tolist()
