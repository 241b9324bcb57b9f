"""The query node a prefix or wildcard becomes once expanded: the stems it stood for.

A module of its own because both the parser's semantics (which builds it) and the
budget (which counts its words against the caps) need the type, and neither may
import the other at load time without a cycle.
"""
from __future__ import annotations

from whoosh import query as wq


class Expansion(wq.Or):
    """The stems a prefix or wildcard stood for (an OR of terms, scored as Whoosh's BM25F sum)."""

    def __init__(self, subqueries, pattern: str = "", fieldname: str = "", boost: float = 1.0):
        super().__init__(subqueries, boost=boost)
        self.pattern, self.fieldname = pattern, fieldname

    def __repr__(self):
        return f"Expansion({self.fieldname!r}, {self.pattern!r}, {len(self.subqueries)} words)"

    def normalize(self):      # an empty expansion stays a query that matches nothing (not NullQuery)
        return self
