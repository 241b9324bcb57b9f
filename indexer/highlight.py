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

import bleach
from whoosh import highlight as wh

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


def sanitize(fragment_html: str) -> str:
    """Reduce HTML to text plus <mark> (no attributes), whatever went in."""
    return bleach.clean(fragment_html, tags=ALLOWED_TAGS, attributes={}, strip=True)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _lead(text: str, chars: int = SNIPPET_CHARS) -> str:
    text = _collapse(text[: chars * 2])
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars] + " …"


def snippet(text: str, terms: frozenset[str], analyzer, top: int = 2) -> str:
    """A short passage around the query's words, or the story's lead when none occur."""
    text = _collapse(text[:MAX_ANALYSED_CHARS])
    out = ""
    if terms and text:
        fragmenter = wh.ContextFragmenter(maxchars=SNIPPET_CHARS // top + 40, surround=50)
        out = wh.highlight(text, terms, analyzer, fragmenter, MarkFormatter(), top=top)
    if not out:
        out = html.escape(_lead(text), quote=False)
    return sanitize(out)


def highlight_paragraphs(body: str, terms: frozenset[str], analyzer) -> list[str]:
    """The whole story as HTML paragraphs, the query's words marked."""
    paragraphs = [p.strip() for p in _PARAGRAPH.split(body or "") if p.strip()]
    out = []
    for para in paragraphs:
        marked = ""
        if terms:
            marked = wh.highlight(para, terms, analyzer, wh.WholeFragmenter(charlimit=None),
                                  MarkFormatter(), top=1)
        out.append(sanitize(marked or html.escape(para, quote=False)))
    return out
