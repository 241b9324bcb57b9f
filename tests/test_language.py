"""indexer.extract.language: detection with py3langid (its model in the package), the declared language
winning, and the figures on the German corpora."""
from __future__ import annotations

import gzip
import json

import pytest

from corpora import corpus_records, shared_corpus
from indexer.extract import language as L
from indexer.read.documents import Document
from indexer.index.prepare import prepare

TEXTS = {
    "en": "The government said on Monday that it would cut taxes for small businesses next year, "
          "after talks with the opposition parties failed to produce an agreement on the budget.",
    "de": "Die Bundesregierung hat am Montag beschlossen, die Steuern für kleine Unternehmen im "
          "kommenden Jahr zu senken, nachdem die Gespräche mit der Opposition gescheitert waren.",
    "fr": "Le gouvernement a annoncé lundi qu'il allait réduire les impôts des petites entreprises "
          "l'année prochaine, après l'échec des négociations avec les partis d'opposition.",
    "es": "El gobierno anunció el lunes que reducirá los impuestos de las pequeñas empresas el "
          "próximo año, después de que fracasaran las negociaciones con la oposición.",
    "ru": "Правительство в понедельник заявило, что снизит налоги для малого бизнеса в следующем "
          "году после того, как переговоры с оппозицией не привели к соглашению по бюджету.",
    "zh": "政府星期一表示，在与反对党的谈判未能就预算达成协议后，明年将为小企业减税。",
    "ar": "قالت الحكومة يوم الاثنين إنها ستخفض الضرائب على الشركات الصغيرة العام المقبل بعد فشل "
          "المحادثات مع أحزاب المعارضة في التوصل إلى اتفاق بشأن الميزانية.",
    "tr": "Hükümet pazartesi günü yaptığı açıklamada, muhalefet partileriyle yapılan görüşmelerin "
          "bütçe konusunda bir anlaşmaya varamamasının ardından gelecek yıl küçük işletmeler için "
          "vergileri düşüreceğini söyledi.",
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_detects_the_language_of_a_paragraph(code):
    assert L.detect("", TEXTS[code]) == code


@pytest.mark.parametrize("text", ["", "12.5 13.1 14.0", "NORTHERN TELECOM PROPOSES TWO-FOR-ONE STOCK SPLIT",
                                  "Aal\n\nBarsch\n\nBrasse\n\nForelle\n\nHecht"])
def test_too_little_text_is_left_undetermined(text):
    assert L.detect("", text) == ""


def test_a_wire_results_table_is_english():
    assert L.detect("COBANCO INC YEAR NET", "Shr 34 cts vs 1.19 dlrs\n\nNet 807,000 vs 2,858,000") == "en"


@pytest.mark.parametrize("tag,code", [("de", "de"), ("de-AT", "de"), ("DE", "de"), ("en_GB", "en"),
                                      ("deu", "de"), ("zh-Hant", "zh"), ("xx", ""), ("", ""), ("123", "")])
def test_normalise_language_tags(tag, code):
    assert L.normalise(tag) == code


def test_labels():
    assert L.label("de") == "German" and L.native_name("de") == "Deutsch" and L.label("qq") == "qq"


def _doc(body, language=""):
    return Document(id="x", path="x", title="", date=None, body=body, language=language)


def test_declared_language_wins_over_detection():
    fields, _ = prepare(_doc(TEXTS["de"], language="fr-FR"), "k")
    assert fields["language"] == "fr"
    fields, _ = prepare(_doc(TEXTS["de"]), "k")
    assert fields["language"] == "de"
    assert fields["body"].language == "de" and fields["_stored_body"] == TEXTS["de"]


def test_english_story_keeps_plain_text_fields():
    """An English story is indexed exactly as before: plain strings, no stored override."""
    fields, _ = prepare(_doc(TEXTS["en"]), "k")
    assert fields["language"] == "en" and type(fields["body"]) is str and "_stored_body" not in fields


def test_reuters_is_english_without_the_model(monkeypatch):
    """Reuters is told English by its function words: the model (1.6 s to load) is never asked."""
    monkeypatch.setattr(L, "_model", lambda: pytest.fail("the model was loaded for Reuters"))
    seen = {L.detect(r.get("title", ""), r.get("body", "")) for r in corpus_records(limit=3000)}
    assert seen <= {"en", ""} and "en" in seen


@pytest.mark.corpus
def test_gnad_is_german():
    with gzip.open(shared_corpus("gnad-test.jsonl.gz"), "rt", encoding="utf-8") as f:
        got = [L.detect("", json.loads(line)["body"]) for line in f]
    assert sum(g == "de" for g in got) / len(got) >= 0.99


@pytest.mark.corpus
def test_german_web_pages_detected():
    from tests.eval.languages import detection
    res = detection(shared_corpus("web-pages.tar.gz"))
    assert res["german_pages"] >= 500
    assert res["german_accuracy"] >= 0.95 and res["accuracy"] >= 0.9
