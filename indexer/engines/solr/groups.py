"""Near-duplicate groups in a SolrCloud collection: the Whoosh path's MinHash groups, stored per story.

Why groups are formed after each run over the whole collection, not per story as it is sent:
a group is a connected component of the pairs `dedup.minhash_groups` finds (MinHash bands, then
at least 70% of the minima agreeing, within a week), so a new story can join an old group or join
two of them into one, and a deleted story can split one. No key computed from one story alone
groups the same stories (dedup.py explains why). So, as the Whoosh indexer does when it commits
(derived.py), every run ends with one pass over the collection's signatures: the same numpy
code, the same stories in the same groups.

Why the group is stored and not computed when a search runs: Solr counts and ranks on its
shards, and a search needs to know, for every story it matches, which group it belongs to.
`dup_group` is a docValues-only number, set by an in-place update (Solr rewrites that column
only; the text fields, not stored, stay as they were). A group's number is its first story's
`seq` plus one, so it stays the same from run to run while that story stays; 0 is a story
with no versions. Only the stories whose number changed are sent.

Why Solr's collapse query parser is not used: it collapses within a shard, and the stories of
one group are spread over the shards (they are routed by id, and the groups form later).
NewsFacet collapses the ranked list itself (query/solrgroups.py).

Cost: the pass reads every story's signature (`id`, `seq`, `day`, `minhash`, `dup_group`, from
docValues, in chunks of READ_CHUNK with Solr's cursorMark) and runs the numpy grouping: measured
in docs/solrcloud.md.
"""
from __future__ import annotations

import base64
import datetime as _dt

import numpy as np

from indexer.index import dedup

READ_CHUNK = 10_000
UPDATE_BATCH = 2_000
NONE = 0                     # `dup_group` of a story without versions (the schema's default)


def encode(signature: bytes) -> str | None:
    """A story's MinHash as the `minhash` field holds it (base64), None for a story too short to sign."""
    return None if signature == dedup.NO_MINHASH else base64.b64encode(signature).decode("ascii")


def _ordinal(day: str | None) -> int:
    try:
        return _dt.date.fromisoformat(day).toordinal() if day else 0
    except ValueError:
        return 0


def read(client) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ids, seq, signatures (n, NUM_HASHES) uint16, ordinal day, current dup_group) of every story,
    in `seq` order (the order the Whoosh indexer numbers its documents in)."""
    ids, seqs, sigs, days, current = [], [], [], [], []
    cursor = "*"
    while True:
        res = client.select({"q": "*:*", "rows": READ_CHUNK, "sort": "id asc", "cursorMark": cursor,
                             "fl": "id,seq,day,minhash,dup_group"})
        for d in res["response"]["docs"]:
            ids.append(d["id"])
            seqs.append(int(d.get("seq", 0)))
            raw = d.get("minhash")
            sigs.append(base64.b64decode(raw) if raw else dedup.NO_MINHASH)
            days.append(_ordinal(d.get("day")))
            current.append(int(d.get("dup_group", NONE)))
        nxt = res.get("nextCursorMark", cursor)
        if nxt == cursor or not res["response"]["docs"]:
            break
        cursor = nxt
    seq = np.array(seqs, dtype=np.int64)
    order = np.argsort(seq, kind="stable")
    sig = np.frombuffer(b"".join(sigs), dtype="<u2").reshape(len(ids), dedup.NUM_HASHES) if ids \
        else np.zeros((0, dedup.NUM_HASHES), dtype=np.uint16)
    return ([ids[i] for i in order.tolist()], seq[order], sig[order], np.array(days, dtype=np.int64)[order],
            np.array(current, dtype=np.int64)[order])


def numbers(seq: np.ndarray, sigs: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Each story's `dup_group`: its group's first story's seq + 1, NONE for a story alone."""
    n = len(seq)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    group = dedup.minhash_groups(sigs, np.ones(n, dtype=bool), day)
    sizes = np.bincount(group, minlength=n)
    return np.where(sizes[group] > 1, seq[group] + 1, NONE).astype(np.int64)


def regroup(client) -> int:
    """Form the collection's groups again and set `dup_group` where it changed; how many changed.

    The caller commits (one commit for the run's stories and their groups)."""
    ids, seq, sigs, day, current = read(client)
    wanted = numbers(seq, sigs, day)
    changed = np.flatnonzero(wanted != current).tolist()
    for start in range(0, len(changed), UPDATE_BATCH):
        client.update([{"id": ids[i], "dup_group": {"set": int(wanted[i])}}
                       for i in changed[start:start + UPDATE_BATCH]])
    return len(changed)
