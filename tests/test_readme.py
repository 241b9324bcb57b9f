"""The README a new user reads: the first screen says how to start, its links and targets exist.

Why: a newcomer typed `newsfacet index PATH` and got "command not found" (it lives in
.venv/bin), and did not learn that SEEDS= and INDEX= point `make run` at their own folder.
The details moved to docs/; a link that points nowhere would lose them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
FIRST_SCREEN = 45        # lines


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return "".join(c for c in text if c.isalnum() or c in " -").replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"#{1,6} ", line)}


def test_the_first_screen_says_where_newsfacet_is_and_how_to_index_your_own_folder():
    first = "\n".join(README.read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN])
    assert ".venv/bin/newsfacet" in first
    assert "SEEDS=" in first and "INDEX=" in first and "make run" in first
    assert "in use; try PORT=" in first


def test_the_readme_stays_a_users_page():
    """About 300 lines: benchmarks, evaluations and internals belong in docs/."""
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 350


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: p.name)
def test_every_relative_link_reaches_a_file_and_heading(doc):
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue                                 # http(s): links are not checked offline
        path, _, anchor = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        assert dest.exists(), f"{doc.name}: {target} points at nothing"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{doc.name}: {target}: no such heading"


def test_every_doc_is_linked_from_the_readme():
    text = README.read_text(encoding="utf-8")
    for doc in DOCS:
        assert f"docs/{doc.name}" in text, doc.name


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"`(?:[A-Z_]+=\S+ )*make ([a-z][a-z-]*)", README.read_text(encoding="utf-8")))
    assert named and named <= targets, named - targets
