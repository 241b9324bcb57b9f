"""`newsfacet --engine solr://…` (and $NEWSFACET_ENGINE): setup, index, search, stats (issue 23)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_setup_index_search_stats(collection, tmp_path):
    url = str(collection.url)
    run = CliRunner().invoke
    setup = run(main, ["--engine", url, "setup", "--shards", "2", "--replicas", "2"])
    assert setup.exit_code == 0 and "configset" in setup.output
    first = run(main, ["--engine", url, "index", str(SEEDS)])
    assert first.exit_code == 0, first.output
    assert "1 new" in first.output
    again = run(main, ["index", str(SEEDS)], env={"NEWSFACET_ENGINE": url})
    assert again.exit_code == 0 and "1 unchanged" in again.output
    found = run(main, ["--engine", url, "search", "unicef", "--json"])
    assert found.exit_code == 0, found.output
    result = json.loads(found.output)
    assert result["total"] == 1 and "<mark>UNICEF</mark>" in result["hits"][0]["snippet"]
    assert {"value": "TM", "label": "Turkmenistan"} in result["hits"][0]["countries"]
    stats = json.loads(run(main, ["--engine", url, "stats", "--json"]).output)
    assert stats["documents"] == 1 and stats["shards"] == 2 and stats["replicas"] == 4
    text = run(main, ["--engine", url, "stats"])
    assert text.exit_code == 0 and "2 shards" in text.output

    # --person (issue 22) over the engine as over a Whoosh index of the same seeds
    ix = str(tmp_path / "ix")
    assert run(main, ["--index-dir", ix, "index", str(SEEDS)]).exit_code == 0
    people = json.loads(run(main, ["--index-dir", ix, "search", "", "--json"]).output)["facets"]["person"]
    assert people
    for args in (["", "--person", people[0]["value"]], ["", "--person", people[0]["value"].upper()],
                 ["unicef", "--person", "Nobody Atall"]):
        w = run(main, ["--index-dir", ix, "search", *args, "--json"])
        s = run(main, ["--engine", url, "search", *args, "--json"])
        assert s.exit_code == w.exit_code, (args, s.output, w.output)
        if w.exit_code == 0:
            wj, sj = json.loads(w.output), json.loads(s.output)
            assert sj["total"] == wj["total"] and sj["facets"]["person"] == wj["facets"]["person"]
            assert [h["people"] for h in sj["hits"]] == [h["people"] for h in wj["hits"]]


def test_bad_and_unreachable_engines():
    run = CliRunner().invoke
    bad = run(main, ["--engine", "http://example.org/solr", "search", "oil"])
    assert bad.exit_code == 2 and "solr://" in bad.output
    down = run(main, ["--engine", "solr://127.0.0.1:9/news", "search", "oil"])
    assert down.exit_code == 7 and "127.0.0.1:9" in down.output
    no_url = run(main, ["setup"])
    assert no_url.exit_code == 2


def test_newsfacet_serve_over_the_engine(collection):
    """`newsfacet --engine URL serve`: gunicorn workers open the collection, not a folder."""
    CliRunner().invoke(main, ["--engine", str(collection.url), "index", str(SEEDS)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "newsfacet"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer.cli"]
    proc = subprocess.Popen(cmd + ["--engine", str(collection.url), "serve", "--port", str(port), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=unicef", timeout=5) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert body["total"] == 1 and "<mark>UNICEF</mark>" in body["hits"][0]["snippet"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()
