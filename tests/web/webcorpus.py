"""The web tests' documents: the fixture folder, the seed, and hostile documents.

Shared by tests/web and tests/e2e. Hostile documents are written at run time
(their file names hold characters that do not belong in a repository).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg/onload=window.__xss=1>",
    "<IMG SRC=\"jav&#x09;ascript:window.__xss=1;\">",
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


# Ids that only survive a URL when it is quoted right.
ODD_IDS = ["/leading/slash", "a b?c#d%2Fe&f=ü", "double//slash/", "..", "x\\y", "~tilde:colon;semi"]


def odd_id_records() -> list[dict]:
    return [{"id": i, "date": "2017-05-05", "title": f"Odd id {n}", "body": f"An oddid story number {n}."}
            for n, i in enumerate(ODD_IDS)]


def write_corpus(folder: Path) -> Path:
    shutil.copytree(FIXTURES, folder)
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "seed.txt")
    with open(folder / "hostile.jsonl", "w", encoding="utf-8") as f:
        for rec in hostile_records() + odd_id_records():
            f.write(json.dumps(rec) + "\n")
    named = folder / "named"
    named.mkdir()
    for n, p in enumerate(PAYLOADS[:8]):
        safe = p.replace("/", "_")
        (named / f"{safe} {n}.txt").write_text(
            f" date 2018-10-0{n + 1} {HOSTILE_WORD} named file {n}: {p}\n", encoding="utf-8")
    return folder
