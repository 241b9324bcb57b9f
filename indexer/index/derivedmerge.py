"""An incremental run's facet arrays: the previous commit's, for the segments it left as they were,
joined with what its new segments hold (derived.py).

Why: a run that adds a few stories to a large archive should not read every facet term's
postings again (~14 s at 215,780 stories). Whoosh never renumbers the documents of a segment
it keeps (a deletion only marks them), so while a commit's first segments are the previous
commit's, their documents keep their docnums and their postings are what the previous
arrays say, minus the stories deleted since. Only the segments after them (new, or merged
by Whoosh's merge policy) are read. The result is the arrays `derived.read_field` would give
for the whole commit (the same values, ordinals and order), by a numpy pass over them.
Pure numpy and strings: imports nothing of Whoosh or of the rest of NewsFacet.
"""
from __future__ import annotations

import numpy as np


def merge(old: tuple[list[str], np.ndarray, np.ndarray], keep: np.ndarray,
          new: tuple[list[str], np.ndarray, np.ndarray]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(values, docs, vals, old ordinal of each value or -1) of the postings of `old` where `keep`
    (the documents still live, in the segments kept) and all of `new` (the segments read again).

    Values are sorted bytewise (the lexicon's order) and only those some posting still holds
    are kept; postings are ordered by value, then docnum, as a read of the whole lexicon
    orders them.
    """
    old_values, old_docs, old_vals = old
    new_values, new_docs, new_vals = new
    union = sorted(set(old_values).union(new_values), key=lambda v: v.encode("utf-8"))
    position = {v: i for i, v in enumerate(union)}
    old_map = np.fromiter((position[v] for v in old_values), dtype=np.int64, count=len(old_values))
    new_map = np.fromiter((position[v] for v in new_values), dtype=np.int64, count=len(new_values))
    docs = np.concatenate([old_docs[keep], new_docs]).astype(old_docs.dtype if old_docs.size else new_docs.dtype)
    vals = np.concatenate([old_map[old_vals[keep]], new_map[new_vals]])
    used = np.bincount(vals, minlength=len(union)) > 0
    renumber = np.cumsum(used) - 1
    vals = renumber[vals].astype(np.int32)
    values = [v for v, u in zip(union, used.tolist()) if u]
    order = np.lexsort((docs, vals))
    was = {v: i for i, v in enumerate(old_values)}
    from_old = np.fromiter((was.get(v, -1) for v in values), dtype=np.int64, count=len(values))
    return values, docs[order], vals[order], from_old


def fold_case_twins(values: list[str], docs: np.ndarray, vals: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray,
                                                                                     np.ndarray]:
    """(values, docs, vals, kept) with values that differ only by case made one: the spelling most
    postings use (then the first bytewise) holds every posting of its twins, and `kept` is the
    position of each remaining value in `values`.

    Why: "BankAmerica" (25 stories) and "Bankamerica" (1, from a headline in capitals) were two
    facet rows, and `company:BankAmerica` picked one of them (issue 21: 98 of 195 values in
    case-twin pairs on Reuters). The index keeps both terms; the name table resolves either
    spelling to both (names.py), and the facet counts and filters see one value.
    """
    if len(values) < 2:
        return values, docs, vals, np.arange(len(values))
    folded = [v.casefold() for v in values]
    if len(set(folded)) == len(folded):
        return values, docs, vals, np.arange(len(values))
    counts = np.bincount(vals, minlength=len(values))
    best: dict[str, int] = {}
    for i, key in enumerate(folded):
        j = best.get(key)
        if j is None or counts[i] > counts[j]:
            best[key] = i
    target = np.fromiter((best[key] for key in folded), dtype=np.int64, count=len(values))
    kept = np.flatnonzero(target == np.arange(len(values)))
    renumber = np.full(len(values), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    vals = renumber[target[vals]].astype(np.int32)
    order = np.lexsort((docs, vals))
    docs, vals = docs[order], vals[order]
    if docs.size:                         # a story holding both spellings: one posting
        first = np.ones(docs.size, dtype=bool)
        first[1:] = (docs[1:] != docs[:-1]) | (vals[1:] != vals[:-1])
        docs, vals = docs[first], vals[first]
    return [values[i] for i in kept.tolist()], docs, vals, kept
