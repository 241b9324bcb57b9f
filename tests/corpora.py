"""Where the test data lives: the seed folder and the Reuters corpus (skipped where absent).

A module, not conftest.py, so that tests import these helpers by a name of their own
(`from corpora import corpus_records`): every folder's conftest.py is imported under
the one name `conftest`, so `from conftest import ...` would get whichever ran last.
"""
from __future__ import annotations

import contextlib
import fcntl
import gzip
import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = Path(os.environ.get("NEWSFACET_CORPUS", ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"))


REQUIRE = os.environ.get("NEWSFACET_REQUIRE_CORPUS") == "1"


def needs_corpus(helper):
    """Mark a helper as reading ../shared/corpus: a test module holding one (imported by name) gets the
    `corpus` marker on every test (tests/conftest.py, `pytest_collection_modifyitems`)."""
    helper.needs_corpus = True
    return helper


def data_missing(reason: str):
    """A test whose data lacks what it checks: skipped, but a failure under NEWSFACET_REQUIRE_CORPUS=1
    (CI), where every test must run."""
    if REQUIRE:
        pytest.fail(f"NEWSFACET_REQUIRE_CORPUS=1: {reason}", pytrace=False)
    pytest.skip(reason)


def _present(path: Path, reason: str) -> Path:
    """`path` if the file is there; else skip with `reason`, or fail under NEWSFACET_REQUIRE_CORPUS=1."""
    if path.is_file():
        return path
    data_missing(reason)


@needs_corpus
def corpus_path() -> Path:
    """The Reuters file, or skip (fail under NEWSFACET_REQUIRE_CORPUS=1, which .ci/run sets)."""
    return _present(CORPUS, f"Reuters corpus not found at {CORPUS} "
                            "(set NEWSFACET_CORPUS or place ../shared/corpus beside the clone)")


@needs_corpus
def shared_corpus(name: str) -> Path:
    """Another file of ../shared/corpus (gnad-test.jsonl.gz, web-pages.tar.gz), or skip (fail under
    NEWSFACET_REQUIRE_CORPUS=1) as `corpus_path` does."""
    path = CORPUS.parent / name
    return _present(path, f"corpus file not found at {path}")


@needs_corpus
def corpus_records(limit: int | None = None, dev_only: bool = False):
    """Yield corpus records (dicts); dev_only keeps stories with gold labels (reuters-1 … reuters-11000)."""
    n = 0
    with gzip.open(corpus_path(), "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if dev_only and "places" not in rec:
                continue
            yield rec
            n += 1
            if limit and n >= limit:
                return


WEB_PAGES = ROOT.parent / "shared" / "corpus" / "web-pages.tar.gz"


@needs_corpus
def web_pages_path() -> Path:
    """trafilatura's saved pages, or skip (fail under NEWSFACET_REQUIRE_CORPUS=1)."""
    return _present(WEB_PAGES, f"saved web pages not found at {WEB_PAGES} (place ../shared/corpus beside the clone)")


_web_pages: dict[Path, tuple[list[dict], dict[str, bytes]]] = {}


@needs_corpus
def web_pages(limit: int | None = None, path: Path | None = None) -> list[tuple[dict, bytes]]:
    """What `tests.eval.html.load(path, limit)` returns ([(segments record, raw bytes)] in the
    order of segments.jsonl), from one pass over the tar read once per test process. `load` asks the
    tar for each page in the segments' order, which is not the tar's: a .tar.gz decompresses from its
    start again for every page behind the last one read (minutes for the 990 pages of a draw)."""
    path = path or web_pages_path()
    if path not in _web_pages:
        items, raw = [], {}
        with tarfile.open(path) as tar:
            for member in tar:
                if member.isfile() and "/pages/" in member.name:
                    raw[member.name.rsplit("/", 1)[-1]] = tar.extractfile(member).read()
                elif member.isfile() and member.name.endswith("segments.jsonl") and not items:
                    text = tar.extractfile(member).read().decode("utf-8")
                    items = [json.loads(line) for line in text.splitlines() if line.strip()]
        _web_pages[path] = (items, raw)
    items, raw = _web_pages[path]
    items = items[:limit] if limit else items
    return [(it, raw[it["file"]]) for it in items if it["file"] in raw]


def run_folder(tmp_path_factory) -> Path:
    """The temporary folder of the whole run, which every pytest-xdist worker shares (a worker's own
    is `<the run's>/popen-gwN`)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name` of the run's shared folder, filled by `build(folder)` once for the whole run:
    by whichever pytest-xdist worker asks first, while the other waits for it and then reads the same
    folder (a module-global cache would build it once per worker). The folder is read only after."""
    root = run_folder(tmp_path_factory)
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".built").is_file():
            shutil.rmtree(folder, ignore_errors=True)       # what a failed attempt left
            folder.mkdir(parents=True)
            build(folder)
            (folder / ".built").touch()
    return folder


def planted_copies(records: list[dict]) -> list[dict]:
    """A copy under another id, a re-filing next day and a one-word correction of a few long stories."""
    out = []
    seen = set()
    long = []
    for r in records:
        if 1000 < len(r["body"]) < 3000 and r.get("date") and " said " in r["body"] and r["body"] not in seen:
            seen.add(r["body"])
            long.append(r)
    for n, r in enumerate(long[:60:6]):
        out.append({**r, "id": f"copy-{n}", "original": r["id"]})
        out.append({**r, "id": f"refiled-{n}", "title": r["title"].lower()})
        body = r["body"].replace(" said ", " says ", 1)
        out.append({**r, "id": f"corrected-{n}", "title": "CORRECTED - " + r["title"], "body": body})
    return out


@needs_corpus
def reuters_all_index(tmp_path_factory) -> Path:
    """The index of all 21,578 Reuters stories plus `planted_copies` of a few (30 stories), built
    once per run (`built_once`): the one full-Reuters build of the suite (tests/test_following_corpus.py,
    tests/reliability/test_leading_wildcards.py). Read only."""
    def build(root: Path) -> None:
        from indexer.index.build import build_index
        records = list(corpus_records())
        (root / "docs").mkdir()
        for name, recs in (("reuters", records), ("copies", planted_copies(records))):
            with open(root / "docs" / f"{name}.jsonl", "w", encoding="utf-8") as f:
                for rec in recs:
                    f.write(json.dumps(rec) + "\n")
        build_index([root / "docs"], root / "ix", progress=False, procs=2)
    corpus_path()            # skip (or fail under the REQUIRE flag) before any worker waits
    return built_once(tmp_path_factory, "reuters-all", build) / "ix"


@needs_corpus
def reuters_index(tmp_path_factory, n: int) -> Path:
    """The index of the first `n` Reuters stories (one JSON Lines file), built once per run (`built_once`);
    the build's report beside it (`report.json`: documents, skipped). Read only."""
    def build(root: Path) -> None:
        from indexer.index.build import build_index
        (root / "docs").mkdir()
        with open(root / "docs" / "reuters.jsonl", "w", encoding="utf-8") as f:
            for rec in corpus_records(limit=n):
                f.write(json.dumps(rec) + "\n")
        report = build_index([root / "docs"], root / "ix", progress=False)
        (root / "report.json").write_text(json.dumps({"documents": report.documents, "skipped": report.skipped}))
    corpus_path()
    return built_once(tmp_path_factory, f"reuters-first-{n}", build) / "ix"


@contextlib.contextmanager
def analyses_remembered():
    """`entities.analyse` remembered by its arguments and the gazetteer in use (English, or every
    language) while inside: for a test module whose tests analyse the same thousands of stories again
    (the judged samples draw from the same Reuters and gnad stories; `extract` analyses once more).
    `analyse` is a pure function of those, and nothing mutates the `Analysis` it returns: this only
    saves doing the same work again. Not for a test that changes the gazetteer or the rules."""
    from indexer.extract import entities, gazetteer
    done: dict = {}
    analyse = entities.analyse

    def remembered(title, body, dateline="", date=None):
        key = (id(gazetteer._gaz()), title, body, dateline, date)
        if key not in done:
            done[key] = analyse(title, body, dateline, date)
        return done[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(entities, "analyse", remembered)      # `extract` calls it through the module too
        yield
