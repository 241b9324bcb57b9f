"""The gunicorn worker of `newsfacet serve`: threads, client timeouts, error pages with our headers.

Why not gunicorn's sync worker: it serves one connection at a time, so a client that
sends half a request or never reads a 5 MB export holds the whole process until the
worker timeout kills it (30 s), and `/healthz` waits behind it. The threaded worker
(`gthread`) gives each connection a thread from a pool and waits for a new
connection's first bytes in its poller, not in a thread; what it lacks is a bound
on a stalled read or write once a request has begun (its sockets are blocking, with
no timeout). So this worker hands gunicorn sockets that time out after
`CLIENT_TIMEOUT` seconds on any read or write: a slow client holds one thread for at
most that long, while the other threads (and the other workers) keep answering.
Searching is CPU-bound and the index is used under one lock per process
(`indexer.search.Archive`), so the threads add no parallel searching, only
waiting that does not block.

gunicorn answers some requests itself (a malformed request line, headers too large,
an application crash) with a bare page written by `gunicorn.util.write_error`; this
worker replaces that function with one that sends the same security headers as the
app, so no response leaves the server without them.
"""
from __future__ import annotations

import errno
import html
import socket

from gunicorn import util
from gunicorn.workers.gthread import TConn, ThreadWorker

CLIENT_TIMEOUT = 10.0          # seconds a read or write of one client may stall


class _Stalled(ConnectionResetError):
    """A client that stopped sending or reading; gunicorn closes it quietly (as a reset)."""


class TimeoutSocket(socket.socket):
    """A client socket whose blocking mode always carries a timeout."""

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(CLIENT_TIMEOUT)
        else:
            super().setblocking(False)

    def _guard(self, method, *args):
        try:
            return method(*args)
        except TimeoutError:
            raise _Stalled(errno.ECONNRESET, f"client stalled for {CLIENT_TIMEOUT:g} s") from None

    def recv(self, *args):
        return self._guard(super().recv, *args)

    def recv_into(self, *args):
        return self._guard(super().recv_into, *args)

    def send(self, *args):
        return self._guard(super().send, *args)

    def sendall(self, *args):
        return self._guard(super().sendall, *args)

    def sendfile(self, *args, **kwargs):      # static files (gunicorn's file wrapper)
        return self._guard(lambda: super(TimeoutSocket, self).sendfile(*args, **kwargs))


def _with_timeouts(sock: socket.socket) -> TimeoutSocket:
    out = TimeoutSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    out.settimeout(CLIENT_TIMEOUT)
    return out


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error page, with the app's security headers (see module docstring)."""
    from .app import SECURITY_HEADERS
    body = (f"<!doctype html><html lang=en><head><title>{html.escape(reason)}</title></head>"
            f"<body><h1>{html.escape(reason)}</h1><p>{html.escape(mesg)}</p></body></html>").encode("utf-8")
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close",
            "Content-Type: text/html; charset=utf-8", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in SECURITY_HEADERS.items()]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


class SecureThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with client timeouts and secured error pages."""

    def init_process(self):
        util.write_error = write_error
        super().init_process()

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, _with_timeouts(client_sock), client_addr, listener.getsockname())
        self.enqueue_req(conn)
