"""The facet values and counts of one result, and the labels they are shown with.

A facet's own filter is left out of its counts, so that other values of the same
facet show how many they would add (values of one facet combine with OR), as in
Elasticsearch's post_filter pattern; the unfiltered front page is counted once per
generation and strength of tagging (`match`). Every facet of `facets.FACETS` is
counted on the field of the strength asked for. The values a request selects or
excludes come first in their facet, whatever their count, so a choice is never
folded away under "more".
"""
from __future__ import annotations

import numpy as np

from indexer.facets import FACETS
from . import kinds
from . import values as facet_values
from .request import FacetValue, SearchRequest

FACET_LIMIT = 50             # values returned per facet (the page shows 8, the rest under "more")


def facets(gen, req: SearchRequest, text_mask, masks, final, final_ids, cacheable: bool):
    """({facet name: [FacetValue]}, date granularity) for a result."""
    cacheable = (cacheable and not req.kinds and not req.facet_find
                 and all(v == "count" for v in req.facet_sort.values()))
    whole = gen.caches.whole.lookup(req.match) if cacheable else None
    if whole is not None:
        return whole["facets"], whole["granularity"]
    t = gen.tables
    out: dict[str, list[FacetValue]] = {}
    buckets, granularity = t.date_counts(final_ids)
    out[FACETS.date.name] = [FacetValue(value=k, label=k, count=c) for k, c in buckets]
    for spec in FACETS:
        if spec.param not in masks:          # every filter applies: the final matches
            mask, ids = final, final_ids
        else:
            mask, ids = text_mask.copy(), None
            for other, m in masks.items():
                if other != spec.param:
                    mask &= m
        table = t.facets[spec.field_for(req.match)]
        counts = table.counts(mask, ids)
        chosen = req.filters.get(spec.param) or []
        excluded = req.exclude.get(spec.param) or []
        values = []
        for v in list(chosen) + [v for v in excluded if v not in chosen]:
            ordinal = table.index.get(v)
            c = int(counts[ordinal]) if ordinal is not None else 0
            values.append(facet_value(gen, spec.param, v, c, v in chosen, v in excluded))
        shown = set(chosen) | set(excluded)
        kind = req.kinds.get(spec.param, "")     # a facet with kinds narrowed to one (`kind_org`)
        find = req.facet_find.get(spec.param, "").casefold()
        nonzero = np.flatnonzero(counts)         # a few of thousands of companies, for most queries
        top = nonzero[np.argsort(-counts[nonzero], kind="stable")]
        rest = []
        kind_field = spec.kind_field_for(req.match)
        if kind and kinds.table(gen, kind_field) is not None:     # counted per kind (query/kinds.py)
            rest = [fv for fv in kinds.values_of_kind(gen, kind, mask, ids, set(), FACET_LIMIT + len(shown),
                                                          kind_field, spec.display)
                    if fv.value not in shown and (not find or find in f"{fv.value} {fv.label} {fv.name}".casefold())]
            top = ()
        for ordinal in top:
            c = int(counts[ordinal])
            if len(rest) >= FACET_LIMIT:
                break
            value = table.values[ordinal]
            if value in shown:
                continue
            fv = facet_value(gen, spec.param, value, c, False, False)
            if (not kind or fv.kind == kind) and (not find or find in f"{value} {fv.label} {fv.name}".casefold()):
                rest.append(fv)
        if req.facet_sort.get(spec.param) == "name":
            rest.sort(key=lambda fv: fv.label.casefold())
        out[spec.name] = values + rest
    if cacheable:
        gen.caches.whole.put(req.match, {"facets": out, "granularity": granularity})
    return out, granularity


def facet_value(gen, param: str, value: str, count: int, selected: bool, excluded: bool = False) -> FacetValue:
    label, name, kind = label_of(gen, param, value)
    return FacetValue(value=value, label=label, count=count, selected=selected,
                      name=name, kind=kind, excluded=excluded)


def label_of(gen, param: str, value: str) -> tuple[str, str, str]:
    """(label, long name, kind) of a facet value: as indexed, else as the name table knows it
    (`values.label`; a value typed into a URL that no story holds). Nothing is remembered, so
    no request changes what another one is shown."""
    return facet_values.label(gen, param, value)
