"""The public face of the query engine: what the CLI and `web/` may import.

`Archive` owns one open index for a process (a web worker or a CLI run) and answers
searches, exports, suggestions, stories and statistics as plain dataclasses;
nothing here knows about HTTP. It picks the engine that answers (`Engine`, engines/__init__.py):
Whoosh's for an index folder (query/whooshengine.py), SolrCloud's for a `solr://` URL
(query/solrsearch.py); the work is done in `indexer/query/` (see its `__init__`). This module
only picks, delegates and re-exports the request and result types, so that the rest of the
query package and the engines can change without callers noticing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .facets import BY_NAME, BY_PARAM, DATE, DEFAULT_MATCH, FACETS, MATCHES, FacetSpec
from .extract.language import label as language_label  # noqa: F401 (re-exported: the web's language chips)
from .query.facetcounts import FACET_LIMIT
from .query.parse import MAX_EXPANSIONS
from .query import params as parameters  # noqa: F401 (re-exported: the web writes its links with it)
from .query.params import SearchParams
from .query.request import (EXCLUDE_PREFIX, MAX_QUERY_CHARS, ORG_KINDS, SORTS, FacetValue, Hit, QueryError, Ref,
                            SearchRequest, SearchResult, Story, Version, parse_request)
from .query.suggest import Suggestion
from .query.whooshengine import REFRESH_EVERY_S, WhooshEngine
from .engines import Engine, EngineError, is_engine_url  # noqa: F401 (EngineError: the web's 503 when an engine is down)
from .index.store import ENV_INDEX, IndexDamaged, IndexNotFound, default_index_dir

__all__ = ["Archive", "open_archive", "EngineError", "QueryError", "SearchRequest", "SearchResult", "Story", "Hit", "FacetValue", "Ref",
           "Version", "Suggestion", "parse_request", "MAX_QUERY_CHARS", "MAX_EXPANSIONS", "ORG_KINDS",
           "SORTS", "FACET_LIMIT", "ENV_INDEX", "IndexNotFound", "IndexDamaged", "default_index_dir",
           "FACETS", "DATE", "FacetSpec", "BY_NAME", "BY_PARAM", "MATCHES", "DEFAULT_MATCH", "EXCLUDE_PREFIX",
           "SearchParams", "parameters"]


def open_engine(location, refresh_every: float = REFRESH_EVERY_S, background: bool = False) -> Engine:
    """The one place an engine is chosen: Whoosh's for an index folder, the SolrCloud engine's
    for a `solr://` URL (`--engine`, $NEWSFACET_ENGINE; engines/__init__.py)."""
    if is_engine_url(str(location)):
        from .engines.solr.client import SolrClient
        from .query.solrsearch import SolrEngine
        return SolrEngine(SolrClient(str(location)))
    return WhooshEngine(location, refresh_every, background=background)


class Archive:
    """One open index for this process, shared by its threads: the engine's answers, as the CLI
    and the web app ask for them (the engine says why it is safe to share: `WhooshEngine`)."""

    def __init__(self, location: Path | str | None = None, refresh_every: float = REFRESH_EVERY_S,
                 background: bool = False, *, engine: Engine | None = None):
        self.engine: Engine = engine if engine is not None else open_engine(location, refresh_every, background)
        self.index_dir = self.engine.index_dir

    def close(self) -> None:
        self.engine.close()

    @property
    def generation(self) -> str:
        """Identifies the index a result came from (a Whoosh generation and commit, or a collection)."""
        return self.engine.generation()

    def current_generation(self):
        """The engine's open generation (`query.generation.Generation` on Whoosh; its look-alike,
        `SolrGeneration`, on SolrCloud): its parts and caches, for tests and tools."""
        return self.engine.current()

    def search(self, req: SearchRequest) -> SearchResult:
        return self.engine.search(req)

    def facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        return self.engine.facets(req)

    def export(self, req: SearchRequest) -> tuple[int, Iterator[dict]]:
        """(count, rows) of every story matching `req`, in its order, versions included."""
        return self.engine.export(req)

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Words and facet values completing the last word of `q` (query/suggest.py)."""
        return self.engine.suggest(q, limit)

    def story(self, doc_id: str, q: str = "") -> Story | None:
        return self.engine.document(doc_id, q)

    def story_text(self, doc_id: str) -> tuple[str, str] | None:
        """(title, whole body) of a story, unhighlighted: what a long story's "whole story" link shows."""
        return self.engine.document_text(doc_id)

    def related(self, doc_id: str, rows: int = 5) -> list[Version]:
        return self.engine.related(doc_id, rows)

    def health(self) -> dict:
        """What `/healthz` reports; never waits for a search."""
        return self.engine.health()

    def document_count(self) -> int:
        """Stories in the index; 0 is an empty archive, not an error."""
        return self.engine.document_count()

    def sizes(self) -> dict:
        """Where the index's bytes go (`newsfacet stats --sizes`; Whoosh only)."""
        return self.engine.sizes()

    def stats(self, top: int = 10) -> dict:
        """Figures of the index (on Whoosh its files verified against their checksums first)."""
        return self.engine.stats(top)


def open_archive(location, **kwargs) -> Archive:
    """An `Archive` over an index folder or an engine's URL (`open_engine` picks)."""
    return Archive(location, **kwargs)
