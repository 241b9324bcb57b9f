"""A small SolrCloud client: JSON over HTTP (the standard library's), every node of the URL tried.

Why not a client library: NewsFacet needs a handful of calls (select, update, terms, the
Collections and Configsets APIs); pysolr or SolrJ would add a dependency for less than
this file, and a plain HTTP client lets the engine say exactly which node failed and why.

An engine URL names one or more nodes and the collection:
`solr://127.0.0.1:8983/newsfacet` or `solr://10.0.0.5:8983,10.0.0.6:8983/news`. A request
goes to the first node that answers: a node that is down (refused, timed out) is skipped,
so searches keep working while any node holding a replica of every shard is up.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from indexer.engines import EngineError
from . import schema

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SolrURL:
    nodes: tuple[str, ...]        # "host:port"
    collection: str
    context: str = "solr"

    @classmethod
    def parse(cls, url: str) -> "SolrURL":
        scheme, sep, rest = url.partition("://")
        if scheme != "solr" or not sep:
            raise EngineError(f"an engine URL looks like solr://host:port/collection (got {url!r})")
        hosts, _, path = rest.partition("/")
        parts = [p for p in path.split("/") if p]
        if not hosts or not parts:
            raise EngineError(f"an engine URL names a node and a collection: solr://host:port/collection (got {url!r})")
        context = "/".join(parts[:-1]) or "solr"
        return cls(tuple(h.strip() for h in hosts.split(",") if h.strip()), parts[-1], context)

    def __str__(self) -> str:
        return f"solr://{','.join(self.nodes)}/{self.collection}"


class SolrError(EngineError):
    """Solr answered with an error (status and Solr's own message)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


class SolrClient:
    def __init__(self, url: str | SolrURL, timeout: float = TIMEOUT_S):
        self.url = url if isinstance(url, SolrURL) else SolrURL.parse(url)
        self.timeout = timeout
        self._preferred = 0          # the node that answered last is asked first

    # ------------------------------------------------------------ transport
    def request(self, path: str, params=None, body: bytes | None = None, content_type: str = "application/json",
                timeout: float | None = None) -> dict:
        """JSON of `path` (below the node's context), from the first node that answers."""
        query = urllib.parse.urlencode(list(_pairs(params or {})) + [("wt", "json")])
        failures = []
        n = len(self.url.nodes)
        for k in range(n):
            i = (self._preferred + k) % n
            node = self.url.nodes[i]
            full = f"http://{node}/{self.url.context}/{path.lstrip('/')}?{query}"
            req = urllib.request.Request(full, data=body, method="POST" if body is not None else "GET")
            if body is not None:
                req.add_header("Content-Type", content_type)
            try:
                with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                    data = json.loads(resp.read() or b"{}")
                self._preferred = i
                return data
            except urllib.error.HTTPError as exc:
                message = _solr_message(exc)
                if exc.code in (502, 503, 504) or "no servers hosting shard" in message.lower():
                    failures.append(f"{node}: {message}")      # this node cannot serve it now; another may
                    continue
                raise SolrError(f"Solr ({node}) refused the request: {message}", exc.code) from None
            except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
                failures.append(f"{node}: {getattr(exc, 'reason', exc)}")
        raise EngineError("no Solr node answered: " + "; ".join(failures))

    def collection(self, handler: str, params=None, body=None, **kw) -> dict:
        return self.request(f"{self.url.collection}/{handler.lstrip('/')}", params, body, **kw)

    def select(self, params: dict, body: dict | None = None, timeout: float | None = None) -> dict:
        """/select with the JSON request API (`body`: query, filter, facet, params)."""
        data = json.dumps(body).encode("utf-8") if body is not None else None
        return self.collection("select", params, data, timeout=timeout)

    def update(self, docs_or_commands, params=None) -> dict:
        return self.collection("update", params or {}, json.dumps(docs_or_commands).encode("utf-8"))

    def commit(self) -> dict:
        return self.collection("update", {"commit": "true", "waitSearcher": "true"}, b"{}")

    # ------------------------------------------------------------ set-up
    def configset_zip(self) -> bytes:
        return schema.configset_zip()

    def setup(self, shards: int = 2, replicas: int = 2, configset: str | None = None) -> str:
        """Upload NewsFacet's configset and create the collection (schema.py); what was done, for the user."""
        return schema.setup(self, shards, replicas, configset)

    def cluster_status(self) -> dict:
        return self.request("admin/collections", {"action": "CLUSTERSTATUS", "collection": self.url.collection})


def _pairs(params: dict):
    for k, v in params.items():
        for item in (v if isinstance(v, (list, tuple)) else [v]):
            yield k, str(item).lower() if isinstance(item, bool) else str(item)


def _solr_message(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read() or b"{}")
        err = data.get("error") or {}
        message = str(err.get("msg") or err.get("trace", "")[:200] or exc.reason)
        return message if len(message) <= 400 else message[:400] + " …"
    except Exception:
        return f"HTTP {exc.code} {exc.reason}"
