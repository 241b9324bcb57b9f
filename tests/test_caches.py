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


def test_a_count_bound_keeps_at_most_that_many_entries():
    cache = BytesCache(1 << 40, max_entry=1 << 40, max_entries=4)
    for i in range(10):
        cache.put(i, object())             # sizes unknown (parsers, collapsed groups): bounded by count
        assert len(cache) <= 4
    assert list(cache) == [6, 7, 8, 9] and cache.nbytes == held(cache)


def test_computed_makes_a_missing_value_once_however_many_threads_ask():
    import threading
    import time
    cache, made, start = BytesCache(1 << 20), [], threading.Barrier(8)

    def make():
        made.append(1)
        time.sleep(0.05)                   # slow enough that every thread asks meanwhile
        return "the suggester"

    def ask(out):
        start.wait()
        out.append(cache.computed("part", make))
    got: list = []
    threads = [threading.Thread(target=ask, args=(got,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [1] and got == ["the suggester"] * 8


def test_concurrent_gets_and_puts_keep_the_count_of_bytes_true():
    """The cache owns its lock: eight threads putting, looking up, replacing and clearing at
    once never break its accounting, its bound, or a reader (index/caches.py's argument)."""
    import random
    import threading
    cache, errors = BytesCache(32 * 1024, max_entries=200), []

    def hammer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(2_000):
                key = f"k{rng.randrange(500)}"
                op = rng.random()
                if op < 0.45:
                    cache.put(key, "v" * rng.randrange(1, 200))
                elif op < 0.9:
                    value = cache.lookup(key) if op < 0.7 else cache.get(key)
                    assert value is None or value.startswith("v")
                elif op < 0.995:
                    assert cache.computed(key, lambda: "v-made").startswith("v")
                else:
                    cache.clear()
                assert cache.nbytes <= cache.max_bytes and len(cache) <= 200
        except Exception as exc:           # noqa: BLE001 - reported below, with the thread's seed
            errors.append((seed, exc))
    threads = [threading.Thread(target=hammer, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.nbytes == held(cache) and len(cache) <= 200
