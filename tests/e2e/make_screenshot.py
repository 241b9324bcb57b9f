"""Make docs/screenshot.png for the README: the search page over a documented archive (`make screenshot`).

    .venv/bin/python tests/e2e/make_screenshot.py [--archive seeds] [--path "/?q=unicef"] [--out docs/screenshot.png]

Why a script: the README's picture must show what a new user gets, so it is taken from
the archive `make run` serves (seeds/, which ships with the project; `--archive` names
another folder or file, as `make run`'s SEEDS= does), indexed into a temporary folder and
served by the app a gunicorn worker runs (warmed, so the page shows a warm search time),
photographed by Debian's chromium (headless, through Playwright). Nothing of the
checkout's index/ is read or written. Not a test (pytest does not collect it);
tests/e2e/test_screenshot.py runs it.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2efixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, action="append",
                    help="a folder or file to index, repeatable [default: seeds/, what `make run` indexes]")
    ap.add_argument("--path", default="/?q=unicef", help="the page to photograph [default: /?q=unicef]")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1000)
    args = ap.parse_args(argv)
    args.archive = args.archive or [ROOT / "seeds"]
    for path in args.archive:
        if not path.exists():
            ap.error(f"{path} does not exist")
    if not Path(CHROMIUM).exists():
        ap.error(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    return args


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer.index.build import build_index
    from web.app import create_app
    from web.archive import warm

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        report = build_index([p.resolve() for p in args.archive], index_dir, progress=False, procs=1)
        print(f"indexed {report.total_documents} stories from {', '.join(map(str, args.archive))}",
              file=sys.stderr)
        app = create_app({"INDEX_DIR": str(index_dir)})
        warm(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": args.width, "height": args.height})
                    response = page.goto(f"http://127.0.0.1:{server.server_port}{args.path}")
                    if response is None or response.status != 200:
                        raise SystemExit(f"error: {args.path} answered {response and response.status}")
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.out))
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    print(args.out)
    return args.out


if __name__ == "__main__":
    main()
