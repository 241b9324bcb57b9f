"""A request -> the documents it matches: the text query AND every facet and date filter.

Shared by search and export, so both answer the same set. Filters are numpy masks
over docnums (`tables.py`), so facet counts over every hit cost one `bincount`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .collapse import Collapsed
from .parse import parse
from .request import SearchRequest

COLLAPSED_CACHE = 16         # browsing (no words) results collapsed, kept per generation


@dataclass
class Match:
    query: object | None          # the parsed text query; None lists everything
    notice: str | None
    text_mask: np.ndarray         # matches of the text query alone (facets leave their own filter out)
    scores: np.ndarray | None
    masks: dict[str, np.ndarray]  # one per active filter
    final: np.ndarray             # text query AND every filter
    sort: str


def filter_masks(live, req: SearchRequest) -> dict[str, np.ndarray]:
    t = live.tables
    masks = {}
    for fieldname, values in (("org", req.orgs), ("country", req.countries), ("region", req.regions)):
        if values:
            masks[fieldname] = t.facets[fieldname].mask_any(values, t.n)
    if req.date_from or req.date_to:
        masks["date"] = t.date_mask(req.date_from, req.date_to)
    return masks


def match(live, req: SearchRequest) -> Match:
    """Which stories a request matches, with their scores."""
    q, notice = parse(live, req.q)
    scores = None
    if q is not None:
        m = live.evaluator.run(q)          # every match and its score, in one pass
        text_mask, scores = m.mask, m.score
    else:
        text_mask = live.tables.live.copy()
    masks = filter_masks(live, req)
    final = text_mask.copy()
    for mask in masks.values():
        final &= mask
    sort = req.sort if (q is not None or req.sort != "relevance") else "newest"
    return Match(q, notice, text_mask, scores, masks, final, sort)


def collapsed(live, req: SearchRequest, m: Match, ids: np.ndarray) -> Collapsed | None:
    """Near-duplicates collapsed, remembered per generation when no words were asked for.

    Browsing (the front page, a filter without words) collapses the same large sets
    again and again: 215,780 stories take ~5 ms, so those are kept, a few at a time.
    """
    t = live.tables
    if not (req.group and t.shared is not None and ids.size):
        return None
    if m.query is not None:
        return Collapsed(t, m.final, ids, m.scores, m.sort)
    key = (tuple(sorted(m.masks)), tuple(req.orgs), tuple(req.countries), tuple(req.regions),
           req.date_from, req.date_to, m.sort)
    cached = live.collapsed.get(key)
    if cached is None:
        cached = live.collapsed[key] = Collapsed(t, m.final, ids, m.scores, m.sort)
        if len(live.collapsed) > COLLAPSED_CACHE:
            live.collapsed.pop(next(iter(live.collapsed)))
    return cached
