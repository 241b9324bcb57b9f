"""Words as typed: the unstemmed sub-fields (`title_typed`, `body_typed`) that patterns match.

Why: `title` and `body` hold stems (`analysis.py`). A pattern (`pers*`, `*oney`, `wh??t`)
is about the letters a reader sees, and stems are not those letters: `per` is the stem
of "per" and of "persons", so `pers*` matched over stems plus invented English endings
found every "per cent" story (2,542 Reuters stories instead of 541), `*oney` found none
("money" is indexed as `monei`), and an umlaut-folded German stem (`osterreich`) never
matched `österr*`. No list of endings makes that exact. Lucene-based engines index an
unstemmed copy of each text field for this; so do we, and patterns are matched only
against it (`query/semantics.py`), so that a pattern finds exactly the stories holding a
word it matches.

What a word is indexed as: the same words the stemming analyzer sees (its tokenizer, CJK
bigrams included), case-folded as it folds them (NFKC + casefold, the Turkish i kept),
accents kept, every word (stop words and one-letter words too: `th*` finds "the"); and a
second form with the accents folded away (`österreich` and `osterreich`, `café` and
`cafe`) when that differs, so that `osterr*` finds "Österreich" as Lucene's
ASCIIFoldingFilter with preserveOriginal does. A pattern matches a word when it matches
either form.

Why no positions: a pattern is matched one word at a time, and the sub-field is only
asked which stories hold a word (and how often, for BM25F). Positions would roughly double
the sub-field's postings for the one query form that needs them, a wildcard inside a
phrase, which is answered over the stemmed field instead (`query/semantics.py`,
`phrase_patterns`). Cost in index size: docs/performance.md.
"""
from __future__ import annotations

import unicodedata

from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern

from .analysis import ANALYSIS_VERSION, ENGLISH, LanguageText, fold, nfc, profile

SUFFIX = "_typed"          # `body` -> `body_typed`
TEXT_FIELDS = ("title", "body")
TYPED_FIELDS = tuple(f + SUFFIX for f in TEXT_FIELDS)
# Marks a word as typed among the stems a snippet highlights (query/highlight.py): a pattern's
# words are marked where a story's word is one of them, not where its stem is.
MARK = "\x01"
# MARK + PATTERN + a pattern (`*ing`): a pattern asked for in the body; a snippet marks the words
# it matches (query/highlight.py), however many they are.
PATTERN = "\x02"


def typed_field(fieldname: str) -> str:
    """The sub-field holding `fieldname`'s words as typed."""
    return fieldname + SUFFIX


def strip_accents(word: str) -> str:
    """`österreich` -> `osterreich`, `café` -> `cafe`: the combining marks of the decomposed
    form dropped (NFD, then NFC again). Letters with no decomposition (`ø`, `ł`) stay."""
    if word.isascii():
        return word
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def forms(word: str) -> tuple[str, ...]:
    """The forms an already case-folded word is indexed under: itself, and without accents."""
    bare = strip_accents(word)
    return (word,) if bare == word else (word, bare)


def typed_form(original: str) -> str:
    """A word of the text as the sub-field indexes it (before `forms`)."""
    return original.lower() if original.isascii() else fold(original)


def fold_pattern(pattern: str) -> str:
    """A query pattern folded as the words are (case, compatibility forms); its wildcards stay."""
    return pattern.lower() if pattern.isascii() else fold(pattern)


class TypedAnalyzer(Tokenizer):
    """Every word of a text, case-folded, accents kept, plus its accent-folded form."""

    def __init__(self):
        self.version = ANALYSIS_VERSION

    def __getstate__(self):
        return {"version": ANALYSIS_VERSION}

    def __setstate__(self, state):
        self.version = state.get("version", 1)

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def words(self, value: str, language: str = "") -> list[str]:
        """The indexed forms of `value`'s words, in order (what tests compare against)."""
        return [t.text for t in self(value, language=language)]

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", language=None, **kwargs):
        lang = language or (value.language if type(value) is LanguageText else "")
        if not chars and not value.isascii():
            value = nfc(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            pieces = [(value, 0, len(value))]
        elif lang and lang != ENGLISH:
            pieces = profile(lang).words(value)
        else:
            pieces = ((m.group(), m.start(), m.end()) for m in default_pattern.finditer(value))
        lower = profile(lang).lower if lang and lang != ENGLISH else None
        for i, (original, start, end) in enumerate(pieces):
            if lower is None and original.isascii():      # most words: one form, typed_form's own lower()
                word = original.lower()
                words = (word,)
            else:
                words = forms(lower(original) if lower is not None else typed_form(original))
            for text in words:
                t.text = text
                t.stopped = False
                t.boost = 1.0
                if positions:
                    t.pos = start_pos + i
                if keeporiginal:
                    t.original = original
                if chars:
                    t.startchar, t.endchar = start_char + start, start_char + end
                yield t
