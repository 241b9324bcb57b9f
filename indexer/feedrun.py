"""Following feeds during an index run: feed URLs and feed lists (`feeds.txt`).

Why feeds are sources of their own in the manifest (keyed by URL, not by a file):
a feed shows only its latest items, so a story must stay in the index after it
drops out of the feed; a re-run adds what is new and keeps the rest. The manifest
remembers each feed's ETag and Last-Modified, so an unchanged feed costs one
conditional request (a 304). A feed that fails (HTTP 500, no answer, not a feed)
is reported by its URL and the rest are indexed. A URL removed from a feed list
takes its stories out with it.

With `fetch_articles`, each new item's link is fetched (politely: readers/fetch.py)
and read as an article (readers/html.py), whose text replaces the feed's summary.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .documents import Document, ReadProblem, _decode, path_text
from .readers.fetch import Fetcher

FEED_LIST_SUFFIXES = ("feeds.txt",)      # `feeds.txt`, `world.feeds.txt`: one feed URL a line


def is_url(path) -> bool:
    return str(path).lower().startswith(("http://", "https://"))


def is_feed_list(path: Path) -> bool:
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


def _article(fetcher: Fetcher, doc: Document, problem) -> None:
    from .readers.html import parse_html       # trafilatura: imported when a run needs it
    got = fetcher.get(doc.url)
    if got.error or got.status != 200:
        problem(ReadProblem(doc.url, f"article not fetched ({got.error or got.status}); the feed's text kept",
                            skipped=False))
        return
    text, _ = _decode(got.data, doc.url, html=True)
    read, _ = parse_html(text or "", doc.path, doc.url, url=doc.url, id=doc.id)
    if read and len(read[0].body) > len(doc.body):
        page = read[0]
        doc.body, doc.dateline, doc.place = page.body, page.dateline, page.place
        doc.title = doc.title or page.title
        doc.date = doc.date or page.date
        doc.author = doc.author or page.author
        doc.language = doc.language or page.language


def follow(feeds: list[tuple[str, str]], manifest: dict, owner: dict[str, str], fetcher: Fetcher,
           fetch_articles: bool, problem: Callable[[ReadProblem], None], report) -> list[tuple[Document, str]]:
    """Fetch each (url, list key) feed; return the stories to (re)write, keyed by the feed's URL."""
    if not feeds:
        return []
    from .readers.feeds import parse_feed       # feedparser: imported when a run needs it
    out: list[tuple[Document, str]] = []
    for url, list_key in feeds:
        old = manifest.get(url) or {}
        got = fetcher.get(url, old.get("etag", ""), old.get("last_modified", ""))
        if got.status == 304:
            report.unchanged += 1
            manifest[url] = {**old, "list": list_key}
            continue
        if got.error:
            problem(ReadProblem(url, got.error))
            continue
        docs, problems = parse_feed(got.data, url, url, feed_url=url)
        for p in problems:
            problem(p)
        if not docs:
            continue
        known = set(old.get("ids", ()))
        kept = []
        for d in docs:
            holder = owner.get(d.id)
            if holder is not None and holder != url:
                problem(ReadProblem(url, f"item {d.id!r} is also in {holder}; kept there", skipped=False))
                continue
            if fetch_articles and d.url and d.id not in known:
                _article(fetcher, d, problem)
            owner[d.id] = url
            kept.append(d.id)
            out.append((d, url))
        if old:
            report.changed += 1
        else:
            report.new += 1
        manifest[url] = {"feed": True, "list": list_key, "etag": got.etag, "last_modified": got.last_modified,
                         "ids": sorted(known | set(kept))}
    return out


def dropped(manifest: dict, lists: set[str], listed: set[str]) -> set[str]:
    """Feeds once named by one of `lists` and named there no more."""
    return {k for k, e in manifest.items() if e.get("feed") and e.get("list") in lists and k not in listed}


def list_key(path: Path) -> str:
    import os
    return path_text(os.path.abspath(path))
