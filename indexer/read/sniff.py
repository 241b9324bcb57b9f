"""What a file without an extension holds, told from its first bytes.

Why: a file's suffix decides how it is read, and a file with none (`/etc/hostname`,
a `wget` mirror's `index`) must not become a story just because it is text. Only
formats that announce themselves are recognised: a WARC header, gzip holding a WARC
or JSON Lines, a JSON value, an HTML page, an RSS/Atom/RDF feed. Plain text and
Markdown announce nothing, so an extensionless text file is named as unsupported
(rename it `.txt` to index it).

Everything here reads a bounded head (`HEAD_BYTES`), so sniffing costs the same for
any file size and no pattern runs over more than that.
"""
from __future__ import annotations

import codecs
import json
import zlib

HEAD_BYTES = 8192
_FEED_ROOTS = (b"rss", b"feed", b"rdf:rdf", b"rdf")
_HTML_ROOTS = (b"html", b"head", b"body")


def sniff(head: bytes) -> str | None:
    """The suffix whose reader fits `head` (the file's first bytes), or None when none does."""
    head = head[:HEAD_BYTES]
    if head[:2] == b"\x1f\x8b":
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
        except zlib.error:
            return None
        kind = _plain(inner)
        return {".warc": ".warc.gz", ".jsonl": ".jsonl.gz", ".json": ".jsonl.gz"}.get(kind or "")
    return _plain(head)


def _plain(head: bytes) -> str | None:
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            head = head.decode("utf-16", "ignore").encode("utf-8")
        except UnicodeError:
            return None
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"WARC/"):
        return ".warc"
    if text[:1] == b"[":
        return ".json"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0]
        try:
            return ".jsonl" if isinstance(json.loads(first), dict) and b"\n" in text.strip() else ".json"
        except ValueError:
            return ".json"
    if text[:1] == b"<":
        return _markup(text)
    return None


def _markup(text: bytes) -> str | None:
    """The first element's name after any XML declaration, comments and doctype."""
    rest = text
    while rest.startswith(b"<?") or rest.startswith(b"<!"):
        if rest[:9].lower() == b"<!doctype":
            if rest[9:15].strip().lower().startswith(b"html"):
                return ".html"
        end = rest.find(b"-->") + 3 if rest.startswith(b"<!--") else rest.find(b">") + 1
        if end <= 0:
            return None
        rest = rest[end:].lstrip()
    if not rest.startswith(b"<"):
        return None
    name = bytearray()
    for byte in rest[1:64].lower():
        if chr(byte).isalnum() or byte in b":_-":
            name.append(byte)
        else:
            break
    name = bytes(name)
    if name in _FEED_ROOTS:
        return ".xml"
    if name in _HTML_ROOTS:
        return ".html"
    return None
