"""Where the test data lives: the seed folder and the Reuters corpus (skipped where absent).

A module, not conftest.py, so that tests import these helpers by a name of their own
(`from corpora import corpus_records`): every folder's conftest.py is imported under
the one name `conftest`, so `from conftest import ...` would get whichever ran last.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = Path(os.environ.get("NEWSFACET_CORPUS", ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"))


def _present(path: Path, reason: str) -> Path:
    """`path` if the file is there; else skip with `reason`, or fail under NEWSFACET_REQUIRE_CORPUS=1."""
    if path.is_file():
        return path
    if os.environ.get("NEWSFACET_REQUIRE_CORPUS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def corpus_path() -> Path:
    """The Reuters file, or skip (fail under NEWSFACET_REQUIRE_CORPUS=1, which .ci/run sets)."""
    return _present(CORPUS, f"Reuters corpus not found at {CORPUS} "
                            "(set NEWSFACET_CORPUS or place ../shared/corpus beside the clone)")


def shared_corpus(name: str) -> Path:
    """Another file of ../shared/corpus (gnad-test.jsonl.gz, web-pages.tar.gz), or skip (fail under
    NEWSFACET_REQUIRE_CORPUS=1) as `corpus_path` does."""
    path = CORPUS.parent / name
    return _present(path, f"corpus file not found at {path}")


def corpus_records(limit: int | None = None, dev_only: bool = False):
    """Yield corpus records (dicts); dev_only keeps stories with gold labels (reuters-1 … reuters-11000)."""
    n = 0
    with gzip.open(corpus_path(), "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if dev_only and "places" not in rec:
                continue
            yield rec
            n += 1
            if limit and n >= limit:
                return


WEB_PAGES = ROOT.parent / "shared" / "corpus" / "web-pages.tar.gz"


def web_pages_path() -> Path:
    """trafilatura's saved pages, or skip (fail under NEWSFACET_REQUIRE_CORPUS=1)."""
    return _present(WEB_PAGES, f"saved web pages not found at {WEB_PAGES} (place ../shared/corpus beside the clone)")
