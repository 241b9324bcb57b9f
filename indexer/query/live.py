"""The open index generation of this process, swapped when a reindex lands.

One Whoosh searcher and the arrays built from it (facet tables, the evaluator, the
parsers, a few caches) are kept per generation, so a request never reopens the
index. `LiveIndex.current()` checks at most every `refresh_every` seconds whether
a new generation (a new `current` symlink) or a new Whoosh commit has landed, and
opens it; the old searcher closes when its last request lets go of it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import store
from ..facetspec import DEFAULT_MATCH, FACETS
from ..schema import FACET_FIELDS
from .evaluate import Evaluator, Postings
from .parse import make_parsers
from .suggest import Suggester
from .tables import Tables, read_labels

REFRESH_EVERY_S = 1.0


@dataclass
class Live:
    """One open generation and what is computed once per generation."""
    gen: Path
    ix: object
    searcher: object
    tables: Tables
    evaluator: Evaluator
    parser: object
    plain_parser: object
    labels: dict = field(default_factory=dict)   # (param, value) -> (label, name, kind), tables.read_labels
    whole: dict = field(default_factory=dict)    # match -> facets of the unfiltered whole archive
    _folded: dict = field(default_factory=dict)  # field -> {casefolded value: value}
    collapsed: dict = field(default_factory=dict)    # browsing requests' Collapsed, see matching.collapsed
    parsers: dict = field(default_factory=dict)   # (full, plain) per language set, multilingual.parsers
    suggester: Suggester | None = None    # built on the first suggestion asked of this generation
    # Guards the caches above that requests change (collapsed, suggester): one Live serves
    # every thread of a process (`flask run`, threaded workers). The arrays are read-only.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def open(cls, index_dir: Path) -> "Live":
        ix, gen = store.open_live(index_dir)
        searcher = ix.searcher()
        postings = Postings(searcher.reader())
        tables = Tables.build(postings, FACET_FIELDS, eager=tuple(f.field_for(DEFAULT_MATCH) for f in FACETS))
        full, plain = make_parsers(searcher.schema)   # ix.schema re-reads the TOC on every use
        return cls(gen, ix, searcher, tables, Evaluator(postings, searcher, tables.live), full, plain,
                   labels=read_labels(searcher, tables))


    def folded_values(self, fieldname: str) -> dict[str, str]:
        """A facet field's values by their case-folded form (`org=unicef`), built on first use."""
        found = self._folded.get(fieldname)
        if found is None:
            table = self.tables.facets.get(fieldname)
            found = {v.casefold(): v for v in (table.values if table else ())}
            self._folded[fieldname] = found
        return found


class LiveIndex:
    """Hands out the live generation of one index folder, reopening it when it changes."""

    def __init__(self, index_dir: Path | str, refresh_every: float = REFRESH_EVERY_S):
        self.index_dir = Path(index_dir)
        self.refresh_every = refresh_every
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._checked = 0.0

    def _stale(self, live: Live) -> bool:
        gen = store.live_dir(self.index_dir)
        if gen is None or gen.resolve() != live.gen.resolve():
            return True
        try:
            return not live.searcher.up_to_date()
        except OSError:
            return True

    def current(self) -> Live:
        with self._lock:
            now = time.monotonic()
            live = self._live
            if live is None or now - self._checked >= self.refresh_every:
                self._checked = now
                if live is None or self._stale(live):
                    live = self._live = Live.open(self.index_dir)
            return live

    def close(self) -> None:
        with self._lock:
            if self._live:
                self._live.searcher.close()
            self._live = None
