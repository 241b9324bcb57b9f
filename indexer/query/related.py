"""Related stories: Whoosh's more-like-this, evaluated as numpy arrays.

Why not `Searcher.more_like` as it is: it picks the story's key terms well (Whoosh's
Bo1 expansion model, `key_terms_from_text`) but then runs the OR of them through
Whoosh's matchers one document at a time. The same query goes through the numpy
evaluator (`query/arrays.py`) here, with the same terms and weights, so related stories
cost about what a search does. Versions of the story itself (its near-duplicate
group) are left out, and so is more than one version of any other story.
"""
from __future__ import annotations

import numpy as np
from whoosh import classify, query as wq

from indexer.index.analysis import LanguageText
from .arrays import top_k

TOP = 5
KEY_TERMS = 12
MAX_TEXT = 20_000


def key_terms(searcher, text: str, numterms: int = KEY_TERMS, language: str = "") -> list[tuple[str, float]]:
    """The story's most telling body words (stems) and their weights, as Whoosh's more_like picks them
    (stemmed in the story's language, as its body was indexed)."""
    text = LanguageText(text[:MAX_TEXT], language) if language else text[:MAX_TEXT]
    return searcher.key_terms_from_text("body", text, numterms=numterms,
                                        model=classify.Bo1Model, normalize=False)


def similar(searcher, evaluator, tables, docnum: int, text: str, top: int = TOP,
            language: str = "") -> list[tuple[int, float]]:
    """(docnum, score) of the stories most like `docnum`, best first, one per near-duplicate group."""
    terms = key_terms(searcher, text, language=language)
    if not terms:
        return []
    match = evaluator.run(wq.Or([wq.Term("body", w, boost=weight) for w, weight in terms]))
    mask = match.mask
    mask[docnum] = False
    group = tables.group
    if group is not None:
        mask &= group != group[docnum]
    out, seen = [], set()
    for d in top_k(mask, match.score, top * 4):
        g = int(group[d]) if group is not None else int(d)
        if g in seen:
            continue
        seen.add(g)
        out.append((int(d), float(match.score[d])))
        if len(out) == top:
            break
    return out


def versions(tables, docnum: int) -> list[int]:
    """The other live members of `docnum`'s near-duplicate group, by docnum."""
    if tables.shared is None or not tables.shared[docnum]:
        return []
    members = np.flatnonzero(tables.live & (tables.group == tables.group[docnum]))
    return [int(d) for d in members if d != docnum]
