"""A request -> the documents it matches: the text query AND every facet and date filter.

Shared by search and export, so both answer the same set. Filters are numpy masks
over docnums (`tables.py`), so facet counts over every hit cost one `bincount`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.facets import FACETS
from . import budget, values
from .collapse import Collapsed
from .parse import parse
from .tables import UNDATED
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
    req: SearchRequest            # the request with its facet values as indexed (`values.resolve`)


def filter_masks(gen, req: SearchRequest) -> dict[str, np.ndarray]:
    """One mask per facet with a filter (wanted values OR'ed, excluded ones left out) and the dates."""
    t = gen.tables
    masks = {}
    for spec in FACETS:
        wanted, unwanted = req.filters.get(spec.param), req.exclude.get(spec.param)
        if not (wanted or unwanted):
            continue
        table = t.facets[spec.field_for(req.match)]
        mask = table.mask_any(wanted, t.n) if wanted else t.live.copy()
        if unwanted:
            mask &= ~table.mask_any(unwanted, t.n)
        masks[spec.param] = mask
    if req.undated:
        masks["date"] = t.live & (t.day == UNDATED)
    elif req.date_from or req.date_to:
        masks["date"] = t.date_mask(req.date_from, req.date_to)
    return masks


def match(gen, req: SearchRequest) -> Match:
    """Which stories a request matches, with their scores; `Match.req` is the request resolved
    (a new object: the one handed in is never changed)."""
    req = values.resolve(gen, req)
    deadline = budget.Deadline(budget.DEFAULT.seconds)
    with budget.running(deadline):         # expanding patterns counts too
        q, notice = parse(gen, req.q, req.match, req.languages)
    scores = None
    if q is not None:
        with budget.running(deadline):
            m = gen.evaluator.run(q)      # every match and its score, in one pass
        text_mask, scores = m.mask, m.score
        if deadline.cuts:
            cut = budget.CUT_NOTICE.format(seconds=deadline.seconds)
            notice = f"{notice}; {cut}" if notice else cut
    else:
        text_mask = gen.tables.live.copy()
    masks = filter_masks(gen, req)
    final = text_mask.copy()
    for mask in masks.values():
        final &= mask
    sort = req.sort if (q is not None or req.sort != "relevance") else "newest"
    return Match(q, notice, text_mask, scores, masks, final, sort, req)


def collapsed(gen, req: SearchRequest, m: Match, ids: np.ndarray) -> Collapsed | None:
    """Near-duplicates collapsed, remembered per generation when no words were asked for.

    Browsing (the front page, a filter without words) collapses the same large sets
    again and again: 215,780 stories take ~5 ms, so those are kept, a few at a time.
    """
    t = gen.tables
    if not (req.group and t.shared is not None and ids.size):
        return None
    if m.query is not None:
        return Collapsed(t, m.final, ids, m.scores, m.sort)
    return gen.caches.collapsed.computed((req.filter_key(), m.sort),       # COLLAPSED_CACHE of them
                                          lambda: Collapsed(t, m.final, ids, m.scores, m.sort))
