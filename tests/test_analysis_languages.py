"""indexer.index.analysis per language: Whoosh's Snowball/ISRI stemmers and stop lists, Turkish case,
CJK bigrams, the unstemmed fallback, and how the language reaches the analyzer."""
from __future__ import annotations

import pickle

import pytest

from indexer.index.analysis import LanguageText, NewsAnalyzer


def stems(text, language, **kw):
    return [t.text for t in NewsAnalyzer()(text, language=language, **kw)]


# (language, two inflected forms of one word that must meet, a stop word of the language)
SAME_STEM = [
    ("de", "Regierung", "Regierungen", "der"),
    ("de", "Landes", "Land", "und"),
    ("de", "Anrainerin", "Anrainerinnen", "die"),
    ("de", "Chinas", "China", "das"),
    ("fr", "gouvernement", "gouvernements", "la"),
    ("es", "elecciones", "elección", "los"),
    ("it", "governi", "governo", "della"),
    ("pt", "governos", "governo", "dos"),
    ("nl", "regeringen", "regering", "het"),
    ("ru", "правительства", "правительство", "и"),
    ("sv", "regeringen", "regeringens", "och"),
    ("ar", "الحكومات", "الحكومة", None),
]


@pytest.mark.parametrize("lang,a,b,stop", SAME_STEM)
def test_inflected_forms_meet(lang, a, b, stop):
    assert stems(a, lang) == stems(b, lang) != []
    if stop:
        assert stems(stop, lang) == []


def test_german_umlauts_fold_in_the_stem():
    assert stems("Österreich Osterreich", "de")[0] == stems("Österreich Osterreich", "de")[1]


def test_turkish_lower_cases_the_turkish_way():
    assert stems("Istanbul İzmir ve Ankara", "tr") == ["ıstanbul", "izmir", "ankara"]   # "ve" is stopped


def test_chinese_and_japanese_become_bigrams():
    assert stems("北京大学", "zh") == ["北京", "京大", "大学"]
    assert stems("東京", "ja") == ["東京"]
    assert stems("中 in Tokyo", "zh") == ["中", "in", "tokyo"]


def test_bigram_offsets_point_at_the_characters():
    toks = [(t.text, t.startchar, t.endchar) for t in NewsAnalyzer()("学生と先生", language="ja", chars=True)]
    assert toks == [("学生", 0, 2), ("生と", 1, 3), ("と先", 2, 4), ("先生", 3, 5)]


def test_unknown_language_is_lower_cased_not_stemmed():
    assert stems("Kenya Airways inazindua safari mpya", "sw") == ["kenya", "airways", "inazindua", "safari", "mpya"]


def test_english_is_the_porter_path():
    from whoosh.analysis import StemmingAnalyzer
    text = "the mergers were running"
    assert stems(text, "en") == stems(text, "") == [t.text for t in StemmingAnalyzer()(text)]


def test_positions_skip_stop_words_like_whoosh():
    toks = [(t.text, t.pos) for t in NewsAnalyzer()("die Regierung der Republik", language="de", positions=True)]
    assert toks == [("regier", 1), ("republ", 2)]


def test_index_time_language_rides_on_the_value():
    a = NewsAnalyzer()
    assert [t.text for t in a(LanguageText("Regierungen", "de"))] == ["regier"]
    assert [t.text for t in a("Regierungen")] == ["regierungen"]     # a plain str: English, as before


def test_bound_analyzer_and_pickling():
    a = NewsAnalyzer()
    de = a.for_language("de")
    assert [t.text for t in de("Regierungen")] == ["regier"] and a.for_language("") is a
    b = pickle.loads(pickle.dumps(de))
    assert b == de and b != a and [t.text for t in b("Regierungen")] == ["regier"]


@pytest.mark.parametrize("lang", ["de", "fr", "ru", "zh", "ar", "tr", "xx"])
def test_keeporiginal_and_chars_cover_the_text(lang):
    text = "Wien – Die Regierung, 北京. Правительство"
    for t in NewsAnalyzer()(text, language=lang, chars=True, keeporiginal=True, removestops=False):
        assert text[t.startchar:t.endchar] == t.original
