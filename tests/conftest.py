"""Fixtures for every test: the seed folder and the Reuters corpus (skipped where absent).

Folders add their own in their conftest.py (tests/web: the app and its index;
tests/e2e: the browser). Helpers that tests import by name live in `corpora.py`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from corpora import SEEDS, corpus_path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_path()
