"""The text analyzer: Whoosh's StemmingAnalyzer, fused into one generator.

Whoosh's `StemmingAnalyzer()` is a chain of four generators (regex tokenizer,
lower-case, stop words, Porter stemmer with an LRU cache); at index time a story's
every word passes through all four, which was a quarter of indexing time. This class
produces exactly the same tokens (same pattern, stop list, minimum size, positions and
character offsets; tested against the original) in one loop with a plain dict cache.
"""
from __future__ import annotations

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem

MIN_SIZE = 2
CACHE_LIMIT = 500_000


class NewsAnalyzer(Tokenizer):
    """Tokenize, lower-case, drop stop words (or mark them), Porter-stem."""

    def __init__(self):
        self._cache: dict[str, str] = {}

    def __getstate__(self):      # the schema is pickled into the index; the cache is not
        return {}

    def __setstate__(self, state):
        self._cache = {}

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def has_morph(self) -> bool:
        return True

    def _stem(self, word: str) -> str:
        cache = self._cache
        out = cache.get(word)
        if out is None:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            out = cache[word] = stem(word)
        return out

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stop = STOP_WORDS
        stem_ = self._stem
        if not tokenize:
            matches = [_Whole(value)]
            keeporiginal = True       # as Whoosh's tokenizer does for an untokenized value
        else:
            matches = default_pattern.finditer(value)
        pos = None
        for i, m in enumerate(matches):
            original = m.group()
            word = original.lower()
            if len(word) < MIN_SIZE or word in stop:
                if removestops:
                    continue
                t.stopped = True
                t.text = word
                if positions:
                    t.pos = start_pos + i
            else:
                t.stopped = False
                t.text = stem_(word)
                if positions:
                    # like StopFilter(renumber=True): the first kept word keeps its
                    # position, the next ones follow on as if stop words were not there
                    pos = start_pos + i if pos is None else pos + 1
                    t.pos = pos
            t.boost = 1.0
            if keeporiginal:
                t.original = original
            if chars:
                t.startchar = start_char + m.start()
                t.endchar = start_char + m.end()
            yield t


class _Whole:
    """A stand-in match object for `tokenize=False`: the whole value is one token."""

    def __init__(self, value: str):
        self._value = value

    def group(self) -> str:
        return self._value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self._value)
