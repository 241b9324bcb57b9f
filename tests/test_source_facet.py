"""The source facet (issue 22): the outlet, site or agency that published a story, through the
facet registry on every surface: counts, filters by name, the query language, the CLI, the web
panel, exports and feeds."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.index.build import build_index
from indexer.cli import main
from indexer.search import Archive, QueryError, parse_request
from web.app import create_app

RECORDS = [
    {"id": "r1", "date": "1987-03-01", "source": "Reuters", "title": "Coffee prices rise",
     "body": "Coffee prices rose in London on Monday."},
    {"id": "r2", "date": "1987-03-02", "source": "Reuters", "title": "Oil output cut",
     "body": "OPEC agreed to cut oil output."},
    {"id": "d1", "date": "2015-06-01", "source": "  dpa  ", "title": "Kaffee teurer",
     "body": "Der Kaffee wird in Hamburg teurer.", "language": "de"},
    {"id": "n1", "date": "1987-03-03", "title": "No source here", "body": "Coffee growers met in Bogota."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("sources")
    (base / "docs").mkdir()
    (base / "docs" / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base / "ix"


def search(index_dir, **params):
    return Archive(index_dir).search(parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()}))


def test_counts_and_filters_by_name(index_dir):
    everything = search(index_dir, group="off")
    assert {f.value: f.count for f in everything.facets["source"]} == {"Reuters": 2, "dpa": 1}
    for name in ("Reuters", "reuters", "REUTERS"):
        assert sorted(h.id for h in search(index_dir, source=name).hits) == ["r1", "r2"]
    assert sorted(h.id for h in search(index_dir, q="coffee", not_source="Reuters").hits) == ["n1"]
    assert [h.source for h in search(index_dir, source="dpa").hits] == ["dpa"]
    with pytest.raises(QueryError, match="source"):
        search(index_dir, source="Atlantis Times")


def test_the_query_language_takes_the_source(index_dir):
    assert sorted(h.id for h in search(index_dir, q="source:reuters").hits) == ["r1", "r2"]
    assert sorted(h.id for h in search(index_dir, q="coffee outlet:Reuters").hits) == ["r1"]
    assert sorted(h.id for h in search(index_dir, q="coffee -source:Reuters").hits) == ["n1"]


def test_cli_option(index_dir):
    out = CliRunner().invoke(main, ["search", "--source", "dpa", "--json", "--index-dir", str(index_dir)])
    assert out.exit_code == 0, out.output
    assert [h["id"] for h in json.loads(out.output)["hits"]] == ["d1"]


def test_panel_exports_and_feeds(index_dir):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Source" in page and "Reuters" in page and "source=Reuters" in page
    data = client.get("/api/search?source=Reuters").get_json()
    assert data["total"] == 2 and {h["source"] for h in data["hits"]} == {"Reuters"}
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=coffee&sort=oldest").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert {r["id"]: r["source"] for r in rows} == {"r1": "Reuters", "n1": ""}
    lines = client.get("/export.jsonl?source=dpa").get_data(as_text=True).splitlines()
    assert [json.loads(line)["source"] for line in lines] == ["dpa"]
    feed = client.get("/feed.atom?source=Reuters")
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("<entry>") == 2


# --------------------------------------------------------------------------- how a saved page's source is decided

@pytest.mark.parametrize("site, publisher, title_tag, headline, url, expected", [
    # a section, the headline, a template: the name the host spells wins (the <title>'s tail, the publisher)
    ("U.S.", "Reuters", "'Parasite' scores upset | Reuters", "'Parasite' scores upset",
     "https://www.reuters.com/article/x", "Reuters"),
    ("Privatkredit", "", "Privatkredit-Zinsen: So ermitteln Sie Ihre Kosten | SMAVA", "Privatkredit-Zinsen",
     "https://www.smava.de/privatkredit/", "SMAVA"),
    ("Bürgerbeteiligung für Windpark Steinheim", "", "Bürgerbeteiligung für Windpark Steinheim | EnBW",
     "Bürgerbeteiligung für Windpark Steinheim", "https://www.enbw.com/presse/x", "EnBW"),
    ("{$plugin.tx_news.opengraph.site_name}", "", "Neuer Blick auf das Foto", "Neuer Blick",
     "https://mpimet.mpg.de/aktuelles/x", "mpimet.mpg.de"),
    # a slogan after the name, a name after a headline, the site's address
    ("WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale", "", "Crash | WSVN 7News", "Crash",
     "https://wsvn.com/news/x", "WSVN 7News"),
    ("Achtsam durch die Krise | Die FURCHE", "", "Achtsam durch die Krise | Die FURCHE", "Achtsam durch die Krise",
     "https://www.furche.at/x", "Die FURCHE"),
    ("https://www.fr.de", "Frankfurter Rundschau", "Kim Jong Un", "Kim Jong Un", "https://www.fr.de/politik/x",
     "fr.de"),
    ("", "", "Maulwurfkuchen mit Erdbeeren - Rezept von Backen.de", "Maulwurfkuchen",
     "https://backen.de/rezept/x", "Backen.de"),
    (".:: NMB-MEDIA ::. eBay-Templates, JTL-Wawi / Eazyauction Designvorlagen", "", "Datenschutz", "Datenschutz",
     "https://shop.nmb-media.de/x", "NMB-MEDIA"),
    # the best spelt name: "Welpenkaufen24" over the generic "Welpen"
    ("Welpen", "", "Welpen kaufen – Tipps zu jeder Hunderasse | Welpenkaufen24", "Welpen kaufen",
     "https://web.archive.org/web/20160401095740/http://www.welpenkaufen24.de/", "Welpenkaufen24"),
    # nothing declared: the host (an archived page's own host, a punycode host readable)
    ("", "", "Cowboyboots", "Cowboyboots", "https://omr.com/de/daily/x", "omr.com"),
    ("", "", "»Haltet unsere Gewässer sauber«", "x", "https://seglerblog.xn--stssenseer-fcb.de/x",
     "seglerblog.stössenseer.de"),
    # a declared name the host does not spell stays as declared; no address, no name
    ("Daily News", "", "Page Title", "Headline", "https://x.test/a", "Daily News"),
    ("Daily News", "", "Page Title", "Headline", "", "Daily News"),
    ("", "", "Page Title", "Headline", "", ""),
])
def test_the_source_of_a_saved_page(site, publisher, title_tag, headline, url, expected):
    from indexer.read.sitename import site_name
    assert site_name(site, publisher, title_tag, headline, url) == expected


def test_a_page_read_from_html_names_its_source(tmp_path):
    from indexer.read.html import parse_html
    page = ("<html><head><title>Oil prices rise again | Reuters</title><meta property='og:site_name' content='U.S.'>"
            "<link rel='canonical' href='https://www.reuters.com/article/oil'></head><body><h1>Oil prices rise again</h1>"
            "<p>" + "Oil prices rose on Monday as traders weighed supply. " * 12 + "</p></body></html>")
    [doc], _ = parse_html(page, "p.html", "p.html")
    assert doc.source == "Reuters"


@pytest.mark.corpus
def test_saved_pages_sources_on_the_corpus():
    """On 60 saved pages of the corpus: every page read with an address has a source, and none is a
    template, an address with its scheme, or longer than a name (MAX_WORDS)."""
    from corpora import web_pages

    from tests.eval.html import _decode
    from indexer.read.html import parse_html
    from indexer.read.sitename import MAX_WORDS
    sources = []
    for item, raw in web_pages(limit=60):          # evaluate_html.load's pages, the tar read in one pass
        text, _ = _decode(raw, item["file"], html=True)
        docs, _ = parse_html(text or "", item["file"], item["file"], url=item.get("url", ""))
        if docs and item.get("url", "").startswith("http"):
            sources.append(docs[0].source)
    assert len(sources) >= 40 and all(sources), sources
    assert not any("{" in s or "://" in s or len(s.split()) > MAX_WORDS for s in sources), sources
