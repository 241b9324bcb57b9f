"""At archive scale: all 21,578 Reuters stories plus planted copies, exported, grouped and followed."""
from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest

from corpora import corpus_records, planted_copies, reuters_all_index
from indexer.search import Archive, SearchRequest
from web.app import create_app

pytestmark = pytest.mark.corpus
A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    ix = reuters_all_index(tmp_path_factory)          # built once per run, shared with test_leading_wildcards
    records = list(corpus_records())
    app = create_app({"INDEX_DIR": str(ix), "TESTING": True})
    return Archive(ix), app.test_client(), records, planted_copies(records)


def test_export_row_count_equals_hit_count(reuters):
    archive, client, records, planted = reuters
    total = client.get("/api/search").get_json()["total"]
    assert total == len(records) + len(planted) > 20_000
    started = time.perf_counter()
    r = client.get("/export.csv")
    text = r.get_data(as_text=True)
    seconds = time.perf_counter() - started
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    print(f"export: {len(rows):,} rows in {seconds:.1f} s ({len(rows) / seconds:,.0f} rows/s)")
    assert len(rows) == total and len({row["id"] for row in rows}) == total
    q = client.get("/api/search?q=said").get_json()
    lines = client.get("/export.jsonl?q=said").get_data(as_text=True).splitlines()
    assert len(lines) == q["total"] > 10_000
    assert json.loads(lines[0])["id"] == q["hits"][0]["id"]


def test_export_streams(reuters):
    archive, client, records, planted = reuters
    r = client.get("/export.jsonl", buffered=False)
    chunks = 0
    for _ in r.response:
        chunks += 1
        if chunks > 3:
            break
    r.close()
    assert r.is_streamed and chunks > 3


def test_planted_copies_are_grouped(reuters):
    archive, client, records, planted = reuters
    corrections = 0
    for n in range(len(planted) // 3):
        original = planted[3 * n]["original"]
        story = archive.story(original)
        versions = {v.id for v in story.versions}
        assert {f"copy-{n}", f"refiled-{n}"} <= versions, (original, versions)
        corrections += f"corrected-{n}" in versions
        assert not {v.id for v in story.similar} & versions
        result = archive.search(SearchRequest(q=f'"{story.title}"'))
        shown = [h for h in result.hits if h.id in versions | {original}]
        assert len(shown) == 1 and shown[0].versions_count >= 2        # one entry, "N similar versions"
    # a one-word change moves a SimHash by 1-6 bits; within 4 bits groups most (dedup.py's trade-off)
    assert corrections >= 0.7 * (len(planted) // 3), corrections
    whole = archive.search(SearchRequest())
    assert whole.groups < whole.total - len(planted)        # Reuters' own duplicates group too


def test_groups_hold_near_copies_only(reuters):
    archive, client, records, planted = reuters
    import re
    words = re.compile(r"\w+")

    def shingles(text):
        w = words.findall(text.lower())
        return {tuple(w[i:i + 4]) for i in range(len(w) - 3)}

    result = archive.search(SearchRequest(q="oil", per_page=100))
    checked = 0
    for hit in result.hits:
        if not hit.versions:
            continue
        a = shingles(archive.story(hit.id).body)
        for v in hit.versions:
            b = shingles(archive.story(v.id).body)
            assert len(a & b) / len(a | b) >= 0.6, (hit.id, v.id)
            checked += 1
    assert checked > 0


@pytest.mark.timing
def test_grouping_is_numpy_cheap(reuters):
    archive, client, records, planted = reuters
    for grouped in (True, False):
        archive.search(SearchRequest(q="said", group=grouped))
    started = time.perf_counter()
    for _ in range(5):
        archive.search(SearchRequest(q="said", group=True))
    with_groups = (time.perf_counter() - started) / 5
    started = time.perf_counter()
    for _ in range(5):
        archive.search(SearchRequest(q="said", group=False))
    without = (time.perf_counter() - started) / 5
    print(f"search 'said': {with_groups * 1000:.1f} ms grouped, {without * 1000:.1f} ms not")
    assert with_groups < without + 0.05


def test_feed_and_related_at_scale(reuters):
    archive, client, records, planted = reuters
    feed = ET.fromstring(client.get("/feed.atom?q=coffee&country=BR").data)
    entries = feed.findall(A + "entry")
    assert len(entries) == 50
    dates = [e.find(A + "updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    doc = client.get("/api/doc/reuters-1").get_json()        # Bahia cocoa review
    assert len(doc["similar"]) == 5
    assert sum("cocoa" in s["title"].lower() for s in doc["similar"]) >= 3
