"""Which language a story is written in: the record's own word first, else detected.

Why py3langid: it ships its model inside the package (nothing is fetched at run
time), knows 97 languages, and classifies a story's first kilobyte in about 0.1 ms,
so detecting every story costs the indexer little. Its probabilities are normalised
(`norm_probs=True`) so that a story too short or too mixed to tell is left without a
language ("") instead of being given a wrong one.

Most of an archive is running text in a language whose function words are known
(Whoosh's stop lists, written to `data/function_words.tsv`): a Latin-script sample in
which English function words are the most common is English without the model, and a
sample with almost none (a headline alone, a table of figures) is left undetermined.
Loading the model costs 1.6 s a process, and an English archive (Reuters) then never
loads it; anything else goes to the model.

A language the reader found (a record's `language`/`lang` field, a page's
`<html lang>`) wins over detection: the publisher knows better than a classifier.
Tags are reduced to the ISO 639-1 code the analyzers and the facet use (`de-AT` ->
`de`, `deu` -> `de`, `zh-Hant` -> `zh`).

Part of Extract: nothing here knows about Whoosh or the index.
"""
from __future__ import annotations

import csv
import re
import threading
from functools import lru_cache
from importlib import resources

SAMPLE_CHARS = 400          # the title and the body's first lines say which language it is
RUNNING_LINE = 80          # a line this long is running text, not a menu item
MAX_WORDS = 60              # words of the sample the function-word vote counts
MIN_LETTERS = 12            # fewer letters than this: do not guess
MIN_CONFIDENCE = 0.5        # below this normalised probability: do not guess
# Function words of English that no other language's running text is made of; a sample in
# which they are this share of the words is English without asking the model (10x quicker,
# and most of an English archive). Ambiguous ones (in, a, an, is, was, on, die) are left out.
# Newswire English adds its abbreviations (a results table is mostly "shr", "cts", "vs", "mln").
_ENGLISH_WORDS = frozenset("the of and to said for that with by from has have at be will which would "
                           "its this are not but they their been he were vs mln dlrs cts shr pct qtr "
                           "inc corp ltd billion million year".split())
ENGLISH_SHARE = 0.1
MIN_FUNCTION_WORDS = 3      # fewer function words (of any language) than this: not running text
UNDETERMINED = "und"        # the facet value of a story whose language cannot be told
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_TAG = re.compile(r"^[A-Za-z]{2,3}(?=$|[-_])")
_lock = threading.Lock()
_identifier = None


def _model():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def languages() -> dict[str, tuple[str, str, str]]:
    """code -> (ISO 639-2/3 code, English name, own name) of every language NewsFacet names."""
    return _languages()


@lru_cache(maxsize=1)
def _languages() -> dict[str, tuple[str, str, str]]:
    """code -> (ISO 639-2/3 code, English name, own name), from indexer/extract/data/languages.tsv."""
    out = {}
    with resources.files("indexer.extract.data").joinpath("languages.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out[row["code"]] = (row["alpha_3"], row["name"], row["native"])
    out[UNDETERMINED] = (UNDETERMINED, "Undetermined", "")       # ISO 639-2's code for it
    return out


@lru_cache(maxsize=1)
def _function_words() -> dict[str, tuple[str, ...]]:
    """word -> the languages it is a function word of (Whoosh's stop lists)."""
    out: dict[str, tuple[str, ...]] = {}
    with resources.files("indexer.extract.data").joinpath("function_words.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            for w in row["words"].split():
                out[w] = out.get(w, ()) + (row["language"],)
    return out


def _votes(words: list[str]) -> list[tuple[str, int]]:
    """(language, how many of the words are its function words), most first."""
    fw = _function_words()
    counts: dict[str, int] = {}
    for w in words:
        for lang in fw.get(w, ()):
            counts[lang] = counts.get(lang, 0) + 1
    return sorted(counts.items(), key=lambda c: -c[1])


@lru_cache(maxsize=1)
def _by_alpha3() -> dict[str, str]:
    return {a3: code for code, (a3, _, _) in _languages().items()}


def normalise(tag: str | None) -> str:
    """An ISO 639-1 code from a language tag (`de-AT`, `DE`, `deu`, `en_GB`), else ""."""
    if not tag:
        return ""
    m = _TAG.match(tag.strip())
    if not m:
        return ""
    code = m.group().lower()
    if len(code) == 3:
        code = _by_alpha3().get(code, "")
    return code if code in _languages() else ""


def _sample(title: str, body: str) -> str:
    """The title and the body's first lines of running text (a page's menu is not its language)."""
    body = body or ""
    parts, size = [title or ""], 0
    for line in body[: SAMPLE_CHARS * 20].splitlines():
        if len(line) >= RUNNING_LINE:
            parts.append(line)
            size += len(line)
            if size >= SAMPLE_CHARS:
                break
    if size == 0:
        parts.append(body[:SAMPLE_CHARS])
    return "\n".join(parts)[: SAMPLE_CHARS + 200]


def detect(title: str, body: str) -> str:
    """The ISO 639-1 code of the text's language, or "" when it cannot be told."""
    text = _sample(title, body)
    if len(text) < 200 and len(_LETTER.findall(text)) < MIN_LETTERS:     # (a longer sample has letters)
        return ""
    if text.isascii() or len(text.encode("utf-8")) < 1.02 * len(text):     # Latin script, (almost) no accents
        words = text.lower().split()[:MAX_WORDS]
        if words and sum(w in _ENGLISH_WORDS for w in words) >= ENGLISH_SHARE * len(words):
            return "en"
        votes = _votes(words)
        if not votes or votes[0][1] < MIN_FUNCTION_WORDS:
            return ""             # a headline or a table of figures: not enough text to tell
        if dict(votes).get("en", 0) >= votes[0][1]:        # English has the most (ties too)
            return "en"
    code, confidence = _model().classify(text)
    if confidence < MIN_CONFIDENCE:
        return ""
    return normalise(code)


def language_of(declared: str, title: str, body: str) -> str:
    """The declared language if it is one we know, else the detected one ("" when it cannot
    be told: such a story is analysed as English and its facet value is UNDETERMINED)."""
    code = normalise(declared)
    return code if code and code != UNDETERMINED else detect(title, body)


def facet_value(code: str) -> str:
    """The language facet's value of a story whose language is `code`: a story whose language
    could not be told is UNDETERMINED, so that `language=und` finds it and `language=en` does not."""
    return code or UNDETERMINED


def analysis_language(code: str) -> str:
    """The language a facet value's stories were analysed in: an undetermined one as English."""
    return "" if code == UNDETERMINED else code


def label(code: str) -> str:
    """A language's English name (`de` -> `German`); the code itself if unknown."""
    found = _languages().get(code)
    return found[1] if found else code


def native_name(code: str) -> str:
    found = _languages().get(code)
    return found[2] if found else ""
