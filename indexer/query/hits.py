"""Stored fields -> the records a result shows: hits, versions and whole stories.

Only the documents on the page shown are read and highlighted; snippets come back
unbleached here and are cleaned once per page (`highlight.sanitize_many`).
"""
from __future__ import annotations

import datetime as _dt

from . import related
from .highlight import highlight_paragraphs, snippet
from .request import Hit, Ref, Story, Version


def iso(value) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, _dt.datetime) else str(value)


def refs(items) -> list[Ref]:
    return [Ref(value=i["value"], label=i["label"]) for i in (items or [])]


def hit(live, docnum: int, score, terms, analyzer) -> Hit:
    f = live.searcher.stored_fields(docnum)
    return Hit(
        id=f["id"], title=f.get("title", ""), date=iso(f.get("date")),
        dateline=f.get("dateline", ""), snippet=snippet(f.get("body", ""), terms, analyzer, clean=False),
        organisations=refs(f.get("orgs_display")), countries=refs(f.get("countries_display")),
        source=f.get("source", ""), url=f.get("url", ""), score=score)


def version(live, docnum: int) -> Version:
    f = live.searcher.stored_fields(docnum)
    return Version(id=f["id"], title=f.get("title", ""), date=iso(f.get("date")))


def story(live, docnum: int, terms: frozenset[str]) -> Story:
    """A whole story: paragraphs highlighted with `terms`, related stories and versions."""
    f = live.searcher.stored_fields(docnum)
    analyzer = live.searcher.schema["body"].analyzer
    text = f"{f.get('title', '')}\n{f.get('body', '')}"
    return Story(
        id=f["id"], title=f.get("title", ""), date=iso(f.get("date")), dateline=f.get("dateline", ""),
        place=f.get("place", ""), source=f.get("source", ""), url=f.get("url", ""), path=f.get("path", ""),
        paragraphs=highlight_paragraphs(f.get("body", ""), terms, analyzer), body=f.get("body", ""),
        organisations=refs(f.get("orgs_display")), countries=refs(f.get("countries_display")),
        regions=refs(f.get("regions_display")),
        similar=[version(live, d)
                 for d, _ in related.similar(live.searcher, live.evaluator, live.tables, docnum, text)],
        versions=[version(live, d) for d in related.versions(live.tables, docnum)[:20]])
