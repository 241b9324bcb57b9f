"""The gunicorn worker of `newsfacet serve`: threads, client deadlines, error pages with our headers.

Why not gunicorn's sync worker: it serves one connection at a time, so a client that
sends half a request or never reads a 5 MB export holds the whole process until the
worker timeout kills it (30 s), and `/healthz` waits behind it. The threaded worker
(`gthread`) gives each connection a thread from a pool; what it lacks is any bound on
a client once a request has begun (its sockets are blocking, with no timeout). A
timeout per read or write is not enough either: 20 connections sending one byte every
5 s, or 20 clients reading an export at 8 KB/s, never stall a single call for long
and held every thread of both workers for as long as they liked (issue 24.5). So
this worker hands gunicorn sockets (`TimeoutSocket`) bounded four ways:

- CLIENT_TIMEOUT on each read or write;
- REQUEST_DEADLINE for the whole request (line, headers and body) once its first
  byte is in;
- RESPONSE_DEADLINE plus one second per MIN_SEND_RATE bytes the client has taken
  (what the kernel still queues does not count) for the whole response: a client
  that reads too slowly is dropped, a big export to a reader at a fair rate is not;
- slow connections: a request that has waited on its client for SLOW_AFTER seconds
  in all must hold one of the worker's MAX_SLOW slots (half its threads) and is
  closed when none is free, so the other threads keep answering.

The kernel's send buffer per client is fixed (SEND_BUFFER) so that a client that does
not read makes the worker produce at most that much ahead. `/healthz` is answered by
threads of its own (`enqueue_req`), so a health check never queues behind exports or
searches; the app answers it without the search lock (`Archive.health`). A new
connection that has sent nothing yet waits in the poller, not in a thread, and
closing a connection never waits for its client in the worker's main loop. Every
figure can be set by an environment variable (`ENV`, `ENV_MAX_SLOW`); the tests
shorten them. Searching is CPU-bound and uses the index under one lock per process
(`indexer.search.Archive`), so the threads add no parallel searching, only waiting
that does not block.

gunicorn answers some requests itself (a malformed request line, headers too large,
an application crash) with a bare page written by `gunicorn.util.write_error`; this
worker replaces that function with one that sends the same security headers as the
app, so no response leaves the server without them.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import html
import os
import select
import selectors
import socket
import struct
import termios
import threading
import time
from concurrent import futures

from gunicorn import util
from gunicorn.workers import gthread
from gunicorn.workers.gthread import TConn, ThreadWorker

_DEFER = getattr(gthread, "_DEFER", None)      # gunicorn >= 23: "no data yet, wait in the poller"

CLIENT_TIMEOUT = 10.0          # seconds a read or write of one client may stall
REQUEST_DEADLINE = 15.0        # seconds for a request's line, headers and body, all of it
RESPONSE_DEADLINE = 60.0       # seconds for sending a response, plus its bytes at MIN_SEND_RATE
MIN_SEND_RATE = 64 * 1024      # bytes a second a long response must average past RESPONSE_DEADLINE
SLOW_AFTER = 1.0               # seconds a request may wait on its client before it counts as slow
SEND_BUFFER = 256 * 1024       # the kernel's send buffer per client (Linux doubles it); 0: its own autotuning
HEALTH_REQUEST = b"GET /healthz "       # answered by threads of its own (enqueue_req)
HEALTH_THREADS = 2
FIRST_BYTES_WAIT = 0.5         # a new connection's thread waits this long for a first byte (gunicorn: 5 s)
ENV = {"CLIENT_TIMEOUT": "NEWSFACET_CLIENT_TIMEOUT", "REQUEST_DEADLINE": "NEWSFACET_REQUEST_DEADLINE",
       "RESPONSE_DEADLINE": "NEWSFACET_RESPONSE_DEADLINE", "MIN_SEND_RATE": "NEWSFACET_MIN_SEND_RATE",
       "SLOW_AFTER": "NEWSFACET_SLOW_AFTER", "SEND_BUFFER": "NEWSFACET_SEND_BUFFER"}
M_ARENA_MAX = -8                        # glibc's mallopt parameter (malloc.h)
ARENA_MAX = 2                           # heaps the worker's threads share (bound_malloc)
ENV_MAX_SLOW = "NEWSFACET_MAX_SLOW"    # slow connections a worker holds at once [default: half its threads]

_slow_slots = threading.BoundedSemaphore(4)     # set per worker by `configure`


def configure(threads: int) -> None:
    """Read the deadlines and the slow-connection bound from the environment (tests shorten them)."""
    global _slow_slots
    for name, var in ENV.items():
        value = os.environ.get(var)
        if value:
            globals()[name] = float(value)
    given = os.environ.get(ENV_MAX_SLOW)
    _slow_slots = threading.BoundedSemaphore(max(1, int(given) if given else threads // 2))


class _Stalled(ConnectionResetError):
    """A client that stopped sending or reading, or too slow; gunicorn closes it quietly (as a reset)."""


class TimeoutSocket(socket.socket):
    """A client socket whose blocking reads and writes are bounded (see the module docstring).

    Between `begin_request` and `end_request` every blocking read or write is bounded
    three ways: CLIENT_TIMEOUT per call, the request's or the response's whole deadline,
    and a slow-connection slot: once the request has waited on its client for SLOW_AFTER
    seconds in all, it must hold one of the worker's slots, and is closed if none is
    free. Outside a request (gunicorn's graceful close) and in non-blocking mode the
    calls are gunicorn's own.
    """

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(CLIENT_TIMEOUT)
        else:
            super().setblocking(False)

    def begin_request(self) -> None:
        self._started = time.monotonic()
        self._sending_since: float | None = None
        self._sent = 0
        self._waited = 0.0
        self._slot = False

    def end_request(self) -> None:
        if getattr(self, "_slot", False):
            _slow_slots.release()
        self._slot = False
        self._started = None

    def _deadline(self, sending: bool) -> tuple[float, str]:
        if sending:
            if self._sending_since is None:
                self._sending_since = time.monotonic()
            return (self._sending_since + RESPONSE_DEADLINE + self._delivered() / MIN_SEND_RATE,
                    f"read its answer too slowly (under {MIN_SEND_RATE / 1024:g} KB/s after {RESPONSE_DEADLINE:g} s)")
        return self._started + REQUEST_DEADLINE, f"did not send its request within {REQUEST_DEADLINE:g} s"

    def _delivered(self) -> int:
        """Bytes the client has taken: sent, less what still waits in the kernel's send queue.

        Counting only what `send` accepted would let a client that never reads earn
        seconds of grace for every megabyte the kernel buffers for it (Linux: SIOCOUTQ).
        """
        try:
            queued = struct.unpack("i", fcntl.ioctl(self.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except OSError:
            queued = 0
        return max(0, self._sent - queued)

    def _io(self, sending: bool, method, *args):
        if getattr(self, "_started", None) is None or self.gettimeout() == 0.0:
            if not sending and self.gettimeout() != 0.0 and not select.select([self], [], [], 0)[0]:
                # Outside a request the only blocking read is gunicorn's graceful close, which
                # drains what the client still sends for up to 2 s in the worker's main loop:
                # a trickling client would stall accepting. Drain what has arrived, never wait.
                raise TimeoutError("nothing more to drain")
            return method(*args)
        while True:
            now = time.monotonic()
            deadline, why = self._deadline(sending)
            if deadline <= now:
                raise _Stalled(errno.ECONNRESET, f"client {why}")
            if not self._slot and self._waited >= SLOW_AFTER:
                if not _slow_slots.acquire(blocking=False):
                    raise _Stalled(errno.ECONNRESET, "a slow client, and this worker holds as many as it may")
                self._slot = True
            per_call = min(CLIENT_TIMEOUT, deadline - now)
            limit = per_call if self._slot else min(per_call, SLOW_AFTER - self._waited)
            super().settimeout(max(limit, 0.001))
            try:
                return method(*args)
            except TimeoutError:
                if limit >= CLIENT_TIMEOUT:
                    raise _Stalled(errno.ECONNRESET, f"client stalled for {CLIENT_TIMEOUT:g} s") from None
            finally:
                self._waited += time.monotonic() - now

    def recv(self, *args):
        return self._io(False, super().recv, *args)

    def recv_into(self, *args):
        return self._io(False, super().recv_into, *args)

    def send(self, *args):
        sent = self._io(True, super().send, *args)
        if getattr(self, "_started", None) is not None:
            self._sent += sent
        return sent

    def sendall(self, data, *args):
        """`send` until all is sent, so that each call is bounded and the bytes are counted."""
        view = memoryview(data).cast("B")
        while view:
            view = view[self.send(view, *args):]

    def sendfile(self, file, offset=0, count=None):      # static files (gunicorn's file wrapper)
        return self._sendfile_use_send(file, offset, count)


def _with_timeouts(sock: socket.socket) -> TimeoutSocket:
    out = TimeoutSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    out.settimeout(CLIENT_TIMEOUT)
    if SEND_BUFFER:         # what a client that does not read makes the worker produce ahead (see docstring)
        out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(SEND_BUFFER))
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


def bound_malloc() -> bool:
    """Let the worker's threads share two heaps (glibc only; elsewhere nothing is done): whether set.

    Why: a search makes arrays the size of the archive (a float32 score and a bool mask per
    story: 4 + 1 MB at 1,078,900 stories). glibc gives each thread that allocates its own heap
    (up to 8 per core), and a heap keeps the peak it reached, so each of a worker's 8 threads
    kept its own share of searches' arrays: a worker held 329 MB of anonymous memory after the
    bench's HTTP load at 50x, 157 MB with two heaps, at the same requests/s (75). (Also mapping
    every large array, a fixed mmap threshold, gave 105 MB but 30% fewer requests/s: each array's
    pages zeroed again.)"""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, ARENA_MAX))


class SecureThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with client timeouts and secured error pages."""

    def init_process(self):
        bound_malloc()
        util.write_error = write_error
        configure(self.cfg.threads)
        self._health_pool = futures.ThreadPoolExecutor(HEALTH_THREADS, thread_name_prefix="newsfacet-health")
        self._can_route = all(hasattr(self, a) for a in ("pending_conns", "on_pending_socket_readable",
                                                          "method_queue", "finish_request"))
        super().init_process()

    def enqueue_req(self, conn):
        """Hand a connection with a request waiting to a thread: a health check to its own.

        Runs in the worker's main loop. A new connection with nothing to read yet waits
        in the poller (gunicorn would park a thread on it). A request that starts with
        `GET /healthz` goes to HEALTH_THREADS threads of its own, so a health check never
        queues behind exports and searches (slow or costly ones included); its reads and
        writes have the same deadlines and slow-connection bound as any other.
        """
        if not self._can_route:
            return super().enqueue_req(conn)
        if not select.select([conn.sock], [], [], 0)[0]:
            if not conn.initialized and not conn.data_ready and self.alive:
                conn.sock.setblocking(False)
                conn.timeout = time.monotonic() + self.cfg.keepalive
                self.pending_conns.append(conn)
                self.poller.register(conn.sock, selectors.EVENT_READ,
                                     functools.partial(self.on_pending_socket_readable, conn))
                return None
            return super().enqueue_req(conn)
        conn.data_ready = True
        try:
            head = conn.sock.recv(len(HEALTH_REQUEST), socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:
            head = b""
        if head != HEALTH_REQUEST:
            return super().enqueue_req(conn)
        fs = self._health_pool.submit(self.handle, conn)
        fs.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))
        return None

    def handle(self, conn):
        """One request: the first bytes awaited briefly, then read and answered within its deadlines."""
        if _DEFER is not None and not conn.initialized and not conn.data_ready \
                and not conn.wait_for_data(FIRST_BYTES_WAIT):
            return _DEFER           # a silent connection waits in the poller, not in a thread
        sock = conn.sock
        if isinstance(sock, TimeoutSocket):
            sock.begin_request()
        try:
            return super().handle(conn)
        finally:
            if isinstance(sock, TimeoutSocket):
                sock.end_request()

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
