"""Every hit of a search, in the search's order, without holding them all in memory.

Why a module of its own: a page shows ten stories, an export may hand over 200,000.
The matches are a numpy array of docnums (4 bytes each, so even a million is small);
the stored fields, which are what is large, are read in chunks as the consumer asks
for rows, so a streamed response never has more than `CHUNK` stories in hand.
"""
from __future__ import annotations

import datetime as _dt
from typing import Iterator

import numpy as np

from indexer.facets import FACETS
from .hits import web_url

CHUNK = 500


def ordered(final: np.ndarray, scores: np.ndarray | None, sort: str, tables) -> np.ndarray:
    """Docnums of every match in the result order: best score first (ties by docnum), or by date."""
    if sort == "relevance" and scores is not None:
        docs = np.flatnonzero(final)
        return docs[np.lexsort((docs, -scores[docs]))]
    order = tables.order(sort if sort != "relevance" else "newest")
    return order[final[order]]


def rows(searcher, docnums: np.ndarray, chunk: int = CHUNK, match: str = "mention") -> Iterator[dict]:
    """One plain dict per story: id, date, title, dateline, source_url and each registered facet's cells
    (`Facet.export_cells`: organisations, companies, countries as labels, language, source, people ...);
    the columns' order is the export's (`FACETS.export_columns`)."""
    for start in range(0, len(docnums), chunk):
        for docnum in docnums[start: start + chunk].tolist():
            f = searcher.stored_fields(docnum)
            date = f.get("date")
            yield {
                "id": f["id"],
                "date": date.date().isoformat() if isinstance(date, _dt.datetime) else None,
                "title": f.get("title", ""),
                "dateline": f.get("dateline", ""),
                "source_url": web_url(f.get("url")),     # http(s) only: never javascript: or data:
                **{k: v for spec in FACETS for k, v in spec.export_cells(f, match).items()},
            }
