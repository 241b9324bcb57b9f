"""`make screenshot`: the README's picture is taken from seeds/ (what `make run` serves), reproducibly."""
from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from e2efixtures import CHROMIUM, _unavailable

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "tests" / "e2e" / "make_screenshot.py"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.timeout(600)
def test_screenshot_of_the_seed_archive(tmp_path):
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    out = tmp_path / "shot.png"
    index_before = sorted(p.name for p in (ROOT / "index").iterdir()) if (ROOT / "index").is_dir() else []
    # a subprocess: Playwright's sync API cannot start twice in one thread (the browser fixture)
    done = subprocess.run([sys.executable, str(SCRIPT), "--archive", str(ROOT / "seeds"), "--out", str(out),
                           "--width", "900", "--height", "700"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=500)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^indexed [1-9]\d* stories from .*seeds$", done.stderr, re.M), done.stderr
    assert _png_size(out.read_bytes()) == (900, 700)
    assert out.stat().st_size > 20_000       # a rendered page, not a blank one (which is ~3 KB)
    after = sorted(p.name for p in (ROOT / "index").iterdir()) if (ROOT / "index").is_dir() else []
    assert after == index_before             # the checkout's index is neither read nor written


def test_a_missing_archive_is_named(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--archive", str(tmp_path / "nope"), "--out",
                           str(tmp_path / "s.png")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "nope does not exist" in done.stderr
    assert not (tmp_path / "s.png").exists()
