"""A pattern's words on the Solr engine: what typedsets.TypedSets answers on Whoosh, from the collection.

Why: on Whoosh a pattern is scored word by word while the query's patterns stand for at most
budget.SCORED_WORDS words (holding at most budget.SCORED_POSTINGS postings); past that it is
the set of stories holding one of its words at constant score (expansion.PatternDocs), so that
`*ing` (2,838 words at 21,578 Reuters stories) is answered instead of refused by the word cap.
`semantics.expand_patterns` makes that choice from what `match` says: how many words a pattern
matches and how many postings they hold. Here the same numbers come from the collection's
words as typed (`title_typed`, `body_typed`, indexed from typed.py's analyzer as on Whoosh):
the words with the pattern's letters before its first wildcard from the TermsComponent
(`terms.prefix`, with each word's document frequency), a leading wildcard's from the field's
whole word list (read once per SolrGeneration, as budget.Lexicons reads Whoosh's), matched by the
same RE2 pattern (patterns.py) under the deadline. So both engines choose the same words, and
the same patterns go to constant score.

What Solr is then asked (solrquery.py): the scored words as terms, as before; a PatternDocs as a
Lucene regular expression over the typed field at constant score (`body_typed:/.*ing/^=1`),
Lucene's own constant-score rewrite of a multi-term query, run by Solr's automaton over each
shard's terms (`regexp` below: fnmatch's meaning in Lucene's RegExp syntax). Sending the words
instead would make `?*` a request of every word in the collection.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.index.typed import TYPED_FIELDS
from .patterns import Pattern


@dataclass
class SolrMatched:
    """typedsets.Matched's numbers for one pattern: the distinct words and their postings."""
    field: str
    pattern: str
    found: list[str]              # the words, in term order
    words: int
    postings: int                 # their document frequencies added up (Solr's, deleted stories included)

    def word_list(self) -> list[str]:
        return list(self.found)


class SolrTyped:
    """The words-as-typed fields of a collection, as semantics.expand_patterns asks of TypedSets."""

    # One "segment": expand_patterns allows SCORED_WORDS x segments words counted per segment, a
    # shortcut before the distinct words are listed; counted once each here, the rule is the same.
    segments = (None,)

    def __init__(self, reader):
        self.reader = reader
        self._words: dict[str, list[tuple[str, int]]] = {}

    def has(self, field: str) -> bool:
        return field in TYPED_FIELDS

    def _all(self, field: str) -> list[tuple[str, int]]:
        got = self._words.get(field)
        if got is None:
            got = self._words[field] = self.reader.counted_words(field)
        return got

    def size(self, field: str) -> int:
        """The words a leading wildcard looks through: the field's whole word list (budget.check_scan)."""
        return len(self._all(field))

    def match(self, field: str, pattern: str, literal: str, node=None) -> SolrMatched:
        """The words of `field` the pattern matches (fnmatch's meaning, as folded by the parser), with
        their postings; `literal`: its letters before the first wildcard. Under the deadline (`node`)."""
        pairs = self.reader.counted_words(field, literal) if literal else self._all(field)
        if pattern == literal + "*":
            found = [w for w, _ in pairs]
        else:
            found = Pattern(pattern).matching([w for w, _ in pairs], node=node)
        counts = dict(pairs)
        return SolrMatched(field, pattern, found, len(found), sum(counts[w] for w in found))


def regexp(pattern: str) -> str:
    """An fnmatch pattern (patterns.py's meaning: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, a `[` with
    no `]` a plain `[`) as a Lucene regular expression between slashes: every character but an
    ASCII letter or digit escaped (Lucene's RegExp reserves many, `\\d` and `\\w` are classes)."""
    def char(c: str) -> str:
        return c if c.isascii() and c.isalnum() else "\\" + c

    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = i + (1 if i < n and pattern[i] == "!" else 0)
            j += 1 if j < n and pattern[j] == "]" else 0
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(char("["))
                continue
            body, negate = pattern[i:j], pattern[i:j].startswith("!")
            body = body[1:] if negate else body
            items, p = [], 0
            while p < len(body):
                if p + 2 < len(body) and body[p + 1] == "-":
                    items.append(f"{char(body[p])}-{char(body[p + 2])}")
                    p += 3
                else:
                    items.append(char(body[p]))
                    p += 1
            out.append(("[^" if negate else "[") + "".join(items) + "]")
            i = j + 1
        else:
            out.append(char(c))
    return "/" + "".join(out) + "/"
