"""RSS 2.0, RSS 1.0, Atom (feedparser) and JSON Feed files: every item is a story.

Why feedparser: it reads every RSS and Atom dialect in use, tolerates the broken
ones and sanitises the HTML inside items; JSON Feed is plain JSON and read here.
An item's id is its guid/id, else its link (the source names it, so the same item
in a later copy of the feed replaces the story instead of doubling it); its
categories are kept on the Document.
"""
from __future__ import annotations

import datetime as _dt
import logging

import feedparser
import lxml.html
from lxml import etree

from .common import Document, ReadProblem, story, valid
from .html import _visible_text

logging.getLogger("feedparser").setLevel(logging.CRITICAL)


def _text(html: str) -> str:
    """An item's HTML as text, paragraphs split by a blank line; entities decoded exactly once.

    Why even text without a tag goes through the HTML parser: feedparser hands HTML
    (`AT&amp;T`, `&amp;lt;b&amp;gt;`) still escaped, and text kept as it came showed
    `&amp;` on pages, which escape it once more. What comes out is plain text: `<b>` in
    it is a story's words, escaped by every page that shows it.
    """
    if "<" not in html and "&" not in html:
        return html
    try:
        text = _visible_text(lxml.html.document_fromstring(html)) if html.strip() else ""
    except (etree.ParserError, ValueError):
        text = html
    return "\n\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _date(entry) -> _dt.date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    return _dt.date(*parsed[:3]) if parsed else None


def _plain(detail, value: str, join: bool = True) -> str:
    """Text as text: feedparser keeps `text/html` (CDATA titles, RSS descriptions, Atom type="html")
    as HTML and hands `text/plain` (Atom type="text") decoded, where `<b>` is words, not a tag."""
    kind = detail.get("type", "") if hasattr(detail, "get") else ""
    if "html" not in kind and kind:
        return value
    text = _text(value)
    return " ".join(text.split()) if join else text


def _headers(feed_url: str, headers: dict[str, str] | None) -> dict[str, str] | None:
    """The HTTP headers feedparser weighs (type, charset, base URL); None for a file.

    Why the Content-Type matters: handed headers without one, feedparser calls every
    feed "not well-formed (no Content-type specified)"; a server that sent none gets
    `application/xml`, what a feed is, so that a missing header is not reported as a
    broken feed.
    """
    if not feed_url and not headers:
        return None
    out = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in ("content-type", "content-language")}
    out.setdefault("content-type", "application/xml")
    if feed_url:
        out["content-location"] = feed_url
    return out


def parse_feed(data: bytes, rel: str, shown: str, *, feed_url: str = "",
               headers: dict[str, str] | None = None) -> tuple[list[Document], list[ReadProblem]]:
    """A feed's bytes -> its items as Documents; `headers`: the HTTP response's, when fetched."""
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=bool(feed_url),
                              response_headers=_headers(feed_url, headers))
    if not parsed.version and not parsed.entries:
        why = getattr(parsed.get("bozo_exception"), "args", [""])
        return [], [ReadProblem(shown, f"not an RSS or Atom feed ({why[0] if why else 'unknown format'})")]
    problems = []
    if parsed.bozo:
        problems.append(ReadProblem(shown, f"feed is not well-formed ({parsed.bozo_exception}); "
                                           "its items were read leniently", skipped=False))
    channel = parsed.feed
    source = valid(_plain(channel.get("title_detail"), channel.get("title", ""))).strip()
    language = valid(channel.get("language", "")).strip()[:35]
    docs, seen = [], set()
    for n, e in enumerate(parsed.entries, 1):
        content = e.get("content") or []
        html = content[0].get("value", "") if content else e.get("summary", "")
        text = _plain(content[0] if content else e.get("summary_detail"), html, join=False)
        item_id = valid(e.get("id") or e.get("link") or "").strip() or f"{rel}#{n}"
        if item_id in seen:
            problems.append(ReadProblem(shown, f"item {n}: duplicate id {item_id!r}"))
            continue
        seen.add(item_id)
        title = valid(_plain(e.get("title_detail"), e.get("title", "")))
        doc, more = story(rel, shown, valid(text), title, _date(e), id=item_id,
                          fallback=item_id, source=source, url=valid(e.get("link", "")).strip(),
                          language=language, author=valid(e.get("author", "")).strip()[:200])
        doc.categories = [valid(t.get("term") or t.get("label") or "") for t in e.get("tags", [])
                          if t.get("term") or t.get("label")]
        docs.append(doc)
        problems += more
    return docs, problems


def is_json_feed(value) -> bool:
    return isinstance(value, dict) and str(value.get("version", "")).startswith("https://jsonfeed.org/version/")


def parse_json_feed(feed: dict, rel: str, shown: str) -> tuple[list[Document], list[ReadProblem]]:
    """A JSON Feed (jsonfeed.org, 1.0 and 1.1) -> its items as Documents."""
    items = feed.get("items")
    if not isinstance(items, list):
        return [], [ReadProblem(shown, "JSON Feed without an `items` list")]
    source = valid(str(feed.get("title") or "")).strip()
    language = valid(str(feed.get("language") or "")).strip()[:35]
    docs, problems, seen = [], [], set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(ReadProblem(shown, f"item {n}: not an object"))
            continue
        item_id = valid(str(item.get("id") or item.get("url") or "")).strip() or f"{rel}#{n}"
        if item_id in seen:
            problems.append(ReadProblem(shown, f"item {n}: duplicate id {item_id!r}"))
            continue
        seen.add(item_id)
        body = item.get("content_text") or _text(str(item.get("content_html") or "")) or str(item.get("summary") or "")
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        doc, more = story(rel, shown, valid(str(body)), valid(str(item.get("title") or "")),
                          item.get("date_published") or item.get("date_modified"), id=item_id, fallback=item_id,
                          line=None, source=source, url=valid(str(item.get("url") or "")).strip(),
                          language=valid(str(item.get("language") or "")).strip()[:35] or language,
                          author=", ".join(str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")))
        doc.categories = [valid(str(t)) for t in item.get("tags") or [] if isinstance(t, str)]
        docs.append(doc)
        problems += [ReadProblem(p.path, f"item {n}: {p.reason}", None, p.skipped) for p in more]
    return docs, problems
