"""The byte-bounded cache (indexer/index/caches.py): whatever is put in, the bytes it holds stay under its cap."""
from __future__ import annotations

import numpy as np

from indexer.index.caches import SLOT_BYTES, BytesCache, size_of


def held(cache: BytesCache) -> int:
    return sum(size_of(k) + size_of(v) + SLOT_BYTES for k, v in cache.items())


def test_a_flood_of_distinct_keys_stays_within_the_bytes():
    cache = BytesCache(64 * 1024)
    for i in range(20_000):
        cache.put(f"query text {i} " * (i % 40), f"correction {i}")
        assert cache.nbytes <= cache.max_bytes
    assert cache.nbytes == held(cache) and 0 < len(cache) < 20_000


def test_long_keys_are_charged_by_their_length():
    small, large = BytesCache(10_000_000), BytesCache(10_000_000)
    small.put("a", "b")
    large.put("a" * 5_000, "b")
    assert large.nbytes - small.nbytes >= 4_999


def test_an_entry_over_its_bound_is_not_kept():
    cache = BytesCache(1 << 20, max_entry=512)
    assert cache.put("x" * 1_000, "y") == "y"
    assert len(cache) == 0 and cache.nbytes == 0


def test_least_recently_looked_up_goes_first_and_replacing_recounts():
    cache = BytesCache(3 * (size_of("k0") + size_of("v0") + SLOT_BYTES), max_entry=1_000)
    for i in range(3):
        cache.put(f"k{i}", f"v{i}")
    assert cache.lookup("k0") == "v0"
    cache.put("k3", "v3")
    assert "k0" in cache and "k1" not in cache
    cache.put("k3", "w3")
    assert cache.get("k3") == "w3" and cache.nbytes == held(cache)


def test_arrays_are_charged_their_buffer():
    cache = BytesCache(1 << 20)
    cache.put("mask", np.zeros(10_000, dtype=np.uint8))
    assert cache.nbytes >= 10_000
