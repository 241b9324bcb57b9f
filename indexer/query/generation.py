"""One opened index generation: its parts, each built in one place, and its caches.

Why a typed object and not a bag: a generation is shared by every thread of a process for as
long as it serves, so what may change on it must be few and known. The parts (searcher,
facet tables, evaluator, parsers, labels, name table, words-as-typed postings, word lists)
are made by `Generation.open` and never replaced (no module assigns them: tests/test_generation.py
reads the source; not a frozen dataclass only so that a test may monkeypatch a part); what requests
fill goes into `Caches`, each one a `BytesCache` that owns its lock (index/caches.py argues
its thread safety once); what is learnt of the files (`FileChecks`) changes only here.

"Generation" is the opened generation; the index store's `current` pointer and folder are
the store's business (index/store.py), and `current.py` hands out the generation it points to.
"""
from __future__ import annotations

import functools
import threading
import time
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from indexer.facets import DEFAULT_MATCH, FACETS
from indexer.index import derived, names, store, whoosh_ext
from indexer.index.nametable import NameTable
from indexer.index.schema import table_fields
from .arrays import Evaluator, Postings
from .budget import Lexicons
from .caches import Caches
from .labels import labels as read_labels
from .parse import make_parsers
from .tables import Tables
from .typedsets import TypedSets


class FileChecks:
    """What is known of a generation's files against their checksums: changed only by
    `Generation.verify` and `Generation.diagnose`, under `lock`."""

    def __init__(self):
        self.damage: str | None = None          # why the generation cannot be used (a checksum that failed ...)
        self.verified_at: float | None = None   # when its files were last checked (monotonic)
        self.diagnosed = False                  # a failed read has had its files verified
        self.lock = threading.Lock()


@dataclass(eq=False)
class Generation:
    """One open generation and what is computed once for it (`open`), shared by every thread."""
    folder: Path                 # the generation's folder (the store's `current` pointed here when opened)
    ix: object                   # Whoosh's index
    searcher: object             # one Whoosh searcher for the generation's life
    tables: Tables               # facet tables, dates, duplicate groups (mapped: derived.py)
    evaluator: Evaluator         # queries as numpy arrays (arrays.py)
    parser: object               # the full and the plain query parser of the schema
    plain_parser: object
    labels: Mapping              # (param, value) -> (label, name, kind), query/labels.py: read-only
    names: NameTable | None      # name -> value(s), written with the generation (nametable.py)
    typed: TypedSets | None      # each segment's words-as-typed postings, mapped (typedsets.py)
    lexicons: Lexicons           # word lists for leading wildcards (budget.py)
    files: dict                  # store.file_marks of the segment files in use
    caches: Caches = field(default_factory=Caches)
    checks: FileChecks = field(default_factory=FileChecks, repr=False)

    @classmethod
    def open(cls, index_dir: Path) -> "Generation":
        """Open the generation the store's `current` points to; anything that fails while reading it
        is `IndexDamaged`."""
        ix, folder = store.open_live(index_dir)
        try:
            searcher = ix.searcher()
            reader = searcher.reader()
            segments = [folder / name for name in whoosh_ext.reader_segment_files(reader)]
            postings = Postings(reader)
            # mapped from the commit's derived files (derived.py), or computed when it has none
            tables = Tables.open(folder, postings, table_fields(),
                                 eager=tuple(f.field_for(DEFAULT_MATCH) for f in FACETS))
            if tables.mapped:          # a mapped file cut short would kill the process (SIGBUS): checked as the segments
                segments.append(folder / derived.data_name(reader.generation()))
            typed = TypedSets.open(folder, reader)      # one file mapped per segment
            if typed is not None:
                segments += typed.paths
            full, plain = make_parsers(searcher.schema)   # ix.schema re-reads the TOC on every use
            return cls(folder=folder, ix=ix, searcher=searcher, tables=tables,
                       evaluator=Evaluator(postings, searcher, tables.live), parser=full, plain_parser=plain,
                       labels=MappingProxyType(read_labels(searcher, tables)),
                       names=NameTable.open(folder, reader.generation()) or names.in_memory(searcher),
                       typed=typed, lexicons=Lexicons(reader, typed),
                       files=store.file_marks([p for p in segments if p.exists()]))
        except Exception as exc:   # noqa: BLE001 - Whoosh fails in many ways on a damaged file
            store.verify_generation(folder)       # names the damaged file when its checksum says which
            raise store.IndexDamaged(f"the index at {folder} cannot be read ({reason(exc)}); "
                                     f"{store.RECOVER}") from exc

    @property
    def commit(self) -> int:
        """Whoosh's commit (TOC generation) this generation was opened at."""
        return self.searcher.reader().generation()

    @property
    def damage(self) -> str | None:
        return self.checks.damage

    def part(self, name: str, make):
        """A part made when first asked (the suggester ...), once whichever thread asks first."""
        return self.caches.parts.computed(name, make)

    @property
    def suggester(self):
        """Completions of this generation's words and facet values (suggest.py)."""
        from .facetcounts import label_of
        from .suggest import Suggester
        return self.part("suggester", lambda: Suggester(self, functools.partial(label_of, self)))

    def health(self) -> dict:
        """What /healthz reports of this generation: figures of its read-only tables, computed once."""
        def figures() -> dict:
            t = self.tables
            dated = t.day[t.live & (t.day != 0)]
            return {
                "documents": int(t.live.sum()),
                "undated": int((t.live & (t.day == 0)).sum()),
                "first_date": _dt.date.fromordinal(int(dated.min())).isoformat() if dated.size else None,
                "last_date": _dt.date.fromordinal(int(dated.max())).isoformat() if dated.size else None,
                "generation": self.folder.name, "segments": whoosh_ext.segment_count(self.ix)}
        return dict(self.part("health", figures))

    def verify(self, max_age: float | None = None) -> str | None:
        """Check the generation's files against their checksums, once (or again when the last
        check is older than `max_age` seconds); the damage found, or None.

        Reads every byte of the generation (store.verify_generation): a serving worker runs
        it in the background after opening a generation, and a request runs it when reading
        the index failed, to tell damage (503) from a bug (500). A commit that lands meanwhile
        (an incremental run replacing files) is not damage: the next generation is verified.
        """
        c = self.checks
        with c.lock:
            fresh = c.verified_at is not None and (max_age is None or time.monotonic() - c.verified_at <= max_age)
            if c.damage is None and not fresh:
                toc = whoosh_ext.toc_files(self.folder) if self.folder.exists() else []
                try:
                    store.verify_generation(self.folder)
                except store.IndexDamaged as exc:
                    try:
                        moved_on = whoosh_ext.toc_files(self.folder) != toc
                    except Exception:   # noqa: BLE001 - a TOC that cannot be read is damage too
                        moved_on = False
                    if not moved_on:
                        c.damage = str(exc)
                c.verified_at = time.monotonic()
        return c.damage

    def diagnose(self, exc: Exception, reverify_s: float) -> str | None:
        """After reading failed with `exc`: the damage that explains it, or None (a bug).

        With checksums the files are verified (on the first failure, then at most every
        `reverify_s`) and only a file that no longer matches counts; without them (an index
        written before checksums), an error raised inside Whoosh's own reading code does.
        """
        if store.checksums.load(self.folder) is not None:
            damage = self.verify(max_age=reverify_s if self.checks.diagnosed else 0.0)
            self.checks.diagnosed = True
            return damage
        damage = (f"the index at {self.folder} cannot be read ({reason(exc)}); {store.RECOVER}"
                  if _raised_in_whoosh(exc) else None)
        with self.checks.lock:
            self.checks.damage = damage
        return damage


def reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{Path(exc.filename).name} is missing"
    return f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__


def _raised_in_whoosh(exc: BaseException) -> bool:
    """Whether the innermost Python frame of the traceback is Whoosh's (a read of its files)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_globals.get("__name__", "").split(".")[0] == "whoosh"
