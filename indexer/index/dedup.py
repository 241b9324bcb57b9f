"""Near-duplicate stories: a SimHash per story at index time, groups per index generation.

Why SimHash: the same wire story filed twice, a correction or a copy under another id
shares nearly all of its word shingles with the original. A 64-bit SimHash of the
body's 3-word shingles (Charikar; Manku et al. used it for web pages) puts such
copies within a few bits of each other, and it is a pure function of the text, so
copies written by different indexing workers, or in different runs, get signatures
that agree. It costs about 0.07 ms for a 700-character story (numpy, no Python loop
per bit).

Why groups are formed per generation and not stored as a key: one key per story can
only group stories whose keys are equal, and no bucketing of a SimHash (or one band of
MinHash) puts every pair within k bits into the same bucket: there is always a
boundary, and stories either side of it split. So the index stores only the signature
(a column, not a term: reading 20,000 of them costs a few milliseconds), and when a
generation is opened (`Tables.build`), stories within `MAX_DISTANCE` bits are joined
into groups: 64 bits cut in `MAX_DISTANCE + 1` bands means two signatures that
close agree exactly on at least one band (pigeonhole), so candidates come from a
sort per band, all in numpy. A query then only reads the `group` array.

Trade-offs, measured on Reuters-21578 (J: the 4-word-shingle Jaccard similarity of
each grouped story to its group's first): within 4 bits, 757 stories fall in groups,
375 of them at J >= 0.9 and none below J = 0.7 (3 bits: 703; 5 bits: 803 with a few
at J 0.5-0.7, and candidate buckets that grow too fast for 200,000 stories). Daily
templates ("FED ADDS RESERVES", dividend notices, J 0.3-0.5) stay apart. A one-word
correction moves a 100-word story by 2-4 bits, a 60-word one by up to 5, so short
corrections can stay apart; so does a version that rewrites or adds a third of the
text (J < 0.8).
Versions must also be dated within `MAX_DAYS` of each other (an undated story may
join any): the same text a month later is a recurring template ("Officials in Japan
said ..."), not a second filing. Bodies under `MIN_WORDS` words ("Blah blah blah.", earnings tables of one line)
get no signature: alike by form, not by content.
"""
from __future__ import annotations

import re
import zlib

import numpy as np

SHINGLE = 3                  # words per shingle
MIN_WORDS = 12               # shorter bodies are never grouped
MAX_DISTANCE = 4             # bits: signatures this close are versions of one story
NO_SIGNATURE = 0             # stored for bodies too short to sign (a real SimHash of 0 is as rare as any)
MAX_DAYS = 7                 # versions are filed within a week of each other
MAX_RUN = 64                 # candidates compared per band bucket (exact copies are merged first)
# Signatures compared a chunk of pairs at a time: 50 copies of each story (the 50x bench) pair up
# 26 million times; compared at once, the pairs' signatures took 2 x 3.4 GB, and the pairs of all
# 16 bands before their union 2 x 3.4 GB more (the indexer reached 20 GB at 1,078,900 stories).
PAIRS_AT_ONCE = 1 << 20

_WORD = re.compile(r"\w+")
_M = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_S33 = np.uint64(33)
_F1, _F2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit moves about half the output bits."""
    x = x ^ (x >> _S33)
    x = x * _F1
    x = x ^ (x >> _S33)
    x = x * _F2
    return x ^ (x >> _S33)


def simhash(text: str) -> int:
    """The story body's 64-bit SimHash over 3-word shingles; NO_SIGNATURE when too short.

    Words are hashed with CRC-32 (stable across processes and runs, unlike `hash()`).
    """
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return NO_SIGNATURE
    h = np.array([zlib.crc32(w.encode("utf-8")) for w in words], dtype=np.uint64)
    n = len(h) - SHINGLE + 1
    with np.errstate(over="ignore"):
        s = h[:n] * _M[0]
        for j in range(1, SHINGLE):
            s += h[j: n + j] * _M[j]
        s = _mix(s)
    bits = np.unpackbits(s.view(np.uint8).reshape(n, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int32) * 2 > n
    value = int(np.packbits(votes, bitorder="little").view(np.uint64)[0])
    return value or 1         # keep 0 for "no signature"


_P1, _P2, _P4 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (SWAR: no per-bit temporaries)."""
    with np.errstate(over="ignore"):
        x = x - ((x >> np.uint64(1)) & _P1)
        x = (x & _P2) + ((x >> np.uint64(2)) & _P2)
        x = (x + (x >> np.uint64(4))) & _P4
        return (x * _H01) >> np.uint64(56)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label of each of n nodes: the smallest node of its connected component."""
    label = np.arange(n)
    if a.size == 0:
        return label
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]             # pointer jumping: halves the remaining depth
        if np.array_equal(new, label):
            return label
        label = new


def within_days(label: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Components cut into spans of at most MAX_DAYS: pairs within a week chained a group past it
    (reuters-4298 on 12 March with reuters-10864 on 30 March, issue 21). In date order, a story
    more than MAX_DAYS after its group's first starts the next group; undated ones join the
    first. Only components wider than MAX_DAYS are walked (a Python loop over few stories).
    Labels stay the smallest node of each group."""
    dated = day > 0
    if not dated.any():
        return label
    lo = np.full(len(label), np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(len(label), -1, dtype=np.int64)
    np.minimum.at(lo, label[dated], day[dated])
    np.maximum.at(hi, label[dated], day[dated])
    wide = (hi - lo > MAX_DAYS) & (hi >= 0)
    if not wide.any():
        return label
    window = np.zeros(len(label), dtype=np.int64)
    walk = np.flatnonzero(wide[label] & dated)
    comp, start, n = -1, 0, 0
    for i in walk[np.lexsort((day[walk], label[walk]))].tolist():
        if label[i] != comp:
            comp, start, n = label[i], day[i], 0
        elif day[i] - start > MAX_DAYS:
            start, n = day[i], n + 1
        window[i] = n
    key = label.astype(np.int64) * (np.int64(1) << 32) + window
    _, inverse = np.unique(key, return_inverse=True)
    smallest = np.full(inverse.max() + 1, len(label), dtype=np.int64)
    np.minimum.at(smallest, inverse, np.arange(len(label)))
    return smallest[inverse]


def groups(signatures: np.ndarray, live: np.ndarray, day: np.ndarray | None = None) -> np.ndarray:
    """A group number per document (int32): documents within MAX_DISTANCE bits share one.

    `day` (ordinal days, 0 when undated) keeps versions within MAX_DAYS of each other.

    Stories without a signature, and deleted ones, are each their own group. Group
    numbers are docnums (the lowest docnum of the group), so a lone story's group is
    itself.
    """
    n = len(signatures)
    group = np.arange(n, dtype=np.int32)
    docs = np.flatnonzero(live & (signatures != NO_SIGNATURE))
    if docs.size < 2:
        return group
    days = np.zeros(n, dtype=np.int64) if day is None else day.astype(np.int64)
    # exact copies of one day are one node
    sig, dd = signatures[docs], days[docs]
    by = np.lexsort((dd, sig))
    new = np.ones(by.size, dtype=bool)
    new[1:] = (sig[by][1:] != sig[by][:-1]) | (dd[by][1:] != dd[by][:-1])
    inverse = np.empty(by.size, dtype=np.int64)
    inverse[by] = np.cumsum(new) - 1
    uniq, uday = sig[by][new], dd[by][new]
    bands = MAX_DISTANCE + 1
    pa, pb = [], []
    for band in range(bands):
        lo, hi = 64 * band // bands, 64 * (band + 1) // bands
        key = (uniq >> np.uint64(lo)) & np.uint64((1 << (hi - lo)) - 1)
        _equal_key_pairs(key, pa, pb, kind="stable")
    if pa:
        a, b = np.concatenate(pa), np.concatenate(pb)
        gap = np.abs(uday[a] - uday[b])
        close = ((_popcount(uniq[a] ^ uniq[b]) <= MAX_DISTANCE)
                 & ((gap <= MAX_DAYS) | (uday[a] == 0) | (uday[b] == 0)))
        label = within_days(_components(len(uniq), a[close], b[close]), uday)
    else:
        label = np.arange(len(uniq))
    node_label = label[inverse]                         # per live signed doc
    # group number = the lowest docnum carrying that label
    first = np.full(len(uniq), n, dtype=np.int64)
    np.minimum.at(first, node_label, docs)
    group[docs] = first[node_label]
    return group


# ---------------------------------------------------------------- MinHash (indexes written since issue 13)
#
# Measured on Reuters-21578 (tests/eval/dedup.py: every pair within a week whose 3-word
# shingles have Jaccard >= 0.8), the SimHash above grouped 79% of them: a 64-bit SimHash
# of a 150-word story moves by 5-6 bits for a one-word difference, more than
# MAX_DISTANCE, and a wider distance makes the band buckets explode. A MinHash estimates
# the Jaccard similarity itself: NUM_HASHES 16-bit minima of the shingles (one permutation
# cut in NUM_HASHES bins, Li, Owen & Zhang, so that a story costs one hash per shingle; b-bit
# values, Li & König), stored as a 128-byte column; candidates come
# from BANDS bands of ROWS minima (a pair at J = 0.8 shares a band with probability
# 0.9998, at J = 0.2 with 0.025), and a candidate is kept when at least MIN_AGREE of its
# minima agree (the estimate of J; its standard error at J = 0.8 is 0.05).

NUM_HASHES = 64
ROWS = 4
BANDS = NUM_HASHES // ROWS
MIN_AGREE = 0.7
SIGNATURE_BYTES = NUM_HASHES * 2          # schema.MINHASH_BYTES
NO_MINHASH = bytes(SIGNATURE_BYTES)
_S42 = np.uint64(42)
EMPTY_BIN = 1 << 16
_BIN_NUMBERS = np.arange(NUM_HASHES)


def minhash(title: str, body: str) -> bytes:
    """The story's b-bit MinHash over the 3-word shingles of headline and body (NO_MINHASH if short).

    The body must have MIN_WORDS words, as for the SimHash; the headline is part of the
    story (two dividend notices alike in body differ in the company named above it).
    """
    body_words = _WORD.findall(body.lower())
    if len(body_words) < MIN_WORDS:
        return NO_MINHASH
    words = _WORD.findall(title.lower()) + body_words
    h = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    n = len(h) - SHINGLE + 1
    with np.errstate(over="ignore"):
        s = h[:n] * _M[0]
        for j in range(1, SHINGLE):
            s += h[j: n + j] * _M[j]
        s = _mix(s)                    # a repeated shingle changes no minimum
    # one permutation, NUM_HASHES bins (Li, Owen & Zhang): the top 6 bits of a shingle's hash
    # choose its bin, the next 16 are its value; a bin keeps its smallest value
    key = (s >> _S42).astype(np.int64)              # 22 bits: bin (6), then value (16)
    filled = np.full(NUM_HASHES, EMPTY_BIN, dtype=np.int64)
    np.minimum.at(filled, key >> 16, key & 0xFFFF)
    # an empty bin takes the value of the next filled one to its right, circularly
    # ("rotation" densification, Shrivastava & Li), so both stories fill it alike
    have = np.flatnonzero(filled < EMPTY_BIN)
    if have.size < NUM_HASHES:
        filled = filled[have[np.searchsorted(have, _BIN_NUMBERS) % have.size]]
    sig = filled.astype("<u2")
    out = sig.tobytes()
    return out if out != NO_MINHASH else b"\x01" + out[1:]


def minhash_groups(sigs: np.ndarray, live: np.ndarray, day: np.ndarray | None = None) -> np.ndarray:
    """A group number per document (as `groups`) from (n, NUM_HASHES) uint16 signatures.

    Rows of zeros are stories without a signature. Pairs from LSH bands are kept when
    their minima agree on at least MIN_AGREE and they are dated within MAX_DAYS.
    """
    n = len(sigs)
    group = np.arange(n, dtype=np.int32)
    docs = np.flatnonzero(live & sigs.any(axis=1))
    if docs.size < 2:
        return group
    days = np.zeros(n, dtype=np.int64) if day is None else day.astype(np.int64)
    s, dd = sigs[docs], days[docs]
    m = np.int64(len(docs))
    pair = np.zeros(0, dtype=np.int64)
    for band in range(BANDS):       # a band's pairs merged in as it is read: copies pair up in every band
        key = np.ascontiguousarray(s[:, band * ROWS:(band + 1) * ROWS]).view(np.uint64).ravel()
        pa, pb = [], []
        _equal_key_pairs(key, pa, pb)
        if pa:
            a, b = np.concatenate(pa), np.concatenate(pb)
            codes = np.minimum(a, b) * m + np.maximum(a, b)
            if pair.size:             # most of a band's pairs are an earlier band's: only new ones are merged
                at = np.minimum(np.searchsorted(pair, codes), pair.size - 1)
                codes = codes[pair[at] != codes]
            if codes.size:
                pair = np.union1d(pair, codes)
    if not pair.size:
        return group
    a, b = pair // m, pair % m
    agree = np.concatenate([(s[a[i:i + PAIRS_AT_ONCE]] == s[b[i:i + PAIRS_AT_ONCE]]).sum(axis=1)
                            for i in range(0, len(a), PAIRS_AT_ONCE)]) >= MIN_AGREE * NUM_HASHES
    gap = np.abs(dd[a] - dd[b])
    close = agree & ((gap <= MAX_DAYS) | (dd[a] == 0) | (dd[b] == 0))
    label = within_days(_components(len(docs), a[close], b[close]), dd)
    first = np.full(len(docs), n, dtype=np.int64)
    np.minimum.at(first, label, docs)
    group[docs] = first[label]
    return group


def _equal_key_pairs(key: np.ndarray, pa: list, pb: list, kind: str | None = None) -> None:
    """Append to (pa, pb) the pairs of positions whose band keys are equal (one LSH band).

    Sorted by key, equal keys are neighbours: comparing each key with the one d places
    on finds every pair within runs of up to MAX_RUN, without a Python loop over stories.
    """
    order = np.argsort(key, kind=kind)
    k = key[order]
    for d in range(1, min(MAX_RUN, len(order))):
        same = np.flatnonzero(k[d:] == k[:-d])
        if same.size == 0:
            break
        pa.append(order[same])
        pb.append(order[same + d])
