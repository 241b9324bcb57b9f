"""The text analyzer: one per language, behind one Whoosh analyzer object.

English (and a story of no known language) goes through Whoosh's
`StemmingAnalyzer()`, fused into one generator: Whoosh's is a chain of four
generators (regex tokenizer, lower-case, stop words, Porter stemmer with an LRU
cache); at index time a story's every word passes through all four, which was a
quarter of indexing time. The fused loop produces exactly the same tokens (same
pattern, stop list, minimum size, positions and character offsets; tested against
the original) with a plain dict cache.

Other languages use what Whoosh ships (`whoosh.lang`): the Snowball stemmer and stop
list of German, French, Spanish, Italian, Portuguese, Dutch, Russian, Swedish, Danish,
Norwegian, Finnish, Hungarian and Romanian; the ISRI stemmer for Arabic; Turkish has a
stop list but no stemmer, so it is lower-cased the Turkish way (I -> ı, İ -> i) and
not stemmed. Chinese, Japanese and Korean are written without spaces between words,
so their runs of ideographs, kana and hangul become overlapping character bigrams
(the CJK analyzer of Lucene does the same), a query's bigrams all being required.
Any other language is lower-cased and not stemmed: no stemming is safe, a wrong
stemmer is not.

Why one analyzer for all languages rather than a field per language: the query side
(fast evaluation, facets, snippets, suggestions) keeps its one `title` and one `body`
field, and an English index is unchanged, term for term. The language reaches the
analyzer with the value: at index time as a `LanguageText` (a `str` carrying the
story's language; the stored value is the plain text), at query time as the
`language=` keyword Whoosh passes on to the analyzer, and for snippets by an analyzer
bound to the story's language (`for_language`).
"""
from __future__ import annotations

import re
import unicodedata

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang import NoStemmer, NoStopWords, stemmer_for_language, stopwords_for_language
from whoosh.lang.porter import stem

from .caches import BytesCache

MIN_SIZE = 2
STEM_CACHE_BYTES = 16 * 1024 * 1024     # per analyzer and language: ~80,000 words and their stems
STEM_CACHE_ENTRY = 512                  # a longer word (a 150-letter run) is stemmed, not remembered
ANALYSIS_VERSION = 3                    # 2: NFC, NFKC and case folding; 3: accents and German ae/oe/ue folded,
                                       # words as typed (typed.py). An index of another version is rebuilt
ENGLISH = "en"
# Languages Whoosh has a stemmer for (Snowball, ISRI) or at least a stop list (tr).
STEMMED = ("de", "fr", "es", "it", "pt", "nl", "ru", "sv", "da", "no", "fi", "hu", "ro", "ar")
BIGRAMS = ("zh", "ja", "ko")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK_PATTERN = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])\w)+(?:\.(?:(?![{_CJK}])\w)+)*", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


class LanguageText(str):
    """A field value that tells the analyzer its story's language (index time)."""

    language: str = ""

    def __new__(cls, text: str, language: str):
        obj = super().__new__(cls, text)
        obj.language = language
        return obj


class _Profile:
    """How one language is tokenized, lower-cased, stopped and stemmed."""

    def __init__(self, language: str):
        self.language = language
        self.bigrams = language in BIGRAMS
        self.turkish = language == "tr"
        try:
            self.stops = frozenset(stopwords_for_language(language))
        except NoStopWords:
            self.stops = frozenset()
        try:
            self._stemmer = stemmer_for_language(language) if language in STEMMED else None
        except NoStemmer:
            self._stemmer = None
        self._cache = stem_cache()

    def lower(self, word: str) -> str:
        if word.isascii() and not self.turkish:
            return word.lower()
        if self.turkish:              # the Turkish dotless and dotted i, before any folding
            return unicodedata.normalize("NFKC", word).replace("I", "ı").replace("İ", "i").lower()
        return fold(word)

    def stem(self, word: str) -> str:
        if word.isascii() and self._stemmer is None:
            return word
        out = self._cache.get(word)
        if out is None:
            out = self._stemmed(word)
            self._cache.put(word, out)
        return out

    def _stemmed(self, word: str) -> str:
        if self.language == "de":            # `fluechtlinge` is `Flüchtlinge` (Lucene's German normalisation)
            word = german_normal(word)
        if self._stemmer is not None:
            word = self._stemmer(word) or word
            if self.language == "de":
                word = _german_after(word)
        return unaccent(word)

    def term(self, word: str) -> str | None:
        """As NewsAnalyzer.term, in this language, without entering the stem cache."""
        word = self.lower(word)
        if len(word) < (1 if self.bigrams else MIN_SIZE) or word in self.stops:
            return None
        return self._cache.get(word) or self._stemmed(word)

    def words(self, value: str):
        """(text, start, end) of each word; ideograph runs as bigrams."""
        if not self.bigrams:
            for m in default_pattern.finditer(value):
                yield m.group(), m.start(), m.end()
            return
        for m in _CJK_PATTERN.finditer(value):
            run, start = m.group(), m.start()
            if not _IS_CJK.match(run):
                yield run, start, m.end()
            elif len(run) == 1:
                yield run, start, start + 1
            else:
                for i in range(len(run) - 1):
                    yield run[i:i + 2], start + i, start + i + 2


def stem_cache() -> BytesCache:
    """Stems of the words seen, bounded by bytes (caches.py): query text must not grow it."""
    return BytesCache(STEM_CACHE_BYTES, STEM_CACHE_ENTRY)


def fold(word: str) -> str:
    """A word in its compatibility form, case-folded: fullwidth `ｃｏｆｆｅｅ`, the ligature in
    `ﬁnance` and `Straße` index and match as `coffee`, `finance`, `strasse` (NFKC, then
    casefold, then NFKC again, since folding can leave a form NFKC would change)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", word).casefold())


# ICU folding's letters that are no accented letter in Unicode (NFD cannot take them apart)
_LATIN_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
_LATIN_END = 0x250                       # Latin-1 Supplement and Latin Extended-A/B end here


def unaccent(word: str) -> str:
    """A Latin word without its accents, as ICU folding and Lucene's ASCII folding index it:
    `Zürich` is `zurich`, `café` is `cafe` (issue 21). English folds before stemming (Porter reads
    ASCII); other languages after their stemmer, which reads the accents. Other scripts keep
    their marks (a Cyrillic й is no и with a mark)."""
    if word.isascii():
        return word
    out: list[str] = []
    latin = False                        # the last base letter was a Latin one
    for c in unicodedata.normalize("NFD", word.translate(_LATIN_LETTERS)):
        if unicodedata.combining(c):
            if latin:
                continue
        else:
            latin = ord(c) < _LATIN_END or 0x1E00 <= ord(c) <= 0x1EFF
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def german_normal(word: str) -> str:
    """Lucene's GermanNormalizationFilter: `ae`, `oe`, `ue` are umlauts written without them
    (`ue` only after a consonant or at the start: `Quelle`, `Feuer`, `Bauer` keep theirs), `ß` is
    `ss`; its three states, as Lucene has them."""
    if "e" not in word and "ß" not in word:
        return word
    out: list[str] = []
    state = "N"                  # N: after a consonant; U: an umlaut may follow (e deleted); V: none may
    for c in word:
        if c in "ao":
            state = "U"
        elif c == "u":
            state = "U" if state == "N" else "V"
        elif c == "e":
            if state == "U":
                state = "V"
                continue
            state = "V"
        elif c in "iqyäöü":
            state = "V"
        elif c == "ß":
            out.append("ss")
            state = "N"
            continue
        else:
            state = "N"
        out.append(c)
    return "".join(out)


def nfc(text: str) -> str:
    """Text in its composed form (NFC): `café` typed with a combining accent is the same word
    as `café` typed with one letter; documents are stored this way, queries analysed so."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


_VOWELS = frozenset("aeiouy")


def _german_after(stem: str) -> str:
    """Two endings Snowball's German stemmer leaves: the genitive -s of names that end in a
    vowel (`Benficas`, `Südafrikas`, `Chinas`) and the feminine plural (`Anrainerinnen`
    -> `anrainerinn`, while `Anrainerin` -> `anrainerin`)."""
    if len(stem) >= 5 and stem[-1] == "s" and stem[-2] in _VOWELS and stem[-3] not in _VOWELS:
        return stem[:-1]
    if stem.endswith("inn") and len(stem) >= 6:
        return stem[:-1]
    return stem


_PROFILES: dict[str, _Profile] = {}


def profile(language: str) -> _Profile:
    found = _PROFILES.get(language)
    if found is None:
        found = _PROFILES[language] = _Profile(language)
    return found


class NewsAnalyzer(Tokenizer):
    """Tokenize, lower-case, drop stop words (or mark them), stem: in the text's language."""

    def __init__(self, language: str = ""):
        self.language = language          # "" = the value's (LanguageText) or English
        self.version = ANALYSIS_VERSION
        self._cache = stem_cache()

    def __getstate__(self):      # the schema is pickled into the index; the caches are not
        state = {"version": ANALYSIS_VERSION}
        if self.language:
            state["language"] = self.language
        return state

    def __setstate__(self, state):
        self.language = state.get("language", "")
        self.version = state.get("version", 1)       # what analysed the index it was read from
        self._cache = stem_cache()

    def __eq__(self, other):
        return type(self) is type(other) and self.language == other.language

    def __hash__(self):
        return hash((type(self), self.language))

    def has_morph(self) -> bool:
        return True

    def for_language(self, language: str) -> "NewsAnalyzer":
        """This analyzer bound to one language (snippets of a story, a query in one language)."""
        language = "" if language == ENGLISH else (language or "")
        if language == self.language:
            return self
        bound = self.__dict__.setdefault("_bound", {}).get(language)
        if bound is None:
            bound = self._bound[language] = NewsAnalyzer(language)
            bound._cache = self._cache          # the English stem cache is shared
        return bound

    def stop_words(self) -> frozenset[str]:
        """The stop list of this analyzer's language (English: Whoosh's)."""
        lang = self.language
        return profile(lang).stops if lang and lang != ENGLISH else STOP_WORDS

    def term(self, word: str) -> str | None:
        """The one term a lower-case word is indexed as in this analyzer's language (None: a stop
        word, too short), not remembered: what did-you-mean asks of thousands of one-edit variants."""
        if self.language and self.language != ENGLISH:
            return profile(self.language).term(word)
        word = word if word.isascii() else unaccent(word)
        if len(word) < MIN_SIZE or word in STOP_WORDS:
            return None
        return self._cache.get(word) or stem(word)

    def _stem(self, word: str) -> str:
        out = self._cache.get(word)
        if out is None:
            out = self._cache.put(word, stem(word))
        return out

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", language=None, **kwargs):
        # English inline, as one generator (the snippet window calls this for single words
        # hundreds of times a search: a second generator frame would cost 5% of a search)
        lang = language or self.language or (value.language if type(value) is LanguageText else "")
        if not chars and not value.isascii():     # with offsets, the text is the stored one (NFC already)
            value = nfc(value)
        if lang and lang != ENGLISH:
            yield from self._other(profile(lang), value, positions, chars, keeporiginal, removestops,
                                   start_pos, start_char, tokenize, mode, kwargs)
            return
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
            # accents folded before the stop list and the stemmer, as Whoosh's CharsetFilter would be
            word = original.lower() if original.isascii() else unaccent(fold(original))
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

    @staticmethod
    def _other(p: _Profile, value, positions, chars, keeporiginal, removestops,
               start_pos, start_char, tokenize, mode, kwargs):
        """The same contract as `__call__`'s English path (inline there, for speed), with the language's own rules."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stop = p.stops
        min_size = 1 if p.bigrams else MIN_SIZE
        words = [(value, 0, len(value))] if not tokenize else p.words(value)
        if not tokenize:
            keeporiginal = True
        pos = None
        for i, (original, start, end) in enumerate(words):
            word = p.lower(original)
            if len(word) < min_size or word in stop:
                if removestops:
                    continue
                t.stopped = True
                t.text = word
                if positions:
                    t.pos = start_pos + i
            else:
                t.stopped = False
                t.text = p.stem(word)
                if positions:
                    pos = start_pos + i if pos is None else pos + 1
                    t.pos = pos
            t.boost = 1.0
            if keeporiginal:
                t.original = original
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
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
