"""The archive's own copy of what it fetched (issue 18.4): `--rebuild` loses no feed item, pruning by date.

Loopback servers only (feedsite.Site); the copies are gzipped WARC files in
`<index>/fetched/`, read back by NewsFacet's own WARC reader and by warcio.
"""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from feedsite import Site, run
from warcio.archiveiterator import ArchiveIterator

from indexer.index import build, store
from indexer.cli import main
from indexer.read.documents import read_file
from indexer.read import fetched

PAGE = ("<html><head><title>{t}</title></head><body><article><h1>{t}</h1>" + "".join(
    f"<p>GENEVA, March 3 - Paragraph {i} of the full article on {{t}}, with details the feed leaves out.</p>"
    for i in range(8)) + "</article></body></html>")


def rss(items: list[str]) -> bytes:
    body = "".join(f"<item><title>{t}</title><guid>urn:f:{t}</guid><link>{{base}}/a/{t}</link>"
                   f"<description>Short summary of {t}.</description></item>" for t in items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Desk</title>{body}</channel></rss>".encode()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def stored(ix) -> dict[str, dict]:
    index, _ = store.open_live(ix)
    with index.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def publish(site: Site, items: list[str]) -> None:
    site.pages["/feed.xml"] = (200, rss(items), f'"{"-".join(items)}"', {"Content-Type": "application/rss+xml"})
    for t in items:
        site.pages[f"/a/{t}"] = (200, PAGE.format(t=t).encode(), "", {"Content-Type": "text/html; charset=utf-8"})


def test_rebuild_keeps_every_item_that_left_its_feed_with_its_article(site, tmp_path):
    feed, ix = site.base + "/feed.xml", tmp_path / "ix"
    publish(site, ["alpha", "beta"])
    run([feed], ix, fetch_articles=True)
    publish(site, ["gamma"])                      # alpha and beta leave the feed; their pages go too
    del site.pages["/a/alpha"], site.pages["/a/beta"]
    run([feed], ix, fetch_articles=True)
    before = stored(ix)
    assert sorted(before) == ["urn:f:alpha", "urn:f:beta", "urn:f:gamma"]
    assert "Paragraph 7 of the full article on alpha" in before["urn:f:alpha"]["body"]

    warcs = fetched.files(ix)
    assert len(warcs) == 2 and all(p.parent == ix / "fetched" for p in warcs)
    r, seen = run([feed], ix, fetch_articles=True, rebuild=True)
    after = stored(ix)
    assert sorted(after) == sorted(before) and r.rebuilt
    for sid in before:
        assert (after[sid]["title"], after[sid]["body"]) == (before[sid]["title"], before[sid]["body"])
    assert not [p for p in seen if p.skipped], seen

    site.close()                                  # the site is gone: a rebuild of other files keeps the feed's stories
    (tmp_path / "notes.txt").write_text("A note about coffee prices.\n", encoding="utf-8")
    r, seen = run([tmp_path / "notes.txt"], ix, rebuild=True)
    assert sorted(stored(ix)) == ["notes.txt", "urn:f:alpha", "urn:f:beta", "urn:f:gamma"]

    for segment in store.live_dir(ix).glob("*.seg"):       # a damaged index: the cure is --rebuild, from the copies
        segment.write_bytes(b"")
    with pytest.raises(store.IndexDamaged):
        stored(ix)
    r, seen = run([tmp_path / "notes.txt"], ix, rebuild=True)
    after = stored(ix)
    assert sorted(after) == ["notes.txt", "urn:f:alpha", "urn:f:beta", "urn:f:gamma"]
    assert "Paragraph 7 of the full article on beta" in after["urn:f:beta"]["body"]


def test_the_copies_are_web_archives_newsfacet_reads(site, tmp_path):
    publish(site, ["alpha"])
    ix = tmp_path / "ix"
    run([site.base + "/feed.xml"], ix, fetch_articles=True)
    [warc] = fetched.files(ix)
    with open(warc, "rb") as f:
        kinds = [(r.rec_headers.get_header("NewsFacet-Fetch"), r.rec_headers.get_header("WARC-Target-URI"))
                 for r in ArchiveIterator(f) if r.rec_type == "response"]
    assert kinds == [("feed", site.base + "/feed.xml"), ("article", site.base + "/a/alpha")]
    docs, problems = read_file(warc, warc.parent)            # `newsfacet index` reads the article page from it
    assert [d.id for d in docs] == [site.base + "/a/alpha"] and "Paragraph 7" in docs[0].body


def test_a_failed_run_keeps_no_copy_and_an_unchanged_feed_adds_none(site, tmp_path, monkeypatch):
    publish(site, ["alpha"])
    ix = tmp_path / "ix"
    run([site.base + "/feed.xml"], ix)
    run([site.base + "/feed.xml"], ix)                       # a 304: nothing fetched, no file
    assert len(fetched.files(ix)) == 1
    publish(site, ["beta"])

    def fail(*a, **kw):
        raise OSError("the disk went away")
    monkeypatch.setattr(build, "_write", fail)
    with pytest.raises(OSError):
        run([site.base + "/feed.xml"], ix)                   # its stories never reached the index: no copy kept
    assert len(fetched.files(ix)) == 1 and sorted(stored(ix)) == ["urn:f:alpha"]


def test_prune_by_date_and_a_rebuild_names_what_it_lost(site, tmp_path):
    feed, ix = site.base + "/feed.xml", tmp_path / "ix"
    publish(site, ["alpha"])
    run([feed], ix)
    publish(site, ["beta"])
    run([feed], ix)
    old, new = fetched.files(ix)
    old.rename(old.with_name("20200102T000000000000Z-1.warc.gz"))     # as if fetched on 2 January 2020
    size = os.path.getsize(old.with_name("20200102T000000000000Z-1.warc.gz"))
    runner = CliRunner()
    result = runner.invoke(main, ["prune", "--fetched-before", "2020-01-03", "--index-dir", str(ix)])
    assert result.exit_code == 0, result.output
    assert f"pruned 1 files, {size:,} bytes; 1 files" in result.output
    assert fetched.files(ix) == [new]
    assert sorted(stored(ix)) == ["urn:f:alpha", "urn:f:beta"]    # pruning leaves the index alone

    r, seen = run([feed], ix, rebuild=True)               # alpha's copy is gone: the old generation has it
    assert sorted(stored(ix)) == ["urn:f:alpha", "urn:f:beta"]
    assert any("1 stories of this feed have no copy in the fetched archive" in p.reason for p in seen)

    for segment in store.live_dir(ix).glob("*.seg"):       # and now the index replaced is damaged too
        segment.write_bytes(b"")
    r, seen = run([feed], ix, rebuild=True)
    assert sorted(stored(ix)) == ["urn:f:beta"]
    assert any("1 stories of this feed are neither in the fetched archive" in p.reason for p in seen)
    kept = runner.invoke(main, ["prune", "--fetched-before", "2020-01-03", "--index-dir", str(ix)])
    assert "pruned 0 files" in kept.output and fetched.files(ix)[0] == new    # the rebuild fetched the feed anew


def test_an_index_older_than_the_archive_keeps_its_feed_stories_on_rebuild(site, tmp_path):
    """Stories fetched before `fetched/` existed are taken from the generation the rebuild replaces."""
    feed, ix = site.base + "/feed.xml", tmp_path / "ix"
    publish(site, ["alpha", "beta"])
    run([feed], ix, fetch_articles=True)
    before = stored(ix)
    for warc in fetched.files(ix):
        warc.unlink()
    publish(site, ["gamma"])
    site.pages["/feed.xml"] = (500, b"down", "")             # and the site is down
    r, seen = run([feed], ix, rebuild=True)
    after = stored(ix)
    assert sorted(after) == ["urn:f:alpha", "urn:f:beta"]
    assert all(after[i]["body"] == before[i]["body"] and after[i]["title"] == before[i]["title"] for i in after)


def test_a_feed_answering_200_with_the_same_items_adds_no_copy(site, tmp_path):
    """A server without conditional GET sends the whole feed every run: only a copy with news is kept."""
    site.pages["/feed.xml"] = (200, rss(["alpha"]), "")
    ix = tmp_path / "ix"
    run([site.base + "/feed.xml"], ix)
    r, _ = run([site.base + "/feed.xml"], ix)
    assert len(fetched.files(ix)) == 1 and r.documents == 0
