"""What a news story's text says about itself: its date, its dateline and a title.

Pure string functions, shared by `documents.py` (reading files) and anything else
that needs the same rules; kept apart so each module stays one job and readable.
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import re

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
    m, end = _match_head(text)
    if not m:
        return "", "", text
    parts = [" ".join(p.split()) for p in m["where"].split(",")]
    first, dash = parts[0], m["end"] not in (".", ":")
    capitals = first.upper() == first
    if len(m["where"]) > 60 or not first[0].isupper() or not (capitals or dash):
        return "", "", text
    if m["date"] is None and not (capitals and dash and len(parts) > 1):
        return "", "", text
    return ", ".join(parts), _place_name(first) if capitals else first, text[_SPACE.match(text, end).end():]


DATELINE_WINDOW = 512     # a dateline is a story's first line: its place is at most 60 characters


def _match_head(text: str) -> tuple[re.Match | None, int]:
    """`_DATELINE` on the story's head with each run of spaces and tabs made one space: (match, end in `text`).

    Why: the pattern has several optional `[ \t]*` in a row, and Python's backtracking
    engine tries every way of sharing a run of spaces among them (n⁴ on 2,000 spaces).
    Over a bounded head whose runs are single spaces, the work is bounded per story,
    whatever the story holds (issue 24.2). `end` is where the dateline ends in `text`.
    """
    start = _SPACE.match(text).end()
    head = text[start:start + DATELINE_WINDOW]
    if "  " not in head and "\t" not in head:          # the usual case: nothing to squeeze
        m = _DATELINE.match(head)
        return m, start + m.end() if m else 0
    pieces = _RUNS.findall(head)
    squeezed = "".join(" " if p[0] in " \t" else p for p in pieces)
    m = _DATELINE.match(squeezed)
    if not m:
        return None, 0
    end, at = start, 0
    for p in pieces:                     # map the match's end back to the text
        if at >= m.end():
            break
        at += 1 if p[0] in " \t" else len(p)
        end += len(p)
    return m, end - (at - m.end())


_RUNS = re.compile(r"[ \t]+|[^ \t]+")
_SPACE = re.compile(r"\s*")


def _place_name(upper: str) -> str:
    words = upper.title().split()
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w for i, w in enumerate(words))


_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9]|\s*$)")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr inc co corp ltd plc no vs gen gov sen rep lt col capt prof mt ft dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")


def derive_title(text: str, limit: int = TITLE_MAX) -> str:
    """The first sentence of the first paragraph, cut at a word boundary with '…'.

    Linear in the text: only the first `limit` characters (and a few more, for the
    look-ahead) can hold the sentence end that decides the title, so only they are
    searched, and the word before a full stop is read from a short window.
    """
    first = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    window = limit * 4
    para = " ".join(first[:window].split())
    cut_short = len(first) > window and not first[window:].isspace()
    sentence = para
    for m in _SENTENCE_END.finditer(para):
        if cut_short and m.end() >= len(para):     # the window's end is not the paragraph's end
            break
        if para[m.start()] == ".":
            before = para[max(0, m.start() - 60):m.start()].rsplit(None, 1)
            word = before[-1].lstrip("(\"“'") if before else ""
            if word.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(word):
                continue
        sentence = para[:m.end()]
        break
    if cut_short and sentence == para and len(sentence) <= limit:
        return para + "…"                            # more follows: never shown as a whole sentence
    if len(sentence) <= limit:
        return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence
    cut = sentence[:limit].rsplit(" ", 1)[0] if " " in sentence[:limit] else sentence[:limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"
