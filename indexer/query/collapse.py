"""Showing each near-duplicate group once in a result list.

Why here: groups are fixed per index generation (`dedup.py`, `Tables.group`); a query
only decides which member of each group it shows. That is numpy work over the matched
documents that have versions (`Tables.shared`, a few per cent of an archive), never a
Python loop over the hits: the best-ranked member of each group stands for it (the
highest score, or the first by date), and the others are listed as its versions.
"""
from __future__ import annotations

import numpy as np

MAX_VERSIONS = 3           # versions listed under one hit (the count is exact; the page links to all)


class Collapsed:
    """The matches of one query with each group reduced to its best-ranked member."""

    def __init__(self, tables, final: np.ndarray, ids: np.ndarray, scores: np.ndarray | None, sort: str):
        """`ids` are the docnums where `final` is True, sorted (work is O(matches), not O(archive))."""
        self.tables = tables
        self.sort = sort
        self.scores = scores
        self.final = final
        has_versions = tables.shared[ids]
        dup = ids[has_versions]                            # matched docs that have versions
        dup_group = tables.group[dup]
        by = np.lexsort((dup, self._rank(dup), dup_group))
        first = np.ones(by.size, dtype=bool)
        first[1:] = dup_group[by][1:] != dup_group[by][:-1]
        self.shown_ids = np.sort(np.concatenate([ids[~has_versions], dup[by][first]]))
        self.count = int(self.shown_ids.size)

    def _rank(self, docs: np.ndarray) -> np.ndarray:
        """Smaller is better: minus the score, or the position in date order."""
        if self.sort == "relevance" and self.scores is not None:
            return -self.scores[docs].astype(np.float64)
        return self.tables.rank(self.sort)[docs]

    def versions(self, docnum: int) -> tuple[list[int], int]:
        """The other matched members of `docnum`'s group, best first (at most MAX_VERSIONS), and their count."""
        if not self.tables.shared[docnum]:
            return [], 0
        members = self.tables.members(docnum)            # the group, from the per-generation index
        members = members[self.final[members] & (members != docnum)]
        order = np.lexsort((members, self._rank(members)))
        return [int(d) for d in members[order][:MAX_VERSIONS]], int(members.size)
