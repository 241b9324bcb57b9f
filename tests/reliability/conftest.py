"""Fixtures of the reliability tests (helpers they import by name are in relfixtures.py)."""
from __future__ import annotations

import math

import pytest


@pytest.fixture(params=["untimed", pytest.param("timed", marks=pytest.mark.timing)])
def bound(request) -> float:
    """The wall-clock bound (seconds) a test's pathological requests must be answered within.

    The module's BOUND_S under the `timing` marker (`make timing`, `make bench`), none under
    `make test`, where a process paused on a busy machine would fail it: there the same test
    checks every answer and no time. A robustness bound, not a speed target.
    """
    return request.module.BOUND_S if request.param == "timed" else math.inf
