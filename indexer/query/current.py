"""The generation of this process's index folder, swapped when a reindex lands.

One opened `Generation` (generation.py: a Whoosh searcher, the arrays built from it, its
caches) is kept at a time, so a request never reopens the index. `CurrentGeneration.current()`
checks at most every `refresh_every` seconds whether a new generation (a new `current`
symlink) or a new Whoosh commit has landed, and opens it; the old searcher closes when its
last request lets go of it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable

from indexer.index import derived, store
from .generation import Generation
from .typedsets import TypedSets

REFRESH_EVERY_S = 0.0      # seconds between checks for a new commit: every request (a few stats, ~0.1 ms)
RACY_NS = 2_000_000_000  # a folder changed this recently may change again unseen (coarse mtimes): keep looking
REVERIFY_S = 3600.0      # a read that fails again verifies the files again at most this often
TABLES_WAIT_S = 120.0    # a serving worker waits this long at most for a new commit's derived tables
log = logging.getLogger(__name__)


def _verify_and_say(gen: Generation) -> None:
    if gen.verify() is not None:
        log.error("%s", gen.damage)


class CurrentGeneration:
    """Hands out the current generation of one index folder, reopening it when it changes.

    A request is answered from the newest commit once it is written (issue 21: an idle worker
    served the previous one for ~1.5 s after a reindex, deleted stories included). Opening
    costs milliseconds at any size (derived.py), so the request that notices a new commit
    opens it. Warming (`warm(gen)`: the front page, recent searches, a serving worker's word
    lists) then runs in a thread beside requests in a web worker (`background=True`), and
    before the generation is handed out elsewhere (the CLI, tests).
    """

    def __init__(self, index_dir: Path | str, refresh_every: float = REFRESH_EVERY_S,
                 warm: Callable[[Generation], None] | None = None, background: bool = False):
        self.index_dir = Path(index_dir)
        self.refresh_every = refresh_every
        self.warm = warm
        self.background = background
        self._lock = threading.Lock()
        self._gen: Generation | None = None
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

    def _stale(self, gen: Generation, wait: bool = False) -> bool:
        """Whether a newer generation or commit has landed. With `wait`, a serving worker keeps the
        open commit while the indexer writes the new commit's derived tables (`_tables_coming`)."""
        pointed = store.live_dir(self.index_dir)
        if pointed is None or pointed.resolve() != gen.folder.resolve():
            return True
        if gen.names is not None and gen.names.pending and \
                gen.names.current_written(gen.folder, gen.commit):
            return True            # opened between a commit and its name table: reopen with the table
        if gen.tables.pending and (gen.folder / derived.index_name(gen.commit)).exists():
            return True            # ... or its derived tables (computed meanwhile): reopen and map them
        if gen.typed is None and TypedSets.written(gen.folder, gen.searcher.reader()):
            return True            # ... or its segments' words-as-typed postings (an index from before them)
        try:
            latest = gen.ix.latest_generation()
        except OSError:
            return True
        if latest == gen.commit:
            return False
        return not (wait and self._tables_coming(gen, latest))

    def _tables_coming(self, gen: Generation, number: int) -> bool:
        """Whether commit `number`'s derived tables are still being written (derived.py: seconds after
        the commit at 215,780 stories). Opened before them, every worker would compute the tables
        from the postings (tens of seconds of CPU each), then reopen to map them. Not waited for
        in a generation that has none (an older index), outside a serving worker, or past
        TABLES_WAIT_S (an indexer that stopped between its commit and its tables)."""
        if not self.background or not gen.tables.mapped or (gen.folder / derived.index_name(number)).exists():
            return False
        if self._waiting[0] != number:
            self._waiting = (number, time.monotonic())
        return time.monotonic() - self._waiting[1] < TABLES_WAIT_S

    def _open_warm(self) -> Generation:
        gen = Generation.open(self.index_dir)
        if self.background:       # a serving worker: its files against their checksums, off the request path
            threading.Thread(target=_verify_and_say, args=(gen,), name="newsfacet-verify", daemon=True).start()
            if self.warm is not None:         # and its caches filled beside the requests
                threading.Thread(target=self._warm, args=(gen,), name="newsfacet-warm", daemon=True).start()
        elif self.warm is not None:
            self._warm(gen)
        return gen

    def _warm(self, gen: Generation) -> None:
        try:
            self.warm(gen)
        except Exception:   # noqa: BLE001 - warming is an optimisation; the generation is fine
            log.warning("could not warm %s", gen.folder, exc_info=True)

    def current(self) -> Generation:
        """The current generation, checked first: a request never reads a segment file that changed.

        The files' sizes are compared on every call (a `stat` per segment, microseconds),
        since reading a memory-mapped page that a truncation removed kills the process
        with SIGBUS. A changed file of a generation still current is damage: the generation
        is dropped and `IndexDamaged` raised until a good one can be opened.
        """
        with self._lock:
            now = time.monotonic()
            gen = self._gen
            if gen is None:
                gen = self._gen = self._open_warm()
            elif now - self._checked >= self.refresh_every and self._moved():
                self._checked = now
                if self._stale(gen, wait=True):
                    self._gen = None
                    gen = self._gen = self._open_warm()
                elif self._waiting[0] < 0 or self._waiting[0] == gen.commit:
                    fp = self._fingerprint()              # nothing awaited: look again when the folder moves
                    # (not while its mtime is this recent: a commit in the same clock tick would not move it)
                    self._seen = fp if fp is not None and time.time_ns() - fp[2] > RACY_NS else None
            problem = store.changed_file(gen.files)
            if problem is not None and store.changed_file(gen.files, deleted_ok=True) is None \
                    and self._stale(gen):
                problem = None                 # deleted or replaced by a reindex: still readable while open
                if not self.background or self._stale(gen, wait=True):
                    gen = self._gen = self._open_warm()
            if problem is not None:            # cut short, or gone from a generation still current
                self._gen = None
                if self._stale(gen):
                    gen = self._gen = self._open_warm()
                    problem = store.changed_file(gen.files)
                if problem is not None:
                    self._gen = None
                    raise store.IndexDamaged(f"the index at {gen.folder} is damaged: {problem}; {store.RECOVER}")
            if gen.damage is not None:        # kept (not reopened and re-verified) until a new generation lands
                raise store.IndexDamaged(gen.damage)
            return gen

    def diagnose(self, exc: Exception) -> None:
        """After reading the index failed with `exc`: IndexDamaged if the index is damaged
        (`Generation.diagnose`); anything else is a bug."""
        gen = self._gen
        if gen is None:
            return
        damage = gen.diagnose(exc, REVERIFY_S)
        if damage is not None:
            raise store.IndexDamaged(damage) from exc

    def close(self) -> None:
        with self._lock:
            if self._gen:
                self._gen.searcher.close()
            self._gen = None
