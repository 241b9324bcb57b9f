"""The reference: the same searches on SQLite FTS5 (stdlib `sqlite3`), as Datasette does them.

Why this reference: it is what our users would otherwise pick, and the issue's
targets are ratios to it (absolute times drift on a shared machine). It has to be
a fair opponent, so it gets the obvious good set-up: the FTS5 table is optimised
after loading (we merge Whoosh's segments too), `ANALYZE` has run, one connection
is kept open like our one searcher, and the page's snippets come from `snippet()`
only for the ten rows shown.

Same work per request as `Archive.search`: the top 10 by bm25 (title weighted 2, as
our schema boosts it) with a snippet, the total, and counts per value of three
facets (organisation, country, month) over *all* matching stories, filters applied.
It does less in one respect: a facet's own filter is not left out of its counts
(ours are, so a facet shows what each other value would add).

The stories and their facet values are read from our own index's stored fields,
so both engines search the same text with the same entities, extracted once.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from indexer.index import store

from .queries import BenchQuery

FACETS = ("org", "country", "month")
FACET_LIMIT = 100          # values kept per facet, as indexer.search.FACET_LIMIT
SNIPPET_TOKENS = 24        # about our 240-character snippet
TITLE_WEIGHT = 2.0         # indexer.index.schema.TITLE_BOOST

SCHEMA = """
CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, day TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
CREATE TABLE tags(facet TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL,
                  PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX docs_day ON docs(day);
CREATE INDEX tags_doc ON tags(doc, facet, value);
"""


def _rows_from_index(index_dir: Path):
    """(rowid, id, title, body, day, tags) for every story in our index, in docnum order."""
    ix, _gen = store.open_live(index_dir)
    with ix.reader() as reader:
        for rowid, f in enumerate(reader.all_stored_fields(), 1):
            date = f.get("date")
            day = date.date().isoformat() if date else None
            tags = [("org", o["value"]) for o in f.get("orgs_display") or ()]
            tags += [("country", c["value"]) for c in f.get("countries_display") or ()]
            if day:
                tags.append(("month", day[:7]))
            yield rowid, f["id"], f.get("title", ""), f.get("body", ""), day, tags


def build(index_dir: Path, db_path: Path) -> dict:
    """Load every story of our index into a fresh FTS5 database; its build figures."""
    started = time.perf_counter()
    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
    con.executescript(SCHEMA)
    n = 0
    with con:
        docs, texts, tags = [], [], []
        for rowid, doc_id, title, body, day, doc_tags in _rows_from_index(index_dir):
            docs.append((rowid, doc_id, title, day))
            texts.append((rowid, title, body))
            tags.extend((facet, value, rowid) for facet, value in set(doc_tags))
            n += 1
            if len(docs) >= 5000:
                _flush(con, docs, texts, tags)
        _flush(con, docs, texts, tags)
        con.executescript(INDEXES)
        con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        # `ORDER BY rank` lets FTS5 sort inside the virtual table (faster than ORDER BY bm25(...))
        con.execute(f"INSERT INTO fts(fts, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')")
    con.execute("ANALYZE")
    con.close()
    seconds = time.perf_counter() - started
    return {"documents": n, "seconds": round(seconds, 2), "bytes": db_path.stat().st_size}


def _flush(con, docs, texts, tags) -> None:
    con.executemany("INSERT INTO docs(rowid, id, title, day) VALUES (?, ?, ?, ?)", docs)
    con.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", texts)
    con.executemany("INSERT OR IGNORE INTO tags(facet, value, doc) VALUES (?, ?, ?)", tags)
    docs.clear(), texts.clear(), tags.clear()


class Fts5:
    """One open connection, like one open Archive; `search` does what Archive.search does."""

    def __init__(self, db_path: Path):
        self.con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.con.executescript("PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;")

    def close(self) -> None:
        self.con.close()

    @staticmethod
    def _filters(bq: BenchQuery, col: str) -> tuple[str, list]:
        """SQL conditions on `col` (a rowid) and their arguments.

        On the FTS5 side the rowid is written `+fts.rowid`: without the `+` SQLite
        offers the IN list to FTS5 as a rowid constraint and runs the MATCH once per
        listed row (a filter on the United States took 300 ms instead of 20 ms).
        """
        sql, args = [], []
        for facet, values in (("country", bq.country), ("org", bq.org)):
            if values:
                marks = ",".join("?" * len(values))
                sql.append(f" AND {col} IN (SELECT doc FROM tags WHERE facet = ? AND value IN ({marks}))")
                args += [facet, *values]
        if bq.date_from or bq.date_to:
            sql.append(f" AND {col} IN (SELECT rowid FROM docs WHERE day BETWEEN ? AND ?)")
            args += [bq.date_from or "0000-00-00", bq.date_to or "9999-99-99"]
        return "".join(sql), args

    def search(self, bq: BenchQuery) -> dict:
        con = self.con
        if bq.fts:
            where, fargs = self._filters(bq, "+fts.rowid")
            matching = f"SELECT fts.rowid FROM fts WHERE fts MATCH ?{where}"
            margs = [bq.fts, *fargs]
            order = ("rank" if bq.sort == "relevance"
                     else "d.day DESC, d.rowid" if bq.sort == "newest" else "d.day, d.rowid")
            rows = con.execute(
                f"SELECT d.id, d.title, d.day, snippet(fts, -1, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) "
                f"FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?{where} "
                f"ORDER BY {order} LIMIT 10", margs).fetchall()
        else:
            where, fargs = self._filters(bq, "d.rowid")
            matching = f"SELECT d.rowid FROM docs d WHERE 1{where}" if where else ""
            margs = fargs
            order = "d.day, d.rowid" if bq.sort == "oldest" else "d.day DESC, d.rowid"
            rows = con.execute(
                f"SELECT d.id, d.title, d.day, substr(f.body, 1, 240) FROM docs d JOIN fts f ON f.rowid = d.rowid "
                f"WHERE 1{where} ORDER BY {order} LIMIT 10", fargs).fetchall()
        if matching:
            total = con.execute(f"SELECT count(*) FROM ({matching})", margs).fetchone()[0]
            counts = con.execute(
                f"SELECT facet, value, count(*) FROM tags WHERE doc IN ({matching}) GROUP BY facet, value",
                margs).fetchall()
        else:      # the whole archive
            total = con.execute("SELECT count(*) FROM docs").fetchone()[0]
            counts = con.execute("SELECT facet, value, count(*) FROM tags GROUP BY facet, value").fetchall()
        facets: dict[str, list[tuple[str, int]]] = {f: [] for f in FACETS}
        for facet, value, c in counts:
            facets[facet].append((value, c))
        for values in facets.values():
            values.sort(key=lambda vc: -vc[1])
            del values[FACET_LIMIT:]
        return {"total": total, "hits": rows, "facets": facets}
