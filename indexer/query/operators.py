"""The query language's operators, each with its hooks, in one table.

Why a table: what a query node means was spread over isinstance chains in the parser's
set-up, the budget, the evaluator and the highlighter, and a new operator had to be found
in each (a phrase missed by one of them was a 500 or a silent 0). Here each operator says
once which parser plugins read it and what it becomes, what it costs, how it is evaluated
and what it marks; those modules look the node up (`of(node)`) instead of testing its type.

The hooks an operator implements:

    parse      `plugins`: the Whoosh parser plugins that read its syntax. The full parser has
               them (semantics.NewsParser: a pattern is `PatternPlugin`, Whoosh's wildcard plugin
               told to keep a pattern whole); the plain parser a failed parse falls back to has
               none of them (parse.make_parsers): words only. What a node is rewritten into
               once the index is known (a pattern into its words, `country:Brazil` into `BR`)
               is `becomes`, done by parse.parse's passes in their order.
    budget     `budget(node) -> Cost`: what it is charged before evaluation (budget.py): a
               phrase its words, a pattern a scan of its word list, an expanded pattern its
               words or postings. Every leaf is also one clause.
    evaluate   `evaluate`: the name of the `arrays.Evaluator` method that turns it into a mask
               and scores; "_fallback" is Whoosh's own matcher (a phrase, a form we do not model).
    highlight  `highlight`: which of its words snippets mark (parse.highlight_terms): WORDS its
               own (`expanded_terms`), PATTERN what its pattern matches (however many words),
               CHILDREN those of its parts, FIRST those of its first part only (`a ANDNOT b`),
               NONE (`NOT b`: the words it excludes are never marked).
    solr       `solr`: the name of the `solrquery.Lucene` method that writes it in Solr's Lucene
               syntax (the `solr://` engine, which is handed the tree parse.parse made); "" when
               the Solr engine refuses it (a 400 naming the node: a date range in the query, a
               fuzzy term, a form only the Whoosh evaluator has, such as `Present`).

A new operator is one entry here: the hooks it leaves out take their defaults (one clause of
budget, its own words marked, no Solr form), and tests/test_operators.py checks each hook it names
exists where it points.

A node is looked up by its class and then its bases (`DateRange` is a `NumericRange`), so a
subclass Whoosh or we add later meets its parent's hooks; a class no operator claims is
evaluated by Whoosh's matcher and marks its words (FALLBACK).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from whoosh import qparser, query as wq

from .expansion import Expansion, PatternDocs, Present

WORDS, PATTERN, CHILDREN, FIRST, NONE = "words", "pattern", "children", "first", "none"
HIGHLIGHTS = (WORDS, PATTERN, CHILDREN, FIRST, NONE)
HOOKS = ("parse", "budget", "evaluate", "highlight", "solr")


@dataclass(frozen=True)
class Cost:
    """What one node is charged before evaluation (budget.py's caps, by name)."""
    phrase_words: int = 0      # a phrase's words (cap: phrase_words)
    scans: bool = False        # a pattern that looks through its field's word list (cap: scanned)
    terms: int = 0             # an expanded pattern's words, each read from Whoosh (cap: terms)
    postings: int = 0          # a constant-score pattern's postings (cap: postings)
    expanded: bool = False     # a pattern already expanded: its parts are its words, not clauses to count again


def _clause(node) -> Cost:
    return Cost()


def _phrase(node) -> Cost:
    return Cost(phrase_words=len(node.words))


def _pattern(node) -> Cost:
    return Cost(scans=True)


def _expansion(node) -> Cost:
    return Cost(terms=len(node.subqueries), expanded=True)


def _pattern_docs(node) -> Cost:
    return Cost(postings=node.matched.postings, expanded=True)


@dataclass(frozen=True)
class Operator:
    name: str
    syntax: str                                  # how a user writes it
    types: tuple[type, ...]                      # the query nodes it is (or becomes)
    evaluate: str                                # evaluate: an arrays.Evaluator method
    highlight: str = WORDS                       # highlight: one of HIGHLIGHTS
    budget: Callable[[object], Cost] = _clause   # budget: what it costs before evaluation
    plugins: tuple[type, ...] = ()               # parse: the parser plugins that read it
    becomes: str = ""                            # parse: what it is rewritten into, and where
    solr: str = ""                               # solr: a solrquery.Lucene method ("": refused there)


OPERATORS: tuple[Operator, ...] = (
    Operator("word", "oil, 'single quoted'", (wq.Term,), "_term_node", plugins=(qparser.SingleQuotePlugin,),
             becomes="a facet's value for a word in a facet field (parse.resolve_fields)", solr="term"),
    Operator("field", "title:oil, country:brazil", (), "", plugins=(qparser.FieldsPlugin,),
             becomes="the field's node; aliases (headline:) by FieldAliasPlugin"),
    Operator("phrase", '"interest rate", "interest rate"~2', (wq.Phrase,), "_fallback", budget=_phrase,
             plugins=(qparser.PhrasePlugin,),
             becomes="with a * word, the phrases of its words' stems (semantics.phrase_patterns)", solr="phrase"),
    Operator("pattern", "pers*, wh??t, b[ae]nk", (wq.Prefix, wq.Wildcard), "_multiterm", budget=_pattern,
             plugins=(qparser.WildcardPlugin,),
             becomes="an expansion or a pattern set (semantics.expand_patterns)", solr="pattern"),
    Operator("expansion", "(a pattern's words)", (Expansion,), "_or", budget=_expansion, highlight=PATTERN,
             solr="any_of"),
    Operator("pattern set", "(a pattern of many words)", (PatternDocs,), "_pattern_docs", budget=_pattern_docs,
             highlight=PATTERN, solr="pattern_docs"),
    Operator("word range", "title:[apple TO banana]", (wq.MultiTerm,), "_multiterm", plugins=(qparser.RangePlugin,)),
    Operator("date range", "date:[1987-03-01 TO 1987-03-31], date:1987", (wq.NumericRange,), "_numeric_range",
             plugins=(qparser.RangePlugin,)),
    Operator("present", "body:*, company:*", (wq.Every,), "_every",
             becomes="on a field of values, the stories holding one (parse.present_values)", solr="every"),
    Operator("present values", "(company:* from the tables)", (Present,), "_present"),
    Operator("nothing", "(the, -, \"\")", (type(wq.NullQuery),), "_nothing", solr="nothing"),
    Operator("and", "oil price, oil AND price", (wq.And,), "_and", highlight=CHILDREN,
             plugins=(qparser.OperatorsPlugin,), solr="all_of"),
    Operator("or", "oil OR gas", (wq.Or,), "_or", highlight=CHILDREN, plugins=(qparser.OperatorsPlugin,),
             solr="any_of"),
    Operator("not", "-brazil, NOT brazil", (wq.Not,), "_not", highlight=NONE, plugins=(qparser.OperatorsPlugin,),
             becomes="alone, everything except (semantics.everything_except)", solr="negation"),
    Operator("and not", "oil ANDNOT gas, oil -gas", (wq.AndNot,), "_and_not", highlight=FIRST,
             plugins=(qparser.OperatorsPlugin,), solr="and_not"),
    Operator("and maybe", "oil ANDMAYBE gas", (wq.AndMaybe,), "_and_maybe", highlight=CHILDREN,
             plugins=(qparser.OperatorsPlugin,), solr="and_maybe"),
    Operator("require", "oil REQUIRE gas", (wq.Require,), "_require", highlight=CHILDREN,
             plugins=(qparser.OperatorsPlugin,), solr="require"),
    Operator("group", "(oil OR gas) price", (), "", plugins=(qparser.GroupPlugin,)),
    Operator("boost", "oil^2 (plain words only: the full parser reads ^ as a word)", (), "",
             plugins=(qparser.BoostPlugin,)),
    # claimed so that they never reach an entry above through a base class: Whoosh's matcher runs them
    Operator("disjunction max", "(not written by users)", (wq.DisjunctionMax,), "_fallback", highlight=CHILDREN,
             solr="dismax"),
)
FALLBACK = Operator("other", "", (), "_fallback")

_BY_TYPE: dict[type, Operator] = {}
for _op in OPERATORS:
    for _t in _op.types:
        assert _t not in _BY_TYPE, f"{_t.__name__} claimed twice"
        _BY_TYPE[_t] = _op


def of(node) -> Operator:
    """The operator of a query node: its class's, else its nearest base's, else FALLBACK."""
    for cls in type(node).__mro__:
        op = _BY_TYPE.get(cls)
        if op is not None:
            return op
    return FALLBACK


def plugins() -> tuple[type, ...]:
    """Every operator's parser plugins, once each, in the table's order (the plain parser removes them)."""
    return tuple(dict.fromkeys(p for op in OPERATORS for p in op.plugins))
