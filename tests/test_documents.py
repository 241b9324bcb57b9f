"""indexer/read/documents.py: every input format, every bad-file case, the seed and the Reuters corpus."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpora import SEEDS, corpus_path, corpus_records
from indexer.read.documents import (
    SUPPORTED_SUFFIXES, Document, ReadProblem, derive_title, discover, parse_date, read_file, split_dateline,
    suffix_of,
)

SEED = SEEDS / "000_90e7ea76cff56edb.txt"
D = dt.date


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read_one(folder: Path, name: str, content: str | bytes, **kw) -> tuple[list[Document], list[ReadProblem]]:
    return read_file(write(folder, name, content), folder, **kw)


# ---------------------------------------------------------------- the seed and the seed format

def test_seed_document():
    docs, problems = read_file(SEED, SEEDS)
    assert problems == []
    [doc] = docs
    assert doc.id == doc.path == "000_90e7ea76cff56edb.txt"
    assert doc.date == D(2026, 2, 9)
    assert doc.dateline == "ASHGABAT, Turkmenistan"
    assert doc.place == "Ashgabat"
    first = ("Turkmenistan discussed key areas of cooperation with the United Nations and its specialized "
             "agencies, Trend reports via the Turkmen MFA.")
    assert doc.title.endswith("…") and len(doc.title) <= 120
    assert first.startswith(doc.title[:-1])
    assert doc.body.startswith("ASHGABAT, Turkmenistan, February 9. Turkmenistan discussed")
    assert " date " not in doc.body[:20]
    assert "UNICEF" in doc.body


@pytest.mark.parametrize("text, date, dateline, place, title", [
    (" date 2026-02-09 ASHGABAT, Turkmenistan, February 9. Talks were held. More text.",
     D(2026, 2, 9), "ASHGABAT, Turkmenistan", "Ashgabat", "Talks were held"),
    ("date 2026-02-09\n\nASHGABAT, Turkmenistan, February 9. Talks were held.",
     D(2026, 2, 9), "ASHGABAT, Turkmenistan", "Ashgabat", "Talks were held"),
    (" date 1987-02-26 SALVADOR, Feb 26 - Showers continued throughout the week.\n\nMore.",
     D(1987, 2, 26), "SALVADOR", "Salvador", "Showers continued throughout the week"),
    ("HOUSTON, Feb 26 - Texas Commerce Bancshares Inc said it filed. Then more.",
     None, "HOUSTON", "Houston", "Texas Commerce Bancshares Inc said it filed"),
    ("NEW YORK, March 3 - The U.S. dollar rose. Traders said so.",
     None, "NEW YORK", "New York", "The U.S. dollar rose"),
    ("RIO DE JANEIRO, MARCH 11 - A strike by Mr. Smith's union ended. Ok.",
     None, "RIO DE JANEIRO", "Rio de Janeiro", "A strike by Mr. Smith's union ended"),
    ("CHARLOTTE, N.C., MArch 18 -- Qtly div three cts vs three cts prior",
     None, "CHARLOTTE, N.C.", "Charlotte", "Qtly div three cts vs three cts prior"),
    ("Just a story without a dateline. Second sentence.", None, "", "", "Just a story without a dateline"),
    ("On Monday, March 3. Nothing like a dateline.", None, "", "", "On Monday, March 3"),
    (" date 2026-02-09T10:30:00Z Story with an ISO datetime header.", D(2026, 2, 9), "", "", "Story with an ISO datetime header"),
])
def test_text_format(tmp_path, text, date, dateline, place, title):
    [doc], problems = read_one(tmp_path, "story.txt", text)
    assert problems == []
    assert (doc.date, doc.dateline, doc.place, doc.title) == (date, dateline, place, title)
    assert not doc.body.lower().startswith("date ")


def test_text_tree_written_by_corpus_script(tmp_path):
    script = Path(corpus_path()).parent / "to_text_tree.py"
    subprocess.run([sys.executable, str(script), str(tmp_path), "--limit", "40"], check=True, capture_output=True)
    files = sorted(tmp_path.glob("*.txt"))
    assert len(files) >= 30
    docs = [d for f in files for d in read_file(f, tmp_path)[0]]
    assert len(docs) == len(files)
    assert all(d.date and d.date.year == 1987 for d in docs)
    assert sum(bool(d.dateline) for d in docs) >= 0.9 * len(docs)
    first = next(d for d in docs if d.id == "reuters-1.txt")
    assert (first.dateline, first.place, first.date) == ("SALVADOR", "Salvador", D(1987, 2, 26))
    assert first.title.startswith("Showers continued throughout the week in the Bahia cocoa zone")


def test_long_first_sentence_is_cut_at_a_word_boundary():
    title = derive_title("word " * 100)
    assert title.endswith("…") and len(title) <= 120 and title[:-1].endswith("word")


def test_markdown_heading_and_front_matter(tmp_path):
    [doc], problems = read_one(tmp_path, "a/note.md", "# The Heading #\n\nLONDON, Feb 2 - Body text here.")
    assert problems == []
    assert (doc.id, doc.title, doc.dateline, doc.place) == ("a/note.md", "The Heading", "LONDON", "London")
    assert doc.body.startswith("LONDON")
    [doc], _ = read_one(tmp_path, "fm.md", "---\ntitle: \"From front matter\"\ndate: 2024-05-06\n---\nText.")
    assert (doc.title, doc.date, doc.body) == ("From front matter", D(2024, 5, 6), "Text.")


def test_txt_heading_is_not_special(tmp_path):
    [doc], _ = read_one(tmp_path, "x.txt", "# not a title in txt. Rest.")
    assert doc.title == "# not a title in txt"


# ---------------------------------------------------------------- HTML

HTML = """<!doctype html><html><head><title> Page  Title </title>
<meta property="article:published_time" content="2025-03-04T08:00:00+01:00">
<meta property="og:site_name" content="Daily News"><link rel="canonical" href="https://x.test/a">
<style>.x { color: red }</style><script>var secret = "SCRIPTTEXT";</script></head>
<body><noscript>NOSCRIPTTEXT</noscript><template><p>TEMPLATETEXT</p></template>
<h1>Headline</h1><p>PARIS, March 4 - Visible &amp; text
across lines.</p><p>Second <b>para</b>.</p><svg><text>SVGTEXT</text></svg></body></html>"""


def test_html_visible_text_title_date(tmp_path):
    """A page too small to be an article keeps all its visible text; the <h1> is the headline
    (issue 11 changed this: it was <title>, which on news sites carries the site's name)."""
    [doc], problems = read_one(tmp_path, "page.html", HTML)
    assert problems == []
    assert doc.title == "Headline"
    assert doc.date == D(2025, 3, 4)
    assert (doc.source, doc.url) == ("Daily News", "https://x.test/a")
    assert doc.body == "PARIS, March 4 - Visible & text across lines.\n\nSecond para."
    for hidden in ("SCRIPTTEXT", "NOSCRIPTTEXT", "TEMPLATETEXT", "SVGTEXT", "color", "Page Title", "Headline"):
        assert hidden not in doc.body
    assert (doc.dateline, doc.place) == ("PARIS", "Paris")


@pytest.mark.parametrize("head, body, title, date", [
    ("", "<h1>Only H1</h1><p>Text.</p>", "Only H1", None),
    ('<meta name="DC.date" content="2020-01-02">', "<p>First sentence here. Second.</p>", "First sentence here", D(2020, 1, 2)),
    ('<meta name="date" content="Tue, 15 Nov 1994 08:12:31 GMT">', "<p>x</p>", "x", D(1994, 11, 15)),
    ('<meta itemprop="datePublished" content="2019-12-31">', "<p>x</p>", "x", D(2019, 12, 31)),
    ('<script type="application/ld+json">{"datePublished": "2018-07-08T00:00"}</script>', "<p>x</p>", "x", D(2018, 7, 8)),
    ("", '<p><time datetime="2021-06-07">June 7</time> text</p>', "June 7 text", D(2021, 6, 7)),
])
def test_html_title_and_date_sources(tmp_path, head, body, title, date):
    [doc], problems = read_one(tmp_path, "p.htm", f"<html><head>{head}</head><body>{body}</body></html>")
    assert problems == []
    assert (doc.title, doc.date) == (title, date)


def test_html_declared_latin1_is_read_without_warning(tmp_path):
    data = '<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body>\u201cq\u201d</body></html>'
    [doc], problems = read_one(tmp_path, "l.html", data.encode("cp1252"))
    assert problems == []
    assert doc.title == "Café" and doc.body == "“q”"


# ---------------------------------------------------------------- JSON and JSON Lines

def test_json_object_and_list(tmp_path):
    [doc], problems = read_one(tmp_path, "one.json", json.dumps(
        {"id": "a1", "title": "T", "date": "2020-01-02", "body": "SALVADOR, Feb 26 - B.", "url": "u", "source": "s"}))
    assert problems == []
    assert (doc.id, doc.path, doc.title, doc.date, doc.dateline, doc.url, doc.source) == (
        "a1", "one.json", "T", D(2020, 1, 2), "SALVADOR", "u", "s")
    [doc], _ = read_one(tmp_path, "noid.json", json.dumps({"body": "Only a body. Two."}))
    assert (doc.id, doc.title) == ("noid.json", "Only a body")
    docs, problems = read_one(tmp_path, "sub/list.json", json.dumps(
        [{"id": 7, "title": "x", "body": "y"}, {"title": "no id", "body": "z"}, "not an object"]))
    assert [d.id for d in docs] == ["7", "sub/list.json#2"]
    assert [(p.reason, p.skipped) for p in problems] == [("record 3: record is not an object (got str)", True)]


def test_jsonl_records(tmp_path):
    lines = [
        {"id": "r1", "title": "", "date": "1987-02-26", "body": "HOUSTON, Feb 26 - Texas bank filed a plan. More."},
        {"id": "r2", "title": "Has title", "date": "1987-02-26T10:00:00", "body": "", "places": ["usa"], "orgs": []},
        {"title": "no id", "body": "b"},
    ]
    docs, problems = read_one(tmp_path, "f.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n\n")
    assert problems == []
    assert [(d.id, d.title, d.date, d.dateline, d.place) for d in docs] == [
        ("r1", "Texas bank filed a plan", D(1987, 2, 26), "HOUSTON", "Houston"),
        ("r2", "Has title", D(1987, 2, 26), "", ""),
        ("f.jsonl#3", "no id", None, "", ""),
    ]
    assert all(d.path == "f.jsonl" for d in docs)


def test_jsonl_gz(tmp_path):
    path = tmp_path / "c.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write('{"id": "g1", "title": "T1", "body": "B1"}\n{bad\n{"id": "g2", "title": "T2", "body": "B2"}\n')
    docs, problems = read_file(path, tmp_path)
    assert [d.id for d in docs] == ["g1", "g2"]
    assert [(p.line, p.skipped) for p in problems] == [(2, True)]


def test_jsonl_malformed_lines_between_good_ones(tmp_path):
    content = "\n".join(['{"id": "a", "body": "x"}', "{not json", '{"id": "b", "body": "y"}', "[1, 2]",
                         '{"id": "c", "body": "z", "date": "2026-02-30"}', '{"id": "a", "body": "dup"}',
                         '{"id": "d", "body": "w", "date": "yesterday"}', "{truncated"])
    docs, problems = read_one(tmp_path, "mixed.jsonl", content)
    assert [d.id for d in docs] == ["a", "b", "c", "d"]
    assert [d.date for d in docs] == [None] * 4
    got = [(p.line, p.skipped) for p in problems]
    assert got == [(2, True), (4, True), (5, False), (6, True), (7, False), (8, True)]
    assert "malformed JSON" in problems[0].reason and "column" in problems[0].reason
    assert "not an object" in problems[1].reason
    assert "2026-02-30" in problems[2].reason and "day is out of range" in problems[2].reason
    assert "duplicate id 'a'" in problems[3].reason
    assert str(problems[0]) == f"skipped: {tmp_path / 'mixed.jsonl'}:2: {problems[0].reason}"


@pytest.mark.parametrize("content, expect", [
    ('{"id": "x", "body": "y",}', "malformed JSON: Expecting property name enclosed in double quotes at line 1, column 25"),
    ('{"a": 1\n,\n', "malformed JSON: Expecting property name enclosed in double quotes at line 3, column 1"),
    ("42", "JSON holds a int, not an object or a list of objects"),
    ("[" * 100000, "malformed JSON: nested too deeply"),
])
def test_malformed_json(tmp_path, content, expect):
    docs, problems = read_one(tmp_path, "bad.json", content)
    assert docs == []
    assert [(p.reason, p.skipped) for p in problems] == [(expect, True)]


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("value, date, bad", [
    ("2026-02-09", D(2026, 2, 9), False),
    ("2026-02-09T23:59:59-05:00", D(2026, 2, 9), False),
    ("2026-02-09 10:00", D(2026, 2, 9), False),
    ("Mon, 09 Feb 2026 10:00:00 +0000", D(2026, 2, 9), False),
    ("2026-02-30", None, True),
    ("2026-13-01", None, True),
    ("soon", None, True),
    (20260209, None, True),
    (None, None, False),
    ("  ", None, False),
])
def test_parse_date(value, date, bad):
    got, why = parse_date(value)
    assert got == date
    assert (why is not None) == bad


def test_impossible_date_header_is_a_warning(tmp_path):
    [doc], problems = read_one(tmp_path, "d.txt", " date 2026-02-30 ASHGABAT, Turkmenistan, February 30. Text.")
    assert doc.date is None and doc.dateline == "ASHGABAT, Turkmenistan" and doc.body.startswith("ASHGABAT")
    assert [(p.skipped, "2026-02-30" in p.reason) for p in problems] == [(False, True)]


# ---------------------------------------------------------------- bad files

@pytest.mark.parametrize("name, content, reason", [
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (not text)"),
    ("bin.json", bytes(range(32)) * 20, "binary file (not text)"),
    ("empty.txt", b"", "empty file"),
    ("empty.jsonl", b"", "empty file"),
    ("blank.md", b"  \n\n \t\n", "empty file (only whitespace)"),
    ("notgz.jsonl.gz", b"plain text, not gzip", "cannot read compressed file"),
])
def test_bad_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    docs, problems = read_one(tmp_path, name, content)
    assert docs == []
    assert len(problems) == 1 and problems[0].skipped and problems[0].reason.startswith(reason)
    assert problems[0].path == str(tmp_path / name)


def test_invalid_utf8_falls_back_to_cp1252_with_a_warning(tmp_path):
    [doc], problems = read_one(tmp_path, "w.txt", "caf\xe9 \u201cquoted\u201d \u20ac5".encode("cp1252"))
    assert doc.body == "café “quoted” €5"
    assert [(p.skipped, p.reason) for p in problems] == [
        (False, "not valid UTF-8 (byte 0xe9 at offset 3); read as cp1252")]


def test_latin1_bytes_undefined_in_cp1252_still_read(tmp_path):
    [doc], problems = read_one(tmp_path, "l.txt", b"Z\xfcrich \x81\x8d ok")
    assert doc.body == "Zürich \x81\x8d ok"
    assert [p.reason.endswith("read as latin-1") for p in problems] == [True]


@pytest.mark.parametrize("data", [
    "\ufeffBOM story. Yes.".encode("utf-8"),
    "BOM story. Yes.".encode("utf-16"),
])
def test_bom(tmp_path, data):
    [doc], problems = read_one(tmp_path, "b.txt", data)
    assert problems == [] and doc.title == "BOM story"


def test_jsonl_with_bom_and_cp1252_line(tmp_path):
    data = b'\xef\xbb\xbf{"id": "a", "body": "x"}\n{"id": "b", "body": "caf\xe9"}\n'
    docs, problems = read_one(tmp_path, "e.jsonl", data)
    assert [d.body for d in docs] == ["x", "café"]
    assert [p.skipped for p in problems] == [False]


def test_size_limit(tmp_path):
    docs, problems = read_one(tmp_path, "big.txt", "x" * 2000, max_bytes=1000)
    assert docs == []
    [p] = problems
    assert p.skipped and "size limit" in p.reason and "max_bytes=1000" in p.reason
    assert read_file(tmp_path / "big.txt", tmp_path, max_bytes=2000)[0]


def test_size_limit_on_a_jsonl_gz_line(tmp_path):
    path = tmp_path / "l.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps({"id": "long", "body": "y" * 5000}) + "\n" + json.dumps({"id": "ok", "body": "z"}) + "\n")
    assert path.stat().st_size < 1000
    docs, problems = read_file(path, tmp_path, max_bytes=1000)
    assert [d.id for d in docs] == ["ok"]
    assert [(p.line, "size limit" in p.reason) for p in problems] == [(1, True)]


def test_truncated_gz_keeps_the_lines_before(tmp_path):
    full = gzip.compress("".join(json.dumps({"id": f"r{i}", "body": "w " * 50}) + "\n" for i in range(2000)).encode())
    docs, problems = read_one(tmp_path, "t.jsonl.gz", full[: len(full) // 2])
    assert 0 < len(docs) < 2000
    assert [d.id for d in docs] == [f"r{i}" for i in range(len(docs))]
    assert len(problems) == 1 and problems[0].skipped and "damaged" in problems[0].reason


def test_unreadable_paths(tmp_path):
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop1.txt").symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(tmp_path / "loop1.txt")
    os.mkfifo(tmp_path / "fifo.txt")
    expect = {"dir.txt": "is a folder, not a file", "broken.txt": "broken symbolic link",
              "loop1.txt": "cannot read: Too many levels of symbolic links", "fifo.txt": "not a regular file"}
    for name, reason in expect.items():
        assert read_file(tmp_path / name, tmp_path) == ([], [ReadProblem(str(tmp_path / name), reason)])


def test_permission_denied_is_reported(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", "text")

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "open", denied)         # tests run as root, where chmod 000 does not stop a read
    assert read_file(path, tmp_path) == ([], [ReadProblem(str(path), "cannot read: Permission denied")])


def test_unexpected_errors_never_escape(tmp_path, monkeypatch):
    import indexer.read.text as text_reader
    path = write(tmp_path, "x.txt", "text")
    monkeypatch.setattr(text_reader, "parse_text", lambda *a, **k: 1 / 0)
    docs, [p] = read_file(path, tmp_path)
    assert docs == [] and p.reason == "unexpected error: ZeroDivisionError: division by zero"


def test_problem_flood_is_capped(tmp_path):
    docs, problems = read_one(tmp_path, "junk.jsonl", "{\n" * 500)
    assert docs == [] and len(problems) == 51 and problems[-1].reason == "... and 450 more problems"


# ---------------------------------------------------------------- discover

def make_tree(root: Path) -> None:
    for name in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.JSONL.GZ", "sub/e.htm", "f.json", "g.jsonl",
                 "skip.pdf", "noext", ".hidden.txt", ".git/h.txt", "sub/.cache/i.txt"):
        write(root, name, "x")


def test_discover_walks_sorted_filters_suffixes_and_hidden(tmp_path):
    make_tree(tmp_path)
    problems: list[ReadProblem] = []
    got = [(p.relative_to(tmp_path).as_posix(), r) for p, r in discover([tmp_path], problems)]
    assert got == [(n, tmp_path) for n in          # a file without an extension is sniffed when read
                   ["a.md", "b.txt", "f.json", "g.jsonl", "noext", "sub/c.html", "sub/deeper/d.JSONL.GZ", "sub/e.htm"]]
    # issue 18.5: a file of a type NewsFacet does not read is named, not passed over in silence
    assert [(Path(p.path).name, p.unsupported, p.skipped) for p in problems] == [("skip.pdf", True, False)]
    assert str(problems[0]).startswith(f"unsupported: {tmp_path / 'skip.pdf'}: a .pdf file is not a format")


def test_discover_single_files_use_their_parent_as_root(tmp_path):
    make_tree(tmp_path)
    got = list(discover([tmp_path / "sub" / "c.html", str(tmp_path / "skip.pdf")]))
    assert got == [(tmp_path / "sub" / "c.html", tmp_path / "sub"), (tmp_path / "skip.pdf", tmp_path)]
    docs, [problem] = read_file(tmp_path / "skip.pdf", tmp_path)   # named explicitly: still not a story (18.5)
    assert docs == [] and problem.unsupported and "a .pdf file is not a format NewsFacet reads" in problem.reason


def test_discover_missing_path_raises_before_yielding(tmp_path):
    write(tmp_path, "a.txt", "x")
    with pytest.raises(FileNotFoundError, match="nope: no such file or directory"):
        discover([tmp_path, tmp_path / "nope"])
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    with pytest.raises(FileNotFoundError, match="broken symbolic link"):
        discover([tmp_path / "dangling"])


def test_discover_symlink_loop_terminates_and_is_reported(tmp_path):
    write(tmp_path, "a/x.txt", "x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    write(tmp_path, "real/y.txt", "y")
    (tmp_path / "z_link").symlink_to(tmp_path / "real")          # a second way to the same folder
    problems: list[ReadProblem] = []
    got = [p.relative_to(tmp_path).as_posix() for p, _ in discover([tmp_path], problems)]
    assert got == ["a/x.txt", "real/y.txt"]
    assert sorted(Path(p.path).name for p in problems) == ["loop", "up", "z_link"]
    assert all("already visited" in p.reason for p in problems)


def test_discover_links_out_of_the_folder_only_with_follow_links(tmp_path):
    """Issue 11 changed this (links out were followed): a link to a folder or file outside
    the folder given is reported and left alone unless follow_links; one inside is fine."""
    write(tmp_path, "elsewhere/s.txt", "x")
    write(tmp_path, "secret.txt", "x")
    write(tmp_path, "root/a.txt", "x")
    write(tmp_path, "root/inner/b.txt", "x")
    (tmp_path / "root" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "root" / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "root" / "zz-inner.txt").symlink_to(tmp_path / "root" / "inner" / "b.txt")
    (tmp_path / "root" / "zz-dir").symlink_to(tmp_path / "root" / "inner")
    root = tmp_path / "root"
    problems: list[ReadProblem] = []
    assert [(p.relative_to(root).as_posix(), r) for p, r in discover([root], problems)] == [
        ("a.txt", root), ("inner/b.txt", root)]
    assert sorted((Path(p.path).name, "outside the folder" in p.reason) for p in problems) == [
        ("linked", True), ("passwd.txt", True), ("zz-dir", False)]
    assert [p.relative_to(root).as_posix() for p, _ in discover([root], follow_links=True)] == [
        "a.txt", "inner/b.txt", "linked/s.txt", "passwd.txt"]


def test_discover_then_read_reports_bad_and_keeps_good(tmp_path):
    write(tmp_path, "good.txt", "Fine story. Yes.")
    write(tmp_path, "bad.json", "{oops")
    write(tmp_path, "empty.md", b"")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing")
    docs, problems = [], []
    for path, root in discover([tmp_path]):
        d, p = read_file(path, root)
        docs += d
        problems += p
    assert [d.id for d in docs] == ["good.txt"]
    assert sorted((Path(p.path).name, p.skipped) for p in problems) == [
        ("bad.json", True), ("broken.txt", True), ("empty.md", True)]


@pytest.mark.parametrize("name, suffix", [("A.TXT", ".txt"), ("x.jsonl.gz", ".jsonl.gz"), ("x.Jsonl.GZ", ".jsonl.gz"),
                                          ("x.json.gz", ".gz"), ("noext", "")])
def test_suffix_of(name, suffix):
    assert suffix_of(name) == suffix
    assert (suffix in SUPPORTED_SUFFIXES) == (suffix not in (".gz", ""))


def test_results_pickle(tmp_path):
    result = read_file(SEED, SEEDS)
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("text", ["On Monday, March 3. x", "GRADINGS - None posted", "st paul, april 7 - x", "The U.N. said. x"])
def test_not_datelines(text):
    assert split_dateline(text) == ("", "", text)


# ---------------------------------------------------------------- the Reuters corpus

@pytest.mark.corpus
@pytest.mark.timing
def test_reading_the_corpus_takes_under_two_seconds():
    path = corpus_path()
    start = time.perf_counter()
    docs, _ = read_file(path, path.parent)
    took = time.perf_counter() - start
    assert len(docs) == 21578
    assert took < 2.0, f"reading the corpus took {took:.2f}s"


@pytest.mark.corpus
def test_reuters_corpus():
    path = corpus_path()
    docs, problems = read_file(path, path.parent)
    assert problems == []
    assert len(docs) == 21578
    assert len({d.id for d in docs}) == 21578
    with_body = [d for d in docs if d.body]
    assert len(with_body) == 19043
    share = sum(bool(d.dateline) for d in with_body) / len(with_body)
    assert share > 0.98, share          # measured: 0.990
    assert all(d.title for d in docs)
    assert all(d.date and d.date.year == 1987 for d in docs)
    by_id = {d.id: d for d in docs}
    records = {r["id"]: r for r in corpus_records(limit=50)}
    for rid, rec in records.items():
        assert by_id[rid].body == rec["body"].strip()
        assert by_id[rid].title == (" ".join(rec["title"].split()) or by_id[rid].title)
    assert (by_id["reuters-1"].dateline, by_id["reuters-1"].place) == ("SALVADOR", "Salvador")
    assert (by_id["reuters-3"].dateline, by_id["reuters-3"].place) == ("HOUSTON", "Houston")
    places = {d.place for d in docs}
    assert {"New York", "Washington", "London", "Tokyo", "Rio de Janeiro"} <= places
