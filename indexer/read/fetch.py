"""Fetching feeds and articles over HTTP, politely and safely.

Why not a crawler: NewsFacet follows a handful of feeds a person lists; one request
at a time, a pause between two requests to the same host, a User-Agent that says who
asks, and conditional GET (ETag and Last-Modified remembered by the caller) so an
unchanged feed costs one 304.

Why http.client and not urllib: the fetcher must decide where each connection goes
and how long it may last, which urllib hides.
- Only `http` and `https`; `file://` and the rest are refused.
- A host name is resolved once and the socket connects to an address that
  read/netpolicy.py allows (public, unless `allow_private`), then the peer is
  checked again; redirects are followed here, at most MAX_REDIRECTS, each checked
  the same way. A refused fetch says why (`Fetched.refused`).
- A whole-response deadline (`deadline`, connection, headers and body together):
  a per-read timeout alone lets a peer sending a byte every few seconds hold the
  indexer and its lock forever. When it passes, a timer shuts the socket down, which
  ends any read in progress. A body over `max_bytes` is cut off and reported.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from .netpolicy import refusal

USER_AGENT = "NewsFacet/0.1 (news archive indexer; +https://github.com/newsfacet)"
TIMEOUT_S = 20.0           # one read or connect
DEADLINE_S = 30.0          # the whole response: connect, headers and body
DELAY_S = 1.0              # between two requests to the same host
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


@dataclass
class Fetched:
    url: str
    status: int = 0            # 200, 304, the HTTP error code, or 0 when no answer came
    data: bytes = b""
    etag: str = ""
    last_modified: str = ""
    error: str = ""
    refused: bool = False      # not fetched by policy (an internal address, a scheme other than http/https)
    final_url: str = ""        # after redirects
    headers: dict[str, str] = field(default_factory=dict)      # the answer's, names lower-cased


class Refused(Exception):
    """A fetch the policy does not allow; the message says why."""


class _Deadline:
    """Shuts a connection's socket down when the whole-response deadline passes.

    By its file descriptor: the TLS layer and http.client each replace the socket
    object, never the descriptor. `unwatch` comes before the socket is closed, under
    the same lock as the shutdown, so a descriptor number reused elsewhere is never hit.
    """

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.passed = False
        self._fd = -1
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return self.end - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._fd = sock.fileno()
            if self.passed:                # the deadline passed while connecting
                self._shutdown()

    def unwatch(self) -> None:
        with self._lock:
            self._fd = -1

    def _fire(self) -> None:
        with self._lock:
            self.passed = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._fd < 0:
            return
        sock = socket.socket(fileno=self._fd)
        try:
            sock.shutdown(socket.SHUT_RDWR)        # a blocked recv() (or TLS handshake) returns at once
        except OSError:
            pass
        finally:
            sock.detach()                          # the descriptor stays the connection's to close

    def cancel(self) -> None:
        self._timer.cancel()


class _CheckedConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket is the one `open_socket(timeout)` returns (Fetcher._connect: the
    address checked against the network policy, connected under the deadline, TLS-wrapped),
    not one `socket.create_connection` opens to whatever the name resolves to next."""

    def __init__(self, host: str, port: int, timeout: float, open_socket) -> None:
        super().__init__(host, port, timeout=timeout)
        # http.client's own hook for the connecting step (set per instance in its __init__)
        self._create_connection = lambda address, timeout=None, source_address=None: open_socket(timeout)


class Fetcher:
    """One request at a time, `delay` seconds apart per host; see the module docstring."""

    def __init__(self, delay: float = DELAY_S, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
                 deadline: float = DEADLINE_S, allow_private: bool = False, max_redirects: int = MAX_REDIRECTS):
        self.delay, self.timeout, self.max_bytes = delay, timeout, max_bytes
        self.deadline, self.allow_private, self.max_redirects = deadline, allow_private, max_redirects
        self._tls = ssl.create_default_context()
        self._last: dict[str, float] = {}

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.delay > 0:
            pause = self.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        out = Fetched(url, final_url=url)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        clock = _Deadline(self.deadline)
        try:
            for _ in range(self.max_redirects + 1):
                location = self._once(out, headers, clock)
                if not location:
                    break
                out.final_url = urljoin(out.final_url, location)
                headers = {k: v for k, v in headers.items() if not k.startswith("If-")}
            else:
                out.status, out.error = 0, f"more than {self.max_redirects} redirects"
        except Refused as e:
            out.status, out.data, out.refused = 0, b"", True
            out.error = f"refused: {e}"
        except (http.client.HTTPException, OSError, ValueError, UnicodeError) as e:
            out.status, out.data = 0, b""
            out.error = f"cannot fetch: {e or type(e).__name__}"
        finally:
            clock.cancel()
        if clock.passed:
            out.status, out.data = 0, b""
            out.error = (f"no complete answer within {self.deadline:g} s (the whole-response deadline); "
                         "the connection was closed")
        if out.status == 304:
            out.etag, out.last_modified = etag, last_modified
        return out

    def _once(self, out: Fetched, headers: dict, clock: _Deadline) -> str:
        """One request to `out.final_url`; fills `out`; returns a redirect's Location, else ""."""
        parts = urlsplit(out.final_url)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"only http and https links are fetched, not {parts.scheme or 'this'}: "
                          f"{out.final_url[:200]}")
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        if not host:
            raise ValueError("no host in the URL")
        self._wait(host)
        timeout = max(min(self.timeout, clock.left()), 0.001)
        tls = parts.scheme == "https"
        # a plain HTTPConnection for https too: _connect hands it a socket already wrapped in TLS
        conn = _CheckedConnection(host, port, timeout, lambda t: self._connect(host, port, t, clock, tls))
        target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~") + (
            "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?") if parts.query else "")
        resp = None
        try:
            conn.request("GET", target, headers={**headers, "Host": parts.netloc.rpartition("@")[2]})
            resp = conn.getresponse()
            out.status = resp.status
            out.headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.status in _REDIRECTS and resp.getheader("Location"):
                return resp.getheader("Location").strip()
            if resp.status not in (200, 304):
                out.error = f"HTTP {resp.status} {resp.reason}".rstrip()
            if resp.status != 200:
                return ""
            out.etag = resp.getheader("ETag", "") or ""
            out.last_modified = resp.getheader("Last-Modified", "") or ""
            out.data = self._body(resp, out)
            return ""
        finally:
            clock.unwatch()
            if resp is not None:
                resp.close()
            conn.close()
            self._last[host] = time.monotonic()

    def _body(self, resp, out: Fetched) -> bytes:
        chunks, size = [], 0
        while size <= self.max_bytes:
            chunk = resp.read(min(_CHUNK, self.max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        raise ValueError(f"response over the size limit of {self.max_bytes:,} bytes")

    def _connect(self, host: str, port: int, timeout: float | None, clock: _Deadline, tls: bool) -> socket.socket:
        """A socket connected to an allowed address of `host` (resolved once; the peer checked again)."""
        why, last = "", None
        for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            reason = refusal(address[0], address[1], self.allow_private)
            if reason:
                why = why or f"{host} is {reason}" + ("" if host.strip("[]") == address[0] else f" ({address[0]})")
                continue
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(address)
                peer = sock.getpeername()
                reason = refusal(peer[0], peer[1], self.allow_private)
                if reason:
                    raise Refused(f"{host} connected to {reason} ({peer[0]})")
                clock.watch(sock)
                try:
                    return self._tls.wrap_socket(sock, server_hostname=host) if tls else sock
                except BaseException:
                    clock.unwatch()        # before the descriptor is closed and its number free again
                    raise
            except BaseException as e:
                sock.close()
                if not isinstance(e, OSError):
                    raise
                last = e
        if why and last is None:
            raise Refused(why + "; internal addresses are not fetched (--allow-private allows an intranet feed)")
        raise last or OSError(f"no address for {host}")
