"""The fused analyzer gives exactly the tokens of Whoosh's StemmingAnalyzer."""
from __future__ import annotations

import pickle

import pytest
from whoosh.analysis import StemmingAnalyzer

from corpora import corpus_records
from indexer.analysis import NewsAnalyzer

SAMPLES = [
    "The quick brown fox, a dog. Running tests",
    "U.S. officials said the I.M.F. loan of 1.5 bln dlrs was agreed on March 3.",
    "Über naïve café — 20,000 words; <script>alert(1)</script> e-mail",
    "", "a an the of", "X",
]
MODES = [dict(positions=True), dict(positions=True, chars=True),
         dict(chars=True, removestops=False, keeporiginal=True, positions=True),
         dict(mode="query"), dict(tokenize=False, positions=True), dict(start_pos=5, start_char=7, positions=True, chars=True)]


def tokens(analyzer, text, **kw):
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None),
             t.stopped, getattr(t, "original", None)) for t in analyzer(text, **kw)]


@pytest.mark.parametrize("kw", MODES)
@pytest.mark.parametrize("text", SAMPLES)
def test_same_tokens_as_whoosh(text, kw):
    assert tokens(NewsAnalyzer(), text, **kw) == tokens(StemmingAnalyzer(), text, **kw)


@pytest.mark.parametrize("kw", MODES[:3])
def test_same_tokens_on_reuters(kw):
    ours, theirs = NewsAnalyzer(), StemmingAnalyzer()
    for rec in corpus_records(limit=500):
        assert tokens(ours, rec["body"], **kw) == tokens(theirs, rec["body"], **kw), rec["id"]


def test_pickles_without_its_cache():
    a = NewsAnalyzer()
    list(a("running runners"))
    b = pickle.loads(pickle.dumps(a))
    assert b == a and len(b._cache) == 0 and [t.text for t in b("exports")] == ["export"]
