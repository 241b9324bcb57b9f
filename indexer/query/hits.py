"""Stored fields -> the records a result shows: hits, versions and whole stories.

Only the documents on the page shown are read and highlighted; snippets come back
unbleached here and are cleaned once per page (`highlight.sanitize_many`).
"""
from __future__ import annotations

import datetime as _dt
from urllib.parse import urlsplit

from indexer.facets import DEFAULT_MATCH, FACETS
from indexer.extract.language import analysis_language
from . import related
from .highlight import highlight_paragraphs, snippet
from .request import Hit, Ref, Story, Version

STORY_CHARS = 30_000       # of a story's body shown and highlighted; the rest is one link away


def iso(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, _dt.datetime) else str(value)


def web_url(value) -> str:
    """A story's source address if a browser would open it as a web page (http or https), else "".

    Documents carry whatever their `url` field says; `javascript:`, `data:`, `vbscript:`
    (or `file:`, or a scheme-relative `//host`) in a link, an API answer or an export
    would run or fetch something the moment someone clicks it. Control characters (tabs,
    line breaks) inside are refused too: browsers drop them, so `java\tscript:` is `javascript:`.
    """
    url = (value or "").strip() if isinstance(value, str) else ""
    if not url or any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def hit_chips(f: dict, match: str) -> dict[str, list[Ref]]:
    """{plural: [Ref]} of a hit: every registered facet that shows chips on hits (`Facet.hit_chips`)."""
    return {key: [Ref(**c) for c in items] for spec in FACETS for key, items in spec.hit_chips(f, match).items()}


def story_chips(f: dict) -> dict[str, list[Ref]]:
    """{plural: [Ref]} of a story page: every registered facet with chips, every mention."""
    return {key: [Ref(**c) for c in items] for spec in FACETS for key, items in spec.story_chips(f).items()}


def in_language(analyzer, lang: str):
    """The analyzer that marks words in a story of this language (analysis.NewsAnalyzer)."""
    bind = getattr(analyzer, "for_language", None)
    lang = analysis_language(lang)          # an undetermined story was analysed as English
    return bind(lang) if bind and lang else analyzer


def hit(gen, docnum: int, score, terms, analyzer, match: str = DEFAULT_MATCH) -> Hit:
    f = gen.searcher.stored_fields(docnum)
    lang = f.get("language", "")
    return Hit(
        id=f["id"], title=f.get("title", ""), date=iso(f.get("date")), dateline=f.get("dateline", ""),
        snippet=snippet(f.get("body", ""), terms, in_language(analyzer, lang), clean=False),
        source=f.get("source", ""), url=web_url(f.get("url")), language=lang, score=score, chips=hit_chips(f, match))


def version(gen, docnum: int) -> Version:
    f = gen.searcher.stored_fields(docnum)
    return Version(id=f["id"], title=f.get("title", ""), date=iso(f.get("date")))


def first_part(body: str, chars: int = STORY_CHARS) -> str:
    """The start of a long body, cut at a paragraph (or else a space) near `chars`."""
    if len(body) <= chars:
        return body
    cut = body.rfind("\n\n", chars // 2, chars)
    if cut == -1:
        cut = body.rfind(" ", chars // 2, chars)
    return body[:cut if cut != -1 else chars]


def story(gen, docnum: int, terms: frozenset[str]) -> Story:
    """A story: paragraphs highlighted with `terms`, related stories and versions.

    A story of many megabytes (a whole report saved as one file) would take seconds to
    highlight and lay out, and megabytes to send: only its first STORY_CHARS characters
    are shown and highlighted (`truncated` says so; the web offers the whole text as
    plain text), and related stories are found from its first part.
    """
    f = gen.searcher.stored_fields(docnum)
    lang = f.get("language", "")
    analyzer = in_language(gen.searcher.schema["body"].analyzer, lang)
    whole = f.get("body", "") or ""
    body = first_part(whole)
    text = f"{f.get('title', '')}\n{body[:related.MAX_TEXT]}"
    return Story(
        id=f["id"], title=f.get("title", ""), date=iso(f.get("date")), dateline=f.get("dateline", ""),
        place=f.get("place", ""), source=f.get("source", ""), url=web_url(f.get("url")), path=f.get("path", ""),
        paragraphs=highlight_paragraphs(body, terms, analyzer), body=body,
        truncated=len(body) < len(whole), body_chars=len(whole),
        chips=story_chips(f), language=lang,
        similar=[version(gen, d)
                 for d, _ in related.similar(gen.searcher, gen.evaluator, gen.tables, docnum, text,
                                             language=analysis_language(lang))],
        versions=[version(gen, d) for d in related.versions(gen.tables, docnum)[:20]])
