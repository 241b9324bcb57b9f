"""Browser helpers: Debian's chromium and its flags, the skip-or-fail rule, a page's watcher.

Imported by name (tests/e2e/conftest.py, the hostile-documents test, make_screenshot.py);
the fixtures themselves are in tests/e2e/conftest.py. Without /usr/bin/chromium (or
the playwright package) the browser tests skip, saying why; with
NEWSFACET_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead (`_unavailable`).
"""
from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("NEWSFACET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str):
    if os.environ.get("NEWSFACET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NEWSFACET_REQUIRE_BROWSER=1: browser tests must run)", pytrace=False)
    pytest.skip(reason)


class PageWatch:
    """Dialogs, page errors and console errors seen by one page."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()
