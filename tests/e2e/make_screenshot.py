"""Make docs/screenshot.png for the README: the search page over the seed and some Reuters stories.

    .venv/bin/python tests/e2e/make_screenshot.py [--stories 3000] [--query "coffee"] [--out docs/screenshot.png]

Not a test (pytest does not collect it). Needs ../shared/corpus and /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from e2efixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=3000)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz")
    ap.add_argument("--path", default="/?q=coffee+prices")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1000)
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer.build import build_index
    from web.app import create_app
    from web.archive import warm

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for seed in (ROOT / "seeds").iterdir():
            (docs / seed.name).write_bytes(seed.read_bytes())
        with gzip.open(args.corpus, "rt", encoding="utf-8") as src, open(docs / "reuters.jsonl", "w") as dst:
            for line in itertools.islice(src, args.stories):
                dst.write(line)
        report = build_index([docs], Path(tmp) / "index", progress=False)
        print(f"indexed {report.total_documents} stories in {report.seconds:.1f}s", file=sys.stderr)
        app = create_app({"INDEX_DIR": str(Path(tmp) / "index")})
        warm(app)       # as a gunicorn worker does, so the page shows a warm search time
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(f"http://127.0.0.1:{server.server_port}{args.path}")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            server.shutdown()
    print(args.out)


if __name__ == "__main__":
    main()
