"""Compressed, large, deep and swapped input (issue 24.8, 24.10, 24.11).

CPU bounds are process time (not wall clock) and generous: a busy machine does not
fail them, a quadratic or unguarded reader does by minutes.
"""
from __future__ import annotations

import gzip
import json
import os
import random
import time
import tracemalloc
import zlib

import indexer.index.build as build
from indexer.index.build import build_index
from indexer.read.documents import read_file
from indexer.read.guard import BOMB_RATIO
from indexer.read.htmlguard import HTML_MAX_CHARS

STORY = "BERLIN - Coffee prices rose on Monday, traders in Hamburg said. "


def _record(url: str, http_body: bytes, headers: str = "Content-Type: text/html") -> bytes:
    http = f"HTTP/1.1 200 OK\r\n{headers}\r\n\r\n".encode() + http_body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2026-03-03T10:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{abs(hash(url)) % 10**12:012d}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def _page(text: str) -> bytes:
    return f"<html><head><title>Coffee</title></head><body><article><p>{text}</p></article></body></html>".encode()


GOOD = _page(STORY * 10)


def _cpu(fn):
    started = time.process_time()
    out = fn()
    return out, time.process_time() - started


# ---------------------------------------------------------------- 24.11: deep nesting

def test_html_nested_10000_deep_is_read(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 10_000 + STORY * 5 + "</div>" * 10_000 + "</body></html>")
    (docs, problems), cpu = _cpu(lambda: read_file(path, tmp_path))
    assert [p.reason for p in problems if p.skipped] == []
    [doc] = docs
    assert "Coffee prices rose on Monday" in doc.body
    assert cpu < 10


def test_html_nested_deep_keeps_the_text_around_it(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><head><title>Kaffee</title></head><body><p>" + STORY + "</p>" + "<div>" * 3000
                    + "<p>Deep inside: the Hamburg exchange closed higher.</p>" + "</div>" * 3000
                    + "<p>After: exporters in Santos shipped more.</p></body></html>")
    [doc], _ = read_file(path, tmp_path)
    for text in ("Coffee prices rose", "Deep inside: the Hamburg exchange", "After: exporters in Santos"):
        assert text in doc.body


# ---------------------------------------------------------------- 24.8: large HTML

def test_an_8_mb_page_is_read_in_bounded_cpu(tmp_path):
    path = tmp_path / "big.html"
    path.write_text("<html><body><p>" + STORY * 20 + "</p>" + "<div>x</div>" * (8 * 1048576 // 12) + "</body></html>")
    (docs, problems), cpu = _cpu(lambda: read_file(path, tmp_path))
    assert docs and "Coffee prices rose" in docs[0].body
    assert any("only its first" in p.reason and not p.skipped for p in problems)
    assert cpu < 5 * 8, f"an 8 MB page took {cpu:.1f} s of CPU"


def test_a_large_page_keeps_its_story_when_scripts_make_it_large(tmp_path):
    path = tmp_path / "scripts.html"
    script = "<script>var x = '" + "a" * 1_500_000 + "';</script>"
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-03-02"}</script>'
    path.write_text(f"<html><head>{ld}{script}<title>Kaffee</title></head><body><article><p>{STORY * 10}</p>"
                    "</article></body></html>")
    assert path.stat().st_size > HTML_MAX_CHARS
    [doc], problems = read_file(path, tmp_path)
    assert "Coffee prices rose" in doc.body and str(doc.date) == "2026-03-02"
    assert not any("only its first" in p.reason for p in problems)    # nothing of the page itself was cut


# ---------------------------------------------------------------- 24.8: compressed input

def test_a_warc_bomb_is_stopped_and_named_in_bounded_cpu(tmp_path):
    bomb = _page("<div>x</div>" * (17 * 1048576 // 12))     # 17 MB of page from ~20 KB
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip.compress(_record("https://n.test/a", GOOD), 9)
                     + gzip.compress(_record("https://n.test/bomb", bomb), 9)
                     + gzip.compress(_record("https://n.test/c", GOOD), 9))
    assert path.stat().st_size < 100_000
    (docs, problems), cpu = _cpu(lambda: read_file(path, tmp_path))
    assert [d.id for d in docs] == ["https://n.test/a"]
    [named] = [p for p in problems if "decompression bomb" in p.reason]
    assert named.path == str(path) and "the records before were read" in named.reason
    assert cpu < 5


def test_a_page_gzipped_by_http_inside_a_warc_is_guarded_too(tmp_path):
    body = gzip.compress(b"<html><body>" + b" " * (40 * 1048576) + b"</body></html>", 9)
    path = tmp_path / "encoded.warc"
    path.write_bytes(_record("https://n.test/bomb", body, "Content-Type: text/html\r\nContent-Encoding: gzip")
                     + _record("https://n.test/c", GOOD))
    (docs, problems), cpu = _cpu(lambda: read_file(path, tmp_path))
    assert [d.id for d in docs] == ["https://n.test/c"]            # the archive goes on after the page
    [named] = [p for p in problems if "decompression bomb" in p.reason]
    assert "record 1 (https://n.test/bomb)" in named.reason
    assert cpu < 5


def test_a_jsonl_gz_that_expands_far_past_text_is_stopped_with_bounded_memory(tmp_path):
    """3.6 MB expanding to 300 MB (83x) was read whole and held in memory (556 MB RSS)."""
    path = tmp_path / "big.jsonl.gz"
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(z.compress((json.dumps({"id": "first", "title": "Coffee", "body": STORY}) + "\n").encode()))
        for i in range(15_000):                      # 300 MB of records
            line = (json.dumps({"id": f"r{i}", "title": "Coffee", "body": STORY + " " * 20_000}) + "\n").encode()
            f.write(z.compress(line))
        f.write(z.flush())
    ratio = 15_000 * len(line) / path.stat().st_size
    assert ratio > BOMB_RATIO
    tracemalloc.start()
    try:
        (docs, problems), cpu = _cpu(lambda: read_file(path, tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert docs and docs[0].id == "first"
    assert any("decompression bomb" in p.reason for p in problems)
    assert peak < 64 * 1048576, f"peak {peak / 1048576:.0f} MB"
    assert cpu < 30


def test_reuters_like_compression_is_not_a_bomb(tmp_path):
    path = tmp_path / "ok.jsonl.gz"
    words = [w.strip(".,") for w in (STORY + "exporters shipped more beans from Santos while the Brazilian harvest "
                                     "and the weather in Minas Gerais kept prices high for roasters").split()]
    rng = random.Random(7)
    with gzip.open(path, "wt", encoding="utf-8") as f:      # news text: 3-10x, Reuters 3.6x
        for i in range(3000):
            body = " ".join(rng.choice(words) + (str(rng.randrange(1000)) if rng.random() < .2 else "")
                            for _ in range(300))
            f.write(json.dumps({"id": f"s{i}", "title": f"Story {i}", "body": body}) + "\n")
    docs, problems = read_file(path, tmp_path)
    assert len(docs) == 3000 and problems == []


# ---------------------------------------------------------------- 24.10: a file swapped for a link

def test_a_file_swapped_for_a_link_after_the_walk_is_not_read(tmp_path, monkeypatch):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("The password is swordfish-okapi.\n")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(STORY)
    (archive / "b.txt").write_text(STORY + " Another story about okapis.")
    real = build.read_source

    def swap_then_read(path, *args, **kwargs):     # the walk is over: swap b.txt for a link, then read
        if path.name == "b.txt":
            os.remove(path)
            os.symlink(secret, path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(build, "read_source", swap_then_read)
    seen = []
    report = build_index([archive], tmp_path / "ix", procs=1, progress=False, on_problem=seen.append)
    assert report.total_documents == 1
    [problem] = [p for p in seen if p.path.endswith("b.txt")]
    assert problem.skipped and "changed between listing and reading" in problem.reason

    from indexer.search import Archive, parse_request
    assert Archive(tmp_path / "ix").search(parse_request({"q": ["swordfish"]})).total == 0


def test_a_folder_swapped_for_a_link_after_the_walk_is_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("The password is swordfish-okapi.\n")
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    (archive / "sub" / "b.txt").write_text(STORY)
    real = build.read_source

    def swap_then_read(path, *args, **kwargs):
        if path.parent.name == "sub" and not path.parent.is_symlink():
            os.rename(path.parent, tmp_path / "moved")
            os.symlink(outside, path.parent)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(build, "read_source", swap_then_read)
    seen = []
    report = build_index([archive], tmp_path / "ix", procs=1, progress=False, on_problem=seen.append)
    assert report.total_documents == 0
    assert any("changed between listing and reading" in p.reason for p in seen)


def test_a_link_inside_the_folder_is_still_read(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(STORY)
    (archive / "alias.txt").symlink_to(archive / "a.txt")
    (archive / "b.txt").symlink_to("a.txt")
    report = build_index([archive / "alias.txt"], tmp_path / "ix", procs=1, progress=False)
    assert report.total_documents == 1 and report.skipped == 0


def test_the_reason_a_read_stopped_survives_the_cap_on_problems(tmp_path):
    """A file with more problems than are listed (50) still says why its reading stopped."""
    path = tmp_path / "noisy.jsonl.gz"
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(z.compress((json.dumps({"id": "first", "body": STORY}) + "\n").encode()))
        f.write(z.compress(b"{not json\n" * 80))
        f.write(z.compress((json.dumps({"id": "x", "body": " " * 40 * 1048576}) + "\n").encode()))
        f.write(z.flush())
    docs, problems = read_file(path, tmp_path)
    assert [d.id for d in docs] == ["first"]
    assert "decompression bomb" in problems[0].reason and problems[-1].reason.startswith("... and ")


def test_a_link_repointed_outside_after_its_check_is_not_read(tmp_path, monkeypatch):
    """A link inside the folder passes the walk's check; pointed at an outside file right after, it is refused."""
    import indexer.read.documents as documents
    secret = tmp_path / "outside.txt"
    secret.write_text("The password is swordfish-okapi.\n")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(STORY)
    (archive / "z.txt").write_text(STORY + " A second story.")
    (archive / "link.txt").symlink_to("z.txt")         # walked before z.txt: z.txt is read through it
    real_identity = documents._identity

    def repoint_then_identify(path, entry=None, target=None):     # between the link check and the read
        if path.name == "link.txt":
            os.remove(path)
            os.symlink(secret, path)
        return real_identity(path, entry, *([target] if target else []))

    monkeypatch.setattr(documents, "_identity", repoint_then_identify)
    seen = []
    report = build_index([archive], tmp_path / "ix", procs=1, progress=False, on_problem=seen.append)
    assert report.total_documents == 1                  # a.txt; never the secret
    assert any(p.path.endswith("link.txt") and "changed between listing and reading" in p.reason for p in seen)
