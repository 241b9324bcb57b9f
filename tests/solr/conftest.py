"""The SolrCloud the engine tests run against, and collections of their own on it.

The cluster is the one `make cluster` started (`.cluster/engine`), else one started here from the
same launcher (tests/solrcluster/cluster.py), once for the run (every pytest-xdist worker joins
it), and stopped when the run ends (tests/conftest.py, `pytest_unconfigure`).
Where Java, Maven or Solr's jars are missing the tests are skipped with the reason, unless
NEWSFACET_REQUIRE_CLUSTER=1 (CI), where that is a failure. Each test module gets its own
collection, so a user's `newsfacet` collection on a running cluster is never touched.

The 5,000 Reuters stories the differential, grouping, spelling and web tests compare are indexed
once for the whole run (`reuters5000`: a Whoosh index and a collection), by whichever worker asks
first; the other waits for it and reads the same two. Its collection is deleted when the run ends
(tests/conftest.py, `pytest_unconfigure`, from the names listed in `SHARED_COLLECTIONS`).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
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
os.environ.setdefault(cluster.ENV_QUICK_JIT, "1")     # the clusters the tests start (cluster.py says why)
REUTERS_N = 5000
SHARED_COLLECTIONS = "solr-collections.txt"      # in the run's shared folder: deleted at the end


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


def run_folder(config) -> Path:
    """The folder every pytest-xdist worker of this run shares (a worker's basetemp is `<the run's
    basetemp>/gwN`)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def shared_folder(config) -> Path:
    """Where this run's own cluster lives: one for the whole run, however many pytest-xdist workers;
    tests/conftest.py stops it at the end."""
    return run_folder(config) / "solrcloud"


def start_or_join(folder: Path) -> str:
    """The engine URL of the cluster in `folder`, started by whichever worker asks first."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / "solrcloud.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)            # the other worker waits for the same cluster
        try:
            return cluster.start(folder)
        except cluster.ClusterUnavailable as exc:
            _unavailable(str(exc))


@pytest.fixture(scope="session")
def solr_cluster(request):
    """The cluster of `make cluster` when it runs, else this run's own (started once, shared by the
    workers: two clusters would not fit two cores beside the rest of the suite)."""
    running = ROOT / ".cluster"
    if cluster.running(running):
        return Cluster(cluster.engine_url(running), running)
    folder = shared_folder(request.config)
    return Cluster(start_or_join(folder), folder)


@pytest.fixture(scope="module")
def own_cluster(tmp_path_factory):
    """A cluster of one test module's own, stopped at its end (the node-failure test kills a node)."""
    folder = tmp_path_factory.mktemp("solrcloud-own")
    try:
        url = cluster.start(folder, shards=1, replicas=1)
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


@dataclass
class Corpus:
    data: Path          # the folder of the stories (one JSON Lines file)
    whoosh: Path        # its Whoosh index
    client: SolrClient  # its collection


@contextlib.contextmanager
def prepared_once():
    """Each story extracted and analysed once (`prepare.prepare`, the costly part of indexing) for both
    engines: the Whoosh run (in this process) remembers each story's fields, the Solr run reuses them
    (its workers are forked from this process afterwards). The same function on the same story gives
    the same fields; this only saves doing it twice."""
    from indexer.index import parallel
    from indexer.engines.solr import indexing
    from indexer.index.prepare import prepare
    done: dict[tuple[str, str], tuple[dict, str | None]] = {}

    def remembered(doc, key):
        ident = (key, repr(doc))
        if ident not in done:
            done[ident] = prepare(doc, key)
        fields, warning = done[ident]
        return dict(fields), warning

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "prepare", remembered)
        patch.setattr(indexing, "prepare", remembered)
        yield


@pytest.fixture(scope="session")
def reuters5000(solr_cluster, request) -> Corpus:
    """The first 5,000 Reuters stories in both engines, indexed once for the run (see the docstring)."""
    from corpora import corpus_records
    from indexer.index.build import build_index
    from indexer.engines.solr import indexing

    folder = run_folder(request.config) / "reuters5000"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / "reuters5000.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # the other worker waits, then reads what this one built
        done = folder / "done.json"
        if done.is_file():
            name = json.loads(done.read_text())["collection"]
            return Corpus(folder / "data", folder / "ix", solr_cluster.collection(name))
        data = folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        with open(data / "reuters.jsonl", "w", encoding="utf-8") as f:
            for rec in corpus_records(limit=REUTERS_N):
                f.write(json.dumps(rec) + "\n")
        name = f"nf_reuters5000_{uuid.uuid4().hex[:6]}"
        client = solr_cluster.collection(name)
        with open(folder.parent / SHARED_COLLECTIONS, "a") as f:
            f.write(f"{solr_cluster.url}\t{name}\n")
        client.setup(shards=2, replicas=2)
        with prepared_once():
            # one process: Whoosh then numbers the stories in file order, as `seq` does in Solr. Its
            # parallel writer numbers them as its segments finish, an order that varies from run to run,
            # and ties (a group's versions listed by docnum, the stories sampled to show a stem as a word,
            # equal dates) would then differ by the luck of the run, not by engine.
            build_index([data], folder / "ix", progress=False, procs=1)
            report = indexing.index(client, [data])       # its forked workers inherit what Whoosh's run prepared
        assert report.documents == REUTERS_N, report.problems[:5]
        done.write_text(json.dumps({"collection": name}))
        return Corpus(data, folder / "ix", client)

