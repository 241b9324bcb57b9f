"""The bytes of a packed posting block (the codec of compact.py): encoding a block's ids,
weights and values as small integer arrays, and `Block`, one block decoded with numpy.

Kept apart from the codec because it is the format itself: the writer, the matcher and
blocks.read_matcher all read and write through these functions, and the format is what
tests compare byte for byte with Whoosh's own encoding (tests/whoosh_ext/test_compact.py).
The layout is described in compact.py's docstring.
"""
from __future__ import annotations

import pickle
import struct
import sys
from array import array

import numpy as np
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE

MAGIC = b"P1"
_WIDTHS = {1: np.uint8, 2: np.uint16, 4: np.uint32}
_FLOAT32 = np.dtype("<f4")
# kinds of weights
W_ONES, W_ONE, W_INTS, W_FLOATS = 0, 1, 2, 3
# kinds of values
V_NONE, V_FREQ, V_POSITIONS, V_PICKLE = 0, 1, 2, 3
_F32 = struct.Struct("<f")
_UINT = struct.Struct("!I")
# data length (negative: the term's last block), postings, last docnum, max weight, min/max length byte
HEAD = struct.Struct("<iHIdBB")


def _width(top: int) -> int:
    return 1 if top < 256 else 2 if top < 65536 else 4


def _ints(arr: np.ndarray) -> bytes:
    """An array of non-negative integers as (width byte, count implicit) + little-endian bytes."""
    w = _width(int(arr.max()) if len(arr) else 0)
    return bytes((w,)) + arr.astype(np.dtype(_WIDTHS[w]).newbyteorder("<")).tobytes()


def _read_ints(buf: bytes, at: int, count: int) -> tuple[np.ndarray, int]:
    w = buf[at]
    end = at + 1 + w * count
    return np.frombuffer(buf, dtype=np.dtype(_WIDTHS[w]).newbyteorder("<"), count=count, offset=at + 1), end


def _positions_of(value: bytes) -> list[int] | None:
    """A Positions value's position deltas, or None when re-encoding would not give `value` back."""
    try:
        deltas = pickle.loads(value[_INT_SIZE:])
    except Exception:
        return None
    if not isinstance(deltas, list) or len(deltas) != struct.unpack("!I", value[:_INT_SIZE])[0]:
        return None
    if _encode_positions(deltas) != value:
        return None
    return deltas


_MISSING = object()
_POSITIONS_SEEN: dict[bytes, list[int] | None] = {}
POSITIONS_SEEN_MAX = 65536       # values remembered (~10 MB), then forgotten all at once
POSITIONS_SEEN_BYTES = 48        # a longer value (many positions) is rarely seen twice


def _positions_seen(value: bytes) -> list[int] | None:
    """`_positions_of`, remembered: most values are a word's one or two positions, the same bytes
    in thousands of postings (at 2,000 Reuters stories 22,458 distinct of 122,826 body values),
    and unpickling and re-pickling each was ~0.15 ms a story. The lists are read, never changed."""
    found = _POSITIONS_SEEN.get(value, _MISSING)
    if found is _MISSING:
        found = _positions_of(value)
        if len(value) <= POSITIONS_SEEN_BYTES:
            if len(_POSITIONS_SEEN) >= POSITIONS_SEEN_MAX:
                _POSITIONS_SEEN.clear()
            _POSITIONS_SEEN[value] = found
    return found


def _encode_positions(deltas: list[int]) -> bytes:
    """What `Positions.encode` writes for these deltas (its own code: pack_uint(n) + pickle)."""
    return struct.pack("!I", len(deltas)) + pickle.dumps(deltas, 2)


def encode_block(ids, weights, values, fmt) -> bytes:
    """The data of one block (see the module docstring): `ids` the block's document numbers
    (ascending), `weights` floats, `values` the formats' encoded bytes (or empty).

    A block of fewer than SMALL postings (most terms: a word in a few stories) is packed with
    plain Python and `array`, which is several times faster there than numpy's per-call cost;
    the bytes are the same (`tests/whoosh_ext/test_compact.py` compares the two)."""
    if len(ids) < SMALL and _NATIVE_LE:
        try:
            return _encode_small(ids, weights, values, fmt)
        except (OverflowError, TypeError):     # past uint32, negative, not an int: numpy's way, as before
            pass
    return _encode_numpy(ids, weights, values, fmt)


def _encode_numpy(ids, weights, values, fmt) -> bytes:
    idarr = np.asarray(ids, dtype=np.int64)
    deltas = np.diff(idarr, prepend=0)
    out = [MAGIC, _ints(deltas)]
    w = np.asarray(weights, dtype=np.float32)
    if np.all(w == 1.0):
        out.append(bytes((W_ONES,)))
    elif np.all(w == w[0]):
        out.append(bytes((W_ONE,)) + _F32.pack(float(w[0])))
    elif np.all((w >= 0) & (w == np.floor(w)) & (w < 2 ** 32)):
        out.append(bytes((W_INTS,)) + _ints(w.astype(np.int64)))
    else:
        out.append(bytes((W_FLOATS,)) + w.astype(_FLOAT32).tobytes())
    out.append(_encode_values(values, fmt, len(idarr)))
    return b"".join(out)


def _encode_values(values, fmt, count: int) -> bytes:
    fixed = fmt.fixed_value_size() if fmt is not None else 0
    if fixed == 0 or not values:
        return bytes((V_NONE,))
    if type(fmt) is Frequency and len(values) == count and all(len(v) == _INT_SIZE for v in values):
        freqs = np.array([struct.unpack("!I", v)[0] for v in values], dtype=np.int64)
        return bytes((V_FREQ,)) + _ints(freqs)
    if type(fmt) is Positions and len(values) == count:
        lists = [_positions_seen(v) for v in values]
        if all(p is not None for p in lists):
            counts = np.array([len(p) for p in lists], dtype=np.int64)
            flat = np.fromiter((d for p in lists for d in p), dtype=np.int64, count=int(counts.sum()))
            if not len(flat) or flat.min() >= 0:
                return bytes((V_POSITIONS,)) + _ints(counts) + _ints(flat)
    return bytes((V_PICKLE,)) + pickle.dumps(tuple(values), 2)


SMALL = 64                   # postings in a block packed without numpy
_NATIVE_LE = sys.byteorder == "little" and array("H").itemsize == 2 and array("I").itemsize == 4
_CODES = {1: "B", 2: "H", 4: "I"}


def _ints_small(vals: list[int]) -> bytes:
    """`_ints` of a list of Python ints (OverflowError when one is negative or past uint32)."""
    w = _width(max(vals) if vals else 0)
    return bytes((w,)) + array(_CODES[w], vals).tobytes()


def _encode_small(ids, weights, values, fmt) -> bytes:
    ids = list(ids)
    deltas = [b - a for a, b in zip([0] + ids, ids)]
    out = [MAGIC, _ints_small(deltas)]
    w = array("f", weights).tolist()           # as float32, the way numpy's astype rounds them
    first = w[0]
    if all(x == 1.0 for x in w):
        out.append(bytes((W_ONES,)))
    elif all(x == first for x in w):
        out.append(bytes((W_ONE,)) + _F32.pack(first))
    elif all(0 <= x < 4294967296.0 and x.is_integer() for x in w):
        out.append(bytes((W_INTS,)) + _ints_small([int(x) for x in w]))
    else:
        out.append(bytes((W_FLOATS,)) + array("f", w).tobytes())
    out.append(_encode_values_small(values, fmt, len(ids)))
    return b"".join(out)


def _encode_values_small(values, fmt, count: int) -> bytes:
    fixed = fmt.fixed_value_size() if fmt is not None else 0
    if fixed == 0 or not values:
        return bytes((V_NONE,))
    if type(fmt) is Frequency and len(values) == count and all(len(v) == _INT_SIZE for v in values):
        return bytes((V_FREQ,)) + _ints_small([_UINT.unpack(v)[0] for v in values])
    if type(fmt) is Positions and len(values) == count:
        lists = [_positions_seen(v) for v in values]
        if None not in lists:
            flat = [d for p in lists for d in p]
            if not flat or min(flat) >= 0:
                return bytes((V_POSITIONS,)) + _ints_small([len(p) for p in lists]) + _ints_small(flat)
    return bytes((V_PICKLE,)) + pickle.dumps(tuple(values), 2)


class Block:
    """One decoded block: numpy ids (absolute), weights, and the values' parts."""

    __slots__ = ("ids", "weights", "vkind", "counts", "flat", "starts", "pickled")

    def __init__(self, buf: bytes, count: int, values: bool = True):
        if buf[:2] != MAGIC:
            raise ValueError("not a packed posting block")
        deltas, at = _read_ints(buf, 2, count)
        self.ids = np.cumsum(deltas, dtype=np.int64)
        kind = buf[at]
        at += 1
        if kind == W_ONES:
            self.weights = np.ones(count, dtype=np.float32)
        elif kind == W_ONE:
            self.weights = np.full(count, _F32.unpack_from(buf, at)[0], dtype=np.float32)
            at += 4
        elif kind == W_INTS:
            ints, at = _read_ints(buf, at, count)
            self.weights = ints.astype(np.float32)
        else:
            self.weights = np.frombuffer(buf, dtype=_FLOAT32, count=count, offset=at).astype(np.float32)
            at += 4 * count
        self.vkind = buf[at]
        at += 1
        self.counts = self.flat = self.starts = self.pickled = None
        if not values:              # scoring needs ids and weights only (blocks.read_matcher)
            return
        if self.vkind == V_FREQ:
            self.counts, at = _read_ints(buf, at, count)
        elif self.vkind == V_POSITIONS:
            self.counts, at = _read_ints(buf, at, count)
            self.flat, at = _read_ints(buf, at, int(self.counts.sum(dtype=np.int64)))
            self.starts = np.concatenate(([0], np.cumsum(self.counts, dtype=np.int64)))
        elif self.vkind == V_PICKLE:
            self.pickled = pickle.loads(buf[at:])

    def value(self, i: int) -> bytes | None:
        """Posting i's value, the bytes its format wrote."""
        if self.vkind == V_FREQ:
            return struct.pack("!I", int(self.counts[i]))
        if self.vkind == V_POSITIONS:
            return _encode_positions(self.flat[self.starts[i]:self.starts[i + 1]].tolist())
        if self.vkind == V_PICKLE:
            return self.pickled[i]
        return None

    def positions(self, i: int) -> list[int]:
        """Posting i's positions (V_POSITIONS blocks), without building its bytes."""
        return np.cumsum(self.flat[self.starts[i]:self.starts[i + 1]], dtype=np.int64).tolist()
