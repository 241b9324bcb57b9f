"""People named in a story (indexer/extract/people.py, issue 22): each cue on stories written for it, the
not-a-person cases, the surname join, the about/mention split, `entities --explain`, and the corpora."""
from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner
from corpora import corpus_records, shared_corpus

from indexer.extract import entities, gazetteer
from indexer.cli import main

LONG = ("Markets were quiet on Monday as dealers waited for news on interest rates and trade, and volume "
        "stayed thin through the session with few orders from abroad and little news from the big banks. ")


def people(body: str, title: str = "", language: str = "en") -> dict[str, int]:
    """{value: count} of every person the story names."""
    with gazetteer.in_language(language):
        a = entities.analyse(title, body)
    return {m.name: m.count for m in a.people.values()}


@pytest.mark.parametrize("body, name", [
    ("Treasury Secretary James Baker said the dollar was stable.", "James Baker"),      # title, first name
    ("Federal Reserve Board Chairman Paul Volcker warned on the deficit.", "Paul Volcker"),
    ("The talks were led by Mr. Volcker in Basle.", "Volcker"),                          # honorific, one word
    ("The yen rose after President Reagan spoke.", "Reagan"),                            # title, one word
    ("Prices fell, said analyst Michael Lucky of Shearson Lehman Brothers Inc.", "Michael Lucky"),   # lower-case role
    ("Romilly Humphries, president of the group, resigned.", "Romilly Humphries"),    # apposition (no known first name)
    ("Secretary of State George Shultz arrived in Moscow.", "George Shultz"),           # "Secretary of" + one word
    ("Rep. Arland Stangeland (R-Minn.) offered an amendment.", "Arland Stangeland"),
    ("Kurt Zoller, 52, was named chief executive.", "Kurt Zoller"),                     # age apposition
    ("The bank is chaired by Ludwig van Beethoven of Bonn.", "Ludwig van Beethoven"),   # particle after a first name
    ("Talks with EC Commissioner Willy De Clercq went on.", "Willy De Clercq"),
    ("Carl Icahn's bid was rejected.", "Carl Icahn"),                                    # possessive dropped
])
def test_english_cues(body, name):
    assert name in people(body)


@pytest.mark.parametrize("body, name", [
    ("Bundeskanzler Helmut Kohl traf am Montag in Paris ein.", "Helmut Kohl"),
    ("Das sei zu wenig, sagte Finanzminister Hans Jörg Schelling am Dienstag.", "Hans Jörg Schelling"),
    ("Es gab Kritik, sagte GPA-djp-Chef Wolfgang Katzian (SPÖ) am Montag in Wien.", "Wolfgang Katzian"),
    ("Peter Müller, ein Sprecher der Firma, bestätigte den Bericht.", "Peter Müller"),
    ("Bundespräsident Heinz  Fischer findet den Streit besorgniserregend.", "Heinz Fischer"),   # two spaces
    ("Gesundheitsministerin Maggie De Block teilte das mit.", "Maggie De Block"),
    ("Der frühere Vatikan-Bank-Chef Ettore Gotti Tedeschi musste gehen.", "Ettore Gotti Tedeschi"),
    ("Heinz Spindlers Stimmungslage wechselt. Spindler sagt, er warte.", "Heinz Spindler"),    # genitive
    ("Frau Merkel sagte das am Abend.", "Merkel"),
])
def test_german_cues(body, name):
    assert name in people(body, language="de")


def test_a_person_named_like_a_country():
    """"Mr. Jordan" and "Hamilton Jordan" are people; the country facet does not take them either."""
    assert people("Mr. Jordan, a trader, said prices were firm.") == {"Jordan": 1}
    assert "Hamilton Jordan" in people("Former aide Hamilton Jordan said the talks failed.")
    ents = entities.extract("", "Mr. Jordan, a trader, said prices were firm.")
    assert "JO" not in {c.code for c in ents.countries_mentioned}
    assert people("Jordan and Syria signed a trade pact in Amman.") == {}


def test_surname_only_mentions_join_the_full_name():
    found = people("Treasury Secretary James Baker said the dollar was stable. Baker told reporters the "
                   "talks would go on. Mr. Baker added that no level was set.")
    assert found == {"James Baker": 3}
    # a title with the surname first, the full name later: one person, the full name is the value
    assert people("Mr. Volcker spoke first. Later Paul Volcker, chairman of the Fed, left.") == {"Paul Volcker": 2}
    # a surname alone, with no full name in the story, is no person ("Baker said" could be a firm)
    assert people("Baker said the plant would close.") == {}


def test_case_folded_twins_are_one_value():
    assert people("Analyst James Baker said so. Later JAMES BAKER and James Baker left.").get("James Baker") >= 2


@pytest.mark.parametrize("body", [
    "Morgan Stanley said it would underwrite the issue.",                # a firm named after people
    "Dean Witter Reynolds Inc said it would buy the stake.",
    "General Dynamics said its profit rose.",                             # "General" starts a firm's name
    "Alex Brown and Sons Inc will manage the offering.",
    "Archer Daniels Midland rose two dlrs.",
    "Virginia Power said its rates would fall.",                           # a state, not a first name
    "Saudi Arabia said output would fall. West Germany said rates were steady.",
    "Wall Street said the bill would pass. Reuters said it was told.",
    "The St. Louis Blues beat the Sharks.",                                # a place before the name
    "Petro-Canada's Calgary office said the well was dry.",                # an owner's possessive is no title
    "The talks will resume in March, Texaco said on Monday.",
    "King World distributes the show.",
])
def test_not_people(body):
    assert people(body) == {}


@pytest.mark.parametrize("body", [
    "Ob der Herr Vater das wusste, ist unklar.",                           # Herr after an article: a noun
    "Dafür haben die Forscher Quanten-Ferrofluide hergestellt.",            # a plural, no title
    "Er folgt dem als Geschäftsführer Sport abwandernden Kollegen.",       # a role, no name
    "Am Montag traf die Delegation in Wien ein.",
])
def test_not_people_in_german(body):
    assert people(body, language="de") == {}


def test_about_and_mention_follow_the_company_rule():
    """About: named in the headline, in a brief, twice, or in the lead; else a mention."""
    late = "NEW YORK, March 3 - " + LONG * 3 + "Dealers recalled that Treasury Secretary James Baker spoke last week."
    ents = entities.extract("DOLLAR EASES", late)
    assert ents.people_mentioned == ["James Baker"] and ents.people == []
    twice = late + " Baker said nothing new."
    assert entities.extract("DOLLAR EASES", twice).people == ["James Baker"]
    assert entities.extract("BAKER SEES STABLE DOLLAR", late).people == ["James Baker"]     # headline in capitals
    lead = "WASHINGTON, March 3 - Treasury Secretary James Baker said the dollar was stable. " + LONG * 3
    assert entities.extract("DOLLAR STABLE", lead).people == ["James Baker"]


def test_explain_says_why(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "p1", "title": "DOLLAR EASES", "body": "WASHINGTON, March 2 - Treasury "
                               "Secretary James Baker said the fall was orderly. Baker told reporters more. Mr. "
                               "Jordan, a trader, agreed."}) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["entities", "--explain", str(path)])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output)
    assert record["mentioned"]["people"] == ["James Baker", "Jordan"]
    why = {w["value"]: w for w in record["why"] if w["facet"] == "person"}
    assert 'a title or role before it: "Treasury Secretary"' in why["James Baker"]["rule"]
    assert "also written Baker" in why["James Baker"]["rule"]
    assert 'an honorific before it: "Mr."' in why["Jordan"]["rule"]


@pytest.mark.corpus
def test_reuters_people():
    """On 2,000 Reuters stories: a quarter or more name a person; the best-known are found whole."""
    counts: dict[str, int] = {}
    stories = with_person = 0
    for rec in corpus_records(limit=2000):
        found = people(rec.get("body", ""), rec.get("title", ""))
        stories += 1
        with_person += bool(found)
        for name in found:
            counts[name] = counts.get(name, 0) + 1
    assert with_person / stories > 0.2
    for name in ("James Baker", "Paul Volcker", "Clayton Yeutter", "Richard Lyng", "Yasuhiro Nakasone"):
        assert counts.get(name, 0) >= 3, name
    assert not {"Morgan Stanley", "Wall Street", "Saudi Arabia", "Reuters", "Dean Witter"} & set(counts)


@pytest.mark.corpus
def test_gnad_people():
    """German stories: Austrian politicians by their titles, no German nouns taken for names."""
    counts: dict[str, int] = {}
    with gzip.open(shared_corpus("gnad-test.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            for name in people(json.loads(line)["body"], language="de"):
                counts[name] = counts.get(name, 0) + 1
    for name in ("Werner Faymann", "Sebastian Kurz", "Reinhold Mitterlehner", "Heinz-Christian Strache"):
        assert counts.get(name, 0) >= 3, name
    assert not [n for n in counts if n.split()[-1] in ("Kürzeren", "Ziel", "Vater", "Ferrofluide", "Sport")]
