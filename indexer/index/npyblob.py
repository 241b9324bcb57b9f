"""Many numpy arrays in one memory-mappable file, beside a small JSON saying where each sits.

Why: what a generation derives from its index (derived.py: facet tables, groups, date
orders; typedpostings.py: each segment's words-as-typed postings) is computed once when
it is written and memory-mapped by every process that opens it, so that opening costs
a few dozen small objects whatever the archive's size, and the pages are file-backed and
shared by every worker. One data file per set rather than one per array: one checksum
entry, one atomic rename, one mapping.

    <name>.npy    one uint8 array (a plain .npy) holding every array, each 64-byte aligned
    <name>.json   where each array sits in it (dtype, offset, shape), plus a few scalars

The data is written first and renamed into place, the JSON last: the JSON is the mark
that the set is complete. Pure numpy and files: imports nothing of Whoosh or of the rest
of NewsFacet.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
ALIGN = 64


def write(data: Path, index: Path, arrays: dict[str, np.ndarray], scalars: dict, fmt: int) -> None:
    """`arrays` into `data`, their layout and `scalars` (format `fmt`) into `index`, each written
    aside, synced and renamed into place, the index last."""
    layout, total = {}, 0
    for key, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        layout[key] = {"dtype": arr.dtype.str, "offset": total, "shape": list(arr.shape)}
        total += -(-arr.nbytes // ALIGN) * ALIGN
    tmp = data.with_name(data.name + ".tmp")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(max(total, 1),))
    for key, arr in arrays.items():
        raw = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
        out[layout[key]["offset"]:layout[key]["offset"] + raw.size] = raw
    out.flush()
    del out
    fsync(tmp)
    os.replace(tmp, data)
    meta = {"format": fmt, "bytes": max(total, 1), "arrays": layout, **scalars}
    tmp = index.with_name(index.name + ".tmp")
    tmp.write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    fsync(tmp)
    os.replace(tmp, index)


def load(data: Path, index: Path, fmt: int) -> tuple[dict[str, np.ndarray], dict] | None:
    """(arrays, scalars), mapped read-only; None when the files are missing, of another format,
    or do not fit together (the caller computes or reads the arrays another way)."""
    try:
        meta = json.loads(index.read_text(encoding="utf-8"))
        if meta.get("format") != fmt:
            return None
        blob = np.load(data, mmap_mode="r", allow_pickle=False)
        if blob.dtype != np.uint8 or blob.ndim != 1 or blob.shape[0] != meta["bytes"]:
            log.warning("%s does not match %s; not using it", data.name, index.name)
            return None
        blob = np.asarray(blob)            # a plain ndarray view of the mapping
        arrays = {}
        for key, spec in meta["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            start = spec["offset"]
            arrays[key] = blob[start:start + count * dtype.itemsize].view(dtype).reshape(spec["shape"])
        return arrays, meta
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.warning("cannot map %s (%s); not using it", data, exc)
        return None


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
