"""JSON, JSON Lines and gzipped JSON Lines: one record is one story.

A record's `id` is its id (the user said so); a record without one gets `rel#N`
(its line, or its place in a JSON list). A `.jsonl.gz` is streamed line by line:
memory holds one line, never the expanded file (each Document goes to the caller's
`docs` as it is read: the build's spool writes it out), and a file
that expands far more than text does (a decompression bomb) is stopped and named.
"""
from __future__ import annotations

import codecs
import gzip
import json
import zlib
from typing import BinaryIO, Iterable, Iterator

from .common import ReadProblem, story, valid
from .guard import Bomb, check


def _field(rec: dict, keys: tuple[str, ...]) -> str:
    """A record's text field, tolerating numbers and lists of strings."""
    for k in keys:
        v = rec.get(k)
        if isinstance(v, str):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return "\n\n".join(v)
    return ""


def record(rec, fallback_id: str, rel: str, shown: str, line: int | None, label: str, seen: dict):
    """One JSON record -> (Document or None, problems); duplicates within a file are reported."""
    if not isinstance(rec, dict):
        return None, [ReadProblem(shown, f"{label}record is not an object (got {type(rec).__name__})", line)]
    rid = rec.get("id")
    rid = str(rid).strip() if isinstance(rid, (str, int)) and not isinstance(rid, bool) else ""
    rid = valid(rid) or fallback_id
    if rid in seen:
        return None, [ReadProblem(shown, f"{label}duplicate id {rid!r} (first at {seen[rid]})", line)]
    seen[rid] = f"line {line}" if line else label.rstrip(": ") or "top"
    doc, problems = story(rel, shown, valid(_field(rec, ("body", "text", "content"))),
                          valid(_field(rec, ("title", "headline"))),
                          rec.get("date"), id=rid, line=line, fallback=rid,
                          source=valid(_field(rec, ("source",)).strip()), url=valid(_field(rec, ("url",)).strip()),
                          language=valid(_field(rec, ("language", "lang")).strip())[:35],
                          author=valid(_field(rec, ("author",)).strip())[:200])
    for p in problems:
        p.reason = label + p.reason
    return doc, problems


def parse_json_value(data, rel: str, shown: str):
    """A parsed JSON document: one object is one story (its id the file's), a list holds many."""
    if isinstance(data, dict):
        doc, problems = record(data, rel, rel, shown, None, "", {})
        return [doc] if doc else [], problems
    if not isinstance(data, list):
        return [], [ReadProblem(shown, f"JSON holds a {type(data).__name__}, not an object or a list of objects")]
    docs, problems, seen = [], [], {}
    for n, rec in enumerate(data, 1):
        doc, more = record(rec, f"{rel}#{n}", rel, shown, None, f"record {n}: ", seen)
        docs += [doc] if doc else []
        problems += more
    return docs, problems


def load_json(text: str, shown: str):
    """(value, None) or (None, [problem])."""
    try:
        return json.loads(text), None
    except ValueError as e:
        where = f" at line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        return None, [ReadProblem(shown, f"malformed JSON: {getattr(e, 'msg', e)}{where}", getattr(e, "lineno", None))]
    except RecursionError:
        return None, [ReadProblem(shown, "malformed JSON: nested too deeply")]


def parse_jsonl(lines: Iterable[str | None], rel: str, shown: str, docs: list | None = None,
                problems: list | None = None):
    """One record a line; `None` stands for a line over the size limit. Ids default to `rel#line`.

    Appends to `docs`/`problems` when given, so a caller whose stream breaks keeps what was read
    (`docs` needs only `append`: a spool that writes each story out as it comes).
    """
    docs = [] if docs is None else docs
    problems, seen = [] if problems is None else problems, {}
    for n, line in enumerate(lines, 1):
        if line is None:
            problems.append(ReadProblem(shown, "line longer than the size limit", n))
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            problems.append(ReadProblem(shown, f"malformed JSON: {getattr(e, 'msg', e)} (column {getattr(e, 'colno', '?')})", n))
            continue
        except RecursionError:
            problems.append(ReadProblem(shown, "malformed JSON: nested too deeply", n))
            continue
        doc, more = record(rec, f"{rel}#{n}", rel, shown, n, "", seen)
        if doc:
            docs.append(doc)
        problems += more
    return docs, problems


def read_jsonl_gz(raw: BinaryIO, size: int, rel: str, shown: str, max_bytes: int, is_binary, docs=None):
    """Streamed: the whole file is never in memory, and a truncated archive keeps the lines before the damage.

    `docs` (a list by default) gets each Document as its line is read: the build passes a
    spool (stream.py), so not even the file's stories are held at once.
    """
    problems: list[ReadProblem] = []
    state = {"n": 0, "out": 0}
    consumed = getattr(raw, "n", None)

    def guard() -> None:               # guard.py: the ratio of what came out to what went in, so far
        check(state["out"], raw.n if consumed is not None else size)

    def lines(f) -> Iterator[str | None]:
        warned = False
        while True:
            line = f.readline(max_bytes + 1)
            if not line:
                return
            state["n"] += 1
            state["out"] += len(line)
            guard()
            if state["n"] == 1:
                if is_binary(line[:8192]):
                    raise ValueError("binary content (not JSON Lines text)")
                line = line.removeprefix(codecs.BOM_UTF8)
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = f.readline(1 << 20)
                    state["out"] += len(line)
                    guard()
                yield None
                continue
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                if not warned:
                    problems.append(ReadProblem(shown, "not valid UTF-8; read as cp1252", state["n"], skipped=False))
                    warned = True
                yield line.decode("cp1252", "replace")

    docs = [] if docs is None else docs
    try:
        with gzip.GzipFile(fileobj=raw, mode="rb") as f:
            parse_jsonl(lines(f), rel, shown, docs, problems)
    except Bomb as e:
        problems.insert(0, ReadProblem(shown, f"{e} after line {state['n']}; the lines before were read", state["n"]))
    except (OSError, EOFError, zlib.error, ValueError) as e:
        what = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        if state["n"] <= 1:
            docs.clear()
            return docs, problems + [ReadProblem(shown, f"cannot read compressed file: {what}")]
        problems.insert(0, ReadProblem(shown, f"compressed file damaged after line {state['n'] - 1}: {what}; "
                                           "the lines before were read", state["n"]))
    return docs, problems
