"""indexer/query/values.py: a facet value from what a user wrote, its label, and the one fold of names."""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from indexer.extract import gazetteer
from indexer.extract.fold import fold
from indexer.facets import BY_PARAM
from indexer.index import nametable
from indexer.index.build import build_index
from indexer.query import values
from indexer.search import Archive, QueryError, SearchParams

STORIES = [
    {"id": "uk1", "title": "Britain and the EEC", "date": "1987-03-03",
     "body": "LONDON, March 3 - Britain said on Tuesday the European Community (EC) must cut farm subsidies, "
             "and the United States agreed. UNICEF said children were helped."},
    {"id": "de3", "title": "West German bonds", "date": "1987-03-04",
     "body": "FRANKFURT, March 4 - West German bond prices rose as the Bundesbank held rates."},
    {"id": "de5", "title": "Österreich und die Europäische Union", "date": "1987-03-07", "language": "de",
     "body": "WIEN, 7. März - Die Regierung in Österreich sprach mit der Europäischen Gemeinschaft über den "
             "Handel mit Großbritannien. Die Verhandlungen dauern an, teilte das Ministerium mit."},
]


# ---------------------------------------------------------------- the fold

def _nametable_fold_before(text: str) -> str:
    """The name table's fold as it was written before the folds became one (the index's keys)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]+", " ", text)).strip()


@pytest.mark.parametrize("text,folded", [
    ("  Côte d'IVOIRE ", "cote d'ivoire"), ("Österreich", "osterreich"), ("UNICEF", "unicef"),
    ("west\tgermany", "west germany"), ("West  Germany\n", "west germany"), ("U.S.", "u.s."),
    ("Straße", "strasse"), ("ﬁnance", "finance"), ("a\x00b", "a b"), ("İstanbul", "istanbul"),
    ("", ""), ("\u00a0Brazil\u2003", "brazil"),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_one_fold_everywhere():
    """The gazetteer's look-ups, the name table written with each generation and the query side fold alike."""
    assert values.fold is fold and nametable.fold("Österreich") == gazetteer._fold("Österreich") == "osterreich"
    samples = ["Côte d'Ivoire", "  UK ", "São\tTomé", "ÅLAND  islands", "x\x7fy", "Ǆ", "ß", "\u1680a", "Ωmega", "ﬀ",
               "plain ascii", "Tab\tand\vvertical", "İ", "ǅungla"]
    for s in samples:
        assert fold(s) == nametable.fold(s) == gazetteer._fold(s) == _nametable_fold_before(s), s


def test_the_ascii_path_folds_as_the_whole_one():
    for s in ["Hello  World", "a\tb", " x ", "A\x01B", "MiXeD", "a\x0bb", "end\x1f"]:
        assert fold(s) == _nametable_fold_before(s), s


# ---------------------------------------------------------------- values and labels of an archive

@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("values")
    src = folder / "stories.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in STORIES), encoding="utf-8")
    build_index([src], folder / "ix", progress=False, procs=1)
    archive = Archive(folder / "ix")
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def live(archive):
    return archive.current_generation()


@pytest.mark.parametrize("param,text,expected", [
    ("country", "UK", ["GB"]), ("country", "Britain", ["GB"]), ("country", "gb", ["GB"]),
    ("country", "West Germany", ["DE"]), ("country", "österreich", ["AT"]), ("country", "Ukraine", ["UA"]),
    ("org", "EEC", ["EU"]), ("org", "unicef", ["UNICEF"]), ("org", "European Community", ["EU"]),
    ("language", "Deutsch", ["de"]), ("language", "German", ["de"]), ("language", "de", ["de"]),
])
def test_the_canonical_value_of_what_a_user_wrote(live, param, text, expected):
    assert values.for_filter(live, BY_PARAM[param], text) == expected


def test_a_region_stands_for_its_sub_regions(live):
    oceania = values.for_filter(live, BY_PARAM["region"], "Oceania")
    assert len(oceania) == 4 and "Australia and New Zealand" in oceania


def test_text_naming_nothing_is_refused_by_name(live):
    with pytest.raises(QueryError) as err:
        values.for_filter(live, BY_PARAM["country"], "Atlantis", "not_")
    assert err.value.param == "not_country" and "no country 'Atlantis' is known" in str(err.value)
    assert values.for_query(live, BY_PARAM["country"], "Atlantis") is None
    assert values.for_query(live, BY_PARAM["org"], "EEC") == ["EU"]


@pytest.mark.parametrize("param,value,label", [
    ("country", "GB", "United Kingdom"), ("country", "UA", "Ukraine"), ("language", "de", "German"),
    ("org", "UNICEF", "UNICEF"), ("nothing", "x", "x"),
])
def test_the_label_of_a_value(live, param, value, label):
    assert values.label(live, param, value)[0] == label


def test_resolve_returns_a_new_request(live):
    asked = SearchParams.parse({"country": ["Britain"], "not_org": ["unicef"], "region": ["Oceania"]})
    resolved = values.resolve(live, asked)
    assert asked.countries == ("Britain",) and asked.resolved == {}
    assert resolved.countries == ("GB",) and resolved.exclude["org"] == ("UNICEF",) and len(resolved.regions) == 4
    assert ("country", "GB") in resolved.to_pairs() and ("country", "Britain") not in resolved.to_pairs()


def test_the_engine_hands_back_the_resolved_request_and_keeps_the_asked_one(archive):
    asked = SearchParams.parse({"q": ["bonds"], "country": ["West Germany"]})
    result = archive.search(asked)
    assert result.total == 1 and asked.countries == ("West Germany",)
    assert result.params.countries == ("DE",) and result.params.to_pairs() == [("q", "bonds"), ("country", "DE")]
    assert "params" not in result.to_dict()
