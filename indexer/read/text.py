"""Plain text, the seed format (`date YYYY-MM-DD`, a dateline, the story) and Markdown.

Markdown's title is its front matter's `title:` or its first `#` heading; the front
matter may also give `date:` and `lang:`.
"""
from __future__ import annotations

import re

from .common import story

_HEADER = re.compile(r"\A\s*(?i:date):?[ \t]+(\d{4}-\d{1,2}-\d{1,2}\S*)\s*")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_MD_HEADING = re.compile(r"\A\s*#[ \t]+([^\n]*)\n?")
_META = re.compile(r"(\w+)[ \t]*:(.*)")
# Every pattern here runs on a whole file's text, so each is linear: no lazy `.*?` before
# an optional run of spaces (`title: x<64 KB of spaces>y` took 11 s), and no two runs
# that can share the same spaces; values are stripped in Python instead (issue 24.2).


def parse_text(text: str, rel: str, shown: str, markdown: bool):
    """The seed format (` date YYYY-MM-DD ` + dateline + story), plain text and Markdown."""
    title, date, lang = "", None, ""
    m = _HEADER.match(text)
    if m:
        date, text = m[1], text[m.end():]
    elif markdown and (fm := _FRONT_MATTER.match(text)):
        meta = {m[1]: m[2].strip() for line in fm[1].split("\n") if (m := _META.match(line))}
        title, date, text = meta.get("title", "").strip("\"'"), meta.get("date"), text[fm.end():]
        lang = (meta.get("lang") or meta.get("language") or "").strip("\"'")[:35]
    if markdown and not title and (h := _MD_HEADING.match(text)) and h[1].rstrip(" \t#"):
        title, text = h[1].rstrip(" \t#"), text[h.end():]
    doc, problems = story(rel, shown, text, title, date, language=lang)
    return [doc], problems
