"""What a generation's readers derive from the index, computed when it is written and memory-mapped when read.

Why: a serving process used to read every facet term's postings (112,000 terms, ~14 s at
215,780 stories) and compute the MinHash near-duplicate groups (~7.4 s) when it opened a
generation: in every worker, at every start, at every new commit. DESIGN.md's rule is that
nothing proportional to the archive runs when a process opens an index. So after each
commit the indexer computes those arrays once (`write_committed`, beside the name table
of names.py) and stores them in two files named after the Whoosh TOC generation:

    tables-<N>.npy    one uint8 array (a plain .npy) holding every array, each 64-byte aligned
    tables-<N>.json   where each array sits in it (dtype, offset, shape), plus a few scalars

A reader maps the .npy (npyblob.py) and takes views: opening costs a few dozen small
objects whatever the archive's size, and the pages are file-backed, so every worker of a
machine shares them (they do not count as a worker's anonymous memory).

The arrays (n = doc_count_all, deleted documents included, since docnums index them):
`live` (bool), `day` (int32 ordinal day, 0 undated), the near-duplicate `group` (int32,
dedup.py) with `shared`, `members` and `member_groups`, the four date orders of
`Tables.order`/`rank`, and per facet field `<field>.docs/.vals/.by_doc/.indptr` (query/tables.py)
with its values as `<field>.offsets` (int64, one more than the values) into `<field>.text`
(their UTF-8 bytes, in lexicon order, i.e. sorted bytewise, so a value's ordinal is a binary
search: tables.ValueList), and per facet with stored labels `labels.<param>.offsets/.text/.first`: each
value's label, long name and kind (query/labels.py; one stored-fields read per value, which
every worker did at open) and the story it was read from. The JSON is the completion mark,
written last.

An index written before these files (or a reader opened between a commit and its files)
computes the same arrays from the postings (`compute`, the old path, as slow as before);
the next `newsfacet index` writes them. A run reads again only the postings of the segments
its commit added or merged: those of the segments left in place come from the previous
commit's arrays (derivedmerge.py; a numpy pass over them). The groups, the day orders and
the live mask are numpy passes over every story, done again each run (the MinHash groups:
~7 s at 215,780 stories, once per run instead of per process and generation).
Part of Build and of the query side's tables; imports nothing of either.
"""
from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

import numpy as np

from . import dedup, derivedmerge, npyblob, typedpostings, whoosh_ext
from indexer.facets import FACETS
from .schema import table_fields

log = logging.getLogger(__name__)
PREFIX = "tables-"
FORMAT = 1
UNDATED = 0                       # day of stories without a date (tables.UNDATED)
PARTS = ("docs", "vals", "by_doc", "indptr", "offsets", "text")
LABEL_SEP = "\x1f"               # between label, long name and kind in a `labels.<param>` entry
SORTS = ("newest", "oldest")


def data_name(number: int) -> str:
    return f"{PREFIX}{number}.npy"


def index_name(number: int) -> str:
    return f"{PREFIX}{number}.json"


def file_names(gen: Path, number: int) -> list[str]:
    """The derived files of TOC generation `number` present in `gen` (for checksums.json)."""
    return [name for name in (data_name(number), index_name(number)) if (Path(gen) / name).is_file()]


# ------------------------------------------------------------------ computing (the old per-open path)

def live_mask(reader) -> np.ndarray:
    """bool per docnum: not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    if reader.has_deletions():
        for leaf, offset in reader.leaf_readers():
            if leaf.has_deletions():
                live[np.fromiter(leaf.deleted_docs_set, dtype=np.int64) + offset] = False
    return live


def read_field(reader, field: str, live: np.ndarray, start: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(values, docs, vals) of a facet field: every value some live document holds, in lexicon
    order, and one (docnum, ordinal) pair per live posting; of the segments from docnum `start` on
    (a segment boundary) when `start` is given.

    Each segment's own terms are read (a term looked up in a segment that lacks it costs as
    much as one found), then put in order: docnums ascend within a value, as segments do."""
    values: list[str] = []
    doc_chunks: list[np.ndarray] = []
    val_chunks: list[np.ndarray] = []
    if field in reader.schema:
        found: dict[bytes, list[np.ndarray]] = {}
        for leaf, offset in reader.leaf_readers():
            if offset < start:
                continue
            for btext, ids in whoosh_ext.field_postings(leaf, field):    # one walk, not a look-up a term
                found.setdefault(btext, []).append(ids + offset if offset else ids)
        for btext in sorted(found):
            parts = found[btext]
            ids = parts[0] if len(parts) == 1 else np.concatenate(parts)
            ids = ids[live[ids]]
            if ids.size == 0:
                continue
            doc_chunks.append(ids)
            val_chunks.append(np.full(len(ids), len(values), dtype=np.int32))
            values.append(btext.decode("utf-8"))
    docs = np.concatenate(doc_chunks) if doc_chunks else np.zeros(0, np.int32)
    vals = np.concatenate(val_chunks) if val_chunks else np.zeros(0, np.int32)
    return values, docs, vals


def _segments(reader) -> list[list]:
    """[segment id, documents] of each segment, in docnum order: what `reusable` compares."""
    return [[leaf.segment().segment_id(), leaf.doc_count_all()] for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None]


def reusable(reader, previous: tuple[dict, dict] | None) -> int:
    """Docnums below this are in segments the previous commit's arrays were computed from, unchanged."""
    if previous is None:
        return 0
    prefix = 0
    for now, then in zip(_segments(reader), previous[1].get("segments") or []):
        if now != then:
            break
        prefix += now[1]
    return prefix


def by_doc(docs: np.ndarray, vals: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(ordinals sorted by docnum, indptr): document d's values are by_doc[indptr[d]:indptr[d+1]]."""
    order = np.argsort(docs, kind="stable")
    return vals[order], np.searchsorted(docs[order], np.arange(n + 1)).astype(np.int64)


def day_array(reader, live: np.ndarray, old: np.ndarray | None = None, start: int = 0) -> np.ndarray:
    """int32 ordinal day (date.toordinal) per docnum, UNDATED when none, from the `day` terms
    (below `start`: from `old`, the previous commit's)."""
    day = np.full(len(live), UNDATED, dtype=np.int32)
    if start:
        day[:start] = np.where(live[:start], old[:start], UNDATED)
    values, docs, vals = read_field(reader, "day", live, start)
    for i, value in enumerate(values):
        try:
            ordinal = _dt.date.fromisoformat(value).toordinal()
        except ValueError:
            continue
        day[docs[vals == i]] = ordinal
    return day


def group_arrays(reader, live: np.ndarray, day: np.ndarray) -> dict[str, np.ndarray]:
    """Near-duplicate groups from the stored MinHash (or, in older indexes, SimHash) column, with
    `shared` (the group holds other live documents) and its members by group (CSR); {} without."""
    n = len(live)
    if "minhash" in reader.schema and reader.has_column("minhash"):
        raw = b"".join(reader.column_reader("minhash"))
        sigs = np.frombuffer(raw, dtype="<u2").reshape(n, dedup.NUM_HASHES)
        group = dedup.minhash_groups(sigs, live, day)
    elif "simhash" in reader.schema and reader.has_column("simhash"):     # written before the MinHash
        sig = np.fromiter(reader.column_reader("simhash"), dtype=np.uint64, count=n)
        group = dedup.groups(sig, live, day)
    else:
        return {}
    sizes = np.bincount(group[live], minlength=n)
    shared = live & (sizes[group] > 1)
    ids = np.flatnonzero(shared)
    order = np.lexsort((ids, group[ids]))
    return {"group": group, "shared": shared, "members": ids[order], "member_groups": group[ids][order]}


def date_order(day: np.ndarray, sort: str) -> tuple[np.ndarray, np.ndarray]:
    """(order, rank) of every docnum by date ("newest" or "oldest"), undated last, ties by docnum."""
    n = len(day)
    d = day.astype(np.int64)
    d = np.where(d == UNDATED, (-1 if sort == "newest" else 1 << 40), d)
    order = np.lexsort((np.arange(n), -d if sort == "newest" else d))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return order, rank


def newest_day(day: np.ndarray, live: np.ndarray) -> str | None:
    dated = day[live & (day != UNDATED)]
    return _dt.date.fromordinal(int(dated.max())).isoformat() if dated.size else None


def strings(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, UTF-8 bytes): string i is text[offsets[i]:offsets[i + 1]]."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8)


def label_entries(reader, spec, values: list[str], docs: np.ndarray, vals: np.ndarray,
                  known: list[tuple[str, int] | None] | None = None) -> tuple[list[str], np.ndarray]:
    """Per value of a facet with stored labels: "label<SEP>long name<SEP>kind" as stored with the
    first story holding it, "" when none says (query/labels.py reads them; read_labels did at open);
    and that story's docnum. `known`: (entry, docnum) read by an earlier commit, None where not:
    reused while that story is still the value's first."""
    order = np.argsort(vals, kind="stable")
    first = docs[order][np.searchsorted(vals[order], np.arange(len(values)))].astype(np.int64)
    out = []
    for i, (value, docnum) in enumerate(zip(values, first.tolist())):
        if known is not None and known[i] is not None and known[i][1] == docnum:
            out.append(known[i][0])
            continue
        entry = ""
        for item in reader.stored_fields(docnum).get(spec.display) or []:
            if item.get("value") == value:
                label = item.get("label") or value
                name = item.get("name") or ""
                parts = [label, "" if name == label else name, item.get("kind") or ""]
                entry = LABEL_SEP.join(p.replace(LABEL_SEP, " ") for p in parts)
                break
        out.append(entry)
    return out, first


def _strings_of(arrays: dict, key: str) -> list[str]:
    offsets, text = arrays[f"{key}.offsets"], arrays[f"{key}.text"].tobytes()
    bounds = offsets.tolist()
    return [text[a:b].decode("utf-8") for a, b in zip(bounds[:-1], bounds[1:])]


_FOLDED: set = set()      # fields whose twins the current compute() folded (reset by compute)


def field_arrays(reader, field: str, live: np.ndarray, previous: dict | None = None,
                 start: int = 0, folded: set | None = None) -> tuple[dict[str, np.ndarray], tuple, np.ndarray | None]:
    """A facet field's six arrays (see the module docstring), keyed by part; (values, docs, vals);
    and each value's ordinal in `previous` (-1: new) when the segments below `start` were reused
    from it (derivedmerge.py), else None.

    A field whose previous arrays folded case twins (`folded`: the previous commit's list) is read
    again whole: those arrays no longer say which spelling each posting had, so once the stories of
    the commoner spelling are deleted the other's postings would stay under a value no story holds
    ("Li Ka-shing" kept for "Li Ka-Shing"; found by the person facet, issue 22)."""
    from_old = None
    if start and previous is not None and f"{field}.docs" in previous and field not in (folded or ()):
        old_docs = previous[f"{field}.docs"]
        keep = old_docs < start
        keep[keep] = live[old_docs[keep]]
        old = (_strings_of(previous, field), old_docs, previous[f"{field}.vals"])
        values, docs, vals, from_old = derivedmerge.merge(old, keep, read_field(reader, field, live, start))
    else:
        values, docs, vals = read_field(reader, field, live)
    n_values = len(values)
    values, docs, vals, kept = derivedmerge.fold_case_twins(values, docs, vals)
    if len(kept) < n_values:
        _FOLDED.add(field)
    if from_old is not None:
        from_old = from_old[kept]
    ordinals, indptr = by_doc(docs, vals, len(live))
    offsets, text = strings(values)
    return ({"docs": docs, "vals": vals, "by_doc": ordinals, "indptr": indptr, "offsets": offsets, "text": text},
            (values, docs, vals), from_old)


def compute(reader, previous: tuple[dict, dict] | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Every derived array of the reader's commit and the scalars stored beside them; with the
    `previous` commit's (arrays, scalars), its segments still in place are not read again."""
    live = live_mask(reader)
    start = reusable(reader, previous)
    old = previous[0] if start else None
    day = day_array(reader, live, old["day"] if start else None, start)
    arrays = {"live": live, "day": day, **group_arrays(reader, live, day)}
    for sort in SORTS:
        arrays[f"order.{sort}"], arrays[f"rank.{sort}"] = date_order(day, sort)
    fields = [f for f in table_fields() if f in reader.schema]
    read, from_old = {}, {}
    # files written before the list of folded fields: every field counts as folded (read again)
    was_folded = set(previous[1].get("folded", table_fields())) if start else set()
    _FOLDED.clear()
    for field in fields:
        parts, read[field], from_old[field] = field_arrays(reader, field, live, old, start, was_folded)
        for part, arr in parts.items():
            arrays[f"{field}.{part}"] = arr
    labelled = []
    for spec in FACETS:
        if spec.stored_labels and spec.mention_field in read:
            labelled.append(spec.param)
            known, was = None, from_old[spec.mention_field]
            if was is not None and f"labels.{spec.param}.first" in old:
                entries, firsts = _strings_of(old, f"labels.{spec.param}"), old[f"labels.{spec.param}.first"].tolist()
                known = [(entries[i], firsts[i]) if i >= 0 else None for i in was.tolist()]
            entries, first = label_entries(reader, spec, *read[spec.mention_field], known=known)
            arrays[f"labels.{spec.param}.offsets"], arrays[f"labels.{spec.param}.text"] = strings(entries)
            arrays[f"labels.{spec.param}.first"] = first
    return arrays, {"n": len(live), "newest": newest_day(day, live), "fields": fields, "labels": labelled,
                    "segments": _segments(reader), "reused_docs": start, "folded": sorted(_FOLDED)}


# ------------------------------------------------------------------ writing and mapping

def write(gen: Path, reader) -> list[str]:
    """Write the derived files of the reader's commit (data first, its index last, each renamed
    into place) and drop older generations' ones; the names written."""
    gen = Path(gen)
    number = reader.generation()
    arrays, scalars = compute(reader, _previous(gen, number))
    data, index = gen / data_name(number), gen / index_name(number)
    npyblob.write(data, index, arrays, scalars, FORMAT)
    for old in gen.glob(f"{PREFIX}*"):
        if old.name not in (data.name, index.name):
            try:
                old.unlink()
            except OSError:
                log.warning("could not remove the old derived file %s", old)
    return [data.name, index.name]


def _previous(gen: Path, number: int) -> tuple[dict, dict] | None:
    """The newest earlier commit's arrays in `gen` (an incremental run reuses what they say)."""
    older = [int(p.name[len(PREFIX):-len(".json")]) for p in gen.glob(f"{PREFIX}*.json")
             if p.name[len(PREFIX):-len(".json")].isdigit()]
    older = [n for n in older if n < number]
    return load(gen, max(older)) if older else None


def write_committed(gen: Path, ix) -> None:
    """The derived files of what a run just committed (skipped when this commit has them), and the
    words-as-typed postings of its segments that have none (typedpostings.py).
    A failure leaves the stories in (marked `committed`, as names.write_committed); readers
    then compute the arrays, and the next run writes them."""
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            # each segment's words-as-typed postings first: the tables' JSON, written last, is the
            # mark a reader waits for (query/current.py) before it maps this commit's files
            typedpostings.write(gen, reader)
            if not (Path(gen) / index_name(reader.generation())).is_file():
                write(gen, reader)
    except Exception as exc:
        exc.committed = True
        raise


def load(gen: Path, number: int) -> tuple[dict[str, np.ndarray], dict] | None:
    """(arrays, scalars) of TOC generation `number`, mapped read-only; None when its files are
    missing, of another format, or do not fit together (the caller computes them instead)."""
    return npyblob.load(Path(gen) / data_name(number), Path(gen) / index_name(number), FORMAT)
