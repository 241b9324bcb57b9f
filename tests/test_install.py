"""`pip install .` with the pip this machine's Python ships, then index a saved web page.

Why: pip 23 (the pip `python -m venv` installs, and Debian's) drops the extra that justext
asks for (`lxml[html_clean]`, which lxml 6 no longer provides), so trafilatura came without
`lxml_html_clean` and every saved web page was skipped with "Install lxml[html-clean] or
lxml_html_clean directly." The project's own .venv upgrades pip first and never saw it.
This test installs the package as a user would (a fresh venv, the bundled pip, a
non-editable install of a copy of the checkout) and checks that the page is indexed.

It needs PyPI (pip's cache makes it ~25 s when warm) and is marked `install`.
"""
from __future__ import annotations

import ensurepip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Cocoa growers in Ghana brace for a smaller harvest | Example News</title>
<meta property="og:title" content="Cocoa growers in Ghana brace for a smaller harvest">
<meta property="article:published_time" content="2026-03-02T08:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/business">Business</a></nav>
<article><h1>Cocoa growers in Ghana brace for a smaller harvest</h1>
<p>ACCRA, March 2 - Cocoa farmers in Ghana expect the mid-crop harvest to fall for a third year
as swollen shoot disease spreads through older plantations, the Ghana Cocoa Board said on Monday.</p>
<p>The board said purchases of beans from farmers had reached 480,000 tonnes since October, well
below the figure at the same point last season, and that it would replant diseased farms.</p>
<p>Traders in London said the smaller crop would keep prices near their highs, as grinders in
Europe and Asia compete for the beans that reach the ports.</p>
</article><footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>
"""


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.install
@pytest.mark.timeout(1200)
def test_pip_install_with_the_machines_own_pip_reads_saved_web_pages(tmp_path):
    base_python = getattr(sys, "_base_executable", None) or sys.executable
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NEWSFACET_INDEX", "PIP_REQUIRE_VIRTUALENV")}

    venv = tmp_path / "venv"
    made = _run([base_python, "-m", "venv", str(venv)], tmp_path, env, 300)     # no pip upgrade
    assert made.returncode == 0, made.stderr
    pip_version = _run([str(venv / "bin" / "python"), "-m", "pip", "--version"], tmp_path, env, 60).stdout
    assert pip_version.split()[1] == ensurepip.version(), pip_version   # the pip Python ships, not a newer one

    src = tmp_path / "src"     # a copy: a non-editable build writes build/ and *.egg-info beside the sources
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("indexer", "web"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                      "--disable-pip-version-check", str(src)], tmp_path, env, 1000)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ghana-cocoa.html").write_text(PAGE, encoding="utf-8")
    newsfacet = str(venv / "bin" / "newsfacet")
    index_dir = tmp_path / "index"
    indexed = _run([newsfacet, "index", str(pages), "--index-dir", str(index_dir)], tmp_path, env, 300)
    assert "lxml_html_clean" not in indexed.stderr, indexed.stderr
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr    # 1 would mean a file was skipped
    assert "skipped:" not in indexed.stderr, indexed.stderr

    found = _run([newsfacet, "search", "swollen shoot", "--json", "--index-dir", str(index_dir)], tmp_path, env, 300)
    assert found.returncode == 0, found.stdout + found.stderr
    result = json.loads(found.stdout)
    assert result["total"] == 1
    hit = result["hits"][0]
    assert hit["title"] == "Cocoa growers in Ghana brace for a smaller harvest"
    assert hit["id"] == "ghana-cocoa.html"
    assert hit["date"] == "2026-03-02"
