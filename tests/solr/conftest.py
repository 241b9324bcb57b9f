"""The SolrCloud the engine tests run against, and collections of their own on it.

The cluster is the one `make cluster` started (`.cluster/engine`), else one started here for
the session from the same launcher (tests/solrcluster/cluster.py) and stopped at the end.
Where Java, Maven or Solr's jars are missing the tests are skipped with the reason, unless
NEWSFACET_REQUIRE_CLUSTER=1 (CI), where that is a failure. Each test module gets its own
collection, so a user's `newsfacet` collection on a running cluster is never touched.
"""
from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "solrcluster"))

import cluster  # noqa: E402  (tests/solrcluster/cluster.py)

from indexer.engines.solr.client import SolrClient, SolrURL  # noqa: E402

REQUIRE = os.environ.get("NEWSFACET_REQUIRE_CLUSTER") == "1"


@dataclass
class Cluster:
    url: str            # the engine URL of the cluster's default collection
    folder: Path        # pids, ports and logs (cluster.py)

    def collection(self, name: str) -> SolrClient:
        base = SolrURL.parse(self.url)
        return SolrClient(SolrURL(base.nodes, name, base.context), timeout=120)


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"NEWSFACET_REQUIRE_CLUSTER=1 but no SolrCloud: {reason}")
    pytest.skip(f"no SolrCloud for the engine tests: {reason}")


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory):
    running = ROOT / ".cluster"
    if cluster.running(running):
        yield Cluster(cluster.engine_url(running), running)
        return
    folder = tmp_path_factory.mktemp("solrcloud")
    try:
        url = cluster.start(folder)
    except cluster.ClusterUnavailable as exc:
        _unavailable(str(exc))
    try:
        yield Cluster(url, folder)
    finally:
        cluster.stop(folder)


@pytest.fixture(scope="module")
def collection(solr_cluster, request):
    """A fresh 2-shard x 2-replica collection of NewsFacet's configset, deleted afterwards."""
    name = f"nf_{request.module.__name__.rsplit('.', 1)[-1].replace('test_', '')}_{uuid.uuid4().hex[:6]}"
    client = solr_cluster.collection(name)
    client.setup(shards=2, replicas=2)
    yield client
    try:
        client.request("admin/collections", {"action": "DELETE", "name": name}, timeout=120)
        client.request("admin/configs", {"action": "DELETE", "name": name})
    except Exception:
        pass
