"""Issue 22, the country facet: classes of country values a reader checks story by story, on
stories written here and on Reuters and gnad stories (skipped without the corpus, failed under
NEWSFACET_REQUIRE_CORPUS=1). The older classes (states and provinces, "Mr. Jordan", headlines,
currency adjectives) are in test_facet_values.py."""
from __future__ import annotations

import json
import re

import pytest

from corpora import corpus_records
from indexer.extract import datelines
from indexer.extract import entities as E

FILLER = " The talks went on for several hours and no agreement was reached by the end of the day." * 4


def mentioned(title: str, body: str) -> set[str]:
    return {c.code for c in E.extract(title, body).countries_mentioned}


# --------------------------------------------------------------------------- languages

@pytest.mark.parametrize("body", [
    'El Nino, Spanish for "Christ Child" because it appears around Christmas, warms the sea.',
    "Le Matin, the French-language tabloid launched here, said it would close.",
    "The Portuguese language could still be used in the government of the territory.",
    "When you translate liberalization into Japanese, it means the quota goes.",
    "The report was written in French, officials said.",
    "An anonymous caller, speaking German, telephoned the agency.",
    "Its Chinese language word processing system sold well.",
])
def test_an_adjective_naming_a_language_is_no_mention_of_the_country(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.parametrize("body, code", [
    ("French officials said the plan would work.", "FR"),
    ("Prices rose in Japanese markets.", "JP"),          # "in" before a noun, not at a clause's end
    ("Exports into Spanish ports rose.", "ES"),
    ("The Spanish government said it would buy wheat.", "ES"),
])
def test_the_same_adjectives_still_name_the_country(body, code):
    assert mentioned("", body + FILLER) == {code}


def test_the_language_rule_reads_its_words_from_the_data_file():
    data = json.loads((E.DATA / "ambiguity.json").read_text(encoding="utf-8"))["languages"]
    assert "Spanish" in data["words"] and "language" in data["next_lower"] and "in" in data["end_prev_lower"]


@pytest.mark.corpus
def test_reuters_stories_naming_a_language_do_not_get_its_country():
    """Every Reuters story that writes "<Language>-language", "<Language> language" or
    "<Language> for \"...\"" and never names that country otherwise keeps it out of its values."""
    langs = {"Spanish": "ES", "French": "FR", "Portuguese": "PT", "Chinese": "CN", "Japanese": "JP"}
    seen = 0
    for rec in corpus_records():
        body = rec.get("body") or ""
        for word, code in langs.items():
            as_language = rf"\b{word}(?:[- ]language\b| for \")"
            if not re.search(as_language, body):
                continue
            others = len(re.findall(rf"\b{word}\b", body)) - len(re.findall(as_language, body))
            name = E.find_country(code).name
            if others or name in body or word.upper() in (rec.get("title") or ""):
                continue
            seen += 1
            ent = E.extract(rec.get("title", ""), body, date=rec.get("date"))
            assert code not in {c.code for c in ent.countries_mentioned}, rec["id"]
    assert seen >= 2, seen


# --------------------------------------------------------------------------- people named like countries

@pytest.mark.parametrize("body", [
    "Chairman John Ireland said profits rose.",
    "An adviser to the institute, Carlos Chile, said prices would rise.",
    "Analyst Peter Holland said the shares were cheap.",
    "Chad Smith said he would sell.",
])
def test_a_first_name_before_a_country_name_makes_it_a_surname(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.parametrize("body, code", [
    ("Orange Julius Canada Limited was sold to a holding company.", "CA"),   # a unit in Canada
    ("Exports to Ireland rose, John said.", "IE"),
    ("In fiscal 1986/87 ending June India will borrow two billion dlrs.", "IN"),   # a month, not a name
])
def test_a_country_after_a_first_name_in_other_shapes_is_still_the_country(body, code):
    assert code in mentioned("", body + FILLER)


# --------------------------------------------------------------------------- a flash headline's dateline

@pytest.mark.parametrize("title, code", [
    ("GENEVA - negotiators at U.N. Conference agree basic elements in new rubber pact", "CH"),
    ("MIAMI-Brazil and bank advisory committee agree to 60-day extension", "US"),
])
def test_a_flash_headline_with_no_body_carries_its_dateline(title, code):
    assert code in {c.code for c in E.extract(title, "").countries}


@pytest.mark.parametrize("title", [
    "PETRO-CANADA CUT CRUDE PRICES BY 1.43 CANADIAN DLRS",    # all in capitals: no dateline
    "NASDAQ HALT - ALLEGHENY BEVERAGE CORP <ABEV>, NEWS PENDING",
])
def test_a_headline_in_capitals_has_no_dateline(title):
    assert datelines.in_title(title) == ""


def test_a_story_with_a_body_takes_no_dateline_from_its_headline():
    ent = E.extract("GENEVA - talks resume", "Negotiators said the talks would resume on Monday." + FILLER)
    assert "CH" not in {c.code for c in ent.countries_mentioned}


@pytest.mark.corpus
def test_reuters_flash_headlines_get_their_dateline_country():
    seen = 0
    for rec in corpus_records(dev_only=True):
        title, body = rec.get("title") or "", rec.get("body") or ""
        place = datelines.in_title(title)
        if body.strip() or not place or not E._dateline_country(place):
            continue
        seen += 1
        code = E._historic(E._dateline_country(place)[0], "", rec.get("date"))
        assert code in {c.code for c in E.extract(title, body, date=rec.get("date")).countries}, rec["id"]
    assert seen >= 3, seen


# --------------------------------------------------------------------------- abbreviations and the lead

@pytest.mark.parametrize("body, codes", [
    ("U.S. and U.K. regulators agreed on Tuesday to share information.", {"US", "GB"}),
    ("The U.S.S.R. and the F.R.G. signed a trade pact.", set()),   # no guessing at unknown dotted forms
])
def test_dotted_abbreviations_are_their_countries(body, codes):
    assert codes <= mentioned("", body + FILLER)


# --------------------------------------------------------------------------- why a country was given

def test_explain_says_why_each_country_was_given(tmp_path):
    """`newsfacet entities --explain` names the rule and the words behind every country value."""
    from click.testing import CliRunner

    from indexer.cli import main
    story = {"id": "x1", "title": "SAUDI OIL MINISTER SAYS OPEC WILL HOLD PRICES",
             "body": "Sales rose in New Mexico and West Virginia, the company said." + FILLER}
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(story) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["entities", "--explain", str(path)])
    assert out.exit_code == 0, out.output
    why = {w["value"]: w for w in json.loads(out.output.splitlines()[0])["why"] if w["facet"] == "country"}
    assert why["SA"]["about"] and "headline" in why["SA"]["rule"]
    assert not why["US"]["about"] and "state" in why["US"]["rule"]
    assert any("New Mexico" in w for w in why["US"]["evidence"]["words"])
    assert "MX" not in why


# --------------------------------------------------------------------------- offices are no companies

@pytest.mark.parametrize("body, code", [
    ("OPEC is firm, Indonesian Minister of Mines and Energy Subroto told Reuters.", "ID"),
    ("The Saudi Ministry of Petroleum and Mineral Resources said output was steady.", "SA"),
])
def test_an_office_after_a_country_word_is_no_company_name(body, code):
    assert code in mentioned("", body + FILLER)


def test_a_company_after_a_country_word_is_still_a_company():
    assert mentioned("", "British Petroleum Co Plc said profits rose." + FILLER) == set()


# --------------------------------------------------------------------------- demonyms as surnames, island names

@pytest.mark.parametrize("body", [
    "E.F. Hutton Group Inc said it named Jerry Welsh to the newly-created post of senior vice president.",
    "The product would be very competitive, Michael German, vice president of sales, said.",
])
def test_a_first_name_before_a_demonym_makes_it_a_surname(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.parametrize("body, code", [
    ("The U.S. said Iranians used the platforms to attack shipping.", "IR"),
    ("In June French output rose three pct, the institute said.", "FR"),      # a month, not a first name
    ("Clinton American Corp was acquired by a holding company.", "US"),       # a company's name, as before
])
def test_a_demonym_after_a_capitalised_word_in_other_shapes_is_still_the_country(body, code):
    got = mentioned("", body + FILLER)
    assert code in got or (code == "US" and got == set())


def test_turks_and_caicos_is_its_own_territory_not_turkey():
    assert mentioned("", "The project is backed by Turks and Caicos Utilities." + FILLER) == {"TC"}
    assert mentioned("TURKS AND CAICOS ISSUES BOND", "") == {"TC"}
    assert mentioned("", "Turks living abroad sent money home." + FILLER) == {"TR"}


@pytest.mark.corpus
def test_reuters_stories_with_a_demonym_surname_or_turks_and_caicos():
    """Every Reuters story writing a known first name right before a singular demonym ("Jerry Welsh")
    that the story writes otherwise only as that surname ("said Welsh was", "German said") gets no
    country from it; every story naming Turks and
    Caicos gets TC, and Turkey only when it names Turkey."""
    from indexer.extract.country_rules import _first_names
    names = _first_names()
    demonyms = {"Welsh": "GB", "German": "DE", "English": "GB", "French": "FR", "Irish": "IE"}
    surnames = caicos = 0
    for rec in corpus_records():
        body = rec.get("body") or ""
        for m in re.finditer(r"\b([A-Z][a-z]+) (" + "|".join(demonyms) + r")\b(?= [a-z]|,)", body):
            dem = m.group(2)
            as_surname = len(re.findall(rf"\b{m.group(1)} {dem}\b|\bsaid {dem}\b|\b{dem} (?:said|says|was|told)\b", body))
            if m.group(1) not in names or len(re.findall(rf"\b{dem}\b", body)) > as_surname or dem.upper() in (rec.get("title") or ""):
                continue
            code = demonyms[m.group(2)]
            if E.find_country(code).name in body or re.search(r"\bBritain|\bBritish|Germany|\bWest\b", body):
                continue
            surnames += 1
            assert code not in mentioned(rec.get("title") or "", body), rec["id"]
        if "Turks and Caicos" in body:
            caicos += 1
            got = mentioned(rec.get("title") or "", body)
            assert "TC" in got and ("TR" in got) == bool(re.search(r"Turkey|Turkish|\bTurks(?! and Caicos)", body)), rec["id"]
    assert surnames >= 2 and caicos >= 1, (surnames, caicos)


def test_a_surname_alone_later_is_the_person_again_but_a_demonym_is_still_the_country():
    body = "Hutton said it named Jerry Welsh to the post. The company said Welsh was previously at American Express."
    assert "GB" not in mentioned("", body + FILLER)
    body = "Competition is fierce, Michael German, vice president, said. German officials said imports rose."
    assert "DE" in mentioned("", body + FILLER)


# --------------------------------------------------------------------------- names that hold a place's word

@pytest.mark.parametrize("body", [
    "Continental Illinois said it cut its prime rate to 7-1/2 pct.",
    "First Wisconsin said it would buy the bank for 20 mln dlrs.",
    "Ministers agreed to press on with the Uruguay Round of trade talks.",
])
def test_a_state_ending_a_name_or_a_round_named_for_a_place_is_no_mention(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.parametrize("body, code", [
    ("The bank is based in Chicago, Illinois, it said.", "US"),
    ("Sales in Southern California rose.", "US"),
    ("The Seaway between Lake Ontario and the sea opens on March 31.", "CA"),
    ("The Illinois company said it would close two plants.", "US"),
    ("Uruguay asked for talks on its debt.", "UY"),
])
def test_a_state_or_country_in_other_shapes_is_still_named(body, code):
    assert code in mentioned("", body + FILLER)


def test_the_wires_credit_in_a_dateline_is_no_organisation():
    ent = E.extract("", "BRUSSELS, March 27, Reuter - The EC Commission proposed new farm prices today.")
    assert {o.key for o in ent.organisations_mentioned} == {"EU"}
    assert [c.code for c in ent.countries] == ["BE"]


@pytest.mark.corpus
def test_reuters_stories_of_the_place_name_classes():
    """Reuters stories whose only Uruguay is the Uruguay Round get no UY; those whose dateline carries
    the wire's credit ("WASHINGTON, March 12, Reuter -") get no Reuters value from it."""
    rounds = credits = 0
    for rec in corpus_records():
        title, body = rec.get("title") or "", rec.get("body") or ""
        text = title + " " + body
        if re.search(r"Uruguay Round", text, re.I) and not re.search(r"Uruguay(?! Round)|Uruguayan|Montevideo", text, re.I):
            rounds += 1
            assert "UY" not in mentioned(title, body), rec["id"]
        if re.match(r"[A-Z][A-Za-z .]*, [A-Za-z]+ \d+, Reuters? -", body) and "Reuter" not in body[40:]:
            credits += 1
            assert "Reuters" not in {o.key for o in E.extract(title, body).organisations_mentioned}, rec["id"]
    assert rounds >= 3 and credits >= 5, (rounds, credits)


# --------------------------------------------------------------------------- "Company" in a company's name

@pytest.mark.parametrize("body", [
    "Tunisian-Saudi Investment Company said it would take a stake in the hotel.",
    "Kuwait Oil Company said its output rose in March.",
])
def test_a_country_word_beginning_a_company_named_company_is_no_mention(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.parametrize("title, body, code", [
    ("BANKS FILE SUIT AGAINST SAUDI COMPANY", "", "SA"),
    ("", "A Saudi company said it would buy the hotel.", "SA"),
    ("", "The plant is run by the U.S. Company Alcoa and a Dutch partner.", "US"),   # the wire's capital after U.S.
])
def test_company_right_after_a_country_word_is_a_common_noun(title, body, code):
    assert code in mentioned(title, body + FILLER if body else body)


def test_inner_mongolia_is_china():
    assert mentioned("", "Eight new fires were discovered in the Inner Mongolia region." + FILLER) == {"CN"}
    assert "MN" in mentioned("", "Mongolia signed a trade pact with the Soviet Union." + FILLER)


@pytest.mark.corpus
def test_reuters_stories_naming_inner_mongolia_get_china_not_mongolia():
    seen = 0
    for rec in corpus_records():
        body = rec.get("body") or ""
        if "Inner Mongolia" in body and not re.search(r"Mongolia(?<!Inner Mongolia)|Mongolian|Ulan Bator", body):
            seen += 1
            got = mentioned(rec.get("title") or "", body)
            assert "MN" not in got and "CN" in got, rec["id"]
    assert seen >= 2, seen


# --------------------------------------------------------------------------- recall: punctuation ends a company's run

@pytest.mark.parametrize("body, codes", [
    ("It will distribute the software in Singapore, the Philippines, Thailand, Malaysia, Indonesia and Brunei."
     "  Financial terms were undisclosed.", {"SG", "PH", "TH", "MY", "ID", "BN"}),
    ("It won the route between the U.S. and Japan.  Federal Express said it was pleased.", {"US", "JP"}),
    ("Airbus resumed talks with U.S. <McDonnell Douglas Corp.> over a new plane.", {"US"}),
])
def test_a_comma_a_full_stop_or_a_ticker_ends_the_run_of_a_company_name(body, codes):
    assert mentioned("", body + FILLER) == codes


@pytest.mark.parametrize("body", [
    "Japan Air Lines said it would buy six jets.",
    "A unit of U.S. Steel Corp said it would close the plant.",         # an abbreviation's full stop
    "The shares were placed by Philips Electrical (Ireland) Ltd with investors.",   # a closing bracket
])
def test_a_company_named_for_a_country_is_still_no_mention(body):
    assert mentioned("", body + FILLER) == set()


@pytest.mark.corpus
def test_reuters_stories_whose_lists_of_countries_run_into_a_company_word():
    """reuters-9396 lists six countries before "Financial terms"; reuters-1742 ends "the U.S. and
    Japan." before "Federal Express said": every country of the list is a mention."""
    want = {"reuters-9396": {"SG", "PH", "TH", "MY", "ID", "BN"}, "reuters-1742": {"US", "JP"}}
    seen = 0
    for rec in corpus_records(dev_only=True):
        if rec["id"] in want:
            seen += 1
            assert want[rec["id"]] <= mentioned(rec.get("title") or "", rec.get("body") or ""), rec["id"]
    assert seen == 2


# --------------------------------------------------------------------------- recall: the wire's misspellings

@pytest.mark.parametrize("body, code", [
    ("Chile, Peru and Equador produce most of the fish meal.", "EC"),
    ("It exports maize to Switzerland, Austria and Lichtenstein at a rebate.", "LI"),
    ("The Phillipines is asking the banks to reschedule its debt.", "PH"),
    ("Mexico's package and Venezuala's 21 billion dlr package were agreed.", "VE"),
])
def test_a_countrys_common_misspelling_is_the_country(body, code):
    assert code in mentioned("", body + FILLER)


@pytest.mark.parametrize("body, place, code", [
    ("RENO, Nev., Mach 4 - Porsche Cars North America said it sold 1,815 cars.", "RENO, Nev.", "US"),
    ("c CHICAGO, March 9 - Johnson Products Co Inc said it completed the sale.", "CHICAGO", "US"),
    ("BELGRADE, March 2O - The government said it would act.", "BELGRADE", "YUCS"),     # 1987: Yugoslavia
    ("0 LONDON, April 29 - The U.K. Economy looks set to grow.", "LONDON", "GB"),
])
def test_a_dateline_with_the_wires_slips_is_still_read(body, place, code):
    assert E.split_dateline(body)[0] == place
    assert code in {c.code for c in E.extract("", body, date="1987-03-20").countries}


def test_a_body_that_is_no_dateline_stays_whole():
    for body in ("Shr 45 cts vs 58 cts  Net 1.1 mln vs 829,000", "The company, Inc 45 - said it would."):
        assert E.split_dateline(body) == ("", body)


@pytest.mark.corpus
def test_reuters_datelines_with_a_misspelt_month_get_their_country():
    want = {"reuters-1609": "US", "reuters-3295": "US"}
    seen = 0
    for rec in corpus_records(dev_only=True):
        if rec["id"] in want:
            seen += 1
            ent = E.extract(rec.get("title") or "", rec.get("body") or "", date=rec.get("date"))
            assert want[rec["id"]] in {c.code for c in ent.countries}, rec["id"]
    assert seen == 2


def test_the_misses_tool_sorts_a_false_negative_by_what_was_read():
    from tests.eval.misses import classify
    rec = {"id": "reuters-1", "title": "", "places": ["japan", "usa", "france"],
           "body": "TOKYO, March 3 - Prices rose." + FILLER + " A French bank bought shares." + FILLER}
    got = {code: kind for _, code, kind, _ in classify([rec])}
    assert got == {"US": "b not extracted", "FR": "a mentioned"}
