"""The open index generation of this process, swapped when a reindex lands.

One Whoosh searcher and the arrays built from it (facet tables, the evaluator, the
parsers, a few caches) are kept per generation, so a request never reopens the
index. `LiveIndex.current()` checks at most every `refresh_every` seconds whether
a new generation (a new `current` symlink) or a new Whoosh commit has landed, and
opens it; the old searcher closes when its last request lets go of it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from indexer.index import derived, names, store, whoosh_ext
from indexer.facets import DEFAULT_MATCH, FACETS
from indexer.index.nametable import NameTable
from indexer.index.schema import table_fields
from .budget import Lexicons
from .arrays import Evaluator, Postings
from .parse import make_parsers
from .suggest import Suggester
from .labels import labels as read_labels
from .tables import Tables
from .typedsets import TypedSets

REFRESH_EVERY_S = 0.0      # seconds between checks for a new commit: every request (a few stats, ~0.1 ms)
RACY_NS = 2_000_000_000  # a folder changed this recently may change again unseen (coarse mtimes): keep looking
REVERIFY_S = 3600.0      # a read that fails again verifies the files again at most this often
TABLES_WAIT_S = 120.0    # a serving worker waits this long at most for a new commit's derived tables
log = logging.getLogger(__name__)


@dataclass
class Live:
    """One open generation and what is computed once per generation."""
    gen: Path
    ix: object
    searcher: object
    tables: Tables
    evaluator: Evaluator
    parser: object
    plain_parser: object
    # (param, value) -> (label, name, kind), query/labels.py: mapped (or read once), never changed by a request
    labels: Mapping = field(default_factory=lambda: MappingProxyType({}))
    whole: dict = field(default_factory=dict)    # match -> facets of the unfiltered whole archive
    collapsed: dict = field(default_factory=dict)    # browsing requests' Collapsed, see matching.collapsed
    parsers: dict = field(default_factory=dict)   # (full, plain) per language set, multilingual.parsers
    suggester: Suggester | None = None    # built on the first suggestion asked of this generation
    lexicons: Lexicons | None = None      # word lists for leading wildcards (budget.py)
    typed: TypedSets | None = None        # each segment's words-as-typed postings, mapped (typedsets.py)
    names: NameTable | None = None        # name -> value(s), written with the generation (nametable.py)
    kind_labels: dict = field(default_factory=dict)   # (kind|value, field) -> (label, name), kinds._label
    files: dict = field(default_factory=dict)      # store.file_marks of the segment files in use
    health: dict | None = None            # what /healthz reports of this generation, Archive.health
    damage: str | None = None             # why this generation cannot be used (a checksum that failed ...)
    verified_at: float | None = None      # when its files were last checked against their checksums (`verify`)
    diagnosed: bool = False               # a failed read has had its files verified (`LiveIndex.diagnose`)
    # Guards the caches above that requests fill (collapsed, suggester, kind_labels): one Live serves
    # every thread of a process (`flask run`, threaded workers). The arrays are read-only.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _verifying: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        if self.lexicons is None:
            self.lexicons = Lexicons(self.searcher.reader(), self.typed)

    @classmethod
    def open(cls, index_dir: Path) -> "Live":
        """Open the live generation; anything that fails while reading it is `IndexDamaged`."""
        ix, gen = store.open_live(index_dir)
        try:
            searcher = ix.searcher()
            segments = [gen / name for name in whoosh_ext.reader_segment_files(searcher.reader())]
            postings = Postings(searcher.reader())
            # mapped from the commit's derived files (derived.py), or computed when it has none
            tables = Tables.open(gen, postings, table_fields(),
                                 eager=tuple(f.field_for(DEFAULT_MATCH) for f in FACETS))
            if tables.mapped:          # a mapped file cut short would kill the process (SIGBUS): checked as the segments
                segments.append(gen / derived.data_name(searcher.reader().generation()))
            typed = TypedSets.open(gen, searcher.reader())      # one file mapped per segment
            if typed is not None:
                segments += typed.paths
            files = store.file_marks([p for p in segments if p.exists()])
            full, plain = make_parsers(searcher.schema)   # ix.schema re-reads the TOC on every use
            table = NameTable.open(gen, searcher.reader().generation()) or names.in_memory(searcher)
            return cls(gen, ix, searcher, tables, Evaluator(postings, searcher, tables.live), full, plain,
                       labels=MappingProxyType(read_labels(searcher, tables)), files=files, names=table, typed=typed)
        except Exception as exc:   # noqa: BLE001 - Whoosh fails in many ways on a damaged file
            store.verify_generation(gen)       # names the damaged file when its checksum says which
            raise store.IndexDamaged(f"the index at {gen} cannot be read ({_reason(exc)}); "
                                     f"{store.RECOVER}") from exc

    def verify(self, max_age: float | None = None) -> str | None:
        """Check the generation's files against their checksums, once (or again when the last
        check is older than `max_age` seconds); the damage found, or None.

        Reads every byte of the generation (store.verify_generation): a serving worker runs
        it in the background after opening a generation, and a request runs it when reading
        the index failed, to tell damage (503) from a bug (500). A commit that lands meanwhile
        (an incremental run replacing files) is not damage: the next generation is verified.
        """
        with self._verifying:
            fresh = self.verified_at is not None and (max_age is None or time.monotonic() - self.verified_at <= max_age)
            if self.damage is None and not fresh:
                names = whoosh_ext.toc_files(self.gen) if self.gen.exists() else []
                try:
                    store.verify_generation(self.gen)
                except store.IndexDamaged as exc:
                    try:
                        moved_on = whoosh_ext.toc_files(self.gen) != names
                    except Exception:   # noqa: BLE001 - a TOC that cannot be read is damage too
                        moved_on = False
                    if not moved_on:
                        self.damage = str(exc)
                self.verified_at = time.monotonic()
        return self.damage


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{Path(exc.filename).name} is missing"
    return f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__


def _verify_and_say(live: Live) -> None:
    if live.verify() is not None:
        log.error("%s", live.damage)


def _raised_in_whoosh(exc: BaseException) -> bool:
    """Whether the innermost Python frame of the traceback is Whoosh's (a read of its files)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_globals.get("__name__", "").split(".")[0] == "whoosh"


class LiveIndex:
    """Hands out the live generation of one index folder, reopening it when it changes.

    A request is answered from the newest commit once it is written (issue 21: an idle worker
    served the previous one for ~1.5 s after a reindex, deleted stories included). Opening
    costs milliseconds at any size (derived.py), so the request that notices a new commit
    opens it. Warming (`warm(live)`: the front page, recent searches, a serving worker's word
    lists) then runs in a thread beside requests in a web worker (`background=True`), and
    before the generation is handed out elsewhere (the CLI, tests).
    """

    def __init__(self, index_dir: Path | str, refresh_every: float = REFRESH_EVERY_S,
                 warm: Callable[[Live], None] | None = None, background: bool = False):
        self.index_dir = Path(index_dir)
        self.refresh_every = refresh_every
        self.warm = warm
        self.background = background
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._checked = 0.0
        self._waiting: tuple[int, float] = (-1, 0.0)     # (commit, since when) whose tables are awaited
        self._seen: tuple | None = None                  # the folder's fingerprint when last found current

    def _fingerprint(self) -> tuple | None:
        """What changes whenever a commit, a name table or derived tables land: where `current`
        points and its folder's entries (a new file changes the folder's mtime). Two system calls,
        where `_stale` reads Whoosh's TOC (~0.2 ms: 17% of a 6 ms search when done per request)."""
        link = self.index_dir / store.CURRENT
        try:
            st = os.stat(link)
            return os.readlink(link), st.st_ino, st.st_mtime_ns
        except OSError:
            return None

    def _moved(self) -> bool:
        """Whether the index may have changed since the last full look (`_stale`)."""
        fp = self._fingerprint()
        if fp is not None and fp == self._seen:
            return False
        self._seen = None
        return True

    def _stale(self, live: Live, wait: bool = False) -> bool:
        """Whether a newer generation or commit has landed. With `wait`, a serving worker keeps the
        open commit while the indexer writes the new commit's derived tables (`_tables_coming`)."""
        gen = store.live_dir(self.index_dir)
        if gen is None or gen.resolve() != live.gen.resolve():
            return True
        if live.names is not None and live.names.pending and \
                live.names.current_written(live.gen, live.searcher.reader().generation()):
            return True            # opened between a commit and its name table: reopen with the table
        if live.tables.pending and (live.gen / derived.index_name(live.searcher.reader().generation())).exists():
            return True            # ... or its derived tables (computed meanwhile): reopen and map them
        if live.typed is None and TypedSets.written(live.gen, live.searcher.reader()):
            return True            # ... or its segments' words-as-typed postings (an index from before them)
        try:
            latest = live.ix.latest_generation()
        except OSError:
            return True
        if latest == live.searcher.reader().generation():
            return False
        return not (wait and self._tables_coming(live, latest))

    def _tables_coming(self, live: Live, number: int) -> bool:
        """Whether commit `number`'s derived tables are still being written (derived.py: seconds after
        the commit at 215,780 stories). Opened before them, every worker would compute the tables
        from the postings (tens of seconds of CPU each), then reopen to map them. Not waited for
        in a generation that has none (an older index), outside a serving worker, or past
        TABLES_WAIT_S (an indexer that stopped between its commit and its tables)."""
        if not self.background or not live.tables.mapped or (live.gen / derived.index_name(number)).exists():
            return False
        if self._waiting[0] != number:
            self._waiting = (number, time.monotonic())
        return time.monotonic() - self._waiting[1] < TABLES_WAIT_S

    def _open_warm(self) -> Live:
        live = Live.open(self.index_dir)
        if self.background:       # a serving worker: its files against their checksums, off the request path
            threading.Thread(target=_verify_and_say, args=(live,), name="newsfacet-verify", daemon=True).start()
            if self.warm is not None:         # and its caches filled beside the requests
                threading.Thread(target=self._warm, args=(live,), name="newsfacet-warm", daemon=True).start()
        elif self.warm is not None:
            self._warm(live)
        return live

    def _warm(self, live: Live) -> None:
        try:
            self.warm(live)
        except Exception:   # noqa: BLE001 - warming is an optimisation; the generation is fine
            log.warning("could not warm %s", live.gen, exc_info=True)

    def current(self) -> Live:
        """The live generation, checked first: a request never reads a segment file that changed.

        The files' sizes are compared on every call (a `stat` per segment, microseconds),
        since reading a memory-mapped page that a truncation removed kills the process
        with SIGBUS. A changed file of a generation still live is damage: the generation
        is dropped and `IndexDamaged` raised until a good one can be opened.
        """
        with self._lock:
            now = time.monotonic()
            live = self._live
            if live is None:
                live = self._live = self._open_warm()
            elif now - self._checked >= self.refresh_every and self._moved():
                self._checked = now
                if self._stale(live, wait=True):
                    self._live = None
                    live = self._live = self._open_warm()
                elif self._waiting[0] < 0 or self._waiting[0] == live.searcher.reader().generation():
                    fp = self._fingerprint()              # nothing awaited: look again when the folder moves
                    # (not while its mtime is this recent: a commit in the same clock tick would not move it)
                    self._seen = fp if fp is not None and time.time_ns() - fp[2] > RACY_NS else None
            problem = store.changed_file(live.files)
            if problem is not None and store.changed_file(live.files, deleted_ok=True) is None \
                    and self._stale(live):
                problem = None                 # deleted or replaced by a reindex: still readable while open
                if not self.background or self._stale(live, wait=True):
                    live = self._live = self._open_warm()
            if problem is not None:            # cut short, or gone from a generation still live
                self._live = None
                if self._stale(live):
                    live = self._live = self._open_warm()
                    problem = store.changed_file(live.files)
                if problem is not None:
                    self._live = None
                    raise store.IndexDamaged(f"the index at {live.gen} is damaged: {problem}; {store.RECOVER}")
            if live.damage is not None:        # kept (not reopened and re-verified) until a new generation lands
                raise store.IndexDamaged(live.damage)
            return live

    def diagnose(self, exc: Exception) -> None:
        """After reading the index failed with `exc`: IndexDamaged if the index is damaged.

        With checksums the files are verified (on the first failure, then at most hourly) and only a file that
        no longer matches counts; without them (an index written before checksums), an
        error raised inside Whoosh's own reading code does. Anything else is a bug.
        """
        live = self._live
        if live is None:
            return
        if store.checksums.load(live.gen) is not None:      # verified again on the first failure, then hourly
            damage = live.verify(max_age=REVERIFY_S if live.diagnosed else 0.0)
            live.diagnosed = True
        else:
            damage = (f"the index at {live.gen} cannot be read ({_reason(exc)}); {store.RECOVER}"
                      if _raised_in_whoosh(exc) else None)
            live.damage = damage
        if damage is not None:
            raise store.IndexDamaged(damage) from exc

    def close(self) -> None:
        with self._lock:
            if self._live:
                self._live.searcher.close()
            self._live = None
