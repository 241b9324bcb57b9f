"""Small HTML readers for the web tests (stdlib only): tags, links, element text."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit


class Tags(HTMLParser):
    """Every start tag as (name, attrs dict), in document order."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(text: str) -> list[tuple[str, dict]]:
    return Tags(text).tags


def hrefs(text: str) -> list[str]:
    return [a["href"] for t, a in tags(text) if t == "a" and "href" in a]


def params_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def inner(text: str, pattern: str) -> list[str]:
    """Inner HTML of every match of a regex with one group (non-greedy, DOTALL)."""
    return re.findall(pattern, text, re.S)


def text_of(fragment: str) -> str:
    """What a browser shows for a fragment: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def hit_titles(page: str) -> list[str]:
    return [text_of(t) for t in inner(page, r'<h2 class="hit-title"[^>]*><a href="[^"]*">(.*?)</a></h2>')]


def snippets(page: str) -> list[str]:
    return inner(page, r'<p class="snippet"[^>]*>(.*?)</p>')


def only_mark_tags(fragment: str) -> bool:
    return all(t in ("<mark>", "</mark>") for t in re.findall(r"<[^>]*>", fragment))
