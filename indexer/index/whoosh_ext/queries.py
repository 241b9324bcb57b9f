"""A Whoosh query form NewsFacet evaluates itself, reached through Whoosh's private API.

Why: a date range is evaluated as one comparison over the date column (query/arrays.py);
an index without that column falls back to the terms the range stands for, which only
`NumericRange._compile_query` knows how to list (the trie terms of each resolution).
"""
from __future__ import annotations


def range_terms_query(q, reader):
    """The query of terms a `NumericRange` (a `DateRange`) stands for in `reader`'s schema:
    a Term, a TermRange, an Or of them (possibly wrapped in ConstantScoreQuery), or NullQuery."""
    return q._compile_query(reader)  # noqa: SLF001
