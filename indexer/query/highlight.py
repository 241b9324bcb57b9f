"""Highlighted snippets and story paragraphs: Whoosh finds the terms, bleach has the last word.

Whoosh's highlighter re-analyses the stored text (slow on long stories), so only the
hits on the page are highlighted and at most `MAX_ANALYSED_CHARS` of each story are
analysed for a snippet. The formatter escapes every piece of document text and wraps
matches in `<mark>`; the result then goes through bleach with an allow-list of exactly
that one tag, so even a bug in the formatter cannot let markup from a story through.
"""
from __future__ import annotations

import html
import re
import threading
import unicodedata

import bleach
from whoosh import highlight as wh
from whoosh.analysis.tokenizers import default_pattern

from indexer.index.typed import MARK, PATTERN, forms, strip_accents, typed_form
from .patterns import Patterns

ALLOWED_TAGS = frozenset({"mark"})
MAX_ANALYSED_CHARS = 20_000
SNIPPET_CHARS = 240
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")


class MarkFormatter(wh.Formatter):
    """Escaped text with matched words in <mark>."""

    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % html.escape(wh.get_text(text, token, replace), quote=False)


_local = threading.local()


def sanitize(fragment_html: str) -> str:
    """Reduce HTML to text plus <mark> (no attributes), whatever went in.

    One bleach Cleaner per thread (building one per call costs a third of the time;
    a Cleaner is not meant to be shared between threads).
    """
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes={}, strip=True)
    return cleaner.clean(fragment_html)


_SEPARATOR = "\ue000"      # a private-use character: joins a page's snippets for one bleach pass


def sanitize_many(fragments: list[str]) -> list[str]:
    """`sanitize` for a page of snippets in one bleach call (its set-up is most of its cost).

    Splitting the cleaned text at the separator gives the pieces back; if a story's own
    text held the separator the count is off and each piece is cleaned on its own.
    """
    if len(fragments) < 2:
        return [sanitize(f) for f in fragments]
    if not any(_SEPARATOR in f for f in fragments):
        out = sanitize(_SEPARATOR.join(fragments)).split(_SEPARATOR)
        if len(out) == len(fragments):
            return out
    return [sanitize(f) for f in fragments]


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _lead(text: str, chars: int = SNIPPET_CHARS) -> str:
    text = _collapse(text[: chars * 2])
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars] + " …"


def _fold_table() -> dict[int, str]:
    """Accented Latin letters -> their base letter, one character for one (offsets stay)."""
    table = {}
    for cp in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii() and base.isalpha():
            table[cp] = base
    table[ord("ß")] = "s"
    return table


_FOLD = _fold_table()


def _fold(text: str) -> str:
    return text.translate(_FOLD)


_INSIDE_WORDS = frozenset({"ar", "zh", "ja", "ko"})


class _Unstopped:
    """The story's analyzer as Whoosh's highlighter sees it, its stop words never matching.

    The highlighter analyses with removestops=False, so a stop word comes through as itself
    (`on`, `die`): a query analysed in several languages holds words that are stop words in
    some (`the`, `der`), and a stem can be one (`one` is `on`: 4,039 Reuters stories had no
    mark, issue 21). Taking the stop words out of the terms lost those stems; taking the
    stopped tokens out of the story keeps them."""

    def __init__(self, analyzer):
        self.analyzer = analyzer

    def __call__(self, value, **kwargs):
        for t in self.analyzer(value, **kwargs):
            if t.stopped:
                t.text = "\x00"
            yield t

    def __getattr__(self, name):
        return getattr(self.analyzer, name)


_LETTERS = re.compile(r"[^*?\[\]!]+")     # a pattern's runs of letters


class _AsTyped:
    """The story's analyzer, but a word that is one of a pattern's words as typed (typed.MARK
    terms: `body_typed:persons`) or that a pattern matches (MARK + PATTERN terms: `pers*`) yields
    that term instead of its stem, so a pattern marks exactly the words it matches, however many
    it stands for, not every word sharing their stems ("per" for `pers*`, "senate" for `*ation`)."""

    def __init__(self, analyzer, typed: frozenset[str], patterns: list[str]):
        self._analyzer, self._typed, self._terms = analyzer, typed, patterns
        self._patterns = Patterns([t[2:] for t in patterns]) if patterns else None

    def __getattr__(self, name):          # language, stop_words ... of the story's analyzer
        return getattr(self._analyzer, name)

    def term(self, word: str) -> str | None:
        """The term a word of the text is marked as, if it is a pattern's; else None."""
        for form in forms(typed_form(word)):
            if form in self._typed:
                return MARK + form
            i = self._patterns.which(form) if self._patterns is not None else None
            if i is not None:
                return self._terms[i]
        return None

    def pattern_hits(self, text: str) -> list[tuple[int, str]]:
        """(offset, term) of each word of `text` a pattern matches: the words holding the pattern's
        longest run of letters (all words when it has none: `?*`), each checked as typed (RE2)."""
        if self._patterns is None:
            return []
        needles = set()
        for term in self._terms:
            runs = _LETTERS.findall(term[2:])
            needles.add(max(runs, key=len) if runs else "")
        # one scan for all of them (250 prefixes were 250 substring tests a word); "" holds in every word
        held = None if "" in needles else re.compile("|".join(map(re.escape, sorted(needles)))).search
        hits = []
        for m in default_pattern.finditer(text):
            word = m.group()
            folded = typed_form(word)
            if held is not None and not (held(folded) or held(strip_accents(folded))):
                continue
            term = self.term(word)
            if term is not None and term.startswith(MARK + PATTERN):
                hits.append((m.start(), term))
        return hits

    def __call__(self, value, start_char=0, **kwargs):
        kwargs["chars"] = True
        for tok in self._analyzer(value, start_char=start_char, **kwargs):
            term = self.term(value[tok.startchar - start_char:tok.endchar - start_char])
            if term is not None:
                tok.text = term
            yield tok


def _with_patterns(terms: frozenset[str], analyzer):
    """(terms, analyzer) for marking: the analyzer reads words as typed when a pattern asked for some."""
    typed = frozenset(t[1:] for t in terms if t.startswith(MARK) and not t.startswith(MARK + PATTERN))
    patterns = sorted(t for t in terms if t.startswith(MARK + PATTERN))
    return (terms, _AsTyped(analyzer, typed, patterns)) if typed or patterns else (terms, analyzer)


class _Span:
    """A match's place in the original (unfolded) text."""

    def __init__(self, text: str, start: int, end: int):
        self._text, self._start, self._end = text, start, end

    def group(self, _=0) -> str:
        return self._text[self._start:self._end]

    def start(self) -> int:
        return self._start


def _window(text: str, terms: frozenset[str], analyzer, size: int) -> str:
    """The stretch of `text` (about `size` chars) holding the most distinct query words.

    Whoosh's highlighter analyses every word it is given; a story can be long and only
    a snippet's worth is shown, so we look for the words cheaply first: a Porter stem
    keeps the start of its word, so only words beginning like a term are stemmed and
    compared. The window is then handed to Whoosh, which builds the snippet. Snowball
    stems drop accents (German `Österreich` -> `osterreich`), so the search runs on the
    text with accents folded away (same offsets); Arabic stems drop prefixes (`الحكومات`
    -> `حكم`) and Chinese or Japanese runs hold many bigrams, so there a word may hold the
    term anywhere. A pattern's words (`analyzer` is then an _AsTyped) are the words that
    hold its longest run of letters and that it matches (`_AsTyped.pattern_hits`).
    """
    if len(text) <= size:
        return text
    ascii_text = text.isascii()
    bare = {t.removeprefix(MARK) for t in terms if not t.startswith(MARK + PATTERN)}
    prefixes = sorted({t[:max(2, len(t) - 2)] if ascii_text else _fold(t[:max(2, len(t) - 2)])
                       for t in bare if t}, key=len, reverse=True)
    hits = analyzer.pattern_hits(text) if isinstance(analyzer, _AsTyped) else []
    if prefixes:
        inside = getattr(analyzer, "language", "") in _INSIDE_WORDS
        lead = r"\w*" if inside else r"\b"
        pattern = re.compile(r"%s(?:%s)\w*" % (lead, "|".join(map(re.escape, prefixes))), re.IGNORECASE)
        for m in pattern.finditer(text if ascii_text else _fold(text)):
            m = _Span(text, m.start(), m.end())
            stems = [tok.text for tok in analyzer(m.group(0))]
            found = next((s for s in stems if s in terms), None) if inside else (stems[0] if stems else None)
            if found is not None and found in terms:
                hits.append((m.start(), found))
        hits.sort()
    if not hits:
        return text[:size]
    best, best_start, j = -1, 0, 0
    for i, (start, _) in enumerate(hits):      # two pointers: most distinct terms in `size`
        while hits[j][0] < start - size // 2:
            j += 1
        distinct = len({t for _, t in hits[j:i + 1]})
        if distinct > best:
            best, best_start = distinct, hits[j][0]
    lo = max(0, best_start - size // 4)
    lo = text.rfind(" ", 0, lo) + 1 if lo else 0
    hi = text.find(" ", min(len(text), lo + size))
    return text[lo: hi if hi != -1 else len(text)]


def snippet(text: str, terms: frozenset[str], analyzer, top: int = 2, clean: bool = True) -> str:
    """A short passage around the query's words, or the story's lead when none occur.

    With clean=False the caller must pass the result through `sanitize_many`.
    """
    text = _collapse(text[:MAX_ANALYSED_CHARS])
    out = ""
    terms, marking = _with_patterns(terms, _Unstopped(analyzer))
    if terms and text:
        window = _window(text, terms, marking if isinstance(marking, _AsTyped) else analyzer, SNIPPET_CHARS + 120)
        fragmenter = wh.ContextFragmenter(maxchars=SNIPPET_CHARS // top + 40, surround=50)
        out = wh.highlight(window, terms, marking, fragmenter, MarkFormatter(), top=top)
    if not out:
        out = html.escape(_lead(text), quote=False)
    return sanitize(out) if clean else out


def highlight_paragraphs(body: str, terms: frozenset[str], analyzer) -> list[str]:
    """The whole story as HTML paragraphs, the query's words marked."""
    paragraphs = [p.strip() for p in _PARAGRAPH.split(body or "") if p.strip()]
    out = []
    terms, marking = _with_patterns(terms, _Unstopped(analyzer))
    for para in paragraphs:
        marked = ""
        if terms:
            marked = wh.highlight(para, terms, marking, wh.WholeFragmenter(charlimit=None),
                                  MarkFormatter(), top=1)
        out.append(sanitize(marked or html.escape(para, quote=False)))
    return out
