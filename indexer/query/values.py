"""Facet values, in one place: the value a user meant (`country=UK`, `org:EEC`, `region=Oceania`,
`language=Deutsch`), its label, and the one fold names are compared in.

Why one module: resolving a value was spread over the request (which the engine rewrote in
place), the filters, the query's fields, the labels and Extract's look-ups, with three ways of
folding a name. The query side now asks here only: `resolve` (a request's filters, as a new
request), `for_filter` and `for_query` (one value), `label`, and `fold` (`indexer/extract/fold.py`,
the same one the gazetteer and the name table use).

Every look-up reads the generation's name table (`indexer/index/nametable.py`, written by the
indexer, memory-mapped per generation): the same names resolve on every archive, in every
language NewsFacet knows, without a gazetteer in the worker. Nothing here changes any state
shared between requests: a request's answer never depends on the requests before it.

A URL parameter that is exactly a value the archive holds is that value (the facet lists send
their values back as parameters). Any other text is looked up as a name. A name NewsFacet knows
is a filter even when no story holds its value yet (`country=UA` finds 0 stories, and a feed of
it is a valid empty feed); text that names nothing is refused, with the nearest known names.
"""
from __future__ import annotations

from typing import Callable

from indexer.extract.fold import fold  # noqa: F401 (re-exported: the one fold of names)
from indexer.facets import BY_PARAM
from .params import QueryError, SearchParams


def _held(gen, spec, text: str) -> str | None:
    """`text` if the archive holds it as a value exactly (or as its normal form: "USX Corp" -> USX)."""
    table = gen.tables.facets.get(spec.mention_field)
    if table is None:
        return None
    for form in (text, spec.normalise(text) if spec.normalise else None):
        if form and form in table.index:
            return form
    return None


def _named(gen, spec, text: str) -> list[str] | None:
    names = gen.names
    if names is None:
        return None
    found = names.values(spec.param, text)
    if found is None and spec.normalise:
        form = spec.normalise(text)
        if form and form != text:
            found = names.values(spec.param, form)
    return found


def for_filter(gen, spec, text: str, prefix: str = "") -> list[str]:
    """The value(s) a URL or CLI filter means; QueryError (a 400) for text that names nothing."""
    held = _held(gen, spec, text)
    if held is not None:
        return [held]
    found = _named(gen, spec, text)
    if found:
        return found
    near = gen.names.nearest(spec.param, text) if gen.names is not None else []
    hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise QueryError(f"no {spec.title.lower()} '{text[:80]}' is known ('{prefix}{spec.param}' takes a value "
                     f"from the {spec.title} facet, or a name, code or alias of one){hint}", prefix + spec.param)


def lookup(gen) -> Callable[[str, str, str], list[str]]:
    """`(param, text, prefix) -> values` of this generation, for `SearchParams.resolve`."""
    return lambda param, text, prefix="": for_filter(gen, BY_PARAM[param], text, prefix)


def resolve(gen, params: SearchParams) -> SearchParams:
    """A request's filters as the index spells them (`country=Brazil` -> BR, `org=unicef` -> UNICEF,
    `region=Oceania` -> its four sub-regions), as a new request: `params` is unchanged.

    A value NewsFacet knows is a filter even when no story holds it (0 stories); text that names
    nothing is refused (a QueryError, 400) by name, with the nearest known names.
    """
    return params.resolve(lookup(gen))


def for_query(gen, spec, text: str) -> list[str] | None:
    """The value(s) a field of the query language means (`org:EC` is the European Union, whatever stray
    value spelt "EC" a story holds); None for text that names nothing."""
    if gen is None:
        return None
    return _named(gen, spec, text) or ([h] if (h := _held(gen, spec, text)) else None)


def unknown_notice(gen, unknown: list) -> str:
    """What a query's field names that name nothing were searched as (`country:Atlantis`), with the
    nearest known names."""
    parts = []
    for spec, text in unknown[:3]:
        near = gen.names.nearest(spec.param, text) if gen.names is not None else []
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        parts.append(f"no {spec.title.lower()} '{text[:80]}' is known{hint}; {spec.param}:{text[:80]} was searched as written")
    return "; ".join(parts)


def label(gen, param: str, value: str) -> tuple[str, str, str]:
    """(label, long name, kind) of a value: as stored with the stories, else as NewsFacet knows it
    (a country no story names yet), else the value itself. Remembers nothing."""
    found = gen.labels.get((param, value))
    if found is not None:
        return found
    spec = BY_PARAM.get(param)
    if spec is None:
        return value, "", ""
    known = gen.names.describe(param, value) if gen.names is not None else None
    if known is not None:
        return known[0], ("" if known[1] == known[0] else known[1]), known[2] or spec.kind
    return spec.label_of(value) or (value, "", spec.kind)     # a facet that names its values itself
