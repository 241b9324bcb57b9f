"""The facet values and counts of one result, and the labels they are shown with.

A facet's own filter is left out of its counts, so that other values of the same
facet show how many they would add (values of one facet combine with OR), as in
Elasticsearch's post_filter pattern; the unfiltered front page is counted once per
generation.
"""
from __future__ import annotations

import numpy as np

from .. import entities
from ..schema import FACET_FIELDS
from .request import FacetValue, SearchRequest

FACET_LIMIT = 50             # values returned per facet (the page shows 8, the rest under "more")
FACET_NAMES = {"org": "organisation", "country": "country", "region": "region"}


def facets(live, req: SearchRequest, text_mask, masks, final, final_ids, cacheable: bool):
    """({facet name: [FacetValue]}, date granularity) for a result."""
    cacheable = cacheable and not req.org_kind
    if cacheable and live.whole is not None:
        return live.whole["facets"], live.whole["granularity"]
    t = live.tables
    selected = {"org": req.orgs, "country": req.countries, "region": req.regions}
    out: dict[str, list[FacetValue]] = {}
    for fieldname in FACET_FIELDS:
        if fieldname not in masks:           # every filter applies: the final matches
            mask, ids = final, final_ids
        else:
            mask, ids = text_mask.copy(), None
            for other, m in masks.items():
                if other != fieldname:
                    mask &= m
        table = t.facets[fieldname]
        counts = table.counts(mask, ids)
        top = np.argsort(-counts, kind="stable")
        values = []
        chosen = set(selected[fieldname])
        kind = req.org_kind if fieldname == "org" else ""
        for ordinal in top:
            c = int(counts[ordinal])
            if c == 0 or len(values) >= FACET_LIMIT:
                break
            value = facet_value(live, fieldname, table.values[ordinal], c, chosen)
            if not kind or value.kind == kind or value.selected:
                values.append(value)
        shown = {v.value for v in values}
        for v in selected[fieldname]:
            if v not in shown:
                ordinal = table.index.get(v)
                c = int(counts[ordinal]) if ordinal is not None else 0
                values.append(facet_value(live, fieldname, v, c, chosen))
        out[FACET_NAMES[fieldname]] = values
    buckets, granularity = t.date_counts(final_ids)
    out["date"] = [FacetValue(value=k, label=k, count=c) for k, c in buckets]
    out = {"date": out["date"], "organisation": out["organisation"],
           "country": out["country"], "region": out["region"]}
    if cacheable:
        live.whole = {"facets": out, "granularity": granularity}
    return out, granularity


def facet_value(live, fieldname: str, value: str, count: int, chosen: set[str]) -> FacetValue:
    label, name, kind = label_of(live, fieldname, value)
    return FacetValue(value=value, label=label, count=count, selected=value in chosen,
                      name=name, kind=kind)


def label_of(live, fieldname: str, value: str) -> tuple[str, str, str]:
    """(label, long name, kind) of a facet value: as indexed, else from the gazetteers.

    The gazetteers are only consulted for a value no story holds (a filter typed into
    a URL), so a serving worker does not load them.
    """
    key = (fieldname, value)
    found = live.labels.get(key)
    if found is None:
        label, name, kind = value, "", ""
        try:
            if fieldname == "country":
                c = entities.find_country(value)
                label = c.name if c else value
            elif fieldname == "org":
                o = entities.find_organisation(value)
                if o is not None:
                    label, name, kind = o.key, (o.name if o.name != o.key else ""), o.kind
        except Exception:        # a gazetteer problem must not break a search: show the raw value
            pass
        found = live.labels[key] = (label, name, kind)
    return found
