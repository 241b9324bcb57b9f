"""Values that differ only by case are one value (issue 21): "BankAmerica" and "Bankamerica" were
two facet rows on Reuters, and `company:BankAmerica` found 2 stories where `company=BankAmerica`
found 31. The facet tables hold the spelling most stories use; either spelling, in a filter or in
the query, finds the stories of both."""
from __future__ import annotations

import json

import numpy as np

from indexer.index.build import build_index
from indexer.index.derivedmerge import fold_case_twins
from indexer.search import Archive, parse_request

STORIES = [
    {"id": "a1", "title": "Aegon profit up", "body": "THE HAGUE, March 3 - Aegon NV said its profit rose, Aegon NV said."},
    {"id": "a2", "title": "Aegon buys stake", "body": "THE HAGUE, March 4 - Aegon NV said it bought a stake."},
    {"id": "a3", "title": "AEGON NV PROFIT", "body": "THE HAGUE, March 5 - AEGON NV SAID PROFIT ROSE."},
    {"id": "b1", "title": "Bank results", "body": "NEW YORK, March 5 - Citicorp said its profit rose."},
]


def test_twins_fold_into_the_commonest_spelling():
    values = ["AEGON", "Aegon", "Citicorp", "aegon"]
    docs = np.array([3, 1, 2, 3, 4, 3], dtype=np.int32)
    vals = np.array([0, 1, 1, 1, 2, 3], dtype=np.int32)
    out, d, v, kept = fold_case_twins(values, docs, vals)
    assert out == ["Aegon", "Citicorp"] and kept.tolist() == [1, 2]
    assert sorted(zip(v.tolist(), d.tolist())) == [(0, 1), (0, 2), (0, 3), (1, 4)]    # story 3 once
    assert fold_case_twins(["A", "B"], docs[:2], vals[:2])[0] == ["A", "B"]


def search(archive, **params):
    return archive.search(parse_request({k: [v] for k, v in params.items()}))


def test_either_spelling_finds_the_stories_of_both(tmp_path):
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    build_index([tmp_path / "s.jsonl"], tmp_path / "ix", progress=False, procs=1)
    archive = Archive(tmp_path / "ix")
    rows = {f.value: f.count for f in search(archive, group="off").facets["company"]}
    assert rows.get("Aegon") == 3 and "AEGON" not in rows
    for spelling in ("Aegon", "AEGON", "aegon"):
        assert sorted(h.id for h in search(archive, company=spelling, group="off").hits) == ["a1", "a2", "a3"]
        assert sorted(h.id for h in search(archive, q=f"company:{spelling}", group="off").hits) == ["a1", "a2", "a3"]
    assert sorted(h.id for h in search(archive, not_company="AEGON", group="off").hits) == ["b1"]
