"""The fixed query mix (`queries.json`) in the three shapes the engines take.

Why a data file: the same list drives NewsFacet in process, NewsFacet over HTTP and
the FTS5 reference, and a query added there is measured everywhere at once; the
FTS5 translation sits beside each query so a reader can check they ask the same.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

QUERIES = Path(__file__).with_name("queries.json")


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    q: str
    fts: str
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    label: str = field(default="", compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.q and not self.country and not self.org and not self.date_from and not self.date_to

    def params(self) -> dict[str, list[str]]:
        """HTTP-style parameters, as `indexer.search.parse_request` takes them."""
        p = {"q": [self.q], "country": list(self.country), "org": list(self.org), "sort": [self.sort], "page": ["1"]}
        if self.date_from:
            p["from"] = [self.date_from]
        if self.date_to:
            p["to"] = [self.date_to]
        return p

    def url(self) -> str:
        """Path and query string for `GET /api/search`."""
        pairs = [(k, v) for k, vs in self.params().items() for v in vs]
        return "/api/search?" + urlencode(pairs)


def _label(rec: dict) -> str:
    parts = [rec.get("q") or "(all)"]
    for name in ("country", "org"):
        if rec.get(name):
            parts.append(f"{name}={'|'.join(rec[name])}")
    if rec.get("from") or rec.get("to"):
        parts.append(f"{rec.get('from', '')}..{rec.get('to', '')}")
    if rec.get("sort", "relevance") != "relevance":
        parts.append(f"sort={rec['sort']}")
    return " ".join(parts)


def load(path: Path = QUERIES) -> list[BenchQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for rec in data["queries"]:
        out.append(BenchQuery(
            kind=rec["kind"], q=rec.get("q", ""), fts=rec.get("fts", ""),
            country=tuple(rec.get("country", ())), org=tuple(rec.get("org", ())),
            date_from=rec.get("from", ""), date_to=rec.get("to", ""),
            sort=rec.get("sort", "relevance"), label=_label(rec)))
    return out
