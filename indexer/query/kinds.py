"""A facet with kinds (facets.KindedFacet: organisations) narrowed to one kind, counted per kind.

One acronym can name bodies of different kinds (ICC: a government commission in some
stories, an intergovernmental body in others). The kind of a facet value used to be
read from the first story holding it, so such a value was listed under one kind with
all its stories. The indexer also writes "kind|value" terms in the facet's kind field
(`org_kind`: `government|ICC`, one per organisation of a story, schema.py), so a value
is listed under every kind it has, counted over the stories where it has that kind. An
index written before that field existed falls back to the first story's kind
(facetcounts.py). Nothing here is particular to organisations: the facet passes its
kind field and its display field.
"""
from __future__ import annotations

import numpy as np

from .request import FacetValue
from .tables import FacetTable, read_table

def table(gen, field: str) -> FacetTable | None:
    """A kind field's terms (`org_kind`; `org_kind_any` for every mention) as a facet table, read on the first
    request that narrows by kind (not when a generation opens: most requests never ask); None for
    an older index."""
    t = gen.tables.facets.get(field)
    if t is None and field in gen.searcher.schema:
        t = read_table(gen.evaluator.p, field, gen.tables.gen)
        t.index_by_doc(gen.tables.n)
        # two threads may both read it (the same table); the facet tables are read on first use
        # (tables._LazyFacets) and nothing iterates them, so adding one is safe
        gen.tables.facets[field] = t
    return t if t is not None and t.values else None


def values_of_kind(gen, kind: str, mask: np.ndarray, ids, chosen: set[str], limit: int,
                   field: str, display: str) -> list[FacetValue]:
    """The values of `kind` among the documents of `mask`, most stories first."""
    table = gen.tables.facets[field]
    counts = table.counts(mask, ids)
    prefix = kind + "|"
    out = []
    for ordinal in np.argsort(-counts, kind="stable"):
        c = int(counts[ordinal])
        if c == 0 or len(out) >= limit:
            break
        term = table.values[ordinal]
        if not term.startswith(prefix):
            continue
        value = term[len(prefix):]
        label, name = _label(gen, kind, value, field, display)
        out.append(FacetValue(value=value, label=label, count=c, selected=value in chosen, name=name, kind=kind))
    return out


def _label(gen, kind: str, value: str, field: str, display: str) -> tuple[str, str]:
    """(label, long name) of `value` as a body of `kind`: from a story where it is one."""
    key = (f"{kind}|{value}", field)
    found = gen.caches.kind_labels.lookup(key)
    if found is None:
        found = (value, "")
        table = gen.tables.facets[field]
        ordinal = table.index.get(key[0])
        docs = table.docs[table.vals == ordinal] if ordinal is not None else ()
        for docnum in docs[:1]:
            for item in gen.searcher.stored_fields(int(docnum)).get(display) or []:
                if item.get("value") == value and (item.get("kind") or "other") == kind:
                    label = item.get("label") or value
                    name = item.get("name") or ""
                    found = (label, "" if name == label else name)
                    break
        gen.caches.kind_labels.put(key, found)     # its own cache: `gen.labels` is read-only
    return found
