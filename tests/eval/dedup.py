"""Near-duplicate grouping measured against the text itself.

The truth: every pair of stories dated within MAX_DAYS of each other whose 3-word
shingles (of headline and body, lower-cased words) have a Jaccard similarity of at
least NEAR. Candidates come from MinHash-LSH (datasketch; 128 permutations, an LSH
threshold well below NEAR so that pairs at NEAR are found with near certainty) and
every candidate is verified on the exact shingle sets, so the truth has no false
pair. The index's groups (`Tables.group`, indexer/index/dedup.py) are then scored:
- recall: the share of true pairs whose two stories are in one group;
- far pairs: pairs inside a group whose Jaccard is below FAR (should be none).
"""
from __future__ import annotations

import datetime as _dt
import re
import zlib
from itertools import combinations

import numpy as np

NEAR = 0.8
FAR = 0.5
MAX_DAYS = 7
SHINGLE = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.6
_WORD = re.compile(r"\w+")


def text_of(rec: dict) -> str:
    return f"{rec.get('title') or ''}\n{rec.get('body') or ''}"


def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(text.lower())
    return frozenset(zlib.crc32(" ".join(words[i:i + SHINGLE]).encode("utf-8"))
                     for i in range(len(words) - SHINGLE + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def day_of(rec: dict) -> int | None:
    try:
        return _dt.date.fromisoformat((rec.get("date") or "")[:10]).toordinal()
    except ValueError:
        return None


def near_pairs(recs: list[dict]) -> tuple[dict[tuple[str, str], float], dict[str, frozenset]]:
    """{(id, id): Jaccard} of every pair within MAX_DAYS at Jaccard >= NEAR; and the shingle sets."""
    from datasketch import MinHash, MinHashLSH
    sets = {r["id"]: shingles(text_of(r)) for r in recs}
    days = {r["id"]: day_of(r) for r in recs}
    ids = [i for i, s in sets.items() if s]
    hashes = MinHash.bulk([[str(x).encode() for x in sets[i]] for i in ids], num_perm=NUM_PERM)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for i, m in zip(ids, hashes):
        lsh.insert(i, m)
    pairs = {}
    for i, m in zip(ids, hashes):
        for j in lsh.query(m):
            if j <= i:
                continue
            di, dj = days[i], days[j]
            if di is not None and dj is not None and abs(di - dj) > MAX_DAYS:
                continue
            jac = jaccard(sets[i], sets[j])
            if jac >= NEAR:
                pairs[(i, j)] = jac
    return pairs, sets


def index_groups(archive) -> dict[str, int]:
    """Story id -> its near-duplicate group in the index (every live story)."""
    live = archive.current_generation()
    t = live.tables
    if t.group is None:
        return {}
    out = {}
    reader = live.searcher.reader()
    for docnum in np.flatnonzero(t.live):
        out[reader.stored_fields(int(docnum))["id"]] = int(t.group[docnum])
    return out


def score(pairs: dict, sets: dict, group: dict[str, int], examples: int = 10) -> dict:
    together = [p for p in pairs if group.get(p[0], -1) == group.get(p[1], -2)]
    missed = sorted((p for p in pairs if p not in set(together)), key=lambda p: -pairs[p])
    members: dict[int, list[str]] = {}
    for doc_id, g in group.items():
        members.setdefault(g, []).append(doc_id)
    grouped_pairs, far = 0, []
    for ids in members.values():
        for a, b in combinations(sorted(ids), 2):
            grouped_pairs += 1
            jac = jaccard(sets.get(a, frozenset()), sets.get(b, frozenset()))
            if jac < FAR:
                far.append((a, b, round(jac, 3)))
    return {"near_pairs": len(pairs), "grouped_near_pairs": len(together),
            "recall": round(len(together) / max(1, len(pairs)), 4),
            "grouped_pairs": grouped_pairs, "grouped_pairs_below_0.5": len(far),
            "missed_examples": [(a, b, round(pairs[(a, b)], 3)) for a, b in missed[:examples]],
            "far_examples": sorted(far, key=lambda x: x[2])[:examples]}


def figures(recs: list[dict], archive) -> dict:
    pairs, sets = near_pairs(recs)
    return score(pairs, sets, index_groups(archive))
