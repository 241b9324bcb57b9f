"""Spelling help on real text: typos made from the corpus's own words come back as those words."""
from __future__ import annotations

import json

import pytest

from corpora import corpus_records
from indexer.build import build_index
from indexer.query.didyoumean import did_you_mean, edits1
from indexer.search import Archive, parse_request
from tests.eval import spelling as S

N = 3000


@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    records = list(corpus_records(limit=N))
    root = tmp_path_factory.mktemp("reuters-spelling")
    (root / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index([root], root / "ix", progress=False)
    return Archive(root / "ix"), records


def test_single_edit_typos_are_corrected_to_their_word(reuters):
    archive, records = reuters
    live = archive._index.current()
    occ, docs = S.word_counts(records)
    typos, _ = S.typo_set(occ, docs, S.known_in(live), 200)
    assert len(typos) == 200 and {t.kind for t in typos} == {"deletion", "insertion", "substitution",
                                                             "transposition"}
    figures = S.evaluate(live, typos)
    assert figures["correct"] >= 0.85, figures          # 0.90 on the whole corpus (make eval)


def test_corrections_are_checked_in_context(reuters):
    archive, _ = reuters
    live = archive._index.current()
    assert did_you_mean(live, "cofee brazl") == "coffee brazil"
    assert did_you_mean(live, "coffee brazil") is None            # known words are left alone
    fixed = archive.search(parse_request({"q": ["cofee brazl"]}))
    assert fixed.showing_results_for == "coffee brazil" and fixed.total > 0
    assert fixed.total == archive.search(parse_request({"q": ["coffee brazil"]})).total


def test_edits1_is_every_single_edit():
    e = edits1("ab")
    assert {"a", "b", "ba", "abc", "xab", "xb", "ax"} <= set(e) and "ab" not in e
    assert e["ba"] > e["xb"]          # a swap is a likelier slip than a wrong letter
