"""`kill -9` of one SolrCloud node (issue 23): searches go on from the replicas, indexing either
works or says why and loses nothing, and once the node is back every count is exact.

Runs against the cluster's own processes (tests/solrcluster/cluster.py): the node holding a shard
leader is killed and started again on its port and Solr home, as an operator would.
"""
from __future__ import annotations

import json
import os
import signal
import time

import cluster
import pytest

from corpora import corpus_records
from indexer.engines import EngineError
from indexer.engines.solr import indexing
from indexer.query.solrsearch import SolrEngine
from indexer.search import Archive, parse_request

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]
QUERIES = ["", "oil", "trade deficit", '"net profit"', "coffee OR cocoa", "-oil"]


def _answers(archive):
    out = {}
    for q in QUERIES:
        r = archive.search(parse_request({"q": [q], "group": ["off"], "correct": ["off"]}))
        out[q] = (r.total, {name: [(v.value, v.count) for v in values] for name, values in r.facets.items()})
    return out


def _write(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec) + "\n")


def _replica_counts(client) -> dict[str, list[int]]:
    """Stories in each replica of each shard, asked of the replica alone (distrib=false)."""
    status = client.cluster_status()["cluster"]["collections"][client.url.collection]
    out = {}
    for shard, s in status["shards"].items():
        counts = []
        for r in s["replicas"].values():
            node = r["base_url"].split("://", 1)[1].split("/", 1)[0]
            res = client.__class__(f"solr://{node}/{r['core']}").request(
                f"{r['core']}/select", {"q": "*:*", "rows": 0, "distrib": "false"})
            counts.append(int(res["response"]["numFound"]))
        out[shard] = counts
    return out


def _leader_node(folder, client) -> int:
    """Which of the cluster's nodes (1, 2) holds the leader of shard1."""
    shard = client.cluster_status()["cluster"]["collections"][client.url.collection]["shards"]["shard1"]
    leader = next(r for r in shard["replicas"].values() if r.get("leader") == "true")
    port = leader["node_name"].split("_")[0].rsplit(":", 1)[1]
    return next(i for i in (1, 2) if (folder / f"node-{i}.port").read_text().strip() == port)


@pytest.fixture(scope="module")
def solr_cluster(own_cluster):
    """A cluster of this test's own (conftest.py): killing a node of the shared one would take
    replicas away from the tests another pytest-xdist worker runs on it meanwhile."""
    return own_cluster


def test_kill_one_node(solr_cluster, collection, tmp_path):
    recs = list(corpus_records(limit=400))
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "a.jsonl", recs[:300])
    indexing.index(collection, [data])
    archive = Archive(engine=SolrEngine(collection))
    before = _answers(archive)
    assert before[""][0] == 300

    victim = _leader_node(solr_cluster.folder, collection)     # a shard's leader: updates must fail over
    pid = int((solr_cluster.folder / f"node-{victim}.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while cluster._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not cluster._alive(pid)
    try:
        assert _answers(archive) == before           # every shard still has a replica on node 1

        _write(data / "b.jsonl", recs[300:400])      # indexing during the outage
        try:
            sent = indexing.index(collection, [data]).documents
        except EngineError as exc:                   # says which node failed and why
            sent = None
            assert "refused" in str(exc) or "answered" in str(exc), exc
            print(f"indexing during the outage refused: {str(exc)[:300]}")
        if sent is not None:
            assert sent == 100 and _answers(archive)[""][0] == 400
    finally:
        cluster.start_node(solr_cluster.folder, victim)
        cluster.wait_healthy(str(collection.url))
    again = indexing.index(collection, [data])       # whatever did not arrive is sent now
    assert again.documents == (100 if sent is None else 0)
    after = _answers(archive)
    assert after[""][0] == 400
    assert all(after[q][0] >= before[q][0] for q in QUERIES if q != "-oil")
    counts = _replica_counts(collection)
    assert all(len(set(c)) == 1 for c in counts.values()), counts       # both replicas of a shard agree
    assert sum(c[0] for c in counts.values()) == 400
