"""A damaged index is named: 503 with a reason on every route, one line and exit 6 from the CLI.

Segment files truncated or deleted, before a worker opens the index and while
`newsfacet serve` is serving it: no worker dies (truncating a memory-mapped file used
to kill both with SIGBUS), every answer is the same 503 whichever worker gives it, and
`newsfacet index --rebuild` brings the service back without a restart.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from relfixtures import Server, http_get, newsfacet, write_reuters

from indexer.index.build import build_index
from web.app import SECURITY_HEADERS, create_app

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def good_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("damaged")
    write_reuters(base / "docs", 300, shards=2)
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base


@pytest.fixture
def index(good_index, tmp_path) -> tuple[Path, Path]:
    """A private copy of the 300-story index (its `current` link is relative), and its documents."""
    shutil.copytree(good_index / "ix", tmp_path / "ix", symlinks=True)
    return tmp_path / "ix", good_index / "docs"


def segments(index_dir: Path) -> list[Path]:
    return sorted((index_dir / "current").resolve().glob("*.seg"), key=lambda p: p.stat().st_size)


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 3)


def wait_settled(pids: list[int], index_dir: Path, seconds: float = 60) -> None:
    """Until every worker has mapped the index and stopped using CPU (its start-up warm-up is
    over). A segment cut short while a request reads it can still end that worker (README,
    known limits); the test damages the index between requests, as an operator would."""
    gen = str((index_dir / "current").resolve())
    last, still = None, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and still < 3:
        now = []
        for pid in pids:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            mapped = gen in Path(f"/proc/{pid}/maps").read_text()
            now.append((int(stat[11]) + int(stat[12]), mapped))
        still = still + 1 if now == last and all(m for _, m in now) else 0
        last = now
        time.sleep(0.1)


def check_503(client_get) -> None:
    status, body = client_get("/healthz")
    assert status == 503, body[:300]
    data = json.loads(body)
    assert data["reason"] == "damaged index" and "--rebuild" in data["error"] and ".seg" in data["error"]
    status, body = client_get("/api/search?q=oil")
    assert status == 503 and json.loads(body)["recover"] == "newsfacet index --rebuild"
    status, body = client_get("/?q=oil")
    text = body.decode()
    assert status == 503 and "damaged" in text and "newsfacet index --rebuild" in text and "Traceback" not in text


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damage_before_opening_is_a_503_naming_it(index, damage):
    index_dir, _ = index
    seg = segments(index_dir)[-1]
    truncate(seg) if damage == "truncate" else seg.unlink()
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()

    def get(path):
        r = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value
        return r.status_code, r.get_data()
    check_503(get)


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_the_cli_says_what_is_wrong_in_one_line(index, damage):
    index_dir, docs = index
    seg = segments(index_dir)[-1]
    truncate(seg) if damage == "truncate" else seg.unlink()
    for args in (["search", "oil"], ["stats"], ["index", docs, "-q"]):
        r = newsfacet(*args, "--index-dir", index_dir)
        assert r.returncode == 6, (r.returncode, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and "newsfacet index --rebuild" in lines[0]
        assert "Aborted" not in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damage_while_serving_kills_no_worker_and_a_rebuild_recovers(index, tmp_path, damage):
    index_dir, docs = index
    server = Server(index_dir, workers=2, log=tmp_path / "serve.log")
    try:
        pids = sorted(server.worker_pids())
        for _ in range(4):
            assert http_get(server.base + "/api/search?q=oil+prices")[0] == 200
        wait_settled(pids, index_dir)
        for seg in segments(index_dir):
            truncate(seg) if damage == "truncate" else seg.unlink()

        def get(path):
            return http_get(server.base + path)
        for _ in range(3):           # several rounds, so that both workers answer
            check_503(get)
        assert sorted(server.worker_pids()) == pids, "a worker died"

        r = newsfacet("index", docs, "--index-dir", index_dir, "--rebuild", "-q", timeout=180)
        assert r.returncode == 0, r.stderr
        statuses = {get("/api/search?q=oil")[0] for _ in range(8)}
        assert statuses == {200}
        assert sorted(server.worker_pids()) == pids
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    odd = [line for line in log.splitlines() if "GET /" not in line]
    assert "SIGBUS" not in log and "Traceback" not in log, "\n".join(odd[-60:])
