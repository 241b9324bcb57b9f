"""Keeping a page's HTML within what the extractor reads in bounded time.

Two limits of the extractor, each met here before it sees the page:

- **Size.** trafilatura's cleaning passes are quadratic in the number of elements
  (1 MB of `<div>x</div>` costs about 5 s of CPU, 8 MB 15-30 s). A page over
  `HTML_MAX_CHARS` first loses its scripts, styles and comments (the JSON-LD that
  says when the story was published is kept), then is cut to that many characters;
  the reader says so. News pages are 50-500 KB.
- **Depth.** libxml2 stops building the tree at 256 nested elements (2,048 with
  `huge_tree`), and what is deeper (the story, in a page of 10,000 nested `<div>`s)
  is lost: such a page was skipped as "no text found". `flatten` re-writes the page
  with nesting past `KEEP_DEPTH` removed (the text stays, each removed block edge
  becomes a line break), with a tokenizer that has no depth limit, keeps no tree
  and is linear in the page.
"""
from __future__ import annotations

import html

from lxml import etree

HTML_MAX_CHARS = 1_000_000
TOO_DEEP = 250              # an element this deep: libxml2 may have dropped what lay below it
KEEP_DEPTH = 100            # nesting kept by `flatten`
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_RAW = ("script", "style")


def shrink(text: str) -> tuple[str, str | None]:
    """(the HTML to extract from, a warning or None): scripts, styles and comments dropped, then cut."""
    if len(text) <= HTML_MAX_CHARS:
        return text, None
    size = len(text)
    text = _without_raw_blocks(text)
    if len(text) > HTML_MAX_CHARS:
        text = text[:HTML_MAX_CHARS]
        return text, (f"page is {size / 1e6:.1f} million characters; only its first "
                      f"{HTML_MAX_CHARS / 1e6:g} million (scripts and styles removed) were read")
    return text, None


def _without_raw_blocks(text: str) -> str:
    """`text` without <script>, <style> (JSON-LD kept) and comments: one pass of str.find, linear."""
    low = text.lower()
    out, at = [], 0
    while True:
        starts = [i for i in (low.find("<script", at), low.find("<style", at), low.find("<!--", at)) if i >= 0]
        if not starts:
            break
        start = min(starts)
        if low.startswith("<!--", start):
            end = low.find("-->", start + 4)
            end = len(text) if end < 0 else end + 3
        else:
            tag = "script" if low.startswith("<script", start) else "style"
            open_end = low.find(">", start)
            close = low.find(f"</{tag}", start)
            end = len(text) if close < 0 else (low.find(">", close) + 1 or len(text))
            if tag == "script" and "ld+json" in low[start:open_end if open_end >= 0 else start + 200]:
                out.append(text[at:end])          # JSON-LD: the story's date and headline
                at = end
                continue
        out.append(text[at:start])
        at = end
    out.append(text[at:])
    return "".join(out)


_DEEP = etree.XPath("/*" + "/*" * (TOO_DEEP - 1))       # each step only visits the level below: linear


def too_deep(tree) -> bool:
    """Whether the parsed tree reaches the depth where libxml2 starts dropping elements."""
    return bool(_DEEP(tree))


def flatten(text: str) -> str:
    """The page with nesting deeper than `KEEP_DEPTH` removed and its text kept.

    A tokenizer of its own, in one pass of `str.find` (linear: each search for the
    next `>` or `-->` is remembered for the `<`s before it). The standard library's
    HTMLParser has no depth limit but is quadratic on unclosed comments and tags.
    """
    low = text.lower()
    out: list[str] = []
    stack: list[str] = []
    opened: dict[str, int] = {}
    at, n = 0, len(text)
    next_gt = next_comment_end = -2               # -2: not searched yet; -1: there is none
    while at < n:
        lt = text.find("<", at)
        if lt < 0:
            out.append(text[at:])
            break
        out.append(text[at:lt])
        if low.startswith("<!--", lt):
            if next_comment_end != -1 and next_comment_end < lt + 4:
                next_comment_end = low.find("-->", lt + 4)
            at = n if next_comment_end < 0 else next_comment_end + 3
            continue
        if next_gt != -1 and next_gt < lt:
            next_gt = text.find(">", lt)
        if next_gt < 0:                            # no tag closes: the rest is text
            out.append(html.escape(text[lt:], quote=False))
            break
        tag_text = text[lt:next_gt + 1]
        at = next_gt + 1
        closing = tag_text.startswith("</")
        name = _name(low, lt + (2 if closing else 1), next_gt)
        if not name:
            out.append(tag_text if tag_text.startswith("<!") else html.escape(tag_text, quote=False))
            continue
        if closing:
            if opened.get(name):
                while stack:                       # close what was left open inside it, as browsers do
                    top = stack.pop()
                    opened[top] -= 1
                    out.append(f"</{top}>" if len(stack) < KEEP_DEPTH else "\n")
                    if top == name:
                        break
            continue
        if name in _VOID or tag_text.endswith("/>"):
            out.append(tag_text if len(stack) < KEEP_DEPTH else " ")
            continue
        stack.append(name)
        opened[name] = opened.get(name, 0) + 1
        out.append(tag_text if len(stack) <= KEEP_DEPTH else "\n")
        if name in _RAW:                           # script, style: raw text up to their end tag
            end = low.find(f"</{name}", at)
            end = n if end < 0 else end
            out.append(text[at:end])
            at = end
    return "".join(out)


def _name(low: str, start: int, stop: int) -> str:
    end = start
    while end < stop and (low[end].isalnum() or low[end] in ":-_"):
        end += 1
    return low[start:end] if end > start and low[start].isalpha() else ""
