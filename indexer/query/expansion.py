"""The query nodes a parsed query is rewritten into before evaluation.

`Expansion`: what a prefix or wildcard becomes once expanded, the words (as typed) it stood for.
`PatternDocs`: what a pattern of more words becomes, the stories holding any, at constant score.
`Present`: `field:*` on a field of values (`company:*`, `id:*`), the stories holding any.
A module of its own because both the parser's semantics (which builds them) and the
budget (which counts an expansion's words against the caps) need the types, and neither
may import the other at load time without a cycle.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as wq


class Expansion(wq.Or):
    """The words a prefix or wildcard stood for (an OR of terms, scored as Whoosh's BM25F sum)."""

    def __init__(self, subqueries, pattern: str = "", fieldname: str = "", boost: float = 1.0):
        super().__init__(subqueries, boost=boost)
        self.pattern, self.fieldname = pattern, fieldname

    def __repr__(self):
        return f"Expansion({self.fieldname!r}, {self.pattern!r}, {len(self.subqueries)} words)"

    def normalize(self):      # an empty expansion stays a query that matches nothing (not NullQuery)
        return self


class PatternDocs(wq.Query):
    """A pattern standing for more words than are scored one by one (semantics.expand_patterns):
    the stories holding any of them, each scored `boost`, as Lucene's constant-score rewrite of
    a multi-term query (CONSTANT_SCORE_REWRITE) does. `matched` (typedsets.Matched) says where
    its words' postings lie; the evaluator makes the mask from them."""

    def __init__(self, fieldname: str, pattern: str, matched, boost: float = 1.0):
        self.fieldname, self.pattern, self.matched, self.boost = fieldname, pattern, matched, boost

    def __repr__(self):
        return f"PatternDocs({self.fieldname!r}, {self.pattern!r}, {self.matched.words} words)"

    def __str__(self):
        return f"{self.fieldname}:{self.pattern}"

    def __eq__(self, other):
        return (isinstance(other, PatternDocs) and other.fieldname == self.fieldname
                and other.pattern == self.pattern and other.boost == self.boost)

    def __hash__(self):
        return hash(("PatternDocs", self.fieldname, self.pattern, self.boost))

    def is_leaf(self):
        return True

    def normalize(self):
        return self

    def has_terms(self):
        return False

    def terms(self, phrases=False):
        return iter(())

    def expanded_terms(self, ixreader, phrases=True):
        return iter(())


class Present(wq.Query):
    """`field:*` on a field of values: the stories holding any value, as a mask read from the
    tables a generation keeps (facet tables, the day of each story), so that it costs a
    vector operation instead of Whoosh's walk over every value's postings (2 s for `id:*`)."""

    def __init__(self, fieldname: str, mask: np.ndarray, boost: float = 1.0):
        self.fieldname, self.mask, self.boost = fieldname, mask, boost

    def __repr__(self):
        return f"Present({self.fieldname!r})"

    def __eq__(self, other):
        return isinstance(other, Present) and other.fieldname == self.fieldname and other.boost == self.boost

    def __hash__(self):
        return hash(("Present", self.fieldname))

    def is_leaf(self):
        return True

    def normalize(self):
        return self


class WordPattern(wq.Wildcard):
    """A pattern as the parser reads it (semantics.PatternPlugin): Whoosh's Wildcard, but a
    `[...]` class counts as a wildcard. Whoosh's `normalize` turns a Wildcard with no `*` or
    `?` into a Term and one ending in its only `*` into a Prefix: `b[ae]nk` was the word
    "b[ae]nk" and `[ab]*` the prefix "[ab]", each finding nothing."""

    def normalize(self):
        text = self.text
        if text == "*":
            return wq.Every(self.fieldname, boost=self.boost)
        if not any(c in text for c in "*?["):
            return wq.Term(self.fieldname, text, boost=self.boost)
        if "?" not in text and "[" not in text and text.find("*") == len(text) - 1:
            return wq.Prefix(self.fieldname, text[:-1], boost=self.boost)
        return self
