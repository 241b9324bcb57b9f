"""The walk of an index run: what is under its paths now, as plain data for plan.py.

Why a step of its own: it is the run's only look at the file system before reading
(listing, `stat`, feed lists), so the decision that follows (plan.py) can be a pure
function of its result. Nothing here reads a story or opens the index.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from indexer.read.documents import ReadProblem, discover, path_text
from .feeds import is_feed_list, list_key, read_feed_list
from .plan import Discovered, Found


def survey(paths: list[Path], urls: list[str], follow_links: bool = False) -> Discovered:
    """Every file under `paths` (each once, in walk order), the feeds to follow and the problems met.

    The problems keep the order a run has always reported them in: files that could not be
    `stat`ed or are not regular files first, then those of the walk and of the feed lists.
    """
    out = Discovered(roots=[path_text(os.path.abspath(p)) for p in paths], feeds=[(url, "") for url in urls])
    walk_problems: list[ReadProblem] = []
    walked: dict = {}                  # file -> identity the walk checked (read_source's `expect`)
    for file, root in discover(paths, walk_problems, follow_links=follow_links, seen=walked):
        key = path_text(os.path.abspath(file))     # the `path` term: text, even for a non-UTF-8 name
        if key in out.seen:
            continue
        out.seen.add(key)
        if is_feed_list(file):
            listed, bad = read_feed_list(file)
            walk_problems += bad
            out.lists.add(list_key(file))
            out.feeds += [(url, list_key(file)) for url in listed]
            continue
        try:
            st = file.stat()
        except OSError as exc:
            out.problems.append(ReadProblem(str(file), f"cannot read: {exc.strerror or exc}"))
            continue
        if not stat.S_ISREG(st.st_mode):      # reading a FIFO would wait for a writer forever
            out.problems.append(ReadProblem(str(file), "not a regular file (a pipe, socket or device)"))
            continue
        out.files.append(Found(key, file, root, st.st_size, st.st_mtime_ns, walked.get(file)))
    out.problems += walk_problems
    return out
