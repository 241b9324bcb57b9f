"""Each segment's words-as-typed postings (indexer/index/typedpostings.py, query/typedsets.py), issue 21.

What is checked: the arrays are the postings Whoosh reads, word for word; there is one file
per segment of the commit, covered by the checksums, and `newsfacet check` names a damaged
one; incremental runs that add and delete stories write files for their new (or merged)
segments only, remove those of segments gone, and keep every pattern exact against brute
force over the stored text, whether it is scored word by word or a constant-score set;
without the files the answers are the same (read from Whoosh, with its caps on words),
and the next `newsfacet index` writes them, which a serving process then maps.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from corpora import corpus_records
from patternoracle import Oracle
from whoosh import index as whoosh_index

from indexer.index import derived, store, typedpostings, whoosh_ext
from indexer.index.build import build_index
from indexer.cli import main
from indexer.query import budget
from indexer.search import Archive, SearchRequest
from indexer.index.typed import TYPED_FIELDS

pytestmark = pytest.mark.corpus
PATTERNS = ["*ing", "*ed", "pers*", "*oney", "wh??t", "b[ae]nk", "co*ee", "t*", "?", "*s"]
WITHIN_THE_CAPS = PATTERNS[:-2]       # read from Whoosh (no files), `t*` and `*s` are over 1,024 words here


def _write(folder: Path, records: list[dict], name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec) + "\n")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [{k: r[k] for k in ("id", "date", "title", "body") if k in r} for r in corpus_records(limit=700)]


def _build(base: Path, records: list[dict]) -> tuple[Path, Path]:
    _write(base / "docs", records[:300], "first.jsonl")
    _write(base / "docs", records[300:400], "later.jsonl")
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base / "docs", base / "ix"


@pytest.fixture(scope="module")
def built(tmp_path_factory, records) -> tuple[Path, Path]:
    return _build(tmp_path_factory.mktemp("typed"), records)


@pytest.fixture
def index(tmp_path, records) -> tuple[Path, Path]:
    """An index of its own (the manifest knows the stories' folder: a copy would be another folder)."""
    return _build(tmp_path, records)


def _found(archive: Archive, q: str) -> set[str]:
    return {row["id"] for row in archive.export(SearchRequest(q=q))[1]}


def _assert_exact(ix: Path, constant_score: bool, monkeypatch) -> None:
    """Every pattern finds what brute force finds, scored word by word and as a constant-score set."""
    oracle = Oracle(ix)
    with monkeypatch.context() as mp:
        if constant_score:              # every pattern a set of stories, however few its words
            mp.setattr(budget, "SCORED_WORDS", 0)
        archive = Archive(ix)
        try:
            assert archive.current_generation().typed is not None
            for pattern in PATTERNS:
                assert _found(archive, pattern) == oracle.find(pattern), pattern
        finally:
            archive.close()


def _typed_files(gen: Path) -> set[str]:
    return {p.name for p in gen.glob(f"{typedpostings.PREFIX}*")}


def _segments(ix: Path) -> list[str]:
    return [name[:-len(".seg")] for name in whoosh_ext.toc_segment_files(store.live_dir(ix))]


def _one_file_per_segment(ix: Path) -> None:
    gen = store.live_dir(ix)
    expected = {n for sid in _segments(ix) for n in (typedpostings.data_name(sid), typedpostings.index_name(sid))}
    assert _typed_files(gen) == expected
    assert expected <= set(json.loads((gen / "checksums.json").read_text())["files"])


def test_the_arrays_are_the_postings_whoosh_reads(built):
    _, ix = built
    gen = store.live_dir(ix)
    archive = Archive(ix)
    try:
        reader = archive.current_generation().searcher.reader()
        for leaf, _ in reader.leaf_readers():
            arrays = typedpostings.load(gen, leaf.segment().segment_id(), leaf.doc_count_all())
            for field in TYPED_FIELDS:
                words = [w for w in arrays[f"{field}.text"].tobytes().split(b"\n")[:-1]]
                assert words == list(leaf.lexicon(field)) and words, field
                indptr, docs = arrays[f"{field}.indptr"], arrays[f"{field}.docs"]
                # a segment of at most 65,536 documents keeps them as uint16: half the bytes of uint32
                assert docs.dtype == np.uint16 and arrays[f"{field}.offsets"][-1] == arrays[f"{field}.text"].size
                for i, word in enumerate(words):
                    ids, _ = whoosh_ext.term_postings(leaf, field, word)
                    assert docs[indptr[i]:indptr[i + 1]].tolist() == ids.tolist(), (field, word)
    finally:
        archive.close()


def test_the_body_counts_are_whooshs_doc_frequencies(built):
    """Each segment's `body.hashes` / `body.df` (did-you-mean's look-ups): one sorted hash per term
    of the segment's body, with the stories Whoosh says hold it; over the whole reader the counts
    are Whoosh's doc_frequency, and a term no story holds is absent."""
    from indexer.query import spellwords
    _, ix = built
    gen = store.live_dir(ix)
    archive = Archive(ix)
    try:
        generation = archive.current_generation()
        reader = generation.searcher.reader()
        held = set()
        for leaf, _ in reader.leaf_readers():
            arrays = typedpostings.load(gen, leaf.segment().segment_id(), leaf.doc_count_all())
            hashes, df = arrays["body.hashes"], arrays["body.df"]
            terms = list(leaf.lexicon("body"))
            assert len(hashes) == len(terms) > 100 and np.all(hashes[1:] > hashes[:-1])
            at = np.searchsorted(hashes, typedpostings.term_hashes(terms))
            assert df[at].tolist() == [leaf.doc_frequency("body", t) for t in terms]
            held.update(t.decode("utf-8") for t in terms)
        variants = {t for w in ("cofee", "exprts", "whaet", "goverment", "oill") for t in spellwords.edits1(w)}
        asked = sorted(held)[::7] + sorted(variants)
        want = {t: reader.doc_frequency("body", t) for t in asked if ("body", t) in reader}
        assert generation.typed.doc_frequencies("body", asked) == want
        assert any(t in want for t in variants) and any(t not in want for t in variants)
    finally:
        archive.close()


def test_a_prefixs_words_by_their_first_bytes_are_those_a_binary_search_finds(built):
    """`<field>.keys` (each word's first 8 bytes): prefixes of 1 to 12 bytes, ASCII or not, present
    or not, give the same range of words as the binary search over the words (files without keys),
    and every word of the range starts with the prefix."""
    import dataclasses
    _, ix = built
    archive = Archive(ix)
    try:
        typed = archive.current_generation().typed
        fields = [f for seg in typed.segments for f in seg.fields.values()]
        assert fields and all(f.keys is not None and len(f.keys) == len(f) for f in fields)
        for f in fields:
            plain = dataclasses.replace(f, keys=None)
            words = [f.word(i) for i in range(0, len(f), max(1, len(f) // 60))]
            prefixes = {w[:k] for w in words for k in (1, 2, 3, 8, 9, 12) if w[:k]}
            prefixes |= {b"zzzzzzzzzz", b"\xc3\xa9", b"a\xc3", b"internationa", b"0"}
            for prefix in sorted(prefixes):
                lo, hi = f.prefix_range(prefix)
                assert (lo, hi) == plain.prefix_range(prefix), prefix
                assert all(f.word(i).startswith(prefix) for i in range(lo, hi)), prefix
                assert lo == hi or not f.word(lo - 1).startswith(prefix) if lo else True
    finally:
        archive.close()


def test_corrections_are_the_same_with_the_counts_and_without(built, monkeypatch):
    """Did-you-mean looks the one-edit variants up in the mapped counts; without them (a segment
    written before them) in Whoosh's term index: the same corrections either way."""
    from indexer.query import didyoumean, typedsets
    _, ix = built
    typed = ["cofee", "exprts of whaet", "goverment budgt", "oill pricse", "tradde deficit", "centrl bank"]
    archive = Archive(ix)
    try:
        gen = archive.current_generation()
        looked = []
        with monkeypatch.context() as mp:
            mp.setattr(typedsets.TypedSets, "doc_frequencies",
                       lambda self, f, t, real=typedsets.TypedSets.doc_frequencies: looked.append(f) or real(self, f, t))
            with_counts = [didyoumean._correct(gen, q) for q in typed]
        assert looked, "the corrections did not use the mapped counts"
        with monkeypatch.context() as mp:
            mp.setattr(typedsets.TypedSets, "doc_frequencies", lambda self, f, t: None)
            without = [didyoumean._correct(gen, q) for q in typed]
        assert with_counts == without
        assert sum(1 for c in with_counts if c) >= 3, with_counts
    finally:
        archive.close()


def test_docnums_take_the_narrowest_type_that_holds_them():
    assert typedpostings.docs_dtype(65536) is np.uint16 and typedpostings.docs_dtype(65537) is np.uint32


def test_one_file_per_segment_checksummed_and_check_names_a_damaged_one(index):
    _, ix = index
    _one_file_per_segment(ix)
    gen = store.live_dir(ix)
    path = gen / typedpostings.data_name(_segments(ix)[0])
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        flipped = bytes(255 - b for b in f.read(64))
        f.seek(size // 2)
        f.write(flipped)
    result = CliRunner().invoke(main, ["check", "--index-dir", str(ix)])
    assert result.exit_code == 6 and path.name in result.output, result.output


def test_incremental_runs_write_their_segments_files_only_and_patterns_stay_exact(index, records, monkeypatch):
    docs, ix = index
    gen = store.live_dir(ix)
    first = {name: (gen / name).stat() for name in _typed_files(gen)}
    _assert_exact(ix, constant_score=True, monkeypatch=monkeypatch)
    runs = [  # (files to remove, records to add): deletions, additions, both
        (["later.jsonl"], []),
        ([], records[400:500]),
        ([], records[500:560]),
        (["first.jsonl"], records[560:700]),
    ]
    for n, (removed, added) in enumerate(runs):
        for name in removed:
            (docs / name).unlink()
        if added:
            _write(docs, added, f"run-{n}.jsonl")
        build_index([docs], ix, progress=False, procs=1)
        _one_file_per_segment(ix)
        for name, st in first.items():          # a file left in place is the same file, unread and unwritten
            if (gen / name).exists():
                now = (gen / name).stat()
                assert (now.st_ino, now.st_mtime_ns, now.st_size) == (st.st_ino, st.st_mtime_ns, st.st_size), name
        for constant_score in (True, False):
            _assert_exact(ix, constant_score, monkeypatch)
    assert len(_segments(ix)) == 4
    # Whoosh merges segments as its merge policy decides (here: all into one, as a full build does):
    # the merged segment gets its file, and those of the segments gone are removed
    whoosh_index.open_dir(str(gen)).writer().commit(optimize=True)
    derived.write_committed(gen, whoosh_index.open_dir(str(gen)))
    store.write_checksums(gen)
    assert len(_segments(ix)) == 1 and not set(first) & _typed_files(gen)
    _one_file_per_segment(ix)
    _assert_exact(ix, constant_score=True, monkeypatch=monkeypatch)


def test_without_the_files_the_answers_are_the_same_and_the_next_run_writes_them(index, monkeypatch):
    docs, ix = index
    archive = Archive(ix)
    expected = {p: _found(archive, p) for p in WITHIN_THE_CAPS}
    archive.close()
    gen = store.live_dir(ix)
    for name in _typed_files(gen):
        (gen / name).unlink()
    archive = Archive(ix, refresh_every=0)
    try:
        live = archive.current_generation()
        assert live.typed is None                   # read from Whoosh, word by word
        assert {p: _found(archive, p) for p in WITHIN_THE_CAPS} == expected
        with monkeypatch.context() as mp:           # and its caps on words apply there
            mp.setattr(budget, "DEFAULT", budget.Budget(seconds=budget.DEFAULT.seconds, per_pattern=100, terms=100))
            mp.setattr("indexer.query.parse.MAX_EXPANSIONS", 100)
            with pytest.raises(budget.BudgetError) as info:
                archive.search(SearchRequest(q="*ing"))
            assert info.value.cap in ("per_pattern", "terms") and "words" in str(info.value)
        result = CliRunner().invoke(main, ["index", str(docs), "-q", "--index-dir", str(ix)])
        assert result.exit_code == 0, result.output
        _one_file_per_segment(ix)
        assert CliRunner().invoke(main, ["check", "--index-dir", str(ix)]).exit_code == 0
        reopened = archive.current_generation()           # a serving process maps them once they are there
        assert reopened is not live and reopened.typed is not None
        assert {p: _found(archive, p) for p in WITHIN_THE_CAPS} == expected
    finally:
        archive.close()


def test_phrases_after_deletions_find_what_a_fresh_index_finds(tmp_path, records):
    """A changed file's old stories stay in their segment, deleted: a phrase's candidates are read
    with them (term_postings rewinds past the deleted stories a list starts with), so the phrase
    check must rewind the same lists (phrases.py). It raised ReadTooFar (a 500) where every posting
    of one of the phrase's words in a segment was deleted; now the stories of an index built afresh."""
    import os
    docs, ix = _build(tmp_path, records)
    _write(docs, records[150:300], "first.jsonl")         # 150 stories gone, 150 sent again
    os.utime(docs / "first.jsonl", ns=(1, 10**18))
    build_index([docs], ix, progress=False, procs=1)
    fresh = tmp_path / "fresh"
    build_index([docs], fresh, progress=False, procs=1)
    phrases = ['"net profit"', '"oil prices"', '"per cent"', '"the company said"', '"interest rates"',
               '"mln dlrs"', '"first quarter"', '"central bank"', '"trade deficit"', '"shr loss"']
    a, b = Archive(ix), Archive(fresh)
    try:
        found = 0
        for q in phrases:
            got, want = (x.search(SearchRequest(q=q, per_page=100, group=False)) for x in (a, b))
            assert got.total == want.total, q
            assert sorted(h.id for h in got.hits) == sorted(h.id for h in want.hits), q
            found += want.total
        assert found > 100
    finally:
        a.close()
        b.close()
