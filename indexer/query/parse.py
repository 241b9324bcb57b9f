"""Query text -> a Whoosh query: the parsers, field aliases, facet names and expansion bounds.

Two parsers are built per index generation: the full query language, and a plain
one (words only) that a query the full parser cannot read falls back to, so a
user always gets an answer for what they typed.
"""
from __future__ import annotations

import re

import numpy as np
from whoosh import qparser, query as wq
from whoosh.fields import DATETIME, TEXT

from indexer.facets import BY_PARAM, DEFAULT_MATCH, FACETS
from indexer.index.typed import MARK, PATTERN, SUFFIX, TYPED_FIELDS
from . import budget, multilingual, operators
from . import values as facet_values
from .expansion import Present
from .request import QueryError
from .tables import UNDATED
from .semantics import PHRASE_NOTICE, NewsParser, everything_except, expand_patterns, phrase_patterns, plus_minus

MAX_EXPANSIONS = budget.DEFAULT.per_pattern        # words one wildcard or prefix may stand for


@FACETS.derived
def field_aliases() -> dict[str, list[str]]:
    """Other names the query syntax takes for a field: `headline:`, each facet's `query_aliases`."""
    return {"title": ["headline"], **{f.param: list(f.query_aliases) for f in FACETS if f.query_aliases}}


def __getattr__(name: str):
    if name == "FIELD_ALIASES":         # the aliases of the registry as it is now
        return field_aliases()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MULTITERM = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Regex, wq.TermRange)
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED_PATTERN = re.compile(r'"[^"]*[*?\[][^"]*"')      # a wildcard or class inside quotes


def make_parsers(schema, parser_class=None, **kwargs):
    """(full, plain) query parsers over title and body, AND by default (`multilingual.py`: a class per language set)."""
    full = (parser_class or NewsParser)(["title", "body"], schema, group=qparser.AndGroup, **kwargs)
    full.add_plugin(qparser.FieldAliasPlugin(field_aliases()))
    full.add_plugin(plus_minus())
    full.remove_plugin_class(qparser.BoostPlugin)
    plain = (parser_class or qparser.MultifieldParser)(["title", "body"], schema, group=qparser.AndGroup,
                                                      plugins=[], **kwargs)
    for cls in operators.plugins():         # words only: no operator's syntax (operators.py)
        plain.remove_plugin_class(cls)
    return full, plain


def parse(gen, text: str, match: str = DEFAULT_MATCH, languages=()) -> tuple[object | None, str | None]:
    """The text part as a Whoosh query (None = everything) and a notice if we fell back.

    `gen` is the open generation (`generation.Generation`): its parsers and reader. Text with no
    word to search for (`the`, `-`, `OR`, `""`) is `NOTHING`, with a notice saying so:
    never the whole archive by accident (a feed or an export of it included). `languages`:
    the request's language filter, which is also the languages the words are analysed in.
    """
    if not text or not text.strip():
        return None, None
    notice = None
    full, plain = multilingual.parsers(gen, languages, make_parsers)
    try:
        q = everything_except(full.parse(text, normalize=False)).normalize()
    except Exception:       # Whoosh's parser has many failure modes; the user just gets words
        words = " ".join(_WORD.findall(text))
        q = plain.parse(words) if words else wq.NullQuery
        notice = f"could not read the query as written; searched for the words: {words}"
    unknown: list = []
    q = present_values(check_values(resolve_fields(q, match, gen, unknown), gen), gen)
    if unknown:            # `country:Atlantis`: searched as written, and said so
        notice = "; ".join(n for n in (notice, facet_values.unknown_notice(gen, unknown)) if n)
    if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
        hint = DATE_HINT if re.search(r"\b(?:date|day|month|year):", text) else ""
        return NOTHING, notice or NO_WORDS.format(text.strip()) + hint
    no_typed_phrases(q)
    budget.check_shape(q)                       # clauses, phrase length: before the index is touched
    budget.check_scan(q, gen.lexicons)         # word lists the patterns must look through, together
    reader = gen.searcher.reader()
    q, _ = phrase_patterns(reader, q, gen.lexicons, gen.typed)    # `"interest rate*"`: the stems of its words
    if _QUOTED_PATTERN.search(text):                     # said, never a silent 0 (issue 21)
        notice = "; ".join(n for n in (notice, PHRASE_NOTICE) if n)
    q = expand_patterns(reader, q, MAX_EXPANSIONS, _too_many, gen.lexicons, gen.typed)
    budget.check_terms(q)                       # words (or postings) the patterns stand for, together
    bound_expansions(reader, q)
    return q, notice


NOTHING = wq.Or([])           # matches no story
NO_WORDS = ("'{}' has no word to search for (common words such as 'the', operators and empty "
            "quotes are not searched); nothing is listed")
DATE_HINT = "; to search by date, use the from and to filters (from=1987-03-01)"


def check_values(q, gen):
    """A word searched in a field of values must be one the field can hold: `date:""` is a 400
    naming the field (Whoosh raised from deep in the evaluation: a 500)."""
    schema = gen.searcher.schema if gen is not None else None
    for leaf in ([q] if q.is_leaf() else q.leaves()) if schema is not None else ():
        if isinstance(leaf, wq.Term) and leaf.fieldname in schema and not isinstance(schema[leaf.fieldname], TEXT):
            try:
                schema[leaf.fieldname].to_bytes(leaf.text)
            except Exception:      # noqa: BLE001 - Whoosh's field types raise Exception, ValueError ...
                hint = DATE_HINT if isinstance(schema[leaf.fieldname], DATETIME) else ""
                raise QueryError(f"'{leaf.fieldname}:{str(leaf.text)[:40]}' is not a value the field "
                                 f"'{leaf.fieldname}' can hold{hint}", "q") from None
    return q


def no_typed_phrases(q) -> None:
    """`body_typed:"a b"`: the words-as-typed sub-fields (typed.py) have no positions, so a phrase
    in one is a 400 that says where to search it (Whoosh raised from its matcher: a 500)."""
    for leaf in [q] if q.is_leaf() else q.leaves():
        if isinstance(leaf, wq.Phrase) and leaf.fieldname in TYPED_FIELDS:
            base = leaf.fieldname.removesuffix(SUFFIX)
            raise QueryError(f"'{leaf.fieldname}' holds the words as typed, for patterns, without their "
                             f"places: search a phrase in '{base}' ({base}:\"...\")", "q")


def present_values(q, gen):
    """`field:*` on a field of values (`company:*`, `id:*`, `day:*`): the stories holding any
    value, from the tables the generation keeps (expansion.Present) rather than Whoosh's walk
    over every value's postings; a field without such a table is walked by the evaluator,
    under the deadline. An engine that counts the stories itself (`gen.remote`: the Solr engine)
    is asked `field:*` as it is (solrquery.py)."""
    if gen is None or getattr(gen, "remote", False):
        return q

    def fix(node):
        if isinstance(node, wq.Every) and node.fieldname and node.fieldname in gen.searcher.schema \
                and not isinstance(gen.searcher.schema[node.fieldname], TEXT):
            mask = _present_mask(gen.tables, node.fieldname)
            return node if mask is None else Present(node.fieldname, mask, boost=node.boost)
        return node if node.is_leaf() else node.apply(fix)
    return fix(q)


def _present_mask(t, fieldname: str):
    table = t.facets.get(fieldname)
    if table is not None:
        mask = np.zeros(t.n, dtype=bool)
        mask[table.docs] = True
        return mask
    if fieldname == "id":                    # every story has one (schema: unique, always written)
        return t.live.copy()
    if fieldname in ("day", "month", "year"):    # written with the date, as `day` is read into t.day
        return t.day != UNDATED
    return None


def _too_many(node) -> None:
    raise budget.BudgetError(f"'{node}' stands for more than {MAX_EXPANSIONS:,} words; give a few more "
                             "letters (cap: per_pattern)", "per_pattern")


def resolve_fields(q, match: str = DEFAULT_MATCH, gen=None, unknown: list | None = None):
    """Turn `country:Brazil` into the code `BR`, `org:unicef` into `UNICEF`, `company:usx` into `USX`,
    `region:Oceania` into its sub-regions, on the field of the strength of tagging asked for (`org:IMF`
    with match=mention searches every story naming it). Names are looked up in the generation's name
    table (`values.for_query`); text that names nothing is searched as typed (and added to `unknown`)."""
    def fix(node):
        spec = BY_PARAM.get(node.fieldname) if isinstance(node, (wq.Term, wq.Phrase)) else None
        if spec is not None:
            if isinstance(node, wq.Phrase):          # country:"united states", firm:"bethlehem steel"
                text = " ".join(w if isinstance(w, str) else w.decode("utf-8") for w in node.words)
            else:
                text = node.text if isinstance(node.text, str) else node.text.decode("utf-8")
            field = spec.field_for(match)
            values = facet_values.for_query(gen, spec, text)
            if values is None:
                values = [text]
                if unknown is not None and gen is not None:
                    unknown.append((spec, text))
            terms = [wq.Term(field, v, boost=node.boost) for v in values]
            return terms[0] if len(terms) == 1 else wq.Or(terms, boost=node.boost)
        return node.apply(fix)
    return fix(q)


def bound_expansions(reader, q) -> None:
    """Refuse a wildcard or prefix that stands for more than MAX_EXPANSIONS words."""
    for node in q.leaves() if q.is_leaf() is False else [q]:
        if isinstance(node, _MULTITERM):
            n = 0
            for _ in node.expanded_terms(reader):
                n += 1
                if n > MAX_EXPANSIONS:
                    _too_many(node)


def positive_leaves(q):
    """Leaves of a query tree except those under NOT (their words are not to be marked); a
    pattern's expansion is one leaf. Each operator's `highlight` hook says which (operators.py)."""
    mark = operators.of(q).highlight
    if mark == operators.NONE:
        return
    if mark == operators.FIRST:
        yield from positive_leaves(q.a)
        return
    if q.is_leaf() or mark == operators.PATTERN:
        yield q
        return
    for child in q.children():
        yield from positive_leaves(child)


def highlight_terms(reader, q) -> frozenset[str]:
    """The indexed words the query asks for in the body, which snippets and the story page show
    (`title:merger takeover` marks no "merger" in a body, issue 21): stems, and each pattern on
    the body as itself (typed.MARK + typed.PATTERN + `*ing`), whose words the highlighter marks
    however many they are (highlight.py).

    Written out rather than `Query.existing_terms`, which reuses its `fieldname`
    argument as a loop variable and so drops every field after the first.
    """
    if q is None:
        return frozenset()
    out = set()
    for leaf in positive_leaves(q):
        if operators.of(leaf).highlight == operators.PATTERN:
            if leaf.fieldname == "body" + SUFFIX:
                out.add(MARK + PATTERN + leaf.pattern)
            continue
        try:
            pairs = list(leaf.expanded_terms(reader, phrases=True))
        except Exception:
            continue
        for fieldname, text in pairs:
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            if fieldname == "body":
                out.add(text)
            elif fieldname == "body" + SUFFIX:     # `body_typed:persons`, as typed (highlight.py)
                out.add(MARK + text)
        if len(out) >= budget.HIGHLIGHT_TERMS:      # a snippet cannot show more; each costs time
            break
    return frozenset(out)
