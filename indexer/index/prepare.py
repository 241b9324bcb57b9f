"""A Document and its entities as the fields of the Whoosh schema.

Runs in the indexing workers (`parallel.py`) as well as in-process, so it is a pure
function of the Document: nothing here touches the index.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt

from indexer.extract import datelines, entities, gazetteer, language
from . import dedup
from .analysis import ENGLISH, LanguageText, nfc
from indexer.read.documents import Document
from .schema import facet_fields
from .typed import typed_field


def language_and_dateline(doc: Document) -> tuple[str, str, str]:
    """(language, dateline, place): declared or detected; an agency dateline after the lead."""
    lang = language.language_of(getattr(doc, "language", ""), doc.title or "", doc.body or "")
    dateline, place = doc.dateline or "", doc.place or ""
    if not dateline and lang not in ("", ENGLISH):     # `Wien –`, `MOSKAU (dpa) –` after the lead
        found = datelines.find(doc.body or "", lang)
        if found is not None:
            dateline, place = found
    return lang, dateline, place


def extract(doc: Document, lang: str, dateline: str) -> entities.Entities:
    """The story's entities as the indexer finds them (names in other languages for a story
    in another language); `newsfacet entities` prints the same."""
    with gazetteer.in_language(lang):
        return entities.extract(doc.title or "", doc.body or "", dateline, date=doc.date)


def prepare(doc: Document, key: str) -> tuple[dict, str | None]:
    """The Whoosh fields of one story (entities extracted); a warning if extraction failed."""
    warning = None
    # composed (NFC), as stored: a decomposed `café` is the same word, and snippet offsets hold
    doc = dataclasses.replace(doc, title=nfc(doc.title or ""), body=nfc(doc.body or ""))
    title, body = doc.title, doc.body
    lang, dateline, place = language_and_dateline(doc)
    try:
        ents = extract(doc, lang, dateline)
    except Exception as exc:     # a bad story must not stop the run; index it without facets
        ents = entities.Entities()
        warning = f"entities not extracted ({type(exc).__name__}: {exc})"
    fields = {
        "id": doc.id, "path": key, "title": title, "body": body,
        typed_field("title"): title, typed_field("body"): body,
        "dateline": dateline, "place": place,         # the source: the source facet's field
        "url": doc.url or "",
        "minhash": dedup.minhash(doc.title or "", doc.body or ""),
    }
    fields.update(facet_fields(dataclasses.replace(doc, language=lang), ents))
    if lang and lang != ENGLISH:     # analysed in its language; stored as the plain text
        fields.update({typed_field("title"): LanguageText(title, lang), typed_field("body"): LanguageText(body, lang)})
        fields.update(title=LanguageText(title, lang), body=LanguageText(body, lang),
                      _stored_title=title, _stored_body=body)
    if doc.title_is_label:           # a story with no title or text: its label is shown, not searched
        fields.update({"title": "", "_stored_title": title, typed_field("title"): ""})
    if doc.date:
        d = doc.date
        fields.update(date=_dt.datetime(d.year, d.month, d.day), day=d.isoformat(),
                      month=f"{d.year:04d}-{d.month:02d}", year=f"{d.year:04d}")
    return fields, warning
