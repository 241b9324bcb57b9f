"""What a fetch may reach and for how long (issue 24.4, 24.5): no internal address, no file://, no trickle.

Loopback servers only. The feed's own site is allowed through the test-only switch
(netpolicy.TEST_ALLOWED_PEERS, set by feedsite.Site); the "intranet" site is another
loopback port the switch does not allow, so the policy itself is what refuses it.
"""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess

import pytest
from click.testing import CliRunner
from feedsite import Site, run

from indexer.index import store
from indexer.cli import main
from indexer.read import fetch
from indexer.read.fetch import Fetcher

SECRET = "zanzibarsecret"
ADMIN = ("<html><body><article><h1>Admin console</h1>" + "".join(
    f"<p>Internal page {i}: the {SECRET} password and other things no feed author may read.</p>" for i in range(8))
    + "</article></body></html>").encode()
ARTICLE = ("<html><body><article><h1>Locusts</h1>" + "".join(
    f"<p>NAIROBI, March 2 - Paragraph {i} of the full article about desert locusts.</p>" for i in range(8))
    + "</article></body></html>").encode()


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><guid>urn:s:{n}</guid><link>{link}</link>"
                    f"<description>Summary of story {n} from the feed.</description></item>"
                    for n, link in enumerate(links))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Desk</title>{items}</channel></rss>".encode()


@pytest.fixture
def sites():
    feed, intranet = Site(), Site(allowed=False)
    yield feed, intranet
    feed.close()
    intranet.close()


def bodies(ix) -> dict[str, str]:
    index, _ = store.open_live(ix)
    with index.searcher() as s:
        return {f["id"]: f["body"] for f in s.all_stored_fields()}


def test_article_links_to_internal_addresses_are_refused(sites, tmp_path):
    feed, intranet = sites
    port = intranet.port
    intranet.pages["/admin"] = (200, ADMIN, "", {"Content-Type": "text/html"})
    feed.pages["/article"] = (200, ARTICLE, "", {"Content-Type": "text/html"})
    feed.pages["/hop"] = (302, b"", "", {"Location": f"http://127.0.0.1:{port}/admin"})
    links = [f"http://127.0.0.1:{port}/admin", f"http://localhost:{port}/admin", f"http://2130706433:{port}/admin",
             f"http://[::ffff:127.0.0.1]:{port}/admin", "{base}/hop", "file:///dev/zero", "file:///etc/passwd",
             "{base}/article"]
    feed.pages["/feed.xml"] = (200, rss(links), "", {"Content-Type": "application/rss+xml"})
    ix = tmp_path / "ix"
    r, seen = run([feed.base + "/feed.xml"], ix, fetch_articles=True)

    assert intranet.log == []                               # not one request reached the intranet
    stories = bodies(ix)
    assert len(stories) == len(links)                       # every item indexed, with the feed's own text
    assert not any(SECRET in body for body in stories.values())
    assert "Paragraph 7 of the full article" in stories["urn:s:7"]      # a public link is still fetched
    refused = {p.path: p.reason for p in seen if "refused" in p.reason}
    files = {k: why for k, why in refused.items() if k.startswith("file:")}     # feedparser gives file://dev/zero
    assert set(refused) - set(files) == {link.replace("{base}", feed.base) for link in links[:-1] if "file:" not in link}
    assert len(files) == 2 and all("only http and https" in why for why in files.values())
    assert "loopback address" in refused[f"http://2130706433:{port}/admin"]
    assert "loopback address" in refused[feed.base + "/hop"]            # the redirect's target, checked
    assert r.skipped == 0                                   # refused articles keep the feed's text


def test_feed_on_an_internal_address_is_refused_unless_allowed(sites, tmp_path):
    feed, intranet = sites
    intranet.pages["/intranet.xml"] = (200, rss(["http://x.test/a"]), "", {"Content-Type": "application/xml"})
    feed.pages["/public.xml"] = (200, rss(["http://x.test/b"]).replace(b"urn:s:", b"urn:p:"), "")
    runner = CliRunner()
    ix = tmp_path / "ix"
    args = ["index", intranet.base + "/intranet.xml", feed.base + "/public.xml", "--index-dir", str(ix), "-q"]
    refused = runner.invoke(main, args)
    assert refused.exit_code == 1, refused.output
    assert f"{intranet.base}/intranet.xml: refused: 127.0.0.1 is a loopback address" in refused.output
    assert "--allow-private" in refused.output
    assert sorted(bodies(ix)) == ["urn:p:0"] and intranet.log == []      # the rest of the run went on

    allowed = runner.invoke(main, args + ["--allow-private"])
    assert allowed.exit_code == 0, allowed.output
    assert sorted(bodies(ix)) == ["urn:p:0", "urn:s:0"]


def test_a_name_is_resolved_once_and_the_address_connected_to_is_the_one_checked(sites, tmp_path, monkeypatch):
    """DNS rebinding: a name that answers an allowed address, then an internal one, reaches only the first."""
    feed, intranet = sites
    feed.pages["/feed.xml"] = (200, rss(["http://x.test/a"]), "", {"Content-Type": "application/xml"})
    intranet.pages["/feed.xml"] = (200, rss([SECRET]), "", {"Content-Type": "application/xml"})
    answers = [feed.port]
    real = socket.getaddrinfo

    def rebinding(host, port, *a, **kw):
        if host != "rebind.test":
            return real(host, port, *a, **kw)
        to = answers.pop(0) if answers else intranet.port       # the second answer is the intranet's
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", to))]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", rebinding)
    got = Fetcher(delay=0).get(f"http://rebind.test:{feed.port}/feed.xml")
    assert got.status == 200 and b"x.test/a" in got.data and intranet.log == []
    got = Fetcher(delay=0).get(f"http://rebind.test:{feed.port}/feed.xml")      # now the name points inside
    assert got.refused and "rebind.test is a loopback address" in got.error and intranet.log == []


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_cannot_hold_the_run(sites, tmp_path, where):
    """A byte every 50 ms never trips a per-read timeout; the whole-response deadline ends the fetch."""
    feed, _ = sites
    feed.trickle["/slow.xml"] = where
    feed.pages["/good.xml"] = (200, rss(["http://x.test/a"]), "", {"Content-Type": "application/xml"})
    lst = tmp_path / "feeds.txt"
    lst.write_text(f"{feed.base}/slow.xml\n{feed.base}/good.xml\n", encoding="utf-8")
    ix = tmp_path / "ix"
    r, seen = run([lst], ix, fetcher=Fetcher(delay=0, timeout=10, deadline=1.0))
    slow = [p.reason for p in seen if p.path == feed.base + "/slow.xml"]
    assert slow and "whole-response deadline" in slow[0], seen
    assert sorted(bodies(ix)) == ["urn:s:0"] and r.skipped == 1


def test_the_cli_deadline_option_ends_a_trickling_feed(sites, tmp_path):
    feed, _ = sites
    feed.trickle["/slow.xml"] = "body"
    result = CliRunner().invoke(main, ["index", feed.base + "/slow.xml", "--index-dir", str(tmp_path / "ix"),
                                       "--fetch-deadline", "0.5", "-q"])
    assert result.exit_code == 1
    assert f"{feed.base}/slow.xml: no complete answer within 0.5 s (the whole-response deadline)" in result.output


def test_a_body_over_the_size_cap_is_cut_off(sites, tmp_path):
    feed, _ = sites
    feed.pages["/big.xml"] = (200, rss([f"http://x.test/{n}" for n in range(200)]), "")
    feed.pages["/good.xml"] = (200, rss(["http://x.test/a"]), "")
    ix = tmp_path / "ix"
    r, seen = run([feed.base + "/big.xml", feed.base + "/good.xml"], ix, fetcher=Fetcher(delay=0, max_bytes=4000))
    assert [p.path for p in seen if "size limit of 4,000 bytes" in p.reason] == [feed.base + "/big.xml"]
    assert sorted(bodies(ix)) == ["urn:s:0"]


@pytest.fixture
def tls_site(tmp_path):
    """A loopback HTTPS site with a self-signed certificate for `localhost` (made by the openssl command)."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    site = Site(tls=(str(cert), str(key)))
    yield site, cert
    site.close()


def test_https_is_verified_and_held_to_the_same_deadline(tls_site):
    site, cert = tls_site
    site.pages["/feed.xml"] = (200, rss(["http://x.test/a"]), "", {"Content-Type": "application/xml"})
    site.trickle["/slow.xml"] = "body"
    got = Fetcher(delay=0).get(site.base + "/feed.xml")
    assert got.status == 0 and "CERTIFICATE_VERIFY_FAILED" in got.error       # a certificate nobody vouches for
    trusting = Fetcher(delay=0, deadline=1.0)
    trusting._tls = ssl.create_default_context(cafile=str(cert))
    got = trusting.get(site.base + "/feed.xml")
    assert got.status == 200 and b"x.test/a" in got.data
    assert site.log[-1][2]["Host"] == f"localhost:{site.port}"
    slow = trusting.get(site.base + "/slow.xml")
    assert slow.status == 0 and "whole-response deadline" in slow.error
