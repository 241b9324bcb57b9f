"""An acronym naming bodies of several kinds is listed under each kind, counted per kind."""
from __future__ import annotations

import json

from indexer.extract import entities
from indexer.index.build import build_index
from indexer.extract.gazetteer import Organisation
from indexer.search import Archive, parse_request

# (story id, kind of ICC in it): ICC is a government body in three stories, intergovernmental in two
KINDS = [("g1", "government"), ("g2", "government"), ("g3", "government"),
         ("i1", "intergovernmental"), ("i2", "intergovernmental")]
NAMES = {"government": "Interstate Commerce Commission", "intergovernmental": "International Chamber of Commerce"}


def test_a_shared_acronym_is_counted_under_each_of_its_kinds(tmp_path, monkeypatch):
    def extract(title, body, dateline=None, date=None):
        kind = body.split()[-1]
        return entities.Entities(organisations=[Organisation(NAMES[kind], "ICC", kind)])
    monkeypatch.setattr(entities, "extract", extract)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "s.jsonl").write_text("".join(
        json.dumps({"id": i, "date": "1987-03-01", "title": f"Story {i}", "body": f"ICC acted {kind}"}) + "\n"
        for i, kind in KINDS), encoding="utf-8")
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False, procs=1)
    archive = Archive(tmp_path / "ix")

    def org_facet(kind: str, q: str = "") -> list[tuple[str, int, str, str]]:
        result = archive.search(parse_request({"org_kind": [kind], "q": [q]} if kind else {"q": [q]}))
        return [(v.value, v.count, v.kind, v.name) for v in result.facets["organisation"]]

    assert org_facet("government") == [("ICC", 3, "government", NAMES["government"])]
    assert org_facet("intergovernmental") == [("ICC", 2, "intergovernmental", NAMES["intergovernmental"])]
    assert org_facet("company") == []
    assert [(v, c) for v, c, _, _ in org_facet("")] == [("ICC", 5)]      # all kinds: every story once
    assert org_facet("government", q="story -g1") == [("ICC", 2, "government", NAMES["government"])]
