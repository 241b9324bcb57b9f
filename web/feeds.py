"""`GET /feed.atom`: any search as an Atom feed (RFC 4287), newest first.

A reader subscribed to a search's feed sees the stories that match it after each
reindex: an entry's id is its story's URL, so a new story is a new entry. The feed
takes the page's parameters (the sort is always newest first; near-duplicate
versions are shown once unless `group=off`) and lists the newest `ENTRIES` stories.

Built with `xml.etree.ElementTree`, which escapes every text node; characters that
XML 1.0 cannot carry at all (control characters a story may hold) are dropped first.
"""
from __future__ import annotations

import datetime as _dt
import html
import re
import xml.etree.ElementTree as ET

from flask import Blueprint, Response, request, url_for

from indexer.search import DATE, EXCLUDE_PREFIX, FACETS, parse_request

from . import urls
from .archive import get_archive

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = re.compile(r"<[^>]*>")


@FACETS.derived
def filter_names() -> dict[str, str]:
    """Parameter -> how the feed's title names it ("org" -> "organisation", "not_org" -> "not organisation")."""
    return {**{f.param: f.name for f in FACETS}, **{EXCLUDE_PREFIX + f.param: f"not {f.name}" for f in FACETS},
            **{p: p for p in DATE.params}}


def xml_text(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def plain(snippet_html: str) -> str:
    """A snippet (escaped text with <mark>) as plain text."""
    return html.unescape(_TAG.sub("", snippet_html or ""))


def feed_title(params: urls.Params) -> str:
    q = " ".join(v for k, v in params if k == "q")
    names = filter_names()
    filters = ", ".join(f"{names[k]} {v}" for k, v in params if k in names)
    what = f"“{q}”" if q else "all stories"
    return f"NewsFacet: {what}" + (f" ({filters})" if filters else "")


def _stamp(date: str | None, fallback: str) -> str:
    return f"{date}T00:00:00Z" if date else fallback


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def build_feed(params: urls.Params, result: dict, feed_url: str, page_url: str, story_url) -> bytes:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [h["date"] for h in result["hits"] if h.get("date")]
    updated = _stamp(max(dates), now) if dates else now
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", feed_url)
    _sub(feed, "title", feed_title(params))
    _sub(feed, "subtitle", f"{result['total']:,} matching stories; the newest {len(result['hits'])} here")
    _sub(feed, "updated", updated)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _sub(feed, "author")
    _sub(author, "name", "NewsFacet")
    _sub(feed, "generator", "NewsFacet")
    for hit in result["hits"]:
        entry = _sub(feed, "entry")
        url = story_url(hit["id"])
        _sub(entry, "id", url)
        _sub(entry, "title", hit.get("title") or "(untitled)")
        _sub(entry, "updated", _stamp(hit.get("date"), updated))
        if hit.get("date"):
            _sub(entry, "published", _stamp(hit["date"], updated))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        summary = plain(hit.get("snippet", ""))
        if hit.get("dateline"):
            summary = f"{hit['dateline']}: {summary}" if not summary.startswith(hit["dateline"]) else summary
        _sub(entry, "summary", summary, type="text")
        for ref in (r for spec in FACETS.with_chips_on_hits() for r in hit.get(spec.plural) or []):
            _sub(entry, "category", term=ref["value"], label=ref["label"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feed.atom")
def feed():
    params = [(k, v) for k, v in urls.search_params(request.args) if k not in ("sort", "page", "per_page")]
    args = {k: [v for kk, v in params if kk == k] for k, _ in params}
    req = parse_request({**args, "sort": ["newest"], "per_page": [str(ENTRIES)]})
    result = get_archive().search(req).to_dict()
    body = build_feed(
        params, result,
        feed_url=urls.external(urls.href(params, url_for("feeds.feed"))),
        page_url=urls.external(urls.href(params, url_for("views.search_page"))),
        story_url=lambda doc_id: urls.external(url_for("views.story", doc_id=doc_id)))
    return Response(body, content_type="application/atom+xml; charset=utf-8")
