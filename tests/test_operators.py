"""The operator table (indexer/query/operators.py): every node the query language can produce has
its hooks (parse, budget, evaluate, highlight, solr), and the lookup sends each node where the isinstance chains it replaced did."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import qparser, query as wq

from indexer.index.schema import SCHEMA
from indexer.query import operators
from indexer.query.arrays import Evaluator
from indexer.query.expansion import Expansion, PatternDocs, Present, WordPattern
from indexer.query.parse import make_parsers
from indexer.query.semantics import everything_except

QUERIES = ["oil", "title:oil", "headline:oil", "'oil price'", '"interest rate"', '"interest rate"~2',
           "pers*", "wh??t", "b[ae]nk", "*oney", "title:[apple TO banana]", "date:[19870301 TO 19870331]",
           "date:1987", "body:*", "company:*", "-brazil", "NOT brazil", "oil -gas", "oil AND gas", "oil OR gas",
           "oil ANDNOT gas", "oil ANDMAYBE gas", "oil REQUIRE gas", "(oil OR gas) price", "the", "two-for-one",
           "country:brazil", 'country:"united states"']


def nodes(q):
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from nodes(child)


class _Matched:
    postings, words = 7, 300


EXPANDED = [Expansion([wq.Term("body_typed", "oil")], "oi*", "body_typed"),
            PatternDocs("body_typed", "o*", _Matched()), Present("company", np.zeros(3, dtype=bool))]


def parsed() -> list:
    full, _ = make_parsers(SCHEMA)
    return [everything_except(full.parse(text, normalize=False)).normalize() for text in QUERIES]


def test_every_node_the_parser_produces_has_an_operator():
    seen = {type(n) for q in parsed() for n in nodes(q)} | {type(n) for n in EXPANDED}
    unclaimed = {cls.__name__ for cls in seen if operators.of(cls.__new__(cls)) is operators.FALLBACK}
    assert not unclaimed
    assert {operators.of(cls.__new__(cls)).name for cls in seen} >= {
        "word", "phrase", "pattern", "expansion", "pattern set", "present values", "word range", "date range",
        "present", "nothing", "and", "or", "not", "and not", "and maybe", "require"}


@pytest.mark.parametrize("op", [op for op in operators.OPERATORS if op.types], ids=lambda op: op.name)
def test_every_operator_implements_its_hooks(op):
    assert op.evaluate and callable(getattr(Evaluator, op.evaluate))
    assert op.highlight in operators.HIGHLIGHTS
    assert callable(op.budget)
    assert isinstance(op.plugins, tuple) and all(hasattr(p, "taggers") or hasattr(p, "filters") for p in op.plugins)


def test_syntax_only_operators_name_their_plugin():
    for op in operators.OPERATORS:
        assert op.types or op.plugins, op.name


def test_the_plain_parser_has_no_operator_syntax():
    assert set(operators.plugins()) == {
        qparser.WildcardPlugin, qparser.PhrasePlugin, qparser.FieldsPlugin, qparser.OperatorsPlugin,
        qparser.GroupPlugin, qparser.RangePlugin, qparser.BoostPlugin, qparser.SingleQuotePlugin}
    _, plain = make_parsers(SCHEMA)
    q = plain.parse("oil OR gas")
    assert all(type(n) in (wq.Term, wq.And, wq.Or) for n in nodes(q))


@pytest.mark.parametrize("node, name, evaluate", [
    (wq.Term("body", "oil"), "word", "_term_node"),
    (wq.DateRange("date", None, None), "date range", "_numeric_range"),        # a subclass meets its parent
    (wq.FuzzyTerm("body", "oil"), "word range", "_multiterm"),
    (wq.Regex("body", "o.l"), "word range", "_multiterm"),
    (WordPattern("body", "o*l"), "pattern", "_multiterm"),
    (wq.DefaultOr([wq.Term("body", "a")]), "or", "_or"),
    (Expansion([]), "expansion", "_or"),
    (wq.Ordered([wq.Term("body", "a")]), "other", "_fallback"),                # not an And: Whoosh's matcher
    (wq.DisjunctionMax([wq.Term("body", "a")]), "disjunction max", "_fallback"),
    (wq.Otherwise(wq.Term("body", "a"), wq.Term("body", "b")), "other", "_fallback"),
    (wq.NullQuery, "nothing", "_nothing"),
])
def test_lookup_follows_the_class_then_its_bases(node, name, evaluate):
    op = operators.of(node)
    assert (op.name, op.evaluate) == (name, evaluate)


def test_budget_hooks():
    phrase = wq.Phrase("body", ["a", "b", "c"])
    assert operators.of(phrase).budget(phrase).phrase_words == 3
    assert operators.of(wq.Prefix("body", "oi")).budget(wq.Prefix("body", "oi")).scans
    assert not operators.of(wq.Term("body", "oil")).budget(wq.Term("body", "oil")).scans
    exp, docs = EXPANDED[0], EXPANDED[1]
    assert (operators.of(exp).budget(exp).terms, operators.of(docs).budget(docs).postings) == (1, 7)
    assert operators.of(exp).budget(exp).expanded and operators.of(docs).budget(docs).expanded


def test_highlight_hooks():
    assert operators.of(wq.Not(wq.Term("body", "a"))).highlight == operators.NONE
    assert operators.of(wq.AndNot(wq.Term("body", "a"), wq.Term("body", "b"))).highlight == operators.FIRST
    assert {operators.of(n).highlight for n in EXPANDED[:2]} == {operators.PATTERN}


@pytest.mark.parametrize("op", [op for op in operators.OPERATORS if op.types], ids=lambda op: op.name)
def test_every_solr_hook_names_a_writer(op):
    """The `solr` hook names a `solrquery.Lucene` method, or "" for a node the Solr engine refuses."""
    from indexer.query.solrquery import Lucene
    assert op.solr == "" or callable(getattr(Lucene, op.solr))
    assert "solr" in operators.HOOKS


@pytest.mark.parametrize("node, written", [
    (wq.DefaultOr([wq.Term("body", "oil"), wq.Term("body", "gas")]), "(body_t:oil body_t:gas)"),   # a subclass of Or
    (Expansion([wq.Term("body", "oil")], "oi*", "body"), "(body_t:oil)"),
    (wq.DisjunctionMax([wq.Term("body", "oil")]), "(body_t:oil)"),
    (WordPattern("country", "B?"), "country:B?"),
    (wq.Prefix("country", "B"), "country:B*"),
    (wq.NullQuery, "id:__nothing__"),
    (wq.Every(), "*:*^=1"),
])
def test_solr_hooks_write_each_node(node, written):
    from indexer.query.solrquery import to_solr
    assert to_solr(node) == written


@pytest.mark.parametrize("node", [wq.DateRange("date", None, None), wq.FuzzyTerm("body", "oil"),
                                  wq.Regex("body", "o.l"), wq.Ordered([wq.Term("body", "a")]),
                                  wq.Otherwise(wq.Term("body", "a"), wq.Term("body", "b")), EXPANDED[2]])
def test_nodes_without_a_solr_hook_are_refused_by_name(node):
    from indexer.query.request import QueryError
    from indexer.query.solrquery import to_solr
    with pytest.raises(QueryError, match=type(node).__name__):
        to_solr(node)
