"""The decompression guard every compressed input goes through (`.jsonl.gz`, `.warc.gz`).

Text compresses 3-10x (Reuters' JSON Lines 3.6x, web pages 5-10x); a file that
expands far more is a bomb, not an archive. The check is progressive: at every read,
what came out may be at most `BOMB_RATIO` times what went in so far, once past
`BOMB_FLOOR` (small files, whose gzip header dominates, are let through). So a 17 KB
`.warc.gz` of one 17 MB page is stopped after 4 MB of output, in milliseconds, and a
bomb appended to a real archive is stopped as soon as it outgrows the ratio. The
absolute cap is the file's size limit (`--max-size`) times the ratio.
"""
from __future__ import annotations

import zlib

BOMB_RATIO = 30
BOMB_FLOOR = 4 * 1024 * 1024


class Bomb(ValueError):
    """A compressed input expanding far beyond what text does."""


def check(out: int, compressed: int) -> None:
    """Raise Bomb when `out` bytes expanded from `compressed` exceed the ratio (past the floor)."""
    limit = max(BOMB_FLOOR, BOMB_RATIO * compressed)
    if out > limit:
        raise Bomb(f"decompression bomb: {compressed:,} compressed bytes expand to over {limit // 1048576} MB "
                   f"(over {BOMB_RATIO}x); stopped")


class Expanding:
    """A decompressed stream that counts what it hands out and checks it against the bytes read in.

    `consumed()` says how many compressed bytes have been read from the file so far.
    """

    def __init__(self, stream, consumed):
        self.stream, self.consumed, self.out = stream, consumed, 0

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:                    # everything, still checked a megabyte at a time
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        data = self.stream.read(n)
        self.out += len(data)
        try:
            check(self.out, self.consumed())
        except Bomb as e:
            e.whole = True                        # the stream itself: nothing after this can be read
            raise
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass


class Gunzip:
    """Every gzip member of a stream, one after the other (a `.warc.gz` is a member per record).

    Not `gzip.GzipFile`: a file cut short in a member must still give what the member
    held up to the cut (warcio reads the records before the damage), not raise EOFError.
    """

    def __init__(self, raw, chunk: int = 1 << 16):
        self.raw, self.chunk = raw, chunk
        self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""

    def read(self, n: int = -1) -> bytes:
        n = n if n is not None and n >= 0 else 1 << 20
        while not self.pending:
            if self.z.eof:                        # the next member starts in what followed this one
                rest = self.z.unused_data
                self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest or self.raw.read(self.chunk)
            else:
                data = self.z.unconsumed_tail or self.raw.read(self.chunk)
            if not data:
                return b""
            self.pending = self.z.decompress(data, max(n, 1 << 16))
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def readable(self) -> bool:
        return True


class Prefixed:
    """A binary stream with bytes already read from it put back in front (to sniff a magic number)."""

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0:
                data, self.head = self.head + self.stream.read(), b""
                return data
            data, self.head = self.head[:n], self.head[n:]
            return data if len(data) == n or not n else data + self.stream.read(n - len(data))
        return self.stream.read(n)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True
