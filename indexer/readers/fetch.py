"""Fetching feeds and articles over HTTP, politely.

Why urllib and not a crawler: NewsFacet follows a handful of feeds a person lists;
one request at a time, a pause between two requests to the same host, a User-Agent
that says who asks, a timeout, a size cap, and conditional GET (ETag and
Last-Modified remembered by the caller) so an unchanged feed costs one 304.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "NewsFacet/0.1 (news archive indexer; +https://github.com/newsfacet)"
TIMEOUT_S = 20.0
DELAY_S = 1.0              # between two requests to the same host


@dataclass
class Fetched:
    url: str
    status: int = 0            # 200, 304, the HTTP error code, or 0 when no answer came
    data: bytes = b""
    etag: str = ""
    last_modified: str = ""
    error: str = ""


class Fetcher:
    """One request at a time, `delay` seconds apart per host."""

    def __init__(self, delay: float = DELAY_S, timeout: float = TIMEOUT_S, max_bytes: int = 50 * 1024 * 1024):
        self.delay, self.timeout, self.max_bytes = delay, timeout, max_bytes
        self._last: dict[str, float] = {}

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.delay > 0:
            pause = self.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        host = urlsplit(url).netloc.lower()
        self._wait(host)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        out = Fetched(url)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout) as resp:
                out.status = resp.status
                out.data = resp.read(self.max_bytes + 1)
                out.etag = resp.headers.get("ETag", "") or ""
                out.last_modified = resp.headers.get("Last-Modified", "") or ""
            if len(out.data) > self.max_bytes:
                out.error, out.data = f"response over the size limit of {self.max_bytes} bytes", b""
        except urllib.error.HTTPError as e:
            out.status = e.code
            if e.code == 304:
                out.etag, out.last_modified = etag, last_modified
            else:
                out.error = f"HTTP {e.code} {e.reason}"
            e.close()
        except (urllib.error.URLError, OSError, ValueError) as e:
            out.error = f"cannot fetch: {getattr(e, 'reason', None) or e}"
        finally:
            self._last[host] = time.monotonic()
        return out
