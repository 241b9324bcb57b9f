"""Every input format is registered once (indexer/read/registry.py) and the reading side asks it."""
from __future__ import annotations

import pytest

from indexer.read import documents, registry
from indexer.read.documents import SUPPORTED_SUFFIXES, discover, read_file


def test_every_suffix_maps_to_one_reader():
    claimed = [s for r in registry.READERS for s in r.suffixes]
    assert len(claimed) == len(set(claimed)) and tuple(claimed) == SUPPORTED_SUFFIXES
    for s in claimed:
        [reader] = [r for r in registry.READERS if s in r.suffixes]
        assert registry.by_suffix(s) is reader and registry.reader_for("story" + s) is reader


def test_a_suffix_claimed_twice_is_refused():
    with pytest.raises(ValueError, match="claimed by both"):
        registry.register(registry.Reader("other text", (".txt",), lambda *a: []))
    assert registry.by_suffix(".txt").name == "text"


@pytest.mark.parametrize("name, streaming, costly", [
    ("a.jsonl.gz", True, False), ("a.WARC.GZ", True, True), ("a.warc", True, True), ("a.html", False, True),
    ("a.json", False, False), ("a.txt", False, False), ("a.pdf", False, False)])
def test_what_the_index_run_asks(name, streaming, costly):
    assert registry.streaming(name) is streaming and registry.costly(name) is costly


def test_an_unknown_suffix_is_reported_by_the_walk_and_the_reader(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "a.txt").write_text("Title\n\nBody.\n")
    assert registry.reader_for(tmp_path / "scan.pdf") is None
    problems: list = []
    assert [f.name for f, _ in discover(tmp_path, problems)] == ["a.txt"]
    assert [p.unsupported for p in problems] == [True] and "a .pdf file" in problems[0].reason
    docs, [p] = read_file(tmp_path / "scan.pdf", tmp_path)      # named explicitly: read, and refused
    assert docs == [] and p.unsupported


def test_build_asks_the_registry_not_suffix_constants():
    from pathlib import Path

    import indexer.index.build as build
    source = Path(build.__file__).read_text(encoding="utf-8")
    assert "_SUFFIXES" not in source and not hasattr(documents, "HTML_SUFFIXES")
