"""Web fixtures: one index per session over the web fixtures, hostile documents and the seed.

The index is built once (`build_index` into a session tmp folder); `app` is
session-scoped too so its Archive is opened once, as in a worker. `client` is
per test. Hostile documents are written at run time (their file names hold
characters that do not belong in a repository).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.build import build_index
from web.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "web"
SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"

# Each is placed in a title, a body, an id, a source, a dateline and a file name.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "javascript:alert(1)",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<mark onclick=alert(1)>zebrafish</mark>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<style>body{display:none}</style>",
    "</textarea><script>alert(1)</script>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "{{ 7*7 }}{% raw %}",
]
HOSTILE_WORD = "zebrafish"      # every hostile document holds it, so one search lists them all


def hostile_records() -> list[dict]:
    out = []
    for n, p in enumerate(PAYLOADS):
        out.append({
            "id": f"hostile-{n}-{p}",
            "date": f"2018-0{n % 9 + 1}-01",
            "title": f"{p} {HOSTILE_WORD} title {n}",
            "source": p,
            "url": "javascript:alert(1)",
            "body": f"{p.upper()}, Jan 5 - {HOSTILE_WORD} {p} report {n}.\n\n"
                    f"Second paragraph {HOSTILE_WORD} with {p} again and <b>bold</b> text.",
        })
    return out


def write_corpus(folder: Path) -> Path:
    shutil.copytree(FIXTURES, folder)
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "seed.txt")
    with open(folder / "hostile.jsonl", "w", encoding="utf-8") as f:
        for rec in hostile_records():
            f.write(json.dumps(rec) + "\n")
    named = folder / "named"
    named.mkdir()
    for n, p in enumerate(PAYLOADS[:8]):
        safe = p.replace("/", "_")
        (named / f"{safe} {n}.txt").write_text(
            f" date 2018-10-0{n + 1} {HOSTILE_WORD} named file {n}: {p}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("webidx")
    docs = write_corpus(base / "docs")
    index_dir = base / "index"
    report = build_index([docs], index_dir, progress=False, procs=1)
    assert report.total_documents > 40, report
    return index_dir


@pytest.fixture(scope="session")
def app(web_index):
    return create_app({"INDEX_DIR": str(web_index), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def has_entities(app) -> bool:
    """Whether the entity extractor has landed (facets of org/country are empty before)."""
    with app.test_client() as c:
        facets = c.get("/api/search").get_json()["facets"]
    return bool(facets["country"]) and bool(facets["organisation"])


@pytest.fixture
def needs_entities(has_entities):
    if not has_entities:
        pytest.skip("indexer.entities not implemented yet: no organisation/country facets")
