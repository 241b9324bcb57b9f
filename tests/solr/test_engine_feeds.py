"""Feed lists and feed URLs in `newsfacet --engine solr://… index` (issue 23): the same feeds, served
by a loopback site (tests/feedsite.py, 127.0.0.1 only), give the same stories in SolrCloud as in
the Whoosh index, run after run: new items added, unchanged feeds a 304, a broken feed named and
the rest indexed, a feed taken off its list taking its stories with it, articles fetched."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from feedsite import Site, run

from indexer.index import store
from indexer.cli import main
from indexer.engines.solr import indexing
from indexer.query.solrsearch import SolrEngine
from indexer.read.fetch import Fetcher
from indexer.search import Archive, parse_request
from test_feeds import ARTICLE, ATOM, rss

pytestmark = [pytest.mark.timeout(300)]
FIELDS = ("title", "body", "url", "source", "dateline", "path")


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def _whoosh(ix) -> dict[str, dict]:
    index, _ = store.open_live(ix)
    with index.searcher() as s:
        return {f["id"]: {k: f.get(k, "") or "" for k in FIELDS + ("date",)} for f in s.all_stored_fields()}


def _solr(client) -> dict[str, dict]:
    res = client.select({"q": "*:*", "rows": 1000, "fl": ",".join(("id",) + FIELDS + ("date",))})
    out = {}
    for d in res["response"]["docs"]:
        out[d["id"]] = {k: d.get(k, "") or "" for k in FIELDS}
        out[d["id"]]["date"] = d.get("date", "")[:10]
    return out


def _same(ix, client) -> dict[str, dict]:
    w, s = _whoosh(ix), _solr(client)
    for f in w.values():
        f["date"] = f["date"].date().isoformat() if f["date"] else ""
    assert s == w
    return s


def _index(client, paths, **kw):
    seen = []
    report = indexing.index(client, paths, fetcher=Fetcher(delay=0, timeout=10), on_problem=seen.append, **kw)
    return report, seen


def test_feed_list_runs_as_on_whoosh(site, collection, tmp_path):
    site.pages["/world.rss"] = (200, rss([("1", "Drought in Kenya"), ("2", "Floods in Chile")]), '"w1"')
    site.pages["/tech.atom"] = (200, ATOM, '"t1"')
    site.pages["/broken.xml"] = (200, b"this is not a feed at all", "")
    site.pages["/error"] = (500, b"boom", "")
    lst = tmp_path / "sources" / "feeds.txt"
    lst.parent.mkdir()
    lst.write_text("# our feeds\n" + "\n".join(site.base + p for p in ("/world.rss", "/tech.atom", "/broken.xml",
                                                                        "/error")) + "\n", encoding="utf-8")
    ix = tmp_path / "ix"
    _, w_seen = run([lst.parent], ix)
    first, seen = _index(collection, [lst.parent], rebuild=True)
    assert sorted(_same(ix, collection)) == ["urn:story:1", "urn:story:2", "urn:tech:1"]
    assert first.documents == 3
    named = {(p.path, p.reason) for p in seen if p.skipped}
    assert named == {(p.path, p.reason) for p in w_seen if p.skipped}
    assert {p for p, _ in named} == {site.base + "/broken.xml", site.base + "/error"}

    site.log.clear()                      # unchanged: one conditional request per good feed, each a 304
    again, _ = _index(collection, [lst.parent])
    good = sorted((p, s) for p, s, _ in site.log if p in ("/world.rss", "/tech.atom"))
    assert good == [("/tech.atom", 304), ("/world.rss", 304)] and again.documents == 0

    site.pages["/world.rss"] = (200, rss([("3", "Locusts in Kenya"), ("2", "Floods in Chile")]), '"w2"')
    run([lst.parent], ix)
    third, _ = _index(collection, [lst.parent])       # a new item; the one that left the feed stays
    assert third.documents == 1
    assert sorted(_same(ix, collection)) == ["urn:story:1", "urn:story:2", "urn:story:3", "urn:tech:1"]
    whoosh = Archive(ix)
    try:
        for q in ("kenya", "chip", ""):
            params = parse_request({"q": [q]})
            w, s = whoosh.search(params), Archive(engine=SolrEngine(collection)).search(params)
            assert (s.total, s.groups, [h.id for h in s.hits]) == (w.total, w.groups, [h.id for h in w.hits])
    finally:
        whoosh.close()

    lst.write_text(site.base + "/tech.atom\n", encoding="utf-8")    # off the list: its stories go
    run([lst.parent], ix)
    fourth, _ = _index(collection, [lst.parent])
    assert sorted(_same(ix, collection)) == ["urn:tech:1"] and fourth.removed == 1


def test_feed_url_with_articles_and_from_the_command_line(site, collection, tmp_path):
    site.pages["/world.rss"] = (200, rss([("1", "Locusts in Kenya")]), "")
    site.pages["/article/1"] = (200, ARTICLE.encode(), "")
    ix = tmp_path / "ix"
    run([site.base + "/world.rss"], ix, fetch_articles=True)
    report, seen = _index(collection, [site.base + "/world.rss"], rebuild=True, fetch_articles=True)
    assert report.documents == 1 and not [p for p in seen if p.skipped], seen
    story = _same(ix, collection)["urn:story:1"]
    assert "Paragraph 7 of the full article" in story["body"] and story["dateline"] == "NAIROBI"

    site.pages["/tech.atom"] = (200, ATOM, "")
    cli = CliRunner().invoke(main, ["--engine", str(collection.url), "index", site.base + "/tech.atom"])
    assert cli.exit_code == 0, cli.output
    assert "urn:tech:1" in _solr(collection)
