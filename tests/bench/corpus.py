"""The benchmark corpora: Reuters-21578 at 1x and as renamed copies at k x.

Why files on disk rather than Documents in memory: the indexing figure has to be
end to end (reading, entity extraction, writing), exactly what `newsfacet index`
does with a folder. Each copy is its own JSON Lines file (`copy-01.jsonl` holds the
original ids, `copy-02.jsonl` the ids `<id>-c2`, ...) so no single file passes the
indexer's per-file size limit, and a folder of k files is what a user would index.
Files are uncompressed so that gunzip does not weigh on the indexing figure.

The folders are cached under the bench directory and rewritten only when the source
corpus changes (its size and mtime are recorded in `corpus-xK.json` beside the folder,
not inside it: the indexer would read a `.json` file in the folder as a story).
"""
from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_CORPUS = "NEWSFACET_CORPUS"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl.gz"


def source_path() -> Path:
    """The Reuters JSON Lines file: $NEWSFACET_CORPUS, else ../shared/corpus/ beside the repo."""
    return Path(os.environ.get(ENV_CORPUS) or DEFAULT_CORPUS)


def source_key(src: Path) -> dict:
    st = src.stat()
    return {"path": str(src.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def read_records(src: Path) -> list[dict]:
    opener = gzip.open if src.name.endswith(".gz") else open
    with opener(src, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_dir(bench_dir: Path, scale: int, src: Path | None = None) -> tuple[Path, int]:
    """The folder holding `scale` renamed copies of the corpus; (folder, stories)."""
    src = src or source_path()
    if not src.is_file():
        raise FileNotFoundError(f"Reuters corpus not found at {src} (set {ENV_CORPUS})")
    out = bench_dir / f"corpus-x{scale}"
    key = {**source_key(src), "scale": scale}
    marker = bench_dir / f"corpus-x{scale}.json"
    try:
        old = json.loads(marker.read_text())
        if old.get("key") == key:
            return out, int(old["stories"])
    except (OSError, ValueError, KeyError):
        pass
    print(f"[bench] writing the {scale}x corpus to {out}/", file=sys.stderr, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("copy-*.jsonl"):
        stale.unlink()
    records = read_records(src)
    for copy in range(1, scale + 1):
        suffix = "" if copy == 1 else f"-c{copy}"
        tmp = out / f"copy-{copy:02d}.jsonl.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps({**rec, "id": f"{rec['id']}{suffix}"}, ensure_ascii=False))
                f.write("\n")
        tmp.rename(out / f"copy-{copy:02d}.jsonl")
    stories = len(records) * scale
    marker.write_text(json.dumps({"key": key, "stories": stories}))
    return out, stories
