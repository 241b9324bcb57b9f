"""The caches of one open generation (generation.py), and of the SolrCloud engine's look-alike.

What requests fill is kept here, bounded, and nowhere else on a generation: each cache is a
`BytesCache` (index/caches.py), which owns its lock, so the thread safety of every one of
them is argued once, there. Values whose size is not known (parsers, collapsed groups, the
parts made when first asked) are bounded by their number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.index.caches import BytesCache
from . import didyoumean, matching, multilingual

UNSIZED = 1 << 40           # caches of values whose size is not known are bounded by their number
KIND_LABELS_BYTES = 4 * 1024 * 1024
PARTS = 16                  # parts made when first asked: the suggester, health figures, known names


def _by_count(entries: int) -> BytesCache:
    return BytesCache(UNSIZED, max_entry=UNSIZED, max_entries=entries)


@dataclass(frozen=True, eq=False)
class Caches:
    """Every cache of one generation (Whoosh's, or the SolrCloud engine's look-alike): what
    requests fill, bounded, each changed under its own lock (`BytesCache`). The bounds are read
    from their modules when a generation opens (a test may lower them)."""
    # a match -> the facets of the whole archive (facetcounts.py)
    whole: BytesCache = field(default_factory=lambda: _by_count(8))
    # (filters, sort) -> browsing's Collapsed groups (matching.collapsed)
    collapsed: BytesCache = field(default_factory=lambda: _by_count(matching.COLLAPSED_CACHE))
    # languages -> (full, plain) parsers (multilingual.parsers)
    parsers: BytesCache = field(default_factory=lambda: _by_count(multilingual.PARSER_SETS))
    # (kind|value, field) -> (label, name) of a value as a body of that kind (kinds._label)
    kind_labels: BytesCache = field(default_factory=lambda: BytesCache(KIND_LABELS_BYTES))
    # typed text (and filters) -> its correction (didyoumean.correct)
    corrections: BytesCache = field(default_factory=lambda: BytesCache(didyoumean.CACHED_BYTES))
    # parts made when first asked, once: the suggester, health figures, known names (`Generation.part`)
    parts: BytesCache = field(default_factory=lambda: _by_count(PARTS))

    def all(self) -> dict[str, BytesCache]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
