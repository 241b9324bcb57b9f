"""A Document and its entities as the fields of the Whoosh schema.

Runs in the indexing workers (`parallel.py`) as well as in-process, so it is a pure
function of the Document: nothing here touches the index.
"""
from __future__ import annotations

import datetime as _dt

from . import dedup, entities
from .documents import Document


def _clean_value(value: str) -> str:
    return value.replace(",", " ").strip()


def prepare(doc: Document, key: str) -> tuple[dict, str | None]:
    """The Whoosh fields of one story (entities extracted); a warning if extraction failed."""
    warning = None
    try:
        ents = entities.extract(doc.title, doc.body, doc.dateline, date=doc.date)
    except Exception as exc:     # a bad story must not stop the run; index it without facets
        ents = entities.Entities()
        warning = f"entities not extracted ({type(exc).__name__}: {exc})"
    orgs = [{"value": _clean_value(o.key), "label": o.key, "name": o.name, "kind": o.kind}
            for o in ents.organisations]
    countries = [{"value": c.code, "label": c.name} for c in ents.countries]
    regions = [{"value": _clean_value(r), "label": r} for r in ents.regions]
    fields = {
        "id": doc.id, "path": key, "title": doc.title or "", "body": doc.body or "",
        "dateline": doc.dateline or "", "place": doc.place or "", "source": doc.source or "",
        "url": doc.url or "",
        "org": ",".join(o["value"] for o in orgs), "country": ",".join(c["value"] for c in countries),
        "region": ",".join(r["value"] for r in regions),
        "org_kind": ",".join(f"{o['kind'] or 'other'}|{o['value']}" for o in orgs),
        "orgs_display": orgs, "countries_display": countries, "regions_display": regions,
        "minhash": dedup.minhash(doc.title or "", doc.body or ""),
    }
    if doc.date:
        d = doc.date
        fields.update(date=_dt.datetime(d.year, d.month, d.day), day=d.isoformat(),
                      month=f"{d.year:04d}-{d.month:02d}", year=f"{d.year:04d}")
    return fields, warning
