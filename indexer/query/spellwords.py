"""The candidates for one mistyped word, for did-you-mean (didyoumean.py chooses among them).

Why apart: what a word could have been meant as (its one-edit variants, weighed by how likely
each slip is; the stems the index holds among them, with how many stories hold each; how stories
write a stem) is the part whose cost grows with the archive, and is measured on its own
(docs/performance.md): the variants are looked up in each segment's term counts, mapped
(typedsets.TypedSets.doc_frequencies, one searchsorted a segment), where an index written before
them asks Whoosh's term index, a hashed file look-up per variant and segment.
"""
from __future__ import annotations

import itertools
import re
import string
from collections import Counter

from whoosh import query as wq

from indexer.index.analysis import BIGRAMS

from . import budget

# letters a slip may leave out or put wrong, besides a-z, in the languages that write them
LETTERS = {"de": "äöüß", "fr": "éèêàâçîïôûùë", "es": "áéíóúñü", "it": "àèéìòù", "pt": "áâãàçéêíóôõú",
           "nl": "ë", "sv": "åäö", "da": "æøå", "no": "æøå", "fi": "äö", "tr": "çğıöşü"}
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")      # the analyzers' words (whoosh's default_pattern, no group)
# How likely each slip is, relative to a letter left out (Kernighan, Church & Gale's noisy
# channel, reduced to one weight per kind of edit): between words at the same distance,
# "sian" is read as "asian" (a letter left out) before "sign" (a wrong one) unless "sign"
# is five times commoner. Set on a typo set drawn with another seed than make eval's.
CHANNEL = {"missing": 1.0, "swapped": 1.0, "doubled": 0.5, "extra": 0.2, "wrong": 0.2}
MAX_LETTERS = 32             # a longer word is not corrected (the longest English words: ~22-28 letters)
CHECK_EVERY = 256            # variants stemmed between two looks at the deadline
SAMPLE_STORIES = 40          # stories read to choose how a stem is written
SAMPLE_CHARS = 4_000
_MISSING = object()


class Candidate:
    __slots__ = ("stem", "distance", "frequency", "words", "weight", "analyzer")

    def __init__(self, stem: str, distance: int, frequency: int, words: dict[str, float], weight: float = 1.0,
                 analyzer=None):
        self.stem, self.distance, self.frequency, self.words = stem, distance, frequency, words
        self.weight, self.analyzer = weight, analyzer      # the language whose stem it is

    @property
    def key(self) -> tuple[str, str]:
        """The stem in its language: `voraussetz` is how German stems "Voraussetzung", and also
        what English makes of "voraussetzing", which no story writes (shown per language)."""
        return self.stem, getattr(self.analyzer, "language", "")

    def __repr__(self):
        return f"Candidate({self.stem!r}, d={self.distance}, f={self.frequency}, {self.words})"


def candidates(reader, analyzer, word: str, far: bool = True, counts=None) -> list[Candidate]:
    """Stems close to `word`, nearest first, then the most frequent; those two edits away only
    when none is one away (and `far`: a caller with other languages to try asks them first)."""
    lower = word.lower()
    by_stem: dict[str, dict[str, float]] = {}
    if len(lower) > MAX_LETTERS:
        return []
    language = getattr(analyzer, "language", "")
    stemmed: dict[str, dict[str, float]] = {}
    for i, (e, w) in enumerate(edits1(lower, LETTERS.get(language, "")).items()):
        if i % CHECK_EVERY == CHECK_EVERY - 1 and budget.expired():
            break
        term = analyzer.term(e)           # not remembered: the stem cache keeps words of stories
        if term is not None:
            stemmed.setdefault(term, {})[e] = w
    held = _held(reader, "body", stemmed, counts)
    by_stem = {term: ws for term, ws in stemmed.items() if term in held}
    out = [Candidate(s, 1, held[s], ws, max(ws.values()), analyzer) for s, ws in by_stem.items()]
    if not out and far:
        typed = [t.text for t in analyzer(lower)]
        if typed:
            for s in reader.terms_within("body", typed[0], 2, prefix=1):
                s = s.decode("utf-8") if isinstance(s, bytes) else s
                if s != typed[0]:
                    out.append(Candidate(s, 2, reader.doc_frequency("body", s), {}, 1.0, analyzer))
    out.sort(key=lambda c: (c.distance, -c.frequency, c.stem))
    return out


def _held(reader, field: str, terms, counts=None) -> dict[str, int]:
    """term -> stories, of the terms the index holds. A reader that looks many terms up at once
    (an engine's, solrgeneration.SolrReader: one request instead of one per variant) does so;
    `counts` (typedsets.TypedSets), the segments' term counts mapped, looks them all up at once."""
    mapped = getattr(counts, "doc_frequencies", None)     # an engine's typed sets may have none (solrtyped.py)
    found = mapped(field, terms) if mapped is not None else None
    if found is not None:
        return found
    many = getattr(reader, "doc_frequencies", None)
    if many is not None:
        return {t: n for (_, t), n in many({field: set(terms)}).items() if n}
    return {t: reader.doc_frequency(field, t) for t in terms if (field, t) in reader}


def edits1(word: str, extra: str = "") -> dict[str, float]:
    """Every string one deletion, transposition, substitution or insertion away (Norvig),
    with how likely that slip is (CHANNEL): a letter left out or two swapped is
    likelier than one particular wrong letter typed. `extra`: the language's other letters
    (`Östereich` is one `r` short of Österreich, `Präsdent` one `i`), and the word's own."""
    letters = string.ascii_lowercase + "".join(dict.fromkeys(
        c for c in extra + word if c not in string.ascii_lowercase and c.isalpha()))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out: dict[str, float] = {}

    def add(words, weight):
        for w in words:
            if w != word and out.get(w, 0) < weight:
                out[w] = weight
    add([a + b[1:] for a, b in splits if b and not (a and a[-1] == b[0])], CHANNEL["extra"])
    add([a + b[1:] for a, b in splits if b and a and a[-1] == b[0]], CHANNEL["doubled"])
    add([a + c + b[1:] for a, b in splits if b for c in letters], CHANNEL["wrong"])
    add([a + c + b for a, b in splits for c in letters], CHANNEL["missing"])
    add([a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1], CHANNEL["swapped"])
    return out


def surface(searcher, analyzer, c: Candidate, terms: dict | None = None) -> tuple[str, bool] | None:
    """How stories write the stem, and whether that is one of the candidate's one-edit words.

    Each distinct word of the sampled stories is analysed once, not each of its occurrences (the
    same tokens and stems as analysing the text: a word's term does not depend on its neighbours,
    except where ideographs are read as bigrams, which are analysed as text): 40 stories of
    4,000 characters are ~27,000 words but ~3,000 distinct ones. `terms` remembers them for the
    other candidates of one correction: (language, word) -> term."""
    seen: dict[str, int] = {}
    terms = {} if terms is None else terms
    language = getattr(analyzer, "language", "")
    per_word = language not in BIGRAMS
    for docnum in itertools.islice(searcher.docs_for_query(wq.Term("body", c.stem)), SAMPLE_STORIES):
        body = searcher.stored_fields(docnum).get("body", "")[:SAMPLE_CHARS]
        if per_word:
            for original, n in Counter(_TOKEN.findall(body)).items():
                term = terms.get((language, original), _MISSING)
                if term is _MISSING:
                    term = terms[(language, original)] = _term_of(analyzer, original)
                if term == c.stem:
                    w = original.lower()
                    seen[w] = seen.get(w, 0) + n
            continue
        for tok in analyzer(body, chars=True, keeporiginal=True):
            if tok.text == c.stem:
                w = tok.original.lower()
                seen[w] = seen.get(w, 0) + 1
    if not seen:
        return None
    # a one-edit word that stories write (of several, the likeliest slip, then the commonest);
    # else the word they write, flagged: "comee" stems to "come", but no story says "comee"
    typed = [w for w in c.words if w in seen]
    if typed:
        return max(sorted(typed), key=lambda w: (c.words[w], seen[w])), True
    return max(sorted(seen), key=seen.get), False


def _term_of(analyzer, original: str) -> str | None:
    """The term one word of a stored text is indexed as (None: a stop word), as the analyzer gives it
    with offsets (no NFC: the stored text is NFC already)."""
    for tok in analyzer(original, chars=True):
        return tok.text
    return None
