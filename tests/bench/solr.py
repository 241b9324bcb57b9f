"""The SolrCloud engine in `make bench` (issue 23): indexing rate, the query mix's p50/p95, index size.

Runs when a local cluster is up (`make cluster`: `.cluster/engine`) or `--solr URL` names one;
else the report says why it was left out. Each scale gets its own collection (`bench_x1`,
`bench_x10`; 2 shards x 2 replicas), indexed from the same corpus folder as Whoosh, and the
same query mix is searched through the same public face (`Archive` over `SolrEngine`, as `newsfacet
--engine` uses it). Timed like inproc.py: a warm-up pass, then rounds pooled into one sample.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from indexer.engines.solr import indexing
from indexer.engines.solr.client import SolrClient, SolrURL
from indexer.query.solrsearch import SolrEngine
from indexer.search import Archive, parse_request

from .queries import BenchQuery
from .stats import summary

ROOT = Path(__file__).resolve().parents[2]


def engine_url(given: str | None) -> str | None:
    if given:
        return given
    sys.path.insert(0, str(ROOT / "tests" / "solrcluster"))
    import cluster
    folder = ROOT / ".cluster"
    return cluster.engine_url(folder) if cluster.running(folder) else None


def index_bytes(client: SolrClient) -> int:
    """Bytes of every replica's index (CoreAdmin STATUS on each live node): what the cluster stores."""
    status = client.cluster_status()["cluster"]
    total = 0
    for node in status.get("live_nodes", []):
        host = node.rsplit("_", 1)[0]
        res = SolrClient(SolrURL((host,), client.url.collection, client.url.context)).request(
            "admin/cores", {"action": "STATUS"})
        for core in res.get("status", {}).values():
            if core.get("cloud", {}).get("collection") == client.url.collection:
                total += int(core.get("index", {}).get("sizeInBytes", 0))
    return total


def run(url: str, scale: int, folder: Path, mix: list[BenchQuery], rounds: int) -> dict:
    base = SolrURL.parse(url)
    client = SolrClient(SolrURL(base.nodes, f"bench_x{scale}", base.context), timeout=600)
    client.setup(shards=2, replicas=2)
    t0 = time.perf_counter()
    rep = indexing.index(client, [folder], rebuild=True)
    seconds = time.perf_counter() - t0
    archive = Archive(engine=SolrEngine(client))
    samples: list[float] = []
    totals: dict[str, int] = {}
    errors: list[str] = []
    for r in range(rounds + 1):                 # round 0 warms up, not counted
        for bq in mix:
            started = time.perf_counter()
            try:
                totals[bq.label] = archive.search(parse_request(bq.params())).total
            except Exception as exc:          # reported, not fatal
                errors.append(f"{bq.label}: {type(exc).__name__}: {exc}")
                continue
            if r:
                samples.append((time.perf_counter() - started) * 1000)
    return {"engine": str(client.url), "documents": rep.documents, "seconds": round(seconds, 1),
            "group_seconds": round(rep.group_seconds, 1),
            "stories_per_s": round(rep.documents / seconds, 1) if seconds else None,
            "index_bytes": index_bytes(client), "shards": 2, "replicas": 2, "rounds": rounds,
            "search": summary(samples), "totals": totals, "errors": errors[:20]}
