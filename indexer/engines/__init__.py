"""Engines: where a request meets an index (DESIGN.md, "Engines").

Whoosh is the embedded default (the index is a folder: `query/whooshengine.py`); SolrCloud
(`engines/solr/` for its client and indexing, `query/solr*.py` for its queries) runs the same
product past one machine. An engine is chosen in one place, `search.open_engine`, from a URL given as `--engine` or `$NEWSFACET_ENGINE` (`solr://host:port/collection`);
no URL means Whoosh. The `Engine` protocol is what the query side's public face
(`indexer/search.Archive`, which the CLI and the web app use) needs of either.
"""
from __future__ import annotations

from typing import Iterable, Protocol, runtime_checkable

ENV_ENGINE = "NEWSFACET_ENGINE"
SCHEMES = ("solr",)


class EngineError(Exception):
    """An engine that cannot be reached or refuses a request; the message is for the user."""


@runtime_checkable
class Engine(Protocol):
    """What the query side asks of a search engine: the one seam between a request and an index.

    `search.Archive` holds one and delegates every call; Whoosh's implementation is
    `query/whooshengine.WhooshEngine` (an index folder), SolrCloud's `query/solrsearch.SolrEngine`
    (a collection). The types are the query side's (`query/request.py`), named in words here
    because this layer sits below it. tests/test_engines.py checks that both implement every
    method with these parameters.
    """

    index_dir: str | object                                      # where the index is: a folder or a URL

    def search(self, req): ...                                   # SearchRequest -> SearchResult
    def facets(self, req) -> dict: ...                           # {facet name: [FacetValue]} of every match
    def document(self, doc_id: str, q: str = ""): ...            # the story page: Story or None
    def document_text(self, doc_id: str): ...                    # (title, whole body) or None
    def suggest(self, q: str, limit: int = 8) -> list: ...       # completions of the last word: [Suggestion]
    def related(self, doc_id: str, rows: int = 5) -> list: ...   # stories like it: [Version]
    def export(self, req): ...                                   # (count, rows) of every match, streamed
    def stats(self, top: int = 10) -> dict: ...                  # figures and the top facet values
    def health(self) -> dict: ...                                # what /healthz says; never waits for a search
    def document_count(self) -> int: ...
    def generation(self) -> str: ...                             # identifies the index a result came from
    def current(self): ...                                       # the open generation (or its look-alike)
    def close(self) -> None: ...


class Indexer(Protocol):
    """What `newsfacet index` asks of an engine that is not a folder."""

    def index(self, paths: Iterable, rebuild: bool = False, progress=None): ...
    def setup(self, shards: int = 2, replicas: int = 2) -> str: ...


def is_engine_url(url: str | None) -> bool:
    return bool(url) and url.split("://", 1)[0] in SCHEMES
