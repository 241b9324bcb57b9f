"""Following feeds during an index run: feed URLs and feed lists (`feeds.txt`).

Why feeds are sources of their own in the manifest (keyed by URL, not by a file):
a feed shows only its latest items, so a story must stay in the index after it
drops out of the feed; a re-run adds what is new and keeps the rest. The manifest
remembers each feed's ETag and Last-Modified, so an unchanged feed costs one
conditional request (a 304). A feed that fails (HTTP 500, no answer, not a feed)
is reported by its URL and the rest are indexed. A URL removed from a feed list
takes its stories out with it.

With `fetch_articles`, each new item's link is fetched (politely, and only from
public addresses: read/fetch.py) and read as an article (read/html.py), whose
text replaces the feed's summary. Everything fetched is kept in the archive's own copy
(read/fetched.py), which a rebuild replays (`replay`), so no story is lost with it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from indexer.read.documents import Document, ReadProblem, _decode, path_text
from indexer.read.fetch import Fetcher
from indexer.read.fetched import FetchArchive

@dataclass
class FeedRun:
    """What one index run needs to follow feeds."""
    urls: list[str]                   # feed URLs named on the command line
    fetcher: Fetcher
    fetch_articles: bool
    archive: FetchArchive             # this run's copy of what it fetches (read/fetched.py)
    previous: dict | None = None      # a fresh run: the manifest of the index it replaces (`replay`)
    previous_gen: Path | None = None  # ... and its generation folder (`_rescue`)


def is_url(path) -> bool:
    return str(path).lower().startswith(("http://", "https://"))


def is_feed_list(path: Path) -> bool:
    """`feeds.txt`, `world.feeds.txt`: one feed URL a line."""
    name = path.name.lower()
    return name == "feeds.txt" or name.endswith(".feeds.txt")


def read_feed_list(path: Path) -> tuple[list[str], list[ReadProblem]]:
    """The URLs of a feed list; a line that is not an http(s) URL is reported, blank lines and # comments skipped."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        return [], [ReadProblem(str(path), f"cannot read: {e.strerror or e}")]
    urls, problems = [], []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line) and " " not in line:
            urls.append(line)
        else:
            problems.append(ReadProblem(str(path), f"not a feed URL: {line[:80]!r}", n))
    return urls, problems


def _fingerprint(doc: Document) -> str:
    """What a feed says of an item; an item whose fingerprint is unchanged is not written again."""
    facts = [doc.title, doc.body, str(doc.date or ""), doc.url, doc.author, *doc.categories]
    return hashlib.sha1("\x1f".join(facts).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _merge_article(doc: Document, data: bytes) -> None:
    """The article's text replaces the feed's summary when it is the longer of the two."""
    from indexer.read.html import parse_html       # trafilatura: imported when a run needs it
    text, _ = _decode(data, doc.url, html=True)
    read, _ = parse_html(text or "", doc.path, doc.url, url=doc.url, id=doc.id)
    if read and len(read[0].body) > len(doc.body):
        page = read[0]
        doc.body, doc.dateline, doc.place = page.body, page.dateline, page.place
        doc.title = doc.title or page.title
        doc.date = doc.date or page.date
        doc.author = doc.author or page.author
        doc.language = doc.language or page.language


def _article(run: FeedRun, doc: Document, problem) -> None:
    got = run.fetcher.get(doc.url)
    if got.error or got.status != 200:
        problem(ReadProblem(doc.url, f"article not fetched ({got.error or got.status}); the feed's text kept",
                            skipped=False))
        return
    run.archive.add("article", doc.url, got.data, got.headers)
    _merge_article(doc, got.data)


def follow(feeds: list[tuple[str, str]], manifest: dict, owner: dict[str, str], run: FeedRun,
           problem: Callable[[ReadProblem], None], report) -> list[tuple[Document, str]]:
    """Fetch each (url, list key) feed; return the stories to (re)write, keyed by the feed's URL.

    `run` carries the fetcher, the run's FetchArchive (every feed and article fetched
    is kept there first) and `fetch_articles`. Only new items and items the feed has
    changed are written (and have their article fetched): an unchanged item keeps the
    story it already has, article text included.
    """
    if not feeds:
        return []
    from indexer.read.feeds import parse_feed       # feedparser: imported when a run needs it
    out: list[tuple[Document, str]] = []
    for url, list_key in feeds:
        old = manifest.get(url) or {}
        got = run.fetcher.get(url, old.get("etag", ""), old.get("last_modified", ""))
        if got.status == 304:
            report.unchanged += 1
            manifest[url] = {**old, "list": list_key}
            continue
        if got.error:
            problem(ReadProblem(url, got.error))
            continue
        docs, problems = parse_feed(got.data, url, url, feed_url=url, headers=got.headers)
        for p in problems:
            problem(p)
        if not docs:
            continue
        known, hashes = set(old.get("ids", ())), dict(old.get("hashes", {}))
        kept, first = [], len(out)
        for d in docs:
            holder = owner.get(d.id)
            if holder is not None and holder != url:
                problem(ReadProblem(url, f"item {d.id!r} is also in {holder}; kept there", skipped=False))
                continue
            owner[d.id] = url
            kept.append(d.id)
            mark = _fingerprint(d)
            if d.id in known and hashes.get(d.id) == mark:
                continue
            hashes[d.id] = mark
            if len(out) == first:     # kept only when it holds something new: a copy of the same items adds nothing
                run.archive.add("feed", url, got.data, got.headers)
            if run.fetch_articles and d.url:
                _article(run, d, problem)
            out.append((d, url))
        if old:
            report.changed += 1
        else:
            report.new += 1
        manifest[url] = {"feed": True, "list": list_key, "etag": got.etag, "last_modified": got.last_modified,
                         "ids": sorted(known | set(kept)), "hashes": hashes}
    return out


def _rescue(gen: Path | None, ids: set[str]) -> dict[str, Document]:
    """Stories the archive has no copy of, as the generation being replaced stored them.

    Why: an index older than the fetched archive, or one whose copies were pruned,
    still holds those stories, and a rebuild must not drop them while that generation
    can be read (a damaged one is checked first and gives nothing). What the index
    does not store (author, categories) is not brought back.
    """
    if gen is None or not ids:
        return {}
    from whoosh import index as whoosh_index

    from . import store
    out: dict[str, Document] = {}
    try:
        store.check_segments(gen)
        with whoosh_index.open_dir(str(gen)).searcher() as s:
            for i in sorted(ids):
                f = s.document(id=i)
                if f:
                    when = f.get("date")
                    out[i] = Document(id=i, path=f.get("path", ""), title=f.get("title", ""), body=f.get("body", ""),
                                      date=when.date() if when else None, dateline=f.get("dateline", ""),
                                      place=f.get("place", ""), source=f.get("source", ""), url=f.get("url", ""),
                                      language=f.get("language", "") or "",
                                      title_is_label=not f.get("body") and f.get("title", "") == i)
    except Exception:      # noqa: BLE001 - a damaged generation: the caller names what is lost
        return {}
    return out


def replay(index_dir, previous: dict | None, manifest: dict, problem, previous_gen: Path | None = None
           ) -> list[tuple[Document, str]]:
    """A rebuild's feeds, read from the archive's copy (read/fetched.py), not the network.

    The feeds replayed are those the index held before (`previous`, its manifest),
    each with the last copy of every item it ever showed and the article fetched for
    it; with no previous manifest (none, or unreadable), every feed of the archive.
    A story with no copy (pruned, or fetched before the archive existed) is taken from
    the generation replaced (`_rescue`); one that is in neither is named as lost.
    """
    from indexer.read import fetched
    from indexer.read.feeds import parse_feed
    wanted = {k: e for k, e in (previous or {}).items() if e.get("feed")}
    items: dict[str, dict[str, Document]] = {}
    links: set[str] = set()
    articles: dict[str, tuple] = {}         # link -> where its last copy is (read when merged)
    for rec in fetched.records(index_dir, problem):
        if rec.kind == "article":
            if rec.url in links:            # a feed copy always comes before the articles of its items
                articles[rec.url] = (rec.path, rec.offset)
        elif previous is None or rec.url in wanted:
            docs, _ = parse_feed(rec.body(), rec.url, rec.url, feed_url=rec.url, headers=rec.headers)
            items.setdefault(rec.url, {}).update((d.id, d) for d in docs)
            links.update(d.url for d in docs if d.url)
    out: list[tuple[Document, str]] = []
    owner: dict[str, str] = {}
    for url in sorted(set(items) | set(wanted)):
        old = wanted.get(url, {})
        ids, hashes = [], {}
        for d in items.get(url, {}).values():
            if owner.setdefault(d.id, url) != url:
                continue
            hashes[d.id] = _fingerprint(d)
            if d.url in articles:
                _merge_article(d, fetched.read_at(*articles[d.url]))
            ids.append(d.id)
            out.append((d, url))
        lost = set(old.get("ids", ())) - set(ids)
        rescued = _rescue(previous_gen, {i for i in lost if owner.setdefault(i, url) == url})
        for i, d in rescued.items():
            hashes[i] = old.get("hashes", {}).get(i, "")
            ids.append(i)
            out.append((d, url))
        if rescued:
            problem(ReadProblem(url, f"{len(rescued)} stories of this feed have no copy in the fetched archive "
                                     "(pruned, or fetched before it existed); kept as the index stored them",
                                skipped=False))
        if lost - set(rescued):
            problem(ReadProblem(url, f"{len(lost - set(rescued))} stories of this feed are neither in the fetched "
                                     "archive (pruned?) nor readable in the index replaced; the rebuild could not "
                                     "keep them", skipped=False))
        entry = {"feed": True, "list": old.get("list", ""), "ids": sorted(ids), "hashes": hashes}
        if not lost:      # the next run may take a 304 for what was replayed; else it fetches the feed whole
            entry.update(etag=old.get("etag", ""), last_modified=old.get("last_modified", ""))
        if ids:
            manifest[url] = entry
    return out


def dropped(manifest: dict, lists: set[str], listed: set[str]) -> set[str]:
    """Feeds once named by one of `lists` and named there no more."""
    return {k for k, e in manifest.items() if e.get("feed") and e.get("list") in lists and k not in listed}


def list_key(path: Path) -> str:
    import os
    return path_text(os.path.abspath(path))
