"""Suggestions while typing: words from the headlines and facet values, by prefix.

Why these sources: the index holds stems ("coffe"), which are not words to offer, and
a second unstemmed field would cost a second analysis of every story at index time.
So words come from the headline lexicon (a sorted list Whoosh can walk from any
prefix), are ranked by how many headlines hold them, and each stem is shown as the
word it stands for in a headline that holds it (read once, then cached per index
generation). Facet values (organisations, countries, regions) are matched on any word
of their label or full name and ranked by how many stories they count; that list is
built once per generation from the facet tables, so a keystroke costs a prefix walk,
a few document frequencies and a scan of a few thousand short strings.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from whoosh import query as wq

from ..facetspec import FACETS

MIN_PREFIX = 2
MAX_CANDIDATES = 300         # stems with the prefix whose frequency is looked up
LIMIT = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# facet field (every mention) -> (its facet, the parameter a chosen value sets)
_FIELDS = {f.mention_field: f for f in FACETS}
_PARAMS = {f.param: f for f in FACETS}


@dataclass
class Suggestion:
    kind: str                # "word" or a facet's name ("organisation", "country" ...)
    text: str                # what the list shows
    count: int               # headlines holding the word / stories with the value
    q: str                   # the query text after choosing it
    param: str = ""          # for a facet value: the filter it adds ...
    value: str = ""          # ... and its value


@dataclass
class _FacetEntry:
    words: tuple[str, ...]   # lower-case words of label and name
    text: str
    param: str
    value: str
    count: int


class Suggester:
    """Per index generation: a searcher, its facet tables and a label function."""

    def __init__(self, searcher, tables, label):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.analyzer = searcher.schema["title"].analyzer
        self._surfaces: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._facets = self._facet_entries(tables, label)

    @staticmethod
    def _facet_entries(tables, label) -> list[_FacetEntry]:
        out = []
        for fieldname, spec in _FIELDS.items():
            table = tables.facets.get(fieldname)
            if table is None:
                continue
            counts = table.counts(tables.live)
            for ordinal, value in enumerate(table.values):
                if not counts[ordinal]:
                    continue
                text, name, _ = label(spec.param, value)
                shown = f"{text} ({name})" if name else text
                words = tuple(w.lower() for w in _WORD.findall(f"{value} {text} {name}"))
                out.append(_FacetEntry(words, shown, spec.param, value, int(counts[ordinal])))
        out.sort(key=lambda e: -e.count)
        return out

    def suggest(self, q: str, limit: int = LIMIT) -> list[Suggestion]:
        q = q[:200]
        words = _WORD.findall(q)
        if not words or not q.rstrip() or q[-1].isspace() or len(words[-1]) < MIN_PREFIX:
            return []
        last = words[-1]
        head = q[: q.rstrip().rfind(last)].rstrip()
        out = self._facet_values(last.lower(), head, limit // 2)
        out = self._words(last, head, limit - len(out)) + out
        return out[:limit]

    def _words(self, prefix: str, head: str, limit: int) -> list[Suggestion]:
        lower = prefix.lower()
        found = []
        for n, btext in enumerate(self.reader.expand_prefix("title", lower)):
            if n >= MAX_CANDIDATES:
                break
            found.append((self.reader.doc_frequency("title", btext), btext.decode("utf-8")))
        found.sort(key=lambda x: (-x[0], x[1]))
        out, seen = [], set()
        for count, stem in found:
            word = self._surface(stem)
            if not word or word in seen or not word.startswith(lower):
                continue
            seen.add(word)
            out.append(Suggestion("word", word, count, f"{head} {word}".strip()))
            if len(out) >= limit:
                break
        return out

    def _surface(self, stem: str) -> str | None:
        """The word a stem stands for in the first headline holding it."""
        with self._lock:
            if stem in self._surfaces:
                return self._surfaces[stem]
        word = None
        docnum = next(iter(self.searcher.docs_for_query(wq.Term("title", stem))), None)
        if docnum is not None:
            title = self.searcher.stored_fields(docnum).get("title", "")
            for tok in self.analyzer(title, chars=True, keeporiginal=True):
                if tok.text == stem:
                    word = tok.original.lower()
                    break
        with self._lock:
            self._surfaces[stem] = word
        return word

    def _facet_values(self, prefix: str, head: str, limit: int) -> list[Suggestion]:
        out = []
        for e in self._facets:
            if any(w.startswith(prefix) for w in e.words):
                out.append(Suggestion(_PARAMS[e.param].name, e.text, e.count, head,
                                      param=e.param, value=e.value))
                if len(out) >= limit:
                    break
        return out
