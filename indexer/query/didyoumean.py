"""'Did you mean': the query with each word the index does not know replaced by a close one.

Why not Whoosh's `correct_query` as it is: its corrections come from the field's
terms, and ours are stems ("coffe"), which are not words to offer a person. So the
closest stem is found with Whoosh's corrector and turned back into the word that
produced it in a story that holds it ("cofee" -> "coffe" -> "coffee"). Only asked
when a query finds fewer than three stories.
"""
from __future__ import annotations

import re

from whoosh import query as wq

_WORD = re.compile(r"(?<![:\w])[A-Za-z]{3,}(?![\w*:])")    # plain words, not field:value or prefix*
_OPERATORS = ("AND", "OR", "NOT")


def did_you_mean(searcher, text: str) -> str | None:
    """The corrected query, or None when every word is known (or nothing closer exists)."""
    reader = searcher.reader()
    corrector = reader.corrector("body")
    analyzer = searcher.schema["body"].analyzer
    changed = False

    def fix(m: re.Match) -> str:
        nonlocal changed
        word = m.group(0)
        if word.upper() in _OPERATORS:
            return word
        stems = [tok.text for tok in analyzer(word)]
        if not stems or any(("body", s) in reader or ("title", s) in reader for s in stems):
            return word
        options = corrector.suggest(stems[0], limit=1, maxdist=2, prefix=1)
        surface = _surface(searcher, options[0], analyzer) if options else None
        if surface:
            changed = True
            return surface
        return word

    out = _WORD.sub(fix, text)
    return out if changed else None


def _surface(searcher, stem: str, analyzer) -> str | None:
    """A word in a story whose stem is `stem` (the commonest in that story)."""
    docnum = next(iter(searcher.docs_for_query(wq.Term("body", stem))), None)
    if docnum is None:
        return None
    body = searcher.stored_fields(docnum).get("body", "")[:20_000]
    seen: dict[str, int] = {}
    for tok in analyzer(body, chars=True, keeporiginal=True):
        if tok.text == stem:
            w = tok.original.lower()
            seen[w] = seen.get(w, 0) + 1
    return max(seen, key=seen.get) if seen else None
