"""The Solr schema's facet fields come from the facet registry (indexer/engines/solr/schema.py).

A facet registered at run time is declared in the schema `newsfacet setup` uploads, sent with each
story and counted and filtered by Solr as by Whoosh. The synthetic facets are those of
tests/test_facet_registry_surfaces.py (a kinded "topic") and a one-value "length"; no module of
NewsFacet names them. The first tests need no cluster; the last one skips without it, as the other
engine tests do (conftest.py).
"""
from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET

import pytest

from indexer.engines import EngineError
from indexer.engines.solr import indexing, schema
from indexer.facets import FACETS, Facet, SingleValueFacet
from indexer.index.prepare import prepare
from indexer.read.documents import read_source
from test_facet_registry_surfaces import RECORDS, TOPIC


def _length(doc, ents) -> list[dict]:
    size = "short" if len((doc.body or "").split()) < 6 else "long"
    return [{"value": size, "label": size.title()}]


LENGTH = SingleValueFacet("length", "length", "Length", values=_length, label=str.title)
EXPECTED = {"keyword": {"indexed": "true", "stored": "false", "multiValued": "true"},
            "value": {"indexed": "true", "stored": "true"},
            "stored": {"indexed": "false", "stored": "true"}}


@pytest.fixture
def registered():
    FACETS.register(TOPIC)
    FACETS.register(LENGTH)
    try:
        yield
    finally:
        FACETS.unregister("topic")
        FACETS.unregister("length")


def declared() -> dict[str, dict]:
    root = ET.fromstring(schema.schema_xml())
    assert not [d.get("name") for d in root.iter("dynamicField") if d.get("name").endswith(("_any", "_display"))]
    return {f.get("name"): f.attrib for f in root.iter("field")}


def test_generated_schema_covers_every_registered_facet(registered):
    fields = declared()
    assert {"topic", "topic_any", "topic_kind", "topic_kind_any", "topics_display", "length"} <= set(fields)
    for spec in FACETS:
        for name, what in spec.schema_fields().items():
            assert name in fields, (spec.name, name)
            got = fields[name]
            assert {k: got.get(k, "false") for k in EXPECTED[what]} == EXPECTED[what], (spec.name, name, got)
            assert got["type"] == "string"


def test_unregistered_facets_leave_the_schema(registered):
    assert "topic_kind_any" in declared()
    FACETS.unregister("topic")
    try:
        assert not {"topic", "topic_any", "topic_kind", "topics_display"} & set(declared())
    finally:
        FACETS.register(TOPIC)


def test_built_in_fields_as_before():
    """The generated declarations of the built-in facets are those the configset listed by hand."""
    fields = declared()
    assert fields["org"] == {"name": "org", "type": "string", "indexed": "true", "stored": "false",
                             "multiValued": "true"}
    for name in ("language", "source"):
        assert fields[name] == {"name": name, "type": "string", "indexed": "true", "stored": "true"}
    assert fields["person_any"]["multiValued"] == "true" and fields["orgs_display"]["docValues"] == "false"


def test_every_field_a_story_is_sent_with_is_declared(registered, tmp_path):
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    fields = declared()
    docs = []
    for doc in read_source(tmp_path / "t.jsonl", tmp_path).docs:
        prepared, _ = prepare(doc, str(tmp_path / "t.jsonl"))
        docs.append(indexing.to_solr(prepared, "sig", len(docs)))
    assert all(set(d) <= set(fields) for d in docs), [set(d) - set(fields) for d in docs]
    assert docs[0]["topic"] == ["coffee"] and docs[0]["topic_kind_any"] == ["soft|coffee", "soft|cocoa"]
    assert [d["length"] for d in docs] == ["short", "long", "long", "long"]


def test_a_facet_named_like_a_fixed_field_is_refused():
    FACETS.register(Facet("dateline_facet", "dateline_facet", "Datelines", display="dateline"))
    try:
        with pytest.raises(ValueError, match="dateline"):
            schema.schema_xml()
    finally:
        FACETS.unregister("dateline_facet")


# ---------------------------------------------------------------- on a SolrCloud

@pytest.fixture(scope="module")
def engines(solr_cluster, tmp_path_factory):
    """A collection set up before the facets were registered, then set up again; the Whoosh index of the
    same stories beside it."""
    from indexer.index.build import build_index
    from indexer.query.solrsearch import SolrEngine
    from indexer.search import Archive

    name = f"nf_schema_{uuid.uuid4().hex[:6]}"
    client = solr_cluster.collection(name)
    client.setup(shards=2, replicas=1)
    data = tmp_path_factory.mktemp("schema-topics")
    (data / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    FACETS.register(TOPIC)
    FACETS.register(LENGTH)
    try:
        with pytest.raises(EngineError, match="topic.*newsfacet setup"):       # said before anything is sent
            indexing.index(client, [data], procs=1)
        assert "reloaded" in client.setup()
        assert indexing.index(client, [data], procs=1).documents == len(RECORDS)
        ix = tmp_path_factory.mktemp("schema-topics-ix")
        build_index([data], ix, progress=False, procs=1)
        whoosh = Archive(ix)
        yield whoosh, Archive(engine=SolrEngine(client))
        whoosh.close()
    finally:
        FACETS.unregister("topic")
        FACETS.unregister("length")
        try:
            client.request("admin/collections", {"action": "DELETE", "name": name}, timeout=120)
            client.request("admin/configs", {"action": "DELETE", "name": name})
        except Exception:
            pass


PARAMS = [{}, {"topic": "coffee"}, {"topic": "coffee", "match": "about"}, {"not_topic": "coffee"},
          {"q": "topic:cocoa"}, {"q": "theme:crude"}, {"kind_topic": "energy"}, {"length": "short"},
          {"not_length": "short", "topic": "cocoa"}]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_registered_facets_counted_and_filtered_by_solr(engines, params):
    from indexer.search import parse_request
    whoosh, solr = engines
    req = parse_request({"group": ["off"], **{k: [v] for k, v in params.items()}})
    w, s = whoosh.search(req), solr.search(req)
    assert sorted(h.id for h in s.hits) == sorted(h.id for h in w.hits) and s.total == w.total
    for name in ("topic", "length"):
        assert [(v.value, v.label, v.count, v.kind) for v in s.facets[name]] == \
               [(v.value, v.label, v.count, v.kind) for v in w.facets[name]], name
    assert {h.id: [(c.value, c.label) for c in h.topics] for h in s.hits} == \
           {h.id: [(c.value, c.label) for c in h.topics] for h in w.hits}


def test_solr_counts_of_the_synthetic_facet(engines):
    from indexer.search import parse_request
    _, solr = engines
    counts = {f.value: (f.label, f.count) for f in solr.search(parse_request({})).facets["topic"]}
    assert counts == {"coffee": ("Coffee", 2), "cocoa": ("Cocoa", 2), "crude": ("Crude oil", 1)}
    energy = solr.search(parse_request({"kind_topic": ["energy"]})).facets["topic"]
    assert [(f.value, f.kind) for f in energy] == [("crude", "energy")]
    assert {f.value: f.count for f in solr.search(parse_request({})).facets["length"]} == {"short": 1, "long": 3}
