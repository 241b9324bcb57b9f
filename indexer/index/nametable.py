"""The name table of an index generation: every name a filter may be written as -> the value(s) it means.

Why a file: a journalist types `country=UK`, `org:EEC`, `country:Österreich`, `region=Oceania`.
Resolving those needs the gazetteers (pycountry, CLDR names in many languages, our data
files: ~1-2 s and ~100 MB a process), which a serving worker must not load, and the answer
must not depend on which languages an archive holds. So the indexer writes, with each Whoosh
commit, one sorted text file beside the segments (`names-<TOC generation>.tsv`, written by
`names.write`); a worker maps it into memory when it opens the generation (no parsing, nothing
proportional to the archive) and looks names up by binary search over its lines.

Lines, sorted bytewise, tab-separated, every field free of tabs and line breaks:

    # known <fingerprint>                                             what the known names were made from
    n <param> <folded name> <name as written> <value> [<value> ...]   a name NewsFacet knows and what it means
    h <param> <folded name> <name as written> <value>                 a name of a value the archive holds
    v <param> <value> <label> <long name> <kind>                      a value NewsFacet knows

Known names (`n`) win over held ones (`h`). The `n` and `v` lines are the same for every archive:
an indexing run reuses those of the table it replaces when its fingerprint still matches.

A name may stand for several values (`region=Oceania`: its four M49 sub-regions). Part of
the index's tables (DESIGN.md); it imports nothing of Whoosh.
"""
from __future__ import annotations

import difflib
import mmap
import os
import re
from pathlib import Path

from indexer.extract.fold import fold as _fold

PREFIX, SUFFIX = "names-", ".tsv"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TAG = re.compile(r"^([A-Za-z]{2,3})[-_]")      # `de-AT`, `en_GB`: a language tag's language
NEAREST = 3                                    # names offered for text that names nothing
NEAREST_MAX = 20_000                           # names of one facet difflib compares at most
NEAREST_ALL = 2_000                            # more than this: only names sharing the text's first letter
CUTOFF = 0.6                                   # difflib's similarity a near name must reach


def fold(text: str) -> str:
    """The form names are compared in (the one fold of `indexer/extract/fold.py`): any case, no
    accents, one space between words."""
    return _fold(text)


def clean(text: str) -> str:
    """A field as written to the file (tabs and line breaks would split a line)."""
    return _CONTROL.sub(" ", text or "").strip()


def filename(toc_generation: int) -> str:
    return f"{PREFIX}{toc_generation}{SUFFIX}"


KNOWN, HELD = "n", "h"


def name_line(param: str, name: str, values: list[str], kind: str = KNOWN) -> str | None:
    key = fold(name)
    vals = [v for v in values if v and v == clean(v)]
    if not key or not vals or "\t" in param:
        return None
    return "\t".join([kind, param, key, clean(name), *vals])


def value_line(param: str, value: str, label: str, name: str, kind: str) -> str | None:
    if not value or value != clean(value):
        return None
    return "\t".join(["v", param, value, clean(label) or value, clean(name), clean(kind)])


class NameTable:
    """Look-ups in one generation's name table (a memory map, or bytes for an index written before it).

    Read-only once made: every worker thread reads it, no request changes it.
    """

    def __init__(self, data, path: Path | None = None, pending: bool = False):
        self._data = data              # mmap.mmap or bytes: both have find/rfind and slicing
        self.path = path
        self.pending = pending         # an older commit's table: the one of this commit is not written yet

    @classmethod
    def from_lines(cls, lines) -> "NameTable":
        return cls("".join(line + "\n" for line in sorted(set(lines))).encode("utf-8"))

    @classmethod
    def open(cls, gen: Path, toc_generation: int) -> "NameTable | None":
        """The table of this Whoosh commit; else the newest older one (`pending`); None if there is none."""
        found = []
        for p in gen.glob(f"{PREFIX}*{SUFFIX}"):
            number = p.name[len(PREFIX):-len(SUFFIX)]
            if number.isdigit() and int(number) <= toc_generation:
                found.append((int(number), p))
        for number, path in sorted(found, reverse=True):
            try:
                with open(path, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            except (FileNotFoundError, ValueError):       # replaced by a newer run meanwhile
                continue
            return cls(data, path, pending=number != toc_generation)
        return None

    def header(self) -> str:
        """The first line (`# known <fingerprint>`), or ""."""
        end = self._data.find(b"\n")
        first = bytes(self._data[:end if end >= 0 else len(self._data)]).decode("utf-8", "replace")
        return first if first.startswith("#") else ""

    def lines_of(self, *kinds: str):
        """Every line of these kinds (the `n` and `v` lines an indexing run may reuse)."""
        for kind in kinds:
            for fields in self._lines(f"{kind}\t".encode("utf-8")):
                yield kind + "\t" + "\t".join(fields)

    def current_written(self, gen: Path, toc_generation: int) -> bool:
        """Whether the table of `toc_generation` exists now (a pending table is then stale)."""
        return (gen / filename(toc_generation)).exists()

    # ------------------------------------------------------------ binary search over lines

    def _seek(self, prefix: bytes) -> int:
        """Offset of the first line not less than `prefix` (the file's lines are sorted)."""
        data, lo, hi = self._data, 0, len(self._data)
        while lo < hi:
            mid = (lo + hi) // 2
            nl = data.rfind(b"\n", lo, mid)
            start = lo if nl < 0 else nl + 1
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            if data[start:end] < prefix:
                lo = end + 1
            else:
                hi = start
        return lo

    def _lines(self, prefix: bytes):
        """Every line starting with `prefix`, as its fields after the prefix."""
        data = self._data
        pos = self._seek(prefix)
        while pos < len(data):
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            line = data[pos:end]
            if not line.startswith(prefix):
                return
            yield line[len(prefix):].decode("utf-8").split("\t")
            pos = end + 1

    # ------------------------------------------------------------ what callers ask

    def values(self, param: str, text: str) -> list[str] | None:
        """The value(s) a name stands for (`UK` -> [GB]), in any case and accents; None if none."""
        for form in _forms(param, text):
            for kind in (KNOWN, HELD):
                for fields in self._lines(f"{kind}\t{param}\t{form}\t".encode("utf-8")):
                    return fields[1:]
        return None

    def describe(self, param: str, value: str) -> tuple[str, str, str] | None:
        """(label, long name, kind) of a value NewsFacet knows; None for one it does not."""
        for fields in self._lines(f"v\t{param}\t{clean(value)}\t".encode("utf-8")):
            label, name, kind = (fields + ["", "", ""])[:3]
            return label, name, kind
        return None

    def nearest(self, param: str, text: str, n: int = NEAREST) -> list[str]:
        """The known names most like `text` (difflib), as written, for a message about a name that names nothing."""
        word = fold(text)[:80]
        # difflib's ratio is at most 2*min/(len a + len b): names much shorter or longer cannot reach the cutoff
        lo, hi = len(word) * CUTOFF / (2 - CUTOFF), len(word) * (2 - CUTOFF) / CUTOFF
        names: dict[str, str] = {}
        for kind in (KNOWN, HELD):
            for fields in self._lines(f"{kind}\t{param}\t".encode("utf-8")):
                if lo <= len(fields[0]) <= hi:
                    names.setdefault(fields[0], fields[1])
                    if len(names) >= NEAREST_MAX:
                        break
        candidates = list(names)
        if len(candidates) > NEAREST_ALL:       # thousands of companies: those sharing the first letter
            candidates = [c for c in candidates if c[:1] == word[:1]]
        close = difflib.get_close_matches(word, candidates, n=n, cutoff=CUTOFF)
        return [names[c] for c in close]


def _forms(param: str, text: str) -> list[str]:
    forms = [fold(text)]
    m = _TAG.match(text.strip()) if param == "language" else None
    if m:
        forms.append(fold(m.group(1)))
    return [f for f in forms if f]
