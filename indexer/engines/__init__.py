"""Engines: where a request meets an index (DESIGN.md, "Engines").

Whoosh is the embedded default (the index is a folder: `indexer/search.Archive`); SolrCloud
(`engines/solr/`) runs the same product past one machine. An engine is chosen in one place,
`open_engine`, from a URL given as `--engine` or `$NEWSFACET_ENGINE` (`solr://host:port/collection`);
no URL means Whoosh. The `Engine` protocol is what the CLI and the web app need of either.
"""
from __future__ import annotations

from typing import Iterable, Protocol

ENV_ENGINE = "NEWSFACET_ENGINE"
SCHEMES = ("solr",)


class EngineError(Exception):
    """An engine that cannot be reached or refuses a request; the message is for the user."""


class Engine(Protocol):
    """What the product asks of a search engine (Whoosh's `search.Archive` answers the same calls)."""

    def search(self, req): ...                       # SearchRequest -> SearchResult
    def story(self, doc_id: str, q: str = ""): ...   # the story page: Story or None
    def suggest(self, q: str, limit: int = 8): ...   # completions of the last word
    def stats(self, top: int = 10) -> dict: ...
    def close(self) -> None: ...


class Indexer(Protocol):
    """What `newsfacet index` asks of an engine that is not a folder."""

    def index(self, paths: Iterable, rebuild: bool = False, progress=None): ...
    def setup(self, shards: int = 2, replicas: int = 2) -> str: ...


def is_engine_url(url: str | None) -> bool:
    return bool(url) and url.split("://", 1)[0] in SCHEMES
