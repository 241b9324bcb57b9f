"""Where an index's bytes go: each field's share of the postings, the term index and the stored
texts, and the files beside the segments (`newsfacet stats --sizes`, issue 20.3).

Why: the index is ~3x the size of SQLite FTS5's for the same stories, and deciding what to
cut (positions, a sub-field, stored copies) needs the figures per field, not per file. Whoosh
keeps a segment's parts in one compound file; its directory gives each part's length, and the
term index gives each term's posting extent, so the postings are exact per field. Stored
fields are pickled and compressed per story, all fields together: each field's share of them
is estimated from its pickled size over a sample of stories (SAMPLE), scaled to the stored
part's real size (the columns file less the fixed-width MinHash and the field lengths), and
said to be an estimate.

Reads Whoosh's internals (compound directory, W3 term infos), hence here in whoosh_ext.
"""
from __future__ import annotations

import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE = 2000             # stories whose stored fields are measured field by field
PARTS = {"pst": "postings", "trm": "term index", "col": "columns (stored fields, lengths, MinHash)",
         "vps": "vectors"}


@dataclass
class FieldSize:
    name: str
    terms: int = 0
    postings: int = 0          # bytes of posting blocks (exact)
    term_index: int = 0        # bytes of the term texts (the term index holds them and their infos)
    stored: float = 0.0        # bytes of the compressed stored values (estimated: see the module)


@dataclass
class Sizes:
    total: int                                   # every file of the generation folder
    parts: dict[str, int]                        # compound part (pst, trm, col, ...) -> bytes, all segments
    beside: dict[str, int]                       # files beside the segments (derived tables, names, ...) -> bytes
    fields: list[FieldSize] = field(default_factory=list)
    sampled: int = 0                             # stories the stored shares were estimated from

    def to_dict(self) -> dict:
        return {"total": self.total, "parts": self.parts, "beside": self.beside, "sampled": self.sampled,
                "fields": [{"name": f.name, "terms": f.terms, "postings": f.postings, "term_index": f.term_index,
                            "stored": round(f.stored)} for f in self.fields]}


def measure(ix, reader, gen: Path) -> Sizes:
    """The sizes of the commit `reader` reads, in generation folder `gen` (index `ix`)."""
    files = [p for p in gen.iterdir() if p.is_file()]
    parts = _parts(ix, reader)
    beside: dict[str, int] = defaultdict(int)
    for p in files:
        if not p.name.endswith(".seg"):
            beside[_kind(p.name)] += p.stat().st_size
    sizes = Sizes(sum(p.stat().st_size for p in files), dict(parts), dict(beside))
    by_name: dict[str, FieldSize] = {}
    for leaf, _ in reader.leaf_readers():
        for name in leaf.schema.names():
            if not leaf.schema[name].indexed:
                continue
            f = by_name.setdefault(name, FieldSize(name))
            for text, info in _terms(leaf, name):
                f.terms += 1
                f.term_index += len(text)
                extent = getattr(info, "extent", None)
                length = extent()[1] if extent is not None else 0
                if isinstance(length, tuple):        # whoosh-reloaded keeps the length in a 1-tuple
                    length = length[0] if length else 0
                f.postings += length or 0
    stored, sizes.sampled = _stored_shares(reader)
    n = reader.doc_count_all()
    columns = sum(n * (getattr(reader.schema[name], "column_type", None) is not None and _width(reader.schema[name]))
                  for name in reader.schema.names())
    lengths = n * sum(1 for name in reader.schema.names() if reader.schema[name].scorable)
    whole = max(0, parts.get("col", 0) - columns - lengths)     # the stored part of the columns file
    measured = sum(stored.values()) or 1
    for name, share in stored.items():
        by_name.setdefault(name, FieldSize(name)).stored = whole * share / measured
    sizes.fields = sorted(by_name.values(), key=lambda f: -(f.postings + f.term_index + f.stored))
    return sizes


def _width(fieldtype) -> int:
    """Bytes a story of a fixed-width column takes (the MinHash: 128); 0 for others."""
    return int(getattr(fieldtype.column_type, "_fixedlen", 0) or 0)


def _kind(name: str) -> str:
    for prefix in ("tables-", "typed-", "names-", "checksums", "manifest", "_MAIN_"):
        if name.startswith(prefix):
            return prefix.strip("-_") or name
    return name


def _parts(ix, reader) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for leaf, _ in reader.leaf_readers():
        segment = getattr(leaf, "_segment", None)
        if segment is None or not segment.is_compound():
            continue
        compound = segment.open_compound_file(ix.storage)
        try:
            for name in compound.list():
                out[name.rsplit(".", 1)[-1]] += compound.file_length(name)
        finally:
            compound.close()
    return out


def _terms(leaf, name: str):
    terms = getattr(leaf, "_terms", None)
    if terms is not None and hasattr(terms, "items_from"):
        yield from ((text, info) for (_, text), info in _field_items(terms, name, leaf))
        return
    for text in leaf.lexicon(name):
        yield text, leaf.term_info(name, text)


def _field_items(terms, name: str, leaf):
    for key, info in terms.items_from(name, b""):
        if key[0] != name:
            break
        yield key, info


def _stored_shares(reader) -> tuple[dict[str, float], int]:
    """Each stored field's pickled bytes over a sample of stories (relative figures: the stories are
    compressed whole, so a field's share of the compressed bytes is taken as its share before)."""
    n = reader.doc_count_all()
    step = max(1, n // SAMPLE)
    out: dict[str, float] = defaultdict(float)
    sampled = 0
    for docnum in range(0, n, step):
        if reader.is_deleted(docnum):
            continue
        for key, value in reader.stored_fields(docnum).items():
            out[key] += len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        sampled += 1
    return dict(out), sampled
