"""The fused analyzer gives exactly the tokens of Whoosh's StemmingAnalyzer, accents folded before
the stop list (Whoosh's CharsetFilter with its accent map: `Über` is `uber`, issue 21)."""
from __future__ import annotations

import json
import pickle
import unicodedata

import pytest
from whoosh.analysis import CharsetFilter
from whoosh.support.charset import accent_map

from corpora import corpus_records
from indexer.index.analysis import NewsAnalyzer

SAMPLES = [
    "The quick brown fox, a dog. Running tests",
    "U.S. officials said the I.M.F. loan of 1.5 bln dlrs was agreed on March 3.",
    "Über naïve café — 20,000 words; <script>alert(1)</script> e-mail",
    "", "a an the of", "X",
]
MODES = [dict(positions=True), dict(positions=True, chars=True),
         dict(chars=True, removestops=False, keeporiginal=True, positions=True),
         dict(mode="query"), dict(tokenize=False, positions=True), dict(start_pos=5, start_char=7, positions=True, chars=True)]


def Whoosh():
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def tokens(analyzer, text, **kw):
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None),
             t.stopped, getattr(t, "original", None)) for t in analyzer(text, **kw)]


@pytest.mark.parametrize("kw", MODES)
@pytest.mark.parametrize("text", SAMPLES)
def test_same_tokens_as_whoosh(text, kw):
    assert tokens(NewsAnalyzer(), text, **kw) == tokens(Whoosh(), text, **kw)


@pytest.mark.parametrize("kw", MODES[:3])
def test_same_tokens_on_reuters(kw):
    ours, theirs = NewsAnalyzer(), Whoosh()
    for rec in corpus_records(limit=500):
        assert tokens(ours, rec["body"], **kw) == tokens(theirs, rec["body"], **kw), rec["id"]


def test_pickles_without_its_cache():
    a = NewsAnalyzer()
    list(a("running runners"))
    b = pickle.loads(pickle.dumps(a))
    assert b == a and len(b._cache) == 0 and [t.text for t in b("exports")] == ["export"]


# ---------------------------------------------------------------- Unicode forms (issue 24.11)

NFD_CAFE = unicodedata.normalize("NFD", "café")
FORMS = {  # every way of typing a word -> the plain form it must find the stories of
    "ｃｏｆｆｅｅ": "coffee", "ＣＯＦＦＥＥ": "coffee", "ﬁnance": "finance", "café": "café", NFD_CAFE: "café",
    "CAFÉ": "café", "Straße": "strasse",
    # issue 21: accents fold as ICU folding does (after stemming), Latin letters only
    "cafe": "café", "Zürich": "Zurich", "Ørsted": "Orsted", "naïve": "naive",
}


@pytest.mark.parametrize("typed,plain", FORMS.items())
def test_every_form_of_a_word_is_the_same_term(typed, plain):
    a = NewsAnalyzer()
    assert [t.text for t in a(typed)] == [t.text for t in a(plain)]
    assert [t.text for t in a(typed, mode="query")] == [t.text for t in a(plain, mode="query")]


def test_folding_keeps_the_offsets_of_the_text():
    text = "Prices of ﬁnance and ｃｏｆｆｅｅ"
    toks = [(t.text, text[t.startchar:t.endchar]) for t in NewsAnalyzer()(text, chars=True, keeporiginal=True)]
    assert toks == [
        ("price", "Prices"), ("financ", "ﬁnance"), ("coffe", "ｃｏｆｆｅｅ")]


def test_other_languages_fold_too():
    a = NewsAnalyzer()
    assert [t.text for t in a("ＫＡＦＦＥＥ", language="de")] == [t.text for t in a("kaffee", language="de")]
    assert [t.text for t in a("İSTANBUL", language="tr")] == ["istanbul"]


@pytest.fixture(scope="module")
def forms_archive(tmp_path_factory):
    from indexer.index.build import build_index
    from indexer.search import Archive
    root = tmp_path_factory.mktemp("forms")
    stories = [
        {"id": "nfd", "title": "A " + NFD_CAFE + " in Vienna", "body": "The " + NFD_CAFE + " opened. " * 3},
        {"id": "nfc", "title": "Another café", "body": "The café closed."},
        {"id": "lig", "title": "Ministry of ﬁnance", "body": "The ﬁnance ministry said coffee prices rose."},
        {"id": "wide", "title": "ＣＯＦＦＥＥ", "body": "ｃｏｆｆｅｅ exports and finance."},
    ]
    (root / "s.jsonl").write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in stories), "utf-8")
    build_index([root], root / "ix", progress=False)
    archive = Archive(root / "ix")
    yield archive
    archive.close()


@pytest.mark.parametrize("typed,plain", FORMS.items())
def test_every_form_finds_the_same_stories(forms_archive, typed, plain):
    from indexer.search import SearchRequest
    found = sorted(h.id for h in forms_archive.search(SearchRequest(q=typed, correct=False)).hits)
    assert found == sorted(h.id for h in forms_archive.search(SearchRequest(q=plain, correct=False)).hits)
    if plain in ("coffee", "finance", "café"):
        assert found


def test_a_decomposed_story_is_stored_composed_and_marked(forms_archive):
    from indexer.search import SearchRequest
    hit = next(h for h in forms_archive.search(SearchRequest(q="café")).hits if h.id == "nfd")
    assert hit.title == "A café in Vienna" and unicodedata.is_normalized("NFC", hit.title)
    assert "<mark>café</mark>" in hit.snippet.lower() or "<mark>café</mark>" in hit.title.lower()


def test_an_index_of_another_analysis_version_is_rebuilt(tmp_path, monkeypatch):
    from indexer.index import analysis
    from indexer.index.build import build_index
    src = tmp_path / "src"
    src.mkdir()
    (src / "s.jsonl").write_text(json.dumps({"id": "a", "title": "ｃｏｆｆｅｅ", "body": "x y"}) + "\n")
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", 1)        # an index written before folding
    build_index([src], tmp_path / "ix", progress=False)
    monkeypatch.undo()
    (src / "t.jsonl").write_text(json.dumps({"id": "b", "title": "tea", "body": "x y"}) + "\n")
    report = build_index([src], tmp_path / "ix", progress=False)
    assert report.rebuilt and report.total_documents == 2
    again = build_index([src], tmp_path / "ix", progress=False)
    assert not again.rebuilt and again.total_documents == 2


@pytest.mark.parametrize("typed,plain", [
    ("fluechtlinge", "Flüchtlinge"), ("Oesterreich", "Österreich"), ("Praesident", "Präsident"),
    ("Boerse", "Börse"), ("Strasse", "Straße"), ("Fuehrung", "Führung"), ("Maerz", "März"),
])
def test_german_transliterations_are_the_umlauts(typed, plain):
    """issue 21: `fluechtlinge` found 0 stories, `Flüchtlinge` 40. German analysis folds ae, oe, ue
    and ß as Lucene's GermanNormalizationFilter does, so both spellings are one term."""
    de = NewsAnalyzer().for_language("de")
    assert [t.text for t in de(typed)] == [t.text for t in de(plain)]


@pytest.mark.parametrize("word", ["Quelle", "Feuer", "Bauer", "neue", "Trauer"])
def test_german_e_after_a_vowel_or_q_is_no_umlaut(word):
    from indexer.index.analysis import german_normal
    assert german_normal(word.lower()) == word.lower()


def test_other_scripts_keep_their_marks():
    from indexer.index.analysis import unaccent
    assert unaccent("йошкар") == "йошкар" and unaccent("zürich") == "zurich"
