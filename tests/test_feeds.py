"""Feeds: files in every format, and feed URLs followed over a loopback HTTP server (issue 11).

The server runs on 127.0.0.1 in a thread of this process; nothing leaves the machine.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from feedsite import Site, run

from indexer.index import store
from indexer.read.documents import read_file
from indexer.read.fetch import USER_AGENT

ARTICLE = ("<html><head><title>Full story | Site</title></head><body><nav>Home | World | Business</nav>"
           "<article><h1>Locusts in Kenya</h1>" + "".join(
               f"<p>NAIROBI, March 2 - Paragraph {i} of the full article about desert locusts and the harvest.</p>"
               for i in range(8)) + "</article><footer>Cookie notice</footer></body></html>")


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><guid>urn:story:{g}</guid><link>{{base}}/article/{g}</link>"
                   f"<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Summary of {t}.</description>"
                   f"<category>World</category></item>" for g, t in items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>World desk</title>{body}</channel></rss>".encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tech</title>
<id>urn:tech</id><updated>2026-03-01T00:00:00Z</updated><entry><title>Chip plant opens</title><id>urn:tech:1</id>
<updated>2026-03-01T00:00:00Z</updated><link href="http://x.test/chip"/><summary>A chip plant opened in Dresden.</summary>
</entry></feed>"""


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def stored(ix: Path) -> dict[str, dict]:
    index, _ = store.open_live(ix)
    with index.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def test_feed_list_new_items_304_and_broken_feeds_named(site, tmp_path):
    site.pages["/world.rss"] = (200, rss([("1", "Drought in Kenya"), ("2", "Floods in Chile")]), '"w1"')
    site.pages["/tech.atom"] = (200, ATOM, '"t1"')
    site.pages["/broken.xml"] = (200, b"this is not a feed at all", "")
    site.pages["/error"] = (500, b"boom", "")
    lst = tmp_path / "sources" / "feeds.txt"
    lst.parent.mkdir()
    lst.write_text("# our feeds\n" + "\n".join(site.base + p for p in ("/world.rss", "/tech.atom", "/broken.xml", "/error"))
                   + "\n", encoding="utf-8")
    ix = tmp_path / "ix"
    r, seen = run([lst.parent], ix)
    assert sorted(stored(ix)) == ["urn:story:1", "urn:story:2", "urn:tech:1"]
    bad = {p.path: p.reason for p in seen if p.skipped}
    assert set(bad) == {site.base + "/broken.xml", site.base + "/error"}
    assert "HTTP 500" in bad[site.base + "/error"] and "not an RSS or Atom feed" in bad[site.base + "/broken.xml"]
    story = stored(ix)["urn:story:1"]
    assert (story["title"], story["url"], story["source"]) == ("Drought in Kenya", site.base + "/article/1", "World desk")
    assert all(site.base not in p and "User-Agent" in h and h["User-Agent"] == USER_AGENT for p, _, h in site.log)

    site.log.clear()                              # unchanged: one conditional request per good feed, each a 304
    r, _ = run([lst.parent], ix)
    good = [(p, s) for p, s, _ in site.log if p in ("/world.rss", "/tech.atom")]
    assert sorted(good) == [("/tech.atom", 304), ("/world.rss", 304)]
    assert r.documents == 0 and r.total_documents == 3

    site.pages["/world.rss"] = (200, rss([("3", "Locusts in Kenya"), ("2", "Floods in Chile")]), '"w2"')
    r, _ = run([lst.parent], ix)                  # a new item appears; the one that left the feed stays
    assert sorted(stored(ix)) == ["urn:story:1", "urn:story:2", "urn:story:3", "urn:tech:1"]

    lst.write_text(site.base + "/tech.atom\n", encoding="utf-8")      # a feed taken off the list takes its stories
    r, _ = run([lst.parent], ix)
    assert sorted(stored(ix)) == ["urn:tech:1"] and r.removed == 1


def test_feed_url_with_articles_fetched(site, tmp_path):
    site.pages["/world.rss"] = (200, rss([("1", "Locusts in Kenya")]), "")
    site.pages["/article/1"] = (200, ARTICLE.encode(), "")
    ix = tmp_path / "ix"
    r, seen = run([site.base + "/world.rss"], ix, fetch_articles=True)
    assert r.skipped == 0, seen
    story = stored(ix)["urn:story:1"]
    assert "Paragraph 7 of the full article" in story["body"]
    for boilerplate in ("Home | World", "Cookie notice", "Summary of"):
        assert boilerplate not in story["body"]
    assert story["dateline"] == "NAIROBI"


FEED_FILES = {
    "rss1.rdf.xml": (b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="http://x.test/">
        <title>RDF desk</title><link>http://x.test/</link><description>d</description></channel>
        <item rdf:about="http://x.test/r1"><title>RSS one item</title><link>http://x.test/r1</link>
        <description>GENEVA, March 4 - The WHO met.</description><dc:date>2026-03-04</dc:date></item></rdf:RDF>""",
                     "http://x.test/r1", "RSS one item"),
    "tech.atom": (ATOM, "urn:tech:1", "Chip plant opens"),
    "feed.json": (json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "JSON desk",
                              "items": [{"id": "j1", "url": "http://x.test/j1", "title": "JSON item",
                                         "content_html": "<p>PARIS, March 5 - A <b>JSON Feed</b> story.</p>",
                                         "date_published": "2026-03-05T08:00:00Z", "tags": ["Economy"]}]}).encode(),
                  "j1", "JSON item"),
}


@pytest.mark.parametrize("name", sorted(FEED_FILES))
def test_feed_files(tmp_path, name):
    data, doc_id, title = FEED_FILES[name]
    (tmp_path / name).write_bytes(data)
    docs, problems = read_file(tmp_path / name, tmp_path)
    assert not [p for p in problems if p.skipped]
    [doc] = docs
    assert (doc.id, doc.title) == (doc_id, title) and doc.date is not None and doc.body


def test_json_feed_keeps_categories_and_dateline(tmp_path):
    (tmp_path / "feed.json").write_bytes(FEED_FILES["feed.json"][0])
    [doc], _ = read_file(tmp_path / "feed.json", tmp_path)
    assert doc.categories == ["Economy"] and doc.dateline == "PARIS" and doc.source == "JSON desk"


def test_a_feed_served_as_xml_is_not_called_malformed_and_the_summary_counts_stories(site, tmp_path):
    """Issue 18.8: the server's Content-Type reaches feedparser; the summary line counts stories, not feeds."""
    xml = {"Content-Type": "application/xml"}
    site.pages["/world.rss"] = (200, rss([("1", "Drought in Kenya"), ("2", "Floods in Chile")]), '"w1"', xml)
    ix = tmp_path / "ix"
    r, seen = run([site.base + "/world.rss"], ix)
    assert not [p for p in seen if "well-formed" in p.reason], seen
    assert r.summary() == "indexed 2 new, 0 changed, 0 removed stories, 0 skipped" and r.documents == 2

    site.pages["/world.rss"] = (200, rss([("3", "Locusts in Kenya"), ("2", "Floods in Chile")]), '"w2"', xml)
    r, seen = run([site.base + "/world.rss"], ix)           # one new item; the one that stayed is not rewritten
    assert r.summary() == "indexed 1 new, 0 changed, 0 removed stories, 0 skipped" and r.documents == 1

    site.pages["/world.rss"] = (200, rss([("3", "Locusts in East Africa")]), '"w3"', xml)
    r, _ = run([site.base + "/world.rss"], ix)
    assert r.summary() == "indexed 0 new, 1 changed, 0 removed stories, 0 skipped"
    assert stored(ix)["urn:story:3"]["title"] == "Locusts in East Africa"


ENTITIES = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Q&amp;A desk</title>
<item><title><![CDATA[Q&A: AT&T and <i>Ben &amp; Jerry's</i>]]></title><guid>urn:e:1</guid>
<description>AT&amp;amp;T profits &amp;amp;xxe; rose &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; caf&amp;eacute;</description>
</item></channel></rss>"""


def test_feed_entities_are_decoded_once_and_pages_escape_them_once(tmp_path):
    """Issue 24.11: `&amp;xxe` and `AT&amp;T` were shown literally; markup in an item stays text on every page."""
    from web.app import create_app
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "feed.rss").write_bytes(ENTITIES)
    [doc], _ = read_file(tmp_path / "docs" / "feed.rss", tmp_path / "docs")
    assert doc.title == "Q&A: AT&T and Ben & Jerry's" and doc.source == "Q&A desk"
    assert doc.body == "AT&T profits &xxe; rose <script>alert(1)</script> café"

    from indexer.index.build import build_index
    build_index([tmp_path / "docs"], tmp_path / "ix", progress=False, procs=1)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    for url in ("/?q=profits", "/doc/urn:e:1"):
        page = client.get(url).get_data(as_text=True)
        assert "AT&amp;T" in page and "&amp;xxe;" in page, url          # escaped once: the reader sees AT&T, &xxe;
        assert "&amp;amp;" not in page and "<script>alert(1)" not in page, url
    hit = client.get("/api/search?q=profits").get_json()["hits"][0]
    assert hit["title"] == "Q&A: AT&T and Ben & Jerry's" and "&amp;amp;" not in hit["snippet"]


def test_atom_text_is_kept_as_text_and_atom_html_decoded_once(tmp_path):
    (tmp_path / "f.atom").write_bytes(b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>t</id><title type="text">Use &lt;b&gt; &amp; more</title><summary type="text">Write &lt;b&gt; for bold.</summary></entry>
<entry><id>h</id><title type="html">AT&amp;amp;T &lt;b&gt;now&lt;/b&gt;</title>
<content type="html">&lt;p&gt;AT&amp;amp;T sells &amp;lt;widgets&amp;gt;&lt;/p&gt;</content></entry></feed>""")
    docs, _ = read_file(tmp_path / "f.atom", tmp_path)
    assert [(d.title, d.body) for d in docs] == [("Use <b> & more", "Write <b> for bold."),
                                                 ("AT&T now", "AT&T sells <widgets>")]
