"""The label, long name and kind of each facet value, keyed by (facet param, value).

The indexer stored each story's facet values with their labels, so the searcher needs no
gazetteer (loading one costs a second or two in every new worker). Since issue 20 the
indexer also writes, with each commit, every value's label as stored with the first story
holding it (derived.py, `labels.<param>`): `MappedLabels` looks one up when asked (a binary
search for the value's ordinal), so opening a generation reads nothing. An index written
before that reads them when it is opened (`read_labels`: one stored-fields read per distinct
value, about 60 ms for 700 values). Facets whose label is their value (companies: thousands
of values) are not read at all.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from indexer.index import derived
from indexer.index.caches import BytesCache
from indexer.facets import BY_PARAM, FACETS
from .tables import Tables

Label = tuple[str, str, str]          # (label, long name, kind)
CACHE_BYTES = 8 * 1024 * 1024         # labels read from the mapped file, kept per generation


class MappedLabels(Mapping):
    """(param, value) -> Label, from the generation's derived file; read-only, shared by threads."""

    def __init__(self, tables: Tables):
        self._tables = tables
        # keys of values the archive holds only; None: no label. Bounded by bytes: at millions of
        # values, every label ever asked would otherwise stay for the generation's life
        self._cache = BytesCache(CACHE_BYTES)


    def _table(self, param: str):
        spec = BY_PARAM.get(param)
        return None if spec is None else self._tables.facets.get(spec.mention_field)

    def __getitem__(self, key) -> Label:
        try:
            param, value = key
        except (TypeError, ValueError):
            raise KeyError(key) from None
        found = self._cache.get(key, KeyError)
        if found is KeyError:
            entries, table = self._tables.label_entries.get(param), self._table(param)
            ordinal = table.values.ordinal(value) if entries is not None and table is not None else None
            if ordinal is None:
                raise KeyError(key)                 # not kept: any text may be asked
            entry = entries[ordinal] if ordinal < len(entries) else ""
            found = self._cache.put(key, tuple(entry.split(derived.LABEL_SEP)) if entry else None)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self):
        for param, entries in self._tables.label_entries.items():
            table = self._table(param)
            for ordinal in range(min(len(entries), len(table.values))):
                if entries[ordinal]:
                    yield param, table.values[ordinal]

    def __len__(self) -> int:
        return sum(1 for _ in self)


def labels(searcher, tables: Tables) -> Mapping[tuple[str, str], Label]:
    """The mapped labels when the generation has them, else read now (an older index)."""
    return MappedLabels(tables) if tables.mapped and tables.label_entries else read_labels(searcher, tables)


def read_labels(searcher, tables: Tables) -> dict[tuple[str, str], Label]:
    """Every label read from the stories: one stored-fields read per distinct value (the old path)."""
    out: dict[tuple[str, str], Label] = {}
    for spec in FACETS:
        table = tables.facets.get(spec.mention_field)
        if not spec.stored_labels or table is None or not table.values:
            continue
        order = np.argsort(table.vals, kind="stable")
        first = table.docs[order][np.searchsorted(table.vals[order], np.arange(len(table.values)))]
        for value, docnum in zip(table.values, first.tolist()):
            for item in searcher.stored_fields(docnum).get(spec.display) or []:
                if item.get("value") == value:
                    label = item.get("label") or value
                    name = item.get("name") or ""
                    out[(spec.param, value)] = (label, "" if name == label else name, item.get("kind") or "")
                    break
    return out
