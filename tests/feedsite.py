"""A loopback web site for the feed tests: pages, conditional GET, redirects, a trickling page.

The server runs on 127.0.0.1 in a thread of this process; nothing leaves the machine.
`Site(allowed=True)` puts its (address, port) in netpolicy.TEST_ALLOWED_PEERS, the
test-only switch that lets the fetcher connect to it while every other loopback port
stays refused (`allowed=False`: a site the fetch policy must refuse).
"""
from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from indexer.index.build import build_index
from indexer.read import netpolicy
from indexer.read.fetch import Fetcher


class Site:
    """Paths -> (status, body, etag[, headers]); answers conditional GETs; logs every request.

    A page whose status is 3xx redirects to the `Location` in its headers. `trickle`:
    path -> "headers" or "body", answered one byte every `trickle_every` seconds (in
    the headers, or in the body after complete headers) until the client goes away.
    """

    def __init__(self, allowed: bool = True, tls: tuple[str, str] | None = None):
        self.pages: dict[str, tuple] = {}
        self.log: list[tuple[str, int, dict]] = []
        self.trickle: dict[str, str] = {}
        self.trickle_every = 0.05
        self.stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path in site.trickle:
                    return self._trickle(site.trickle[self.path])
                status, body, etag, *more = site.pages.get(self.path, (404, b"not found", ""))
                headers = dict(more[0]) if more else {}
                body = body.replace(b"{base}", site.base.encode())
                if status == 200 and etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                site.log.append((self.path, status, dict(self.headers)))
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                for k, v in headers.items():
                    self.send_header(k, v.replace("{base}", site.base))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self, where: str):
                site.log.append((self.path, 200, dict(self.headers)))
                try:
                    if where == "headers":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    else:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/xml")
                        self.end_headers()
                        self.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
                    while not site.stop.wait(site.trickle_every):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                except OSError:
                    pass                     # the fetcher hung up: what the test wants

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        if tls:                       # (certificate, key) for `localhost`: https://localhost:PORT
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.base = f"https://localhost:{self.port}"
        self.allowed = allowed
        if allowed:
            netpolicy.TEST_ALLOWED_PEERS.add(("127.0.0.1", self.port))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def requested(self, path: str) -> bool:
        return any(p == path for p, _, _ in self.log)

    def close(self):
        self.stop.set()
        netpolicy.TEST_ALLOWED_PEERS.discard(("127.0.0.1", self.port))
        self.server.shutdown()
        self.server.server_close()


def run(paths, ix, fetcher: Fetcher | None = None, **kw):
    """build_index with a fetcher that does not pause between requests; returns (report, problems)."""
    seen = []
    r = build_index(paths, ix, progress=False, fetcher=fetcher or Fetcher(delay=0, timeout=10), on_problem=seen.append, **kw)
    return r, seen
