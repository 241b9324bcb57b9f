"""What a news story's text says about itself: its date, its dateline, a title, and
the visible text of an HTML page.

Pure string functions, shared by `documents.py` (reading files) and anything else
that needs the same rules; kept apart so each module stays one job and readable.
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import re
from dataclasses import dataclass
from html.parser import HTMLParser

TITLE_MAX = 120          # a derived title is the first sentence, cut to this many characters


_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")


def parse_date(value) -> tuple[_dt.date | None, str | None]:
    """(date, None), or (None, why) for a value that is not a real date; (None, None) when absent.

    Accepts YYYY-MM-DD, ISO datetimes (the date part as written) and RFC 2822
    (some HTML meta tags); 2026-02-30 is rejected, not rolled over.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, _dt.datetime):
        return value.date(), None
    if isinstance(value, _dt.date):
        return value, None
    if not isinstance(value, str):
        return None, f"not a date: {value!r}"
    m = _ISO_DATE.match(value)
    if m:
        try:
            return _dt.date(int(m[1]), int(m[2]), int(m[3])), None
        except ValueError as e:
            return None, f"not a date: {value.strip()!r} ({e})"
    try:
        return email.utils.parsedate_to_datetime(value).date(), None
    except (TypeError, ValueError, IndexError):
        return None, f"not a date: {value.strip()[:40]!r}"


_MONTH = (r"(?i:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
          r"|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_PART = r"[^\W\d_](?:[^\W\d_]|[.'’&-])*(?:[ ](?:[^\W\d_]|[.'’&-])+){0,4}"  # a place: words, no digits
_DATELINE = re.compile(
    rf"\s*(?P<where>{_PART}(?:[ \t]*,[ \t]*(?!{_MONTH}[ \t.]*\d){_PART}){{0,3}})[ \t]*"
    rf"(?:,?[ \t]*(?:-[ \t]*)?(?P<date>{_MONTH}[ \t]+\d{{1,2}}|\d{{1,2}}[ \t]+{_MONTH})(?:,?[ \t]+\d{{4}})?)?"
    r"[ \t]*(?:,[ \t]*Reuters?\b|\((?:[^()\n]{1,30})\))?[ \t]*,?[ \t]*"
    r"(?P<end>\.|--?|[–—:])\s+")
_SMALL_WORDS = frozenset("de da do dos das del des du es of on upon am an der den la le el y".split())


def split_dateline(text: str) -> tuple[str, str, str]:
    """(dateline, place, rest) from a story that opens with a dateline, else ("", "", text).

    Recognises the seed's `ASHGABAT, Turkmenistan, February 9.` and Reuters'
    `HOUSTON, Feb 26 -`. To keep ordinary first sentences ("On Monday, March 3.")
    out, the first place must be in capitals unless a dash ends the dateline, and
    a dateline without a date needs a second part (`CALGARY, Alberta -`).
    """
    m = _DATELINE.match(text)
    if not m:
        return "", "", text
    parts = [" ".join(p.split()) for p in m["where"].split(",")]
    first, dash = parts[0], m["end"] not in (".", ":")
    capitals = first.upper() == first
    if len(m["where"]) > 60 or not first[0].isupper() or not (capitals or dash):
        return "", "", text
    if m["date"] is None and not (capitals and dash and len(parts) > 1):
        return "", "", text
    return ", ".join(parts), _place_name(first) if capitals else first, text[m.end():]


def _place_name(upper: str) -> str:
    words = upper.title().split()
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w for i, w in enumerate(words))


_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9]|\s*$)")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr inc co corp ltd plc no vs gen gov sen rep lt col capt prof mt ft dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")


def derive_title(text: str, limit: int = TITLE_MAX) -> str:
    """The first sentence of the first paragraph, cut at a word boundary with '…'."""
    para = " ".join(re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0].split())
    sentence = para
    for m in _SENTENCE_END.finditer(para):
        if para[m.start()] == ".":
            before = para[:m.start()].rsplit(None, 1)
            word = before[-1].lstrip("(\"“'") if before else ""
            if word.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(word):
                continue
        sentence = para[:m.end()]
        break
    if len(sentence) <= limit:
        return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence
    cut = sentence[:limit].rsplit(" ", 1)[0] if " " in sentence[:limit] else sentence[:limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


# ---------------------------------------------------------------- HTML

_SKIP_TAGS = frozenset("script style noscript template svg math iframe object".split())
_BLOCK_TAGS = frozenset(
    "p div br hr h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr td th table section article header footer main "
    "nav aside blockquote pre figure figcaption address form fieldset details summary".split())
_DATE_META = ("article:published_time", "og:published_time", "og:article:published_time", "datepublished",
              "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
              "pubdate", "publishdate", "publish-date", "publish_date", "article.published",
              "parsely-pub-date", "sailthru.date", "citation_publication_date")
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


class _HTMLText(HTMLParser):
    """Collects visible text (paragraphs split at block tags), <title>, first <h1>, meta tags, <time>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.title, self.h1, self.h1_buf = [], [], "", None
        self.meta, self.time, self.canonical = {}, "", ""
        self.skip, self.in_title, self.ld = 0, False, None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
            if tag == "script" and "ld+json" in a.get("type", "").lower():
                self.ld = []
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or a.get("http-equiv") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower():
            self.canonical = self.canonical or a.get("href", "")
        elif tag == "time" and not self.time:
            self.time = a.get("datetime", "")
        elif tag == "title":
            self.in_title = True
        elif tag == "h1" and not self.h1 and self.h1_buf is None:
            self.h1_buf = []
        if tag in _BLOCK_TAGS:
            self.parts.append("\0")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            if tag == "script" and self.ld is not None:
                m = _LD_DATE.search("".join(self.ld))
                if m:
                    self.meta.setdefault("datepublished", m[1])
                self.ld = None
        elif tag == "title":
            self.in_title = False
        elif tag == "h1" and self.h1_buf is not None:
            self.h1, self.h1_buf = " ".join("".join(self.h1_buf).split()), None
        if tag in _BLOCK_TAGS:
            self.parts.append("\0")

    def handle_data(self, data):
        if self.skip:
            if self.ld is not None:
                self.ld.append(data)
        elif self.in_title:
            self.title.append(data)
        else:
            if self.h1_buf is not None:
                self.h1_buf.append(data)
            self.parts.append(data)


@dataclass
class HtmlPage:
    title: str           # <title>, else the first <h1>
    h1: str
    body: str            # visible text, paragraphs split by a blank line
    date: str | None     # raw value of the best date meta tag or <time datetime>; parse with parse_date
    source: str = ""     # og:site_name
    url: str = ""        # canonical link or og:url


def html_page(text: str) -> HtmlPage:
    """Visible text and metadata of an HTML page; html.parser is lenient, so broken markup still reads."""
    p = _HTMLText()
    p.feed(text)
    p.close()
    paras = [" ".join(chunk.split()) for chunk in "".join(p.parts).split("\0")]
    body = "\n\n".join(x for x in paras if x)
    date = next((p.meta[k] for k in _DATE_META if k in p.meta and parse_date(p.meta[k])[0]), None)
    date = date or next((p.meta[k] for k in _DATE_META if k in p.meta), None) or p.time or None
    return HtmlPage(title=" ".join("".join(p.title).split()) or p.h1, h1=p.h1, body=body, date=date,
                    source=p.meta.get("og:site_name", "").strip(),
                    url=(p.canonical or p.meta.get("og:url", "")).strip())
