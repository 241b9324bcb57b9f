"""Whatever a folder holds: each bad file is named (and its line), every good story is indexed.

The same folder goes through the real `newsfacet index` (a subprocess: exit code,
stderr, no traceback) and through `build_index` (the problems it reports). A file
root could read anyway is made unreadable by dropping root's DAC capabilities
(relfixtures.without_dac / drop_dac_on_exec).
"""
from __future__ import annotations

import gzip
import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from relfixtures import index_ids, newsfacet, without_dac, write_gz

from indexer.index.build import build_index
from indexer.read.documents import SUPPORTED_SUFFIXES, read_file

MB = 1024 * 1024
GOOD = "ferret"           # every good story holds it


def make_folder(docs: Path) -> tuple[set[str], dict[str, str], dict[str, str]]:
    """Write good and bad files; return (good ids, {where: reason} skipped, {where: reason} warned).

    `where` is the file's path relative to `docs` as the report shows it, with `:line`
    for a line of a JSON Lines file.
    """
    docs.mkdir()
    good: set[str] = set()
    skipped: dict[str, str] = {}
    warned: dict[str, str] = {}

    def write(name, data: bytes | str) -> Path:
        p = docs / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return p

    # the good ones
    write("good.txt", f" date 2020-01-02 PARIS, Jan 2 - A good {GOOD} story.\n")
    write("good.md", f"# A {GOOD} heading\n\nThe {GOOD} story in Markdown.\n")
    write("good.html", f"<html><head><title>{GOOD} page</title><meta name=date content=2020-03-04>"
                       f"</head><body><h1>{GOOD} page</h1><p>A {GOOD} in HTML.</p></body></html>")
    write("good.json", json.dumps([{"id": "gj-1", "title": GOOD, "body": f"{GOOD} one", "date": "2020-05-01"},
                                   {"id": "gj-2", "title": GOOD, "body": f"{GOOD} two"}]))
    write("sub/deeper/good.txt", f"A nested {GOOD} story.\n")
    good |= {"good.txt", "good.md", "good.html", "gj-1", "gj-2", "sub/deeper/good.txt"}

    # text that is not UTF-8: read as cp1252, with a warning
    write("latin1.txt", f"Caf\xe9 au lait and a {GOOD}.\n".encode("latin-1"))
    write("badutf8.md", b"Broken \xff\xfe\x80 bytes and a " + GOOD.encode() + b".\n")
    good |= {"latin1.txt", "badutf8.md"}
    warned |= {"latin1.txt": "not valid UTF-8", "badutf8.md": "not valid UTF-8"}

    # JSON Lines with bad lines between good ones; dates that are not dates
    lines = [
        {"id": "jl-1", "title": "one", "body": f"{GOOD} one", "date": "2020-01-01"},
        "{not json at all",
        {"id": "jl-3", "title": "three", "body": f"{GOOD} three"},
        "[1, 2, 3]",
        {"id": "jl-5", "title": "five", "body": f"{GOOD} five", "date": "yesterday"},
        {"id": "jl-6", "title": "six", "body": f"{GOOD} six", "date": "2020-02-30"},
        '{"id": "jl-7", "body": "cut off',
        {"id": "jl-8", "title": "eight", "body": f"{GOOD} eight", "date": {"year": 2020}},
        {"id": "jl-1", "title": "dup", "body": f"{GOOD} duplicate"},
        {"id": "jl-10", "title": "ten", "body": f"{GOOD} ten", "date": "0000-00-00"},
        {"id": "jl-11", "title": "eleven", "body": f"{GOOD} eleven"},
    ]
    write("lines.jsonl", "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    good |= {"jl-1", "jl-3", "jl-5", "jl-6", "jl-8", "jl-10", "jl-11"}
    skipped |= {"lines.jsonl:2": "malformed JSON", "lines.jsonl:4": "not an object",
                "lines.jsonl:7": "malformed JSON", "lines.jsonl:9": "duplicate id"}
    warned |= {"lines.jsonl:5": "not a date", "lines.jsonl:6": "not a date", "lines.jsonl:8": "not a date",
               "lines.jsonl:10": "not a date"}

    # valid JSON, invalid Unicode: lone surrogates in strings
    write("surrogates.jsonl", '{"id": "sur-1", "title": "lone \\ud800 title", "body": "' + GOOD + ' \\udfff body"}\n'
                              '{"id": "sur-\\udcff2", "title": "lone id", "body": "' + GOOD + ' two"}\n')
    good |= {"sur-1", "sur-\ufffd2"}

    # a file name that is not UTF-8 (bytes as a folder may hold them)
    (docs / os.fsdecode(b"odd-\xff-name.txt")).write_bytes(f"A {GOOD} with an odd file name.\n".encode())
    good.add("odd-\\xff-name.txt")

    rnd = random.Random(6)
    # a compressed file damaged half way: the lines before the damage are read
    gz = gzip.compress("\n".join(json.dumps({"id": f"gz-{i}", "title": "gz", "body": f"{GOOD} {i} " + rnd.randbytes(1000).hex()})
                                 for i in range(40)).encode())
    write("damaged.jsonl.gz", gz[: len(gz) * 2 // 3])
    skipped["damaged.jsonl.gz"] = "damaged"          # the ids read before the damage are checked below

    # the bad ones
    write("binary.txt", bytes(rnd.randrange(256) for _ in range(4096)))
    write("binary.jsonl", b"\x00\x01\x02" * 1000)
    write("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.randrange(256) for _ in range(2000)))
    write("empty.txt", b"")
    write("blank.md", "  \n\t\n")
    write("broken.json", '{"id": "b", "title": "no end",\n "body": ')
    write("string.json", '"just a string"')
    write("notgz.jsonl.gz", "this is not gzip")
    skipped |= {"binary.txt": "binary", "binary.jsonl": "binary", "image.html": "binary",
                "empty.txt": "empty", "blank.md": "empty", "broken.json:2": "malformed JSON",
                "string.json": "not an object", "notgz.jsonl.gz": "compressed"}

    with open(docs / "huge.txt", "wb") as f:       # 100 MB, written in no time (sparse)
        f.truncate(100 * MB)
    skipped["huge.txt"] = "size limit"

    (docs / "loop").mkdir()
    (docs / "loop" / "up").symlink_to("..")          # a folder loop
    (docs / "ping.txt").symlink_to("pong.txt")       # a file loop
    (docs / "pong.txt").symlink_to("ping.txt")
    (docs / "dangling.txt").symlink_to("nowhere.txt")
    skipped |= {"loop/up": "loop", "ping.txt": "symbolic links", "pong.txt": "symbolic links",
                "dangling.txt": "No such file"}

    write("unreadable.txt", f"A {GOOD} nobody may read.\n").chmod(0)
    (docs / "closed").mkdir()
    write("closed/inside.txt", f"A {GOOD} in a closed folder.\n")
    (docs / "closed").chmod(0)
    os.mkfifo(docs / "fifo.txt")                     # opening it for reading would wait for a writer
    skipped |= {"unreadable.txt": "Permission denied", "closed": "cannot list folder",
                "fifo.txt": "not a regular file"}
    return good, skipped, warned


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    good, skipped, warned = make_folder(docs)
    yield docs, good, skipped, warned
    (docs / "closed").chmod(0o755)


def reported(stderr: str, docs: Path) -> dict[str, list[str]]:
    """{where: [lines]} from the problem lines printed, `where` relative to docs."""
    out: dict[str, list[str]] = {}
    prefix = str(docs) + "/"
    for line in stderr.splitlines():
        m = re.match(r"(skipped|warning): (.*?): (.*)$", line)
        if m and m[2].startswith(prefix):
            out.setdefault(m[2][len(prefix):], []).append(f"{m[1]}: {m[3]}")
    return out


def check_report(found: dict[str, list[str]], skipped: dict, warned: dict) -> None:
    def lines(where):   # a bare file name also matches its numbered lines
        got = [r for k, rs in found.items() if k == where or (":" not in where and k.startswith(where + ":"))
               for r in rs]
        assert got, f"{where} not reported; reported: {sorted(found)}"
        return got

    for where, reason in skipped.items():
        assert any(r.startswith("skipped:") and reason in r for r in lines(where)), (where, lines(where))
    for where, reason in warned.items():
        assert any(r.startswith("warning:") and reason in r for r in lines(where)), (where, lines(where))


def check_ids(ids, good: set[str]) -> None:
    assert all(n == 1 for n in ids.values()), [i for i, n in ids.items() if n > 1]
    gz = {i for i in ids if i.startswith("gz-")}
    assert gz and gz == {f"gz-{n}" for n in range(len(gz))}, gz     # the lines before the damage
    assert set(ids) - gz == good


@pytest.mark.timeout(120)
def test_cli_names_every_bad_file_and_indexes_every_good_one(folder, tmp_path):
    docs, good, skipped, warned = folder
    ix = tmp_path / "ix"
    run = newsfacet("index", docs, "--index-dir", ix, "--procs", 1, unprivileged=True, timeout=30)
    assert "Traceback" not in run.stderr + run.stdout, run.stderr
    assert run.returncode == 1, (run.returncode, run.stderr)
    check_report(reported(run.stderr, docs), skipped, warned)
    m = re.search(r"indexed (\d+) new, 0 changed, 0 removed stories, (\d+) skipped", run.stdout)
    assert m and int(m[2]) >= len(skipped) - 1, run.stdout      # damaged.jsonl.gz keeps some lines
    check_ids(index_ids(ix), good)

    found = newsfacet("search", GOOD, "--per-page", 100, "--json", "--index-dir", ix)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] >= len(good)

    again = newsfacet("index", docs, "--index-dir", ix, "--procs", 1, unprivileged=True, timeout=30)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert "indexed 0 new, 0 changed, 0 removed" in again.stdout
    check_ids(index_ids(ix), good)


@pytest.mark.timeout(120)
def test_api_reports_every_bad_file_and_indexes_every_good_one(folder, tmp_path):
    docs, good, skipped, warned = folder
    seen = []
    with without_dac():
        report = build_index([docs], tmp_path / "ix", procs=1, progress=False, on_problem=seen.append)
    assert seen == report.problems
    found: dict[str, list[str]] = {}
    for p in report.problems:
        where = os.path.relpath(p.path, docs) + (f":{p.line}" if p.line else "")
        found.setdefault(where, []).append(str(p).split(": ", 1)[0] + ": " + p.reason)
    check_report(found, skipped, warned)
    assert report.skipped == sum(p.skipped for p in report.problems) > 0
    check_ids(index_ids(tmp_path / "ix"), good)


@pytest.mark.timeout(120)
def test_size_limit_is_configurable_and_reported(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text(f"A long {GOOD} story. " + "words and more words " * 75_000)   # ~1.5 MB
    (docs / "small.txt").write_text(f"A short {GOOD} story.\n")
    write_gz(docs / "long-line.jsonl.gz", [json.dumps({"id": "long", "body": "y " * (3 * MB // 4)}),
                                           json.dumps({"id": "short", "body": f"a {GOOD}"})])
    ix = tmp_path / "ix"
    run = newsfacet("index", docs, "--index-dir", ix, "--max-size", 1)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert re.search(r"skipped: .*big\.txt: file is 1\.\d MB, over the size limit of 1\.0 MB", run.stderr), run.stderr
    assert re.search(r"skipped: .*long-line\.jsonl\.gz:1: line longer than the size limit", run.stderr), run.stderr
    assert set(index_ids(ix)) == {"small.txt", "short"}
    bigger = newsfacet("index", docs, "--index-dir", ix, "--max-size", 2, "--rebuild")
    assert bigger.returncode == 0, bigger.stderr
    assert set(index_ids(ix)) == {"small.txt", "short", "long", "big.txt"}
    bad = newsfacet("index", docs, "--index-dir", ix, "--max-size", "lots")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- any bytes at all

_NASTY = [b"\x00", b"\xff", b"\xed\xa0\x80", b"\\ud800", b"\\udfff", b"\xef\xbb\xbf", b"\r", b"\n", b"{",
          b"}", b"[", b'"', b"<", b">", b"&#0;", b"<title>", b"<script>", b"date: 2020-02-30",
          b" date 9999-99-99 ", b"\xe2\x80\xae", b'{"id": "x", "body": "', b'"date": [1]', b"\x1b[2J"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.one_of(st.sampled_from(_NASTY), st.binary(max_size=40),
                                 st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass"))),
                       max_size=30),
       suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_bytes_are_read_or_reported_and_can_be_indexed(tmp_path_factory, chunks, suffix):
    """read_file never raises, never reports an unexpected error, and what it returns can be written."""
    from whoosh.filedb.filestore import RamStorage

    from indexer.index.prepare import prepare
    from indexer.index.schema import SCHEMA

    data = b"".join(chunks)
    if suffix == ".jsonl.gz":
        data = gzip.compress(data)
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / f"f{suffix}"
    path.write_bytes(data)
    docs, problems = read_file(path, folder)
    assert not any("unexpected" in p.reason for p in problems), problems
    assert docs or problems
    ix = RamStorage().create_index(SCHEMA)
    with ix.writer() as w:
        for d in docs:
            fields, _ = prepare(d, str(path))
            w.add_document(**fields)
