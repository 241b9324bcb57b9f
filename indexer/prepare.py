"""A Document and its entities as the fields of the Whoosh schema.

Runs in the indexing workers (`parallel.py`) as well as in-process, so it is a pure
function of the Document: nothing here touches the index.
"""
from __future__ import annotations

import datetime as _dt

from . import dedup, entities
from .schema import facet_fields
from .documents import Document


def prepare(doc: Document, key: str) -> tuple[dict, str | None]:
    """The Whoosh fields of one story (entities extracted); a warning if extraction failed."""
    warning = None
    try:
        ents = entities.extract(doc.title, doc.body, doc.dateline, date=doc.date)
    except Exception as exc:     # a bad story must not stop the run; index it without facets
        ents = entities.Entities()
        warning = f"entities not extracted ({type(exc).__name__}: {exc})"
    fields = {
        "id": doc.id, "path": key, "title": doc.title or "", "body": doc.body or "",
        "dateline": doc.dateline or "", "place": doc.place or "", "source": doc.source or "",
        "url": doc.url or "",
        "minhash": dedup.minhash(doc.title or "", doc.body or ""),
    }
    fields.update(facet_fields(doc, ents))
    if doc.date:
        d = doc.date
        fields.update(date=_dt.datetime(d.year, d.month, d.day), day=d.isoformat(),
                      month=f"{d.year:04d}-{d.month:02d}", year=f"{d.year:04d}")
    return fields, warning
