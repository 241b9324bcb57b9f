"""Derived tables written with each commit and mapped when a generation opens (issue 20.1, indexer/index/derived.py).

What is checked: the files are there, named after the commit, and covered by the checksums;
the mapped arrays are the ones the old per-open computation gives, before and after an
incremental run that deletes stories; opening and searching read no facet postings and
compute no groups; without the files (an older index, a truncated file) the answers are the
same and the next `newsfacet index` writes them again; `newsfacet check` names a damaged one.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from corpora import corpus_records

from indexer.index import dedup, derived, whoosh_ext
from indexer.index.build import build_index
from indexer.cli import main
from indexer.index.schema import FACET_FIELDS, KIND_FIELDS
from indexer.search import Archive, parse_request

pytestmark = pytest.mark.corpus

REQUESTS = [
    {},
    {"q": ["oil"]},
    {"q": ["coffee"], "sort": ["newest"]},
    {"q": ["trade"], "country": ["US"], "per_page": ["20"]},
    {"q": ["bank"], "match": ["mention"], "sort": ["oldest"]},
    {"q": ["shares"], "group": ["off"]},
    {"org_kind": ["government"], "q": ["minister"]},
]


def _write(folder: Path, records: list[dict], name: str = "stories.jsonl") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec) + "\n")


def _records(n: int) -> list[dict]:
    out = [{k: r[k] for k in ("id", "date", "title", "body") if k in r} for r in corpus_records(limit=n)]
    copy = dict(out[5], id="copy-of-5")          # a near-duplicate group
    return out + [copy]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, list[dict]]:
    base = tmp_path_factory.mktemp("derived")
    records = _records(400)
    _write(base / "docs", records[:300])
    _write(base / "docs", records[300:], "later.jsonl")     # removed by the incremental run below
    build_index([base / "docs"], base / "ix", progress=False, procs=1)
    return base / "docs", base / "ix", records


@pytest.fixture
def index(built, tmp_path) -> tuple[Path, Path, list[dict]]:
    docs, ix, records = built          # the stories' folder is not copied: the manifest knows its path
    shutil.copytree(ix, tmp_path / "ix", symlinks=True)
    return docs, tmp_path / "ix", records


def _answers(archive: Archive) -> list[dict]:
    out = []
    for params in REQUESTS:
        d = archive.search(parse_request(params)).to_dict()
        d.pop("took_ms")
        out.append(d)
    return out


def _computed(archive: Archive):
    """The tables of the archive's commit as the old per-open path computes them from the postings."""
    from indexer.query.arrays import Postings
    from indexer.query.tables import Tables

    live = archive.current_generation()
    return Tables.build(Postings(live.searcher.reader()), FACET_FIELDS + KIND_FIELDS)


def _assert_same_tables(mapped, computed) -> None:
    assert mapped.mapped and not computed.mapped
    assert mapped.n == computed.n
    for name in ("live", "day", "group", "shared", "_members", "_member_groups"):
        np.testing.assert_array_equal(getattr(mapped, name), getattr(computed, name), err_msg=name)
    for sort in ("newest", "oldest"):
        np.testing.assert_array_equal(mapped.order(sort), computed.order(sort))
        np.testing.assert_array_equal(mapped.rank(sort), computed.rank(sort))
    assert mapped.newest() == computed.newest()
    for f in FACET_FIELDS + KIND_FIELDS:
        a, b = mapped.facets[f], computed.facets[f]
        assert list(a.values) == list(b.values), f
        for part in ("docs", "vals", "by_doc", "indptr"):
            np.testing.assert_array_equal(getattr(a, part), getattr(b, part), err_msg=f"{f}.{part}")


def _fold_twins(expected: dict[str, list[int]]) -> dict[str, list[int]]:
    """Values that differ only by case are one, under the spelling most stories use (then the first
    in lexicon order), as the facet tables hold them (issue 21; the person facet has such twins)."""
    best: dict[str, str] = {}
    for value, ids in expected.items():
        key = value.casefold()
        if key not in best or len(ids) > len(expected[best[key]]):
            best[key] = value
    out: dict[str, list[int]] = {}
    for value in expected:
        if best[value.casefold()] == value:
            out[value] = sorted({d for v, i in expected.items() if v.casefold() == value.casefold() for d in i})
    return out


def _assert_as_whoosh_says(archive: Archive) -> None:
    """The mapped tables against Whoosh's own reading API (not derived.read_field, which both the
    mapped and the computed tables come from): each value's live stories, the live mask, the days."""
    import datetime as _dt

    live = archive.current_generation()
    tables, reader = live.tables, live.searcher.reader()
    alive = np.array([not reader.is_deleted(d) for d in range(reader.doc_count_all())])
    np.testing.assert_array_equal(tables.live, alive)
    for f in FACET_FIELDS + KIND_FIELDS + ("day",):
        expected = {}
        for btext in reader.lexicon(f):
            ids = sorted(d for d in reader.postings(f, btext).all_ids() if alive[d])
            if ids:
                expected[btext.decode("utf-8")] = ids
        if f == "day":
            for value, ids in expected.items():
                assert set(tables.day[ids].tolist()) == {_dt.date.fromisoformat(value).toordinal()}
            assert int((tables.day[alive] != 0).sum()) == sum(map(len, expected.values()))
            continue
        expected = _fold_twins(expected)
        table = tables.facets[f]
        assert list(table.values) == list(expected), f
        got = {}
        for d, v in zip(table.docs.tolist(), table.vals.tolist()):
            got.setdefault(table.values[v], []).append(d)
        assert {k: sorted(v) for k, v in got.items()} == expected, f


def _assert_same_labels(archive: Archive, computed) -> None:
    from indexer.query.labels import MappedLabels, read_labels

    live = archive.current_generation()
    assert live.tables.label_entries              # mapped from the derived file, not read at open
    mapped = MappedLabels(live.tables)
    expected = read_labels(live.searcher, computed)
    assert expected and dict(mapped.items()) == expected and len(mapped) == len(expected)
    for key, value in list(expected.items())[:50]:
        assert live.labels[key] == value and live.labels.get(key) == value
    assert live.labels.get(("org", "no such body")) is None and ("nope", "x") not in live.labels


def _gen(ix: Path) -> tuple[Path, int]:
    gen = (ix / "current").resolve()
    number = max(int(p.name[len("_MAIN_"):-len(".toc")]) for p in gen.glob("_MAIN_*.toc"))
    return gen, number


def test_the_commit_holds_its_derived_files_and_their_checksums(index):
    _, ix, _ = index
    gen, number = _gen(ix)
    assert (gen / derived.data_name(number)).is_file() and (gen / derived.index_name(number)).is_file()
    listed = json.loads((gen / "checksums.json").read_text())["files"]
    assert {derived.data_name(number), derived.index_name(number)} <= set(listed)
    # the index of the arrays is small and does not grow with the archive: no per-value or per-story entry
    assert (gen / derived.index_name(number)).stat().st_size < 20_000


def test_mapped_tables_equal_the_computed_ones(index):
    _, ix, _ = index
    archive = Archive(ix)
    try:
        tables = archive.current_generation().tables
        assert tables.mapped and tables.group is not None and tables.shared.any()
        computed = _computed(archive)
        _assert_same_tables(tables, computed)
        _assert_same_labels(archive, computed)
        _assert_as_whoosh_says(archive)
        assert not tables.live.flags.writeable and not tables.live.flags.owndata     # a view of the file
    finally:
        archive.close()


def test_opening_and_searching_read_no_facet_postings_and_compute_no_groups(index, monkeypatch):
    _, ix, _ = index
    archive = Archive(ix)
    expected = _answers(archive)
    archive.close()

    def forbidden(*args, **kwargs):
        raise AssertionError("the tables were computed when the generation opened")

    for name in ("read_field", "group_arrays", "live_mask", "day_array"):
        monkeypatch.setattr(derived, name, forbidden)
    monkeypatch.setattr(dedup, "minhash_groups", forbidden)
    archive = Archive(ix)
    try:
        assert _answers(archive) == expected
        story = archive.search(parse_request({"q": ["oil"]})).hits[0]
        assert archive.story(story.id) is not None
    finally:
        archive.close()


def test_an_incremental_run_with_deletions_writes_the_new_commit_s_tables(built, tmp_path, monkeypatch):
    """The arrays of the segment the run left in place are the previous commit's (minus the deletions,
    derivedmerge.py): its postings are not read again, and the result is what reading everything gives."""
    docs, ix, records = tmp_path / "docs", tmp_path / "ix", built[2]
    shutil.copytree(built[0], docs)
    build_index([docs], ix, progress=False, procs=1)
    _, before = _gen(ix)
    (docs / "later.jsonl").unlink()
    added = _records(460)[400:450]
    _write(docs, added, "new.jsonl")
    kept = records[:300] + added
    read_from = set()
    fields_read: dict[str, set] = {}
    folded_before = set(derived.load(*_gen(ix))[1]["folded"])     # fields with case twins: read again whole
    term_postings, field_postings = whoosh_ext.term_postings, whoosh_ext.field_postings

    def read(leaf, field):
        read_from.add(leaf.segment().segment_id())
        fields_read.setdefault(leaf.segment().segment_id(), set()).add(field)

    def counted(leaf, field, btext):           # a term's postings
        read(leaf, field)
        return term_postings(leaf, field, btext)

    def walked(leaf, field):                   # a field's, whole (derived.read_field, typedpostings)
        read(leaf, field)
        return field_postings(leaf, field)

    monkeypatch.setattr(whoosh_ext, "term_postings", counted)
    monkeypatch.setattr(whoosh_ext, "field_postings", walked)
    build_index([docs], ix, progress=False, procs=1)
    monkeypatch.undo()
    gen, number = _gen(ix)
    assert number > before
    assert sorted(p.name for p in gen.glob(f"{derived.PREFIX}*")) == sorted([derived.data_name(number),
                                                                              derived.index_name(number)])
    archive = Archive(ix)
    try:
        tables = archive.current_generation().tables
        assert tables.mapped and int(tables.live.sum()) == len(kept) < tables.n
        meta = derived.load(gen, number)[1]
        kept_segment = meta["segments"][0]          # the first run's segment, its deletions aside unchanged
        assert meta["reused_docs"] == kept_segment[1] == len(records)
        assert fields_read.get(kept_segment[0], set()) <= folded_before, "the kept segment's postings were read again"
        assert "org" not in folded_before and "person_any" in folded_before
        assert read_from, "the new segment's postings were read"
        assert "org" in fields_read.get(meta["segments"][-1][0], set()), "the new segment's facets were read"
        computed = _computed(archive)
        _assert_same_tables(tables, computed)
        _assert_same_labels(archive, computed)
        _assert_as_whoosh_says(archive)
    finally:
        archive.close()


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_without_usable_files_the_answers_are_the_same_and_the_next_run_writes_them(index, damage):
    docs, ix, _ = index
    archive = Archive(ix)
    expected = _answers(archive)
    archive.close()
    gen, number = _gen(ix)
    if damage == "deleted":               # an index written before derived files
        for p in gen.glob(f"{derived.PREFIX}*"):
            p.unlink()
    else:
        path = gen / derived.data_name(number)
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
    archive = Archive(ix, refresh_every=0)
    try:
        opened = archive.current_generation()
        assert not opened.tables.mapped
        assert _answers(archive) == expected
        assert archive.current_generation() is opened      # computed once, not again at every check
    finally:
        archive.close()
    if damage == "deleted":               # `newsfacet index` with nothing new writes them again
        result = CliRunner().invoke(main, ["index", str(docs), "-q", "--index-dir", str(ix)])
        assert result.exit_code == 0, result.output
        gen, number = _gen(ix)
        assert derived.load(gen, number) is not None
        assert CliRunner().invoke(main, ["check", "--index-dir", str(ix)]).exit_code == 0
        archive = Archive(ix)
        try:
            assert archive.current_generation().tables.mapped and _answers(archive) == expected
        finally:
            archive.close()


def test_check_names_a_damaged_derived_file(index):
    _, ix, _ = index
    gen, number = _gen(ix)
    path = gen / derived.data_name(number)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        flipped = bytes(255 - b for b in f.read(64))
        f.seek(size // 2)
        f.write(flipped)
    assert path.stat().st_size == size
    result = CliRunner().invoke(main, ["check", "--index-dir", str(ix)])
    assert result.exit_code == 6, result.output
    assert derived.data_name(number) in result.output


def test_value_list_looks_values_up_by_binary_search():
    from indexer.query.tables import FacetTable, ValueList

    values = sorted(["AAPL", "Zürich Insurance", "de", "ÉDF", "中国石油", "a|b", ""], key=lambda v: v.encode())
    vl = ValueList.from_strings(values)
    assert list(vl) == values and len(vl) == len(values) and vl[-1] == values[-1] and vl[1:3] == values[1:3]
    for i, v in enumerate(values):
        assert vl.ordinal(v) == i and v in vl and vl.index(v) == i
    for missing in ("AAP", "zz", "Zürich", "中国", "de "):
        assert vl.ordinal(missing) is None and missing not in vl
    table = FacetTable("org", vl, np.array([0, 2, 3], np.int32), np.array([1, 3, 1], np.int32))
    assert table.index.get("ÉDF") == values.index("ÉDF") and "nope" not in table.index
    assert table.mask_any([values[1], "nope"], 4).tolist() == [True, False, False, True]


def test_merge_keeps_the_lexicon_order_and_drops_values_no_live_story_holds():
    from indexer.index import derivedmerge

    old = (["AAPL", "IBM", "Zeta"], np.array([0, 1, 2, 3], np.int32), np.array([0, 1, 1, 2], np.int32))
    keep = np.array([True, False, False, True])            # IBM's stories were deleted
    new = (["BP", "Zeta", "ÉDF"], np.array([5, 4, 6], np.int32), np.array([0, 1, 2], np.int32))
    values, docs, vals, from_old = derivedmerge.merge(old, keep, new)
    assert values == ["AAPL", "BP", "Zeta", "ÉDF"]
    assert list(zip(docs.tolist(), vals.tolist())) == [(0, 0), (5, 1), (3, 2), (4, 2), (6, 3)]
    assert from_old.tolist() == [0, -1, 2, -1]


def test_a_process_opened_before_the_files_were_written_maps_them_once_they_are(index):
    """A worker that opens a commit before its tables are written (the moment between the commit and
    `derived.write_committed`) computes them, then reopens the generation once the files are there."""
    from whoosh import index as whoosh_index

    _, ix, _ = index
    gen, _ = _gen(ix)
    for p in gen.glob(f"{derived.PREFIX}*"):
        p.unlink()
    archive = Archive(ix, refresh_every=0)
    try:
        expected = _answers(archive)
        assert not archive.current_generation().tables.mapped
        derived.write_committed(gen, whoosh_index.open_dir(str(gen)))
        assert _answers(archive) == expected
        assert archive.current_generation().tables.mapped
    finally:
        archive.close()


def test_a_serving_worker_keeps_the_open_commit_until_the_new_commit_s_tables_are_written(built, tmp_path, monkeypatch):
    """Between an incremental commit and its derived files a serving worker (background=True) goes on
    answering from the open commit instead of computing the new one's tables from the postings,
    then maps the new tables once they are written."""
    import time

    from whoosh import index as whoosh_index

    docs, ix = tmp_path / "docs", tmp_path / "ix"
    shutil.copytree(built[0], docs)
    build_index([docs], ix, progress=False, procs=1)
    archive = Archive(ix, refresh_every=0, background=True)
    try:
        before = archive.search(parse_request({})).total
        write_committed = derived.write_committed
        monkeypatch.setattr(derived, "write_committed", lambda gen, ix: None)     # the moment before they are written
        _write(docs, _records(420)[400:420], "new.jsonl")
        build_index([docs], ix, progress=False, procs=1)
        monkeypatch.undo()
        reads = []
        read_field = derived.read_field
        monkeypatch.setattr(derived, "read_field", lambda *a, **k: reads.append(a[1]) or read_field(*a, **k))
        for _ in range(5):
            assert archive.search(parse_request({})).total == before
            time.sleep(0.05)
        assert not reads, "a worker computed the new commit's tables"
        monkeypatch.undo()
        gen, _ = _gen(ix)
        write_committed(gen, whoosh_index.open_dir(str(gen)))
        for _ in range(400):                   # the worker swaps in the background: poll, bounded
            if archive.search(parse_request({})).total == before + 20:
                break
            time.sleep(0.05)
        live = archive.current_generation()
        assert archive.search(parse_request({})).total == before + 20 and live.tables.mapped
    finally:
        archive.close()


def test_opening_a_generation_reads_no_term_postings(index, monkeypatch):
    """Counted, not timed: opening the generation and warming its front page (every facet over the
    whole archive) reads no posting list at all (issue 20: nothing proportional to the archive at open)."""
    from whoosh.reading import SegmentReader

    _, ix, _ = index
    reads = []
    postings = SegmentReader.postings

    def counted(self, fieldname, text, *args, **kwargs):
        reads.append((fieldname, text))
        return postings(self, fieldname, text, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "postings", counted)
    archive = Archive(ix)
    try:
        assert archive.generation and archive.current_generation().tables.mapped
        assert reads == []
        archive.search(parse_request({"q": ["oil"]}))
        assert reads, "the count sees a search's reads"
    finally:
        archive.close()
