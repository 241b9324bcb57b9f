"""The brute-force oracle of patterns (issue 21): which stories hold a word a pattern matches.

It knows nothing of NewsFacet's analysis: it reads each live story's stored title (unless
it is the label of a story with no title or text) and body, splits them with Whoosh's word
pattern, case-folds each word (NFKC + casefold) and also takes it without accents, and asks
`fnmatch` whether the pattern matches either form. A helper module (imported by name:
`from patternoracle import Oracle`), shared by tests/test_patterns_as_typed.py and
tests/test_typed_postings.py.
"""
from __future__ import annotations

import fnmatch
import re
import unicodedata

from whoosh import index as whoosh_index
from whoosh.analysis.tokenizers import default_pattern


def fold(word: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", word).casefold())


def bare(word: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word)
                                                if not unicodedata.combining(c)))


def matches(word: str, pattern: str) -> bool:
    """Whether a word of a text (as it is written) matches the pattern, as typed or without accents."""
    return fnmatch.fnmatchcase(fold(word), pattern) or fnmatch.fnmatchcase(bare(fold(word)), pattern)


def searched_title(fields: dict) -> str:
    """The stored title, unless it is the label of a story with no title or text (its id, shown
    but not searched: prepare.py, issue 21's `99` that found reuters-99)."""
    title = fields.get("title", "") or ""
    return "" if not fields.get("body") and title == fields.get("id") else title


class Oracle:
    """Each live story's words as typed (folded, and without accents), and which stories a pattern finds."""

    def __init__(self, index_dir):
        ix = whoosh_index.open_dir(str(index_dir / "current"))
        self.words: dict[str, set[str]] = {}
        with ix.searcher() as s:
            for f in s.all_stored_fields():
                text = f"{searched_title(f)}\n{f.get('body', '')}"
                forms = set()
                for m in default_pattern.finditer(text):
                    w = fold(m.group())
                    forms.add(w)
                    forms.add(bare(w))
                self.words[f["id"]] = forms
        self.ids = set(self.words)

    def find(self, pattern: str) -> set[str]:
        rx = re.compile(fnmatch.translate(pattern))
        return {i for i, ws in self.words.items() if any(rx.match(w) for w in ws)}
