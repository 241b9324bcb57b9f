"""Where the live index is, how to open it, and the one-indexer-at-a-time lock.

Where the index folder is (the first that applies; README "Where the index is"):
`--index-dir`, `$NEWSFACET_INDEX`, the `index/` folder of the NewsFacet checkout the
command runs from (what `make run` serves, wherever the command is typed), else
`./index`. Layout of an index folder:

    index/current -> gen-20261127-235959-1a2b   a relative symlink to the live generation
    index/gen-.../                              a Whoosh index plus `manifest.json`
    index/.lock                                 held (flock) by the indexer that is running
    index/fetched/*.warc.gz                     every feed and article fetched, a file a run (read/fetched.py);
                                                outside the generations, so a rebuild replays it

A rebuild writes a new generation beside the live one and swaps the symlink with
`os.replace`, which is atomic: a reader resolves `current` once and sees either the
old generation or the new one, never half of either. The lock is an `flock`, so a
killed indexer (even `kill -9`) releases it with its process.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

from . import checksums, derived, typedpostings, whoosh_ext
from .manifest import MANIFEST, load_manifest, save_manifest  # noqa: F401 - a generation's manifest (manifest.py)

CURRENT = "current"
LOCK = ".lock"
ENV_INDEX = "NEWSFACET_INDEX"


class IndexNotFound(Exception):
    """There is no index at the folder asked for (run `newsfacet index` first)."""


class IndexLocked(Exception):
    """Another indexer holds the lock."""


class IndexDamaged(Exception):
    """The live generation cannot be read: a segment file is missing, cut short or corrupt."""


RECOVER = "rebuild it with `newsfacet index --rebuild`"
FileMarks = dict[str, tuple[int, int, int]]      # path -> (size, mtime_ns, inode)


def file_marks(paths) -> FileMarks:
    """Size, time and inode of each file, taken when a generation is opened.

    A segment file is written once and never changed in place, so a later difference
    means the file was damaged under us (truncated, replaced, deleted). Checking this
    before using a memory-mapped segment is what keeps a worker from dying of SIGBUS
    on a page that no longer exists.
    """
    out = {}
    for p in paths:
        st = os.stat(p)
        out[str(p)] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def changed_file(marks: FileMarks, deleted_ok: bool = False) -> str | None:
    """What changed since `file_marks`: a reason naming the file, or None.

    `deleted_ok`: only a file cut short counts. A generation being replaced loses files
    to the indexer, and an open file that is deleted (or whose path is reused) stays
    readable; one cut short does not.
    """
    for path, (size, _mtime, ino) in marks.items():
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if deleted_ok:
                continue
            return f"segment file {Path(path).name} is missing"
        except OSError as exc:
            return f"segment file {Path(path).name} cannot be read ({exc.strerror})"
        if st.st_ino != ino:
            if deleted_ok:
                continue
            return f"segment file {Path(path).name} was replaced"
        if st.st_size != size:
            return f"segment file {Path(path).name} changed size ({size:,} -> {st.st_size:,} bytes)"
    return None


class DiskFull(Exception):
    """The disk filled up while writing; nothing of the run was kept and the live index is as it was."""


NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def checkout_index_dir() -> Path | None:
    """`index/` of the source checkout this package runs from (an editable install), else None."""
    root = Path(__file__).resolve().parents[2]     # indexer/index/store.py -> the checkout
    if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir():
        return root / "index"
    return None


def default_index_dir() -> Path:
    """$NEWSFACET_INDEX, else the checkout's `index/`, else `./index` (absolute either way)."""
    env = os.environ.get(ENV_INDEX)
    if env:
        return Path(env).absolute()
    return checkout_index_dir() or Path("index").absolute()


def files_in(folder: Path) -> set[str]:
    """Names of the files directly in `folder` (to tell, after a failed write, what the run added)."""
    try:
        return {e.name for e in os.scandir(folder)}
    except OSError:
        return set()


def remove_new_files(folder: Path, before: set[str]) -> None:
    """Delete what appeared in `folder` since `before` was taken: a failed run's uncommitted segments.

    Safe only under the indexer lock and before the run's TOC was committed: Whoosh
    reads only the segments its TOC names, so these files are garbage nobody reads.
    """
    for name in files_in(folder) - before:
        path = Path(folder) / name
        with contextlib.suppress(OSError):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def live_dir(index_dir: Path) -> Path | None:
    """The generation folder `current` points at, or None when there is no index yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = (Path(index_dir) / target)
    return path if whoosh_index.exists_in(str(path)) else None


def open_live(index_dir: Path):
    """Open the live Whoosh index; returns (index, generation folder).

    The segment files the TOC lists are checked first (`check_segments`), so that a
    damaged one is named, and Whoosh never maps a file shorter than it says it is.
    """
    gen = live_dir(index_dir)
    if gen is None:
        raise IndexNotFound(f"no index at {index_dir}/ - run `newsfacet index` first")
    check_segments(gen)
    return whoosh_index.open_dir(str(gen)), gen


def check_segments(gen: Path) -> list[Path]:
    """The compound segment files of the generation's TOC, each checked whole; IndexDamaged if not.

    A Whoosh compound file starts with the offset and length of its directory, which
    is written last: a file cut short no longer holds it.
    """
    try:
        names = whoosh_ext.toc_segment_files(gen)
    except Exception as exc:    # noqa: BLE001 - an unreadable TOC, whatever Whoosh raises
        raise IndexDamaged(f"the index at {gen} is damaged: its table of contents cannot be read "
                           f"({type(exc).__name__}); {RECOVER}") from exc
    out = []
    for name in names:
        path = gen / name
        try:
            size = path.stat().st_size
            with open(path, "rb") as f:
                head = f.read(12)
        except FileNotFoundError:
            raise IndexDamaged(f"the index at {gen} is damaged: segment file {path.name} is missing; "
                               f"{RECOVER}") from None
        except OSError as exc:
            raise IndexDamaged(f"the index at {gen} is damaged: segment file {path.name} cannot be read "
                               f"({exc.strerror}); {RECOVER}") from None
        diroffset = int.from_bytes(head[:8], "big", signed=True) if len(head) == 12 else -1
        dirlength = int.from_bytes(head[8:12], "big", signed=True) if len(head) == 12 else -1
        if diroffset < 12 or dirlength < 0 or diroffset + dirlength > size:
            raise IndexDamaged(f"the index at {gen} is damaged: segment file {path.name} is cut short "
                               f"({size:,} bytes); {RECOVER}")
        out.append(path)
    problem = checksums.check_sizes(gen, names)          # a stat each: sizes against checksums.json
    if problem is not None:
        raise IndexDamaged(f"the index at {gen} is damaged: {problem}; {RECOVER}")
    return out


def verify_generation(gen: Path) -> int:
    """Every file of the generation's latest commit against its checksum (reads them all);
    IndexDamaged naming the first damaged file, else how many files were verified."""
    check_segments(gen)
    problem, verified = checksums.verify(gen, committed_files(gen))
    if problem is not None:
        raise IndexDamaged(f"the index at {gen} is damaged: {problem}; {RECOVER}")
    return verified


def committed_files(gen: Path) -> list[str]:
    """What a reader of the generation's latest commit reads: its TOC, the segment files it names,
    and the files derived from it (derived.py, typedpostings.py), which checksums.json covers too."""
    names = whoosh_ext.toc_files(gen)
    number = names[0][:-len(".toc")].rsplit("_", 1)[-1]          # _MAIN_<number>.toc
    return (names + (derived.file_names(gen, int(number)) if number.isdigit() else [])
            + typedpostings.file_names(gen, names[1:]))


def write_checksums(gen: Path) -> None:
    """After a commit: checksums of the files it left (the new ones hashed), see checksums.py.

    An OSError says the stories are committed (`committed`): the run's new segment files
    are in the TOC and must not be removed as uncommitted; the next run adds their checksums.
    """
    try:
        checksums.write(gen, committed_files(gen))
    except OSError as exc:
        exc.committed = True
        raise


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation folder beside the live one."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = Path(index_dir) / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 100000:05d}"
    path.mkdir(parents=True)
    return path


def swap_live(index_dir: Path, gen: Path) -> None:
    """Point `current` at `gen` atomically (symlink written aside, then renamed over)."""
    index_dir = Path(index_dir)
    tmp = index_dir / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(gen.name, tmp)
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)


def fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_generations(index_dir: Path, keep: list[Path | None], min_age_s: float = 60.0) -> None:
    """Delete generations other than those in `keep` once no reader is likely to still use them.

    A searcher that opened the old generation keeps its open files (POSIX), so
    deleting is safe for it; the age bound only spares a generation being built by
    a rebuild that was killed a moment ago and is not worth racing.
    """
    now = time.time()
    kept = {k.resolve() for k in keep if k is not None}
    for child in Path(index_dir).glob("gen-*"):
        if child.resolve() in kept:
            continue
        try:
            if now - child.stat().st_mtime >= min_age_s:
                shutil.rmtree(child, ignore_errors=True)
        except FileNotFoundError:
            pass


@contextlib.contextmanager
def indexer_lock(index_dir: Path):
    """Hold the index folder's lock for the duration; raise IndexLocked if taken."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(index_dir / LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise IndexLocked(
                f"another `newsfacet index` (pid {holder}) is writing {index_dir}/; "
                "wait for it to finish and run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def raise_if_full(exc: OSError, index_dir: Path) -> None:
    """Turn a full disk (ENOSPC, EDQUOT) into DiskFull with one clear message; other errors pass."""
    if exc.errno in NO_SPACE:
        kept = ("the stories were written but not the manifest, so the next run reads their files again"
                if getattr(exc, "committed", False) else "nothing of this run was kept and the index is as it was")
        raise DiskFull(f"no space left on the disk holding {index_dir.absolute()}/ "
                             f"({os.strerror(exc.errno)}); {kept}: free some space and run again") from None


def open_writer(ix, **kwargs):
    """`ix.writer()`, releasing Whoosh's write lock if creating the writer fails.

    SegmentWriter takes the lock, then creates the new segment's files; when that fails
    (a full disk) the half-built writer keeps the lock until it is collected, and the
    next writer in this process gets LockError. The writer is found in the traceback.
    """
    try:
        return ix.writer(**kwargs)
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None:
            obj = tb.tb_frame.f_locals.get("self")
            if type(obj).__name__ == "SegmentWriter" and getattr(obj, "writelock", None) is not None:
                with contextlib.suppress(Exception):
                    obj.writelock.release()
            tb = tb.tb_next
        raise


def cancel_writer(writer) -> None:
    """Cancel a failed writer and always release Whoosh's write lock.

    Whoosh's `cancel` closes the segment first, which writes files: on a full disk that
    raises again and the lock stays held, and the next writer in this process (or a
    server's) gets LockError.
    """
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:
        pass
    finally:
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                pass
