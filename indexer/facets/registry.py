"""The registry of facets: the value facets in panel order, and the date facet.

Why a registry object and not a tuple: every surface (schema, request parsing, counts, the panel,
hits, the story page, the CLI, exports, feeds) loops over it at the time it runs, so a facet
registered once (`FACETS.register(facet)`) is on all of them, and one unregistered is gone from all
of them. What a surface derives from the whole registry (the URL parameters it knows, the export
columns, the Whoosh schema) is memoised per registry `version` with `FACETS.derived`, never frozen
into a module constant at import time.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Callable, TypeVar

from .base import FIRST_COLUMNS, LAST_COLUMNS, ONE_VALUE_COLUMNS, Facet
from .date import DateFacet

T = TypeVar("T")
# names a value facet may not take: the date facet's and the other search parameters
RESERVED = frozenset({"q", "date", "from", "to", "sort", "group", "correct", "page", "per_page", "match", "whole"})


class Registry(Sequence):
    """The value facets, in panel order (a Sequence: `for spec in FACETS`), and `date`."""

    def __init__(self, date: DateFacet, facets: tuple[Facet, ...] = ()):
        self.date = date
        self._facets: list[Facet] = []
        self.by_name: dict[str, Facet] = {}      # the same dicts for good: modules import them
        self.by_param: dict[str, Facet] = {}
        self.version = 0
        self._lock = threading.Lock()
        for facet in facets:
            self.register(facet)

    def __getitem__(self, i):
        return self._facets[i]

    def __len__(self) -> int:
        return len(self._facets)

    def __repr__(self) -> str:
        return f"Registry({[f.name for f in self._facets]})"

    def get(self, key: str) -> Facet | None:
        """The facet with this parameter or name ("org" or "organisation")."""
        return self.by_param.get(key) or self.by_name.get(key)

    def register(self, facet: Facet, before: str | None = None) -> Facet:
        """Add a facet (at the end of the panel, or before the facet named `before`)."""
        with self._lock:
            taken = {*self.by_name, *self.by_param, *RESERVED}
            if facet.name in taken or facet.param in taken:
                raise ValueError(f"a facet named {facet.name!r} or with the parameter {facet.param!r} exists")
            at = next((i for i, f in enumerate(self._facets) if f.name == before), len(self._facets))
            self._facets.insert(at, facet)
            self.by_name[facet.name] = facet
            self.by_param[facet.param] = facet
            self.version += 1
        return facet

    def unregister(self, key: str) -> Facet:
        """Remove a facet by name or parameter; returns it."""
        with self._lock:
            facet = self.get(key)
            if facet is None:
                raise KeyError(key)
            self._facets.remove(facet)
            del self.by_name[facet.name]
            del self.by_param[facet.param]
            self.version += 1
        return facet

    # ------------------------------------------------------------ what surfaces derive

    def derived(self, fn: Callable[[], T]) -> Callable[[], T]:
        """Memoise a function of the registry alone until the registry changes."""
        memo: dict = {}

        @functools.wraps(fn)
        def wrapper() -> T:
            version = self.version
            if memo.get("version") != version:
                memo["value"], memo["version"] = fn(), version
            return memo["value"]
        return wrapper

    def with_chips_on_hits(self) -> tuple[Facet, ...]:
        return tuple(f for f in self._facets if f.plural and f.on_hits)

    def with_chips_on_stories(self) -> tuple[Facet, ...]:
        return tuple(f for f in self._facets if f.plural)

    def export_columns(self, fixed_first: tuple[str, ...], fixed_middle: tuple[str, ...]) -> tuple[str, ...]:
        """The export's columns: `fixed_first`, the first facets' columns, `fixed_middle`, the one-value
        facets' columns, then the facets added since (each facet's `export_at`)."""
        def at(where: int) -> tuple[str, ...]:
            return tuple(c for f in self._facets if f.export_at == where for c in f.export_columns())
        return (*fixed_first, *at(FIRST_COLUMNS), *fixed_middle, *at(ONE_VALUE_COLUMNS), *at(LAST_COLUMNS))

    def kinded(self) -> tuple[Facet, ...]:
        """Facets whose values have kinds (narrowed by `kind_<param>`)."""
        return tuple(f for f in self._facets if f.kind_params)
