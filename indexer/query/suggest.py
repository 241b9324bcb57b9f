"""Suggestions while typing: the whole query completed, not the last word alone.

The last word typed is completed with words of the stories (stems of the body
lexicon, a sorted list Whoosh walks from any prefix) and with facet values
(organisations, countries, regions, matched on any word of their label or name).
Each candidate is ranked by how many stories the whole query finds with it
(`coffee bra` offers "brazil", which goes with coffee, not "braniff"), and the count
shown is exactly what that search returns (the completed query is run for the few
shown). Words in only a handful of stories (MIN_STORIES: "worls", "internatio", the
typos and cut headlines of a wire archive) are not offered. A stem is shown as the
commonest word it stands for in the first stories holding it (read once, then
cached per generation).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from indexer.index.caches import BytesCache
from indexer.facets import FACETS
from .semantics import shorter_stems

MIN_PREFIX = 2
MAX_CANDIDATES = 300         # stems with the prefix whose frequency is looked up
RANKED = 40                  # of those, the most frequent, ranked by stories found with the query
MIN_STORIES = 5              # a word in fewer stories is not offered (fewer in a small archive)
LIMIT = 8
SURFACE_STORIES = 6          # stories read to see how a stem is written
SURFACE_CHARS = 2_000
SURFACES_BYTES = 4 * 1024 * 1024    # (stem, prefix typed) -> word shown, per generation (caches.py)
_WORD = re.compile(r"\w+", re.UNICODE)
# words before the last that make "head AND completion" differ from the search of the whole text
_SYNTAX = re.compile(r"[()\"':*?+\-\[\]{}^~]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
# facet field (every mention) -> its facet; parameter -> its facet


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


def min_stories(archive_size: int) -> int:
    """Stories a word must be in to be offered: a handful among thousands of stories; in a
    small archive (the seed) every word counts."""
    return max(1, min(MIN_STORIES, archive_size // 1000))


class Suggester:
    """Per index generation: the open generation (`generation.Generation`) and a label function."""

    def __init__(self, gen, label):
        self.gen = gen
        self.searcher = gen.searcher
        self.reader = gen.searcher.reader()
        self.analyzer = gen.searcher.schema["body"].analyzer
        self.tables = gen.tables
        self._surfaces = BytesCache(SURFACES_BYTES)     # keyed by typed text: bounded by bytes
        self._facets = self._facet_entries(gen.tables, label)
        self.min_stories = min_stories(int(gen.tables.live.sum()))

    @staticmethod
    def _facet_entries(tables, label) -> list[_FacetEntry]:
        out = []
        for fieldname, spec in {f.mention_field: f for f in FACETS}.items():     # the registry as it is now
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
        context = self._matches(head)
        if self._finds_nothing(context):
            return []                    # the words before find nothing: no completion will
        out = self._facet_values(last.lower(), head, context, limit // 2)
        out = self._words(last, head, context, limit - len(out)) + out
        return out[:limit]

    def _matches(self, text: str):
        """Stories the query text finds (a bool per docnum), None for no text (every story)."""
        from .parse import parse           # parse reads the generation's parsers
        if not text:
            return None
        try:
            q, _ = parse(self.gen, text)
        except Exception:                  # a half-typed query the search would refuse
            return np.zeros(self.tables.n, dtype=bool)
        if q is None:
            return None
        return self.gen.evaluator.run(q).mask

    def _count(self, text: str) -> int:
        """What the search for `text` would report as its total."""
        m = self._matches(text)
        return int(self.tables.live.sum()) if m is None else int(np.count_nonzero(m))

    # What an engine's suggester (solrsuggest.py) answers its own way: the context of the words
    # before is a mask here, a query there.
    @staticmethod
    def _finds_nothing(context) -> bool:
        return context is not None and not context.any()

    def _stems_found(self, context, stems: list[bytes]) -> list[int]:
        """Stories holding each stem (in body or title) among those the words before find."""
        postings = self.gen.evaluator.p
        live = self.tables.live if context is None else context
        out = []
        for btext in stems:
            ids = np.union1d(postings.bm25("body", btext)[0], postings.bm25("title", btext)[0])
            out.append(int(np.count_nonzero(live[ids] & self.tables.live[ids])))
        return out

    def _values_found(self, context, entries: list[_FacetEntry]) -> list[int]:
        """Stories holding each facet value among those the words before find."""
        out = []
        for e in entries:
            mask = self.tables.facets[FACETS.by_param[e.param].mention_field].mask_any([e.value], self.tables.n)
            out.append(int(np.count_nonzero(mask & context & self.tables.live)))
        return out

    def _words(self, prefix: str, head: str, context, limit: int) -> list[Suggestion]:
        lower = prefix.lower()
        found = []
        stems = itertools.chain(itertools.islice(self.reader.expand_prefix("body", lower), MAX_CANDIDATES),
                                (t.encode("utf-8") for t in shorter_stems(self.reader, "body", lower)))
        for btext in stems:
            df = self.reader.doc_frequency("body", btext)
            if df >= self.min_stories:
                found.append((df, btext))
        found.sort(key=lambda x: (-x[0], x[1]))
        ranked = []
        for (df, btext), hits in zip(found[:RANKED], self._stems_found(context, [b for _, b in found[:RANKED]])):
            if hits:
                ranked.append((hits, df, btext.decode("utf-8")))
        plain_head = not _SYNTAX.search(head)
        ranked.sort(key=lambda x: (-x[0], -x[1], x[2]))
        out, seen = [], set()
        for hits, _, stem in ranked:
            word = self._surface(stem, lower)
            if not word or word in seen:
                continue
            seen.add(word)
            completed = f"{head} {word}".strip()
            # words AND the completion: `hits` is the search's total; anything else is run as typed
            exact = plain_head and [t.text for t in self.analyzer(word)] == [stem]
            count = hits if exact else self._count(completed)
            if count:
                out.append(Suggestion("word", word, count, completed))
            if len(out) >= limit:
                break
        out.sort(key=lambda s: -s.count)
        return out

    def _surface(self, stem: str, prefix: str) -> str | None:
        """The commonest word with the prefix typed that a stem stands for in the first stories holding it."""
        key = (stem, prefix)
        found = self._surfaces.lookup(key, self)         # (self: not a word, so "not remembered")
        if found is not self:
            return found
        seen: dict[str, int] = {}
        for docnum in itertools.islice(self.searcher.docs_for_query(wq.Term("body", stem)), SURFACE_STORIES):
            body = self.searcher.stored_fields(docnum).get("body", "")[:SURFACE_CHARS]
            for tok in self.analyzer(body, chars=True, keeporiginal=True):
                if tok.text == stem:
                    w = tok.original.lower()
                    seen[w] = seen.get(w, 0) + 1
        with_prefix = {w: c for w, c in seen.items() if w.startswith(prefix)}
        word = max(sorted(with_prefix), key=with_prefix.get) if with_prefix else None
        return self._surfaces.put(key, word)

    def _facet_values(self, prefix: str, head: str, context, limit: int) -> list[Suggestion]:
        """Facet values with a word starting with `prefix`, by stories found with the words before."""
        out = []
        matching = [e for e in self._facets if any(w.startswith(prefix) for w in e.words)]
        for start in range(0, len(matching), 4 * limit or 1):       # counted a few at a time, best first
            chunk = matching[start:start + (4 * limit or 1)]
            counts = [e.count for e in chunk] if context is None else self._values_found(context, chunk)
            for e, count in zip(chunk, counts):
                if count:
                    out.append(Suggestion(FACETS.by_param[e.param].name, e.text, count, head,
                                          param=e.param, value=e.value))
                if len(out) >= 4 * limit:
                    break
            if len(out) >= 4 * limit:
                break
        out.sort(key=lambda s: -s.count)
        return out[:limit]
