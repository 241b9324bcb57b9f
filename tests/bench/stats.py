"""Median and p95 the same way everywhere (numpy's linear interpolation)."""
from __future__ import annotations

import numpy as np


def summary(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
    a = np.asarray(samples_ms, dtype=float)
    return {"n": int(a.size), "median_ms": round(float(np.median(a)), 2),
            "p95_ms": round(float(np.percentile(a, 95)), 2), "max_ms": round(float(a.max()), 2)}


def ratio(ours: float | None, ref: float | None) -> float | None:
    if ours is None or not ref:
        return None
    return round(ours / ref, 3)
