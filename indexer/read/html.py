"""A saved web page read as a news article: the story's own text, not the site around it.

Why trafilatura: a page's visible text is half menus, footers, teasers and cookie
notices (F1 0.691 on the 990 pages of trafilatura's evaluation set, precision 0.53);
trafilatura's main-text extraction scores F1 0.92 there (`make eval-html`) and runs
on lxml, so a hostile page (`<x <x <x …`, 400 KB of `<a`) parses in linear time.
Its metadata step is not used: it calls htmldate, which halves the pages read per
second; the page's own declarations (JSON-LD `NewsArticle`, OpenGraph, `<meta>`,
`<link rel=canonical>`, `<html lang>`) are read here from the same lxml tree, once.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from .newstext import parse_date, split_dateline
from .common import ReadProblem, story
from .htmlguard import flatten, shrink, too_deep
from .sitename import host_of, site_name

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)     # it logs every page it finds no text in
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_DATE_META = ("article:published_time", "og:published_time", "og:article:published_time", "datepublished",
              "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
              "pubdate", "publishdate", "publish-date", "publish_date", "article.published",
              "parsely-pub-date", "sailthru.date", "citation_publication_date")
_ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                  "OpinionNewsArticle", "WebPage")
_LD_MAX = 200_000       # characters of one JSON-LD block worth parsing
SMALL_PAGE = 250        # characters: trafilatura's own minimum for an article (MIN_EXTRACTED_SIZE)


@dataclass
class HtmlPage:
    title: str
    h1: str
    body: str            # the article's text, paragraphs split by a blank line
    date: str | None     # raw value; parse with parse_date
    source: str = ""     # site name
    url: str = ""        # canonical URL
    language: str = ""
    author: str = ""
    warning: str = ""    # what of the page was not read (htmlguard.shrink)


def _tree(text: str):
    """trafilatura's loader (which refuses what does not look like HTML), else lxml as is;
    a page nested deeper than libxml2 builds is flattened first (htmlguard.flatten)."""
    tree = _parse(text)
    if tree is not None and too_deep(tree):
        tree = _parse(flatten(text))
    return tree


def _parse(text: str):
    tree = load_html(text)
    if tree is None:
        try:
            tree = lxml.html.document_fromstring(text)
        except (etree.ParserError, ValueError):
            return None
    return tree


def _ld_objects(tree) -> list[dict]:
    """Every JSON-LD object of the page, @graph lists flattened."""
    out: list[dict] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = (script.text or "")[:_LD_MAX]
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(out) < 50:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item[:50])
            elif isinstance(item, dict):
                out.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"][:50])
    return out


def _name(value) -> str:
    """A JSON-LD person/organisation (or a list of them) as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value[:5]) if n)
    return ""


def _metadata(tree) -> dict:
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        content = el.get("content")
        if key and content and key not in meta:
            meta[key] = content.strip()
    article: dict = {}
    objects = _ld_objects(tree)
    for obj in objects:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in _ARTICLE_TYPES for k in kinds if isinstance(k, str)):
            article = obj
            if "WebPage" not in kinds:
                break
    if not article:         # untyped JSON-LD still says when it was published
        article = next((o for o in objects if "datePublished" in o or "headline" in o), {})
    canonical = next((el.get("href", "") for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower() and el.get("href")), "")
    title_el = tree.find(".//title")
    h1 = next(iter(tree.iter("h1")), None)
    ld_url = article.get("url") if isinstance(article.get("url"), str) else ""
    time_el = next((t for t in tree.iter("time") if t.get("datetime")), None)
    return {
        "meta": meta, "article": article,
        "title_tag": " ".join((title_el.text_content() if title_el is not None else "").split()),
        "h1": " ".join(h1.text_content().split()) if h1 is not None else "",
        "url": canonical or meta.get("og:url", "") or ld_url,
        "lang": tree.get("lang") or tree.get("xml:lang") or meta.get("content-language", "")
                or (article.get("inLanguage") if isinstance(article.get("inLanguage"), str) else "")
                or meta.get("og:locale", ""),
        "time": time_el.get("datetime") if time_el is not None else "",
    }


def _date(m: dict) -> str | None:
    candidates = [m["article"].get("datePublished"), m["article"].get("dateCreated")]
    candidates += [m["meta"].get(k) for k in _DATE_META] + [m["time"]]
    candidates = [c for c in candidates if isinstance(c, str) and c.strip()]
    return next((c for c in candidates if parse_date(c)[0]), candidates[0] if candidates else None)


_INVISIBLE = ("script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head")
_BLOCKS = ("p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr",
           "td", "th", "table", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote",
           "pre", "figure", "figcaption", "address", "form", "fieldset", "details", "summary")


def _visible_text(tree) -> str:
    """All visible text, a line per block element (the fallback for a page too small to be an article)."""
    etree.strip_elements(tree, *_INVISIBLE, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for el in tree.iter(*_BLOCKS):        # U+2029 marks a block's edge; a newline in the source is a space
        el.text = "\u2029" + (el.text or "")
        el.tail = "\u2029" + (el.tail or "")
    return tree.text_content().replace("\n", " ").replace("\u2029", "\n")


def _paragraphs(text: str) -> str:
    return "\n\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def html_page(text: str, url: str = "") -> HtmlPage:
    """The article of a page and what the page declares about it."""
    text, warning = shrink(text)
    tree = _tree(text)
    if tree is None:
        return HtmlPage(title="", h1="", body="", date=None, warning=warning or "")
    m = _metadata(tree)
    body = ""
    try:
        found = bare_extraction(tree, url=url or None, with_metadata=False, include_comments=False)
        body = (found.text or "") if found is not None else ""
    except (ValueError, TypeError, etree.LxmlError):
        body = ""
    if len(body) < SMALL_PAGE:   # too little for trafilatura to call an article: a small page is all text
        visible = _visible_text(tree)
        if len(" ".join(visible.split())) < 4 * SMALL_PAGE or not body.strip():
            body = visible
    art, meta = m["article"], m["meta"]
    headline = art.get("headline") if isinstance(art.get("headline"), str) else ""
    title = headline or meta.get("og:title", "") or meta.get("twitter:title", "") or m["h1"] or m["title_tag"]
    lang = re.split(r"[^A-Za-z-]", m["lang"].strip().replace("_", "-"), maxsplit=1)[0][:35] if m["lang"] else ""
    return HtmlPage(title=" ".join(title.split()), h1=m["h1"], body=_paragraphs(body), date=_date(m),
                    source=site_name(meta.get("og:site_name", ""), _name(art.get("publisher")), m["title_tag"],
                                     title, m["url"] if host_of(m["url"] or "") else url),
                    url=(m["url"] or "").strip(), language=lang,
                    author=(_name(art.get("author")) or meta.get("author", "") or meta.get("article:author", "")).strip()[:200],
                    warning=warning or "")


def parse_html(text: str, rel: str, shown: str, *, url: str = "", id: str = "", date_fallback=None):
    """One page -> ([Document], problems); the dateline rule runs on the extracted text."""
    page = html_page(text, url)
    cut = [ReadProblem(shown, page.warning, skipped=False)] if page.warning else []
    if not page.body.strip():
        return [], cut + [ReadProblem(shown, "no text found in the page")]
    body = page.body
    if page.title and body.startswith(page.title):       # the headline repeated as the first line
        body = body[len(page.title):].lstrip()
    doc, problems = story(rel, shown, body or page.body, page.title, page.date or date_fallback, id=id,
                          source=page.source, url=page.url or url, language=page.language, author=page.author)
    if not doc.dateline and page.h1 and page.body.startswith(page.h1):
        doc.dateline, doc.place, _ = split_dateline(page.body[len(page.h1):].lstrip())
    return [doc], cut + problems
