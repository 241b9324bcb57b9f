"""The query side: query language, filters, facets, sorting, paging, snippets, suggestions."""
from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.index.build import build_index
from indexer.search import Archive, QueryError, SearchRequest, parse_request

STORIES = [
    {"id": "s1", "date": "1987-02-26", "title": "Brazil coffee exports rise",
     "body": "SAO PAULO, Feb 26 - Brazil said its coffee exports rose sharply, the International Coffee "
             "Organization said. Coffee prices in London fell."},
    {"id": "s2", "date": "1987-03-02", "title": "Colombia coffee quota talks",
     "body": "BOGOTA, March 2 - Colombia wants new coffee quotas at the ICO talks in London."},
    {"id": "s3", "date": "1987-03-15", "title": "IMF loan for Mexico",
     "body": "MEXICO CITY, March 15 - Mexico agreed a loan with the International Monetary Fund."},
    {"id": "s4", "date": "1988-01-10", "title": "OPEC oil output",
     "body": "VIENNA, Jan 10 - OPEC ministers met in Vienna to discuss oil output and prices."},
    {"id": "s5", "date": None, "title": "Undated wheat story",
     "body": "Wheat harvests in Argentina were good this year, the government said."},
    {"id": "s6", "date": "1987-02-27", "title": "COMPANY <SRD> TO MERGE",
     "body": "NEW YORK, Feb 27 - <script>alert(1)</script> Shares of SRD rose on merger talk about coffee."},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    root = tmp_path_factory.mktemp("stories")
    with open(root / "stories.jsonl", "w", encoding="utf-8") as f:
        for s in STORIES:
            f.write(json.dumps(s) + "\n")
    ix = tmp_path_factory.mktemp("ix")
    build_index([root], ix, progress=False)
    return Archive(ix)


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def search(archive, **params) -> object:
    return archive.search(parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()}))


@pytest.mark.parametrize("q, expected", [
    ("coffee", {"s1", "s2", "s6"}),
    ("coffee london", {"s1", "s2"}),                     # AND by default
    ("coffee AND london", {"s1", "s2"}),
    ("mexico OR opec", {"s3", "s4"}),
    ("coffee NOT colombia", {"s1", "s6"}),
    ("coffee -colombia", {"s1", "s6"}),
    ('"coffee exports"', {"s1"}),                        # phrase
    ('"exports coffee"', set()),
    ("export", {"s1"}),                                  # stemmed: export ~ exports
    ("title:coffee", {"s1", "s2"}),
    ("headline:coffee", {"s1", "s2"}),
    ("coff*", {"s1", "s2", "s6"}),                       # prefix
    ("org:IMF", {"s3"}),
    ("org:opec", {"s4"}),
    ("country:Brazil", {"s1"}),
    ("country:BR", {"s1"}),
    ("country:mexico", {"s3"}),
    ("(coffee OR oil) AND prices", {"s1", "s4"}),
])
def test_query_language(archive, q, expected):
    result = search(archive, q=q, per_page="100")
    assert set(ids(result)) == expected
    assert result.total == len(expected)


EVERY = {s["id"] for s in STORIES}


@pytest.mark.parametrize("q, expected", [
    ('"coffee', {"s1", "s2", "s6"}),         # the words a broken query holds are still searched
    ("coffee)", {"s1", "s2", "s6"}),
    ("((coffee", {"s1", "s2", "s6"}),
    ("coffee OR", {"s1", "s2", "s6"}),
    ("AND", set()),                          # no searchable word: nothing, with a notice (issue 13)
    (":::", set()),
    ("*", EVERY),
    ("title:", set()),                       # a field with no word in it matches nothing
    ("nofield:coffee", set()),               # nor does a field the index does not have
])
def test_malformed_queries_search_best_effort(archive, q, expected):
    result = search(archive, q=q, per_page="100")          # answered, not raised
    assert set(ids(result)) == expected
    assert result.total == len(expected)
    if q in ("AND", ":::"):
        assert result.notice and "no word" in result.notice.lower()


def test_unbalanced_quote_still_finds_the_words(archive):
    assert set(ids(search(archive, q='"coffee exports'))) == {"s1"}


def test_filters_combine_or_within_a_facet_and_across_facets(archive):
    assert set(ids(search(archive, country="BR"))) == {"s1"}
    assert set(ids(search(archive, country=["BR", "CO"]))) == {"s1", "s2"}
    assert set(ids(search(archive, q="coffee", country=["BR", "CO"], org="ICO"))) <= {"s1", "s2"}
    assert ids(search(archive, q="coffee", country="MX")) == []


def test_date_range_and_date_facet_value(archive):
    assert set(ids(search(archive, **{"from": "1987-03-01", "to": "1987-12-31"}))) == {"s2", "s3"}
    assert set(ids(search(archive, date="1987-02"))) == {"s1", "s6"}
    assert set(ids(search(archive, date="1988"))) == {"s4"}


def test_facet_counts_cover_every_hit_not_only_the_page(archive):
    result = search(archive, q="coffee", per_page="1")
    assert len(result.hits) == 1 and result.total == 3 and result.pages == 3
    countries = {v.value: v.count for v in result.facets["country"]}
    assert countries.get("BR") == 1 and countries.get("CO") == 1
    years = {v.value: v.count for v in result.facets["date"]}
    assert years == {"1987-02": 2, "1987-03": 1}      # one year: months
    assert result.date_granularity == "month"


def test_each_facet_value_narrows_to_its_count(archive):
    whole = search(archive)
    for name, param in (("country", "country"), ("organisation", "org"), ("date", "date")):
        for v in whole.facets[name]:
            narrowed = search(archive, **{param: v.value})
            assert narrowed.total == v.count, (name, v.value)


def test_a_facets_own_filter_does_not_hide_its_other_values(archive):
    result = search(archive, country="BR")
    countries = {v.value: (v.count, v.selected) for v in result.facets["country"]}
    assert countries["BR"] == (1, True)
    assert "MX" in countries and countries["MX"][1] is False      # still offered, to add with OR


@pytest.mark.parametrize("sort, expected", [
    ("newest", ["s4", "s3", "s2", "s6", "s1", "s5"]),
    ("oldest", ["s1", "s6", "s2", "s3", "s4", "s5"]),       # undated last either way
])
def test_sort_by_date(archive, sort, expected):
    assert ids(search(archive, sort=sort, per_page="10")) == expected


def test_empty_query_lists_newest_first_with_facets_over_everything(archive):
    result = search(archive)
    assert result.total == len(STORIES) and result.sort == "newest"
    assert ids(result)[0] == "s4"
    dates = {v.value: v.count for v in result.facets["date"]}
    assert dates.pop("undated") == 1                              # issue 14: an Undated bucket
    assert sum(dates.values()) == 5                               # the dated ones


def test_relevance_puts_title_matches_first(archive):
    assert ids(search(archive, q="coffee"))[:2] in (["s1", "s2"], ["s2", "s1"])


def test_paging(archive):
    pages = [ids(search(archive, sort="oldest", per_page="2", page=str(p))) for p in (1, 2, 3, 4)]
    assert pages[:3] == [["s1", "s6"], ["s2", "s3"], ["s4", "s5"]] and pages[3] == []


def test_snippets_mark_terms_and_escape_everything_else(archive):
    hit = next(h for h in search(archive, q="merger").hits if h.id == "s6")
    assert "<mark>merger</mark>" in hit.snippet
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "&lt;/script&gt;" in hit.snippet
    assert hit.title == "COMPANY <SRD> TO MERGE"      # raw text; escaping is the renderer's job


def test_snippet_without_matching_words_is_the_lead(archive):
    hit = search(archive, q="org:OPEC").hits[0]
    assert hit.snippet.startswith("VIENNA, Jan 10") and "<mark>" not in hit.snippet


def test_did_you_mean(archive):
    # a query finding nothing shows what its correction finds (issue 13; it used to list nothing)
    result = search(archive, q="cofee")
    assert result.suggestion == result.showing_results_for == "coffee" and result.query == "cofee"
    assert ids(result) == ids(search(archive, q="coffee")) != []
    exact = search(archive, q="cofee", correct="off")
    assert exact.total == 0 and exact.suggestion == "coffee" and exact.showing_results_for is None
    assert search(archive, q="coffee").suggestion is None


def test_story_with_highlight(archive):
    story = archive.story("s1", q="coffee")
    assert story.date == "1987-02-26" and story.place.lower().startswith("sao paulo")
    assert any("<mark>coffee</mark>" in p.lower() for p in story.paragraphs)
    assert archive.story("nope") is None


def test_wildcards_are_bounded_where_read_word_by_word(archive, monkeypatch):
    """Without words-as-typed postings (an index from before them), a pattern's words are read
    from Whoosh one by one, and at most MAX_EXPANSIONS of them."""
    import indexer.query.parse as s
    from indexer.query.typedsets import TypedSets
    live = archive.current_generation()
    monkeypatch.setattr(live, "typed", None)
    monkeypatch.setattr(live.lexicons, "typed", None)
    monkeypatch.setattr(TypedSets, "written", staticmethod(lambda gen, reader: False))   # not reopened to map them
    monkeypatch.setattr(s, "MAX_EXPANSIONS", 3)
    with pytest.raises(QueryError, match="more than 3 words"):
        search(archive, q="s*")
    assert search(archive, q="coff*").total == 3     # few expansions: fine


def test_a_pattern_of_more_words_than_are_scored_is_a_set_of_stories(archive, monkeypatch):
    """With them, a pattern past the words scored one by one finds the same stories, each scored
    the same (constant score, as Lucene's rewrite of a multi-term query), and no cap on words applies."""
    import indexer.query.parse as s
    from indexer.query import budget
    scored = search(archive, q="s*", per_page="100")
    assert archive.current_generation().typed is not None
    monkeypatch.setattr(s, "MAX_EXPANSIONS", 3)
    monkeypatch.setattr(budget, "SCORED_WORDS", 0)
    sets = search(archive, q="s*", per_page="100")
    assert {h.id for h in sets.hits} == {h.id for h in scored.hits} and sets.total == scored.total > 1
    assert {h.score for h in sets.hits} <= {1.0, 2.0} and not {h.score for h in scored.hits} <= {1.0, 2.0}


@pytest.mark.parametrize("params, message", [
    ({"page": ["abc"]}, "'page' must be a whole number"),
    ({"page": ["0"]}, "'page' must be between 1"),
    ({"page": ["-1"]}, "'page' must be between 1"),
    ({"page": ["1000000000"]}, "'page' must be between 1"),
    ({"from": ["1987-02-30"]}, "'from' must be a date"),
    ({"to": ["yesterday"]}, "'to' must be a date"),
    ({"from": ["1988-01-01"], "to": ["1987-01-01"]}, "is after"),
    ({"sort": ["random"]}, "'sort' must be one of relevance, newest, oldest"),
    ({"q": ["x" * 20_000]}, "the limit is 1,000"),
    ({"date": ["87"]}, "'date' must be YYYY, YYYY-MM, YYYY-MM-DD"),
])
def test_bad_parameters_have_readable_reasons(params, message):
    with pytest.raises(QueryError, match=message):
        parse_request(params)


def test_control_characters_are_dropped():
    req = parse_request({"q": ["cof\x00fee\u202e"]})
    assert req.q == "coffee"


def test_stats(archive):
    stats = archive.stats()
    assert stats["documents"] == len(STORIES) and stats["undated"] == 1
    assert (stats["first_date"], stats["last_date"]) == ("1987-02-26", "1988-01-10")
    assert stats["index_bytes"] > 0


def test_organisation_facet_narrowed_by_kind(archive):
    whole = search(archive, q="coffee OR oil OR loan")
    kinds = {v.kind for v in whole.facets["organisation"]}
    assert "intergovernmental" in kinds
    narrowed = search(archive, q="coffee OR oil OR loan", org_kind="intergovernmental")
    assert narrowed.facets["organisation"]
    assert {v.kind for v in narrowed.facets["organisation"]} == {"intergovernmental"}
    assert narrowed.total == whole.total          # it narrows the facet, not the hits
    with pytest.raises(QueryError, match="'org_kind' must be one of"):
        parse_request({"org_kind": ["agency!"]})


def test_postings_cache_returns_the_same_arrays_and_stays_bounded(tmp_path):
    import numpy as np
    from indexer.query import arrays as fastquery
    root = tmp_path / "many"
    root.mkdir()
    with open(root / "s.jsonl", "w") as f:
        for i in range(3000):
            f.write(json.dumps({"id": f"d{i}", "body": f"common words everywhere item{i % 7}"}) + "\n")
    build_index([root], tmp_path / "ix", progress=False, procs=1)
    archive = Archive(tmp_path / "ix")
    st = archive.current_generation()
    postings = fastquery.Postings(st.searcher.reader(), cache_bytes=30_000)
    first = postings.bm25("body", b"common")
    assert first[0].size == 3000
    again = postings.bm25("body", b"common")
    assert again[0] is first[0]                      # served from the cache
    postings.bm25("body", b"word")                   # another 24 KB: the first is evicted
    assert postings.cache.nbytes <= 30_000
    assert np.array_equal(postings.bm25("body", b"common")[1], first[1])
    boosted = postings.bm25("body", b"common", boost=2.0)
    assert np.allclose(boosted[1], first[1] * 2)


def test_phrase_results_are_remembered_per_generation(archive):
    first = search(archive, q='"coffee exports"')
    st = archive.current_generation()
    assert any("coffe" in key for key in st.evaluator.phrases)     # the stemmed phrase
    again = search(archive, q='"coffee exports"')
    assert ids(again) == ids(first) == ["s1"]


@pytest.mark.parametrize("q", ["coffee", "coffee london", "mexico OR opec", "coffee NOT colombia",
                               '"coffee exports"', "coff*", "(coffee OR oil) AND prices", "title:coffee"])
def test_numpy_evaluation_ranks_as_whoosh_does(archive, q):
    """fastquery is Whoosh's BM25F in numpy: the same matches, in the same order."""
    st = archive.current_generation()
    from indexer.query.parse import parse
    parsed, _ = parse(st, q)
    match = st.evaluator.run(parsed)
    from indexer.query.arrays import top_k
    ours = [int(d) for d in top_k(match.mask, match.score, 10)]
    theirs = st.searcher.search(parsed, limit=10)
    assert set(np.flatnonzero(match.mask).tolist()) == set(st.searcher.docs_for_query(parsed))
    if '"' not in q:                                 # phrases are scored by their words
        assert ours == [h.docnum for h in theirs]
        for h in theirs:
            assert match.score[h.docnum] == pytest.approx(h.score, rel=1e-5)


def test_a_page_of_snippets_is_bleached_in_one_pass_with_the_same_result():
    from indexer.query.highlight import sanitize, sanitize_many
    pieces = ["a <mark>b</mark> &amp; c", "<script>x</script> d", "<mark onclick=1>e</mark>", "plain"]
    assert sanitize_many(pieces) == [sanitize(p) for p in pieces]
    hostile = ["one \ue000 two", "<mark>three</mark>"]          # a story holding the separator
    assert sanitize_many(hostile) == [sanitize(p) for p in hostile]


def test_facet_counts_by_document_and_by_posting_agree(archive):
    st = archive.current_generation()
    table = st.tables.facets["country"]
    rng = np.random.default_rng(7)
    for density in (0.05, 0.5, 1.0):
        mask = rng.random(st.tables.n) < density
        by_posting = np.bincount(table.vals[mask[table.docs]], minlength=len(table.values))
        assert np.array_equal(table.counts(mask), by_posting)


def test_date_facet_shows_empty_months_between(tmp_path):
    root = tmp_path / "gap"
    root.mkdir()
    with open(root / "s.jsonl", "w") as f:
        for i, day in enumerate(["1987-02-01", "1987-02-02", "1987-05-10"]):
            f.write(json.dumps({"id": str(i), "date": day, "body": "a story"}) + "\n")
    build_index([root], tmp_path / "ix", progress=False)
    result = Archive(tmp_path / "ix").search(SearchRequest())
    # issue 14: a run of empty months is one bucket, which still narrows to its count (0)
    assert [(v.value, v.count) for v in result.facets["date"]] == [
        ("1987-02", 2), ("1987-03..1987-04", 0), ("1987-05", 1)]
    assert Archive(tmp_path / "ix").search(parse_request({"date": ["1987-03..1987-04"]})).total == 0


def test_date_facet_drills_down_to_days_and_counts_undated(tmp_path):
    root = tmp_path / "days"
    root.mkdir()
    with open(root / "s.jsonl", "w") as f:
        for i, day in enumerate(["1987-03-02", "1987-03-02", "1987-03-05", "2026-01-01", None]):
            f.write(json.dumps({"id": str(i), "date": day, "body": "a story"}) + "\n")
    build_index([root], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    whole = archive.search(SearchRequest())
    assert [(v.value, v.count) for v in whole.facets["date"]] == [
        ("1987", 3), ("1988..2025", 0), ("2026", 1), ("undated", 1)]
    month = archive.search(parse_request({"date": ["1987-03"]}))
    assert month.date_granularity == "day"
    assert [(v.value, v.count) for v in month.facets["date"]] == [
        ("1987-03-02", 2), ("1987-03-03..1987-03-04", 0), ("1987-03-05", 1)]
    assert archive.search(parse_request({"date": ["1987-03-02"]})).total == 2
    assert [h.id for h in archive.search(parse_request({"date": ["undated"]})).hits] == ["4"]
    assert whole.newest == "2026-01-01"
    with pytest.raises(QueryError):
        parse_request({"date": ["last week"]})


def test_a_story_with_no_title_or_text_is_listed_by_its_label_but_not_found_by_it(tmp_path):
    """issue 21: Reuters' 737 stories with neither title nor body were titled with their id, so
    `99` found reuters-99. The label is shown (hits, story page, exports); it is not searchable."""
    root = tmp_path / "stories"
    root.mkdir()
    records = [{"id": "reuters-99", "date": "1987-02-26", "title": "", "body": ""},
               {"id": "reuters-100", "date": "1987-02-26", "title": "Output up 99 pct",
                "body": "Reuters reports that output rose 99 pct."}]
    (root / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index([root], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    for q in ("99", "reuters", "title:99", "reuters-99"):
        assert ids(archive.search(SearchRequest(q=q))) in (["reuters-100"], []), q
    assert ids(archive.search(SearchRequest(q="99"))) == ["reuters-100"]
    everything = archive.search(SearchRequest(sort="oldest", group="off"))
    assert {h.id: h.title for h in everything.hits}["reuters-99"] == "reuters-99"
    assert archive.story("reuters-99").title == "reuters-99"


def test_marks_only_where_a_word_matched(tmp_path):
    """issue 21: `title:merger takeover` marked "merger" in body snippets, and `one` (stemmed `on`, a
    stop word) was never marked in 4,039 stories: a mark is a word the query found in the body."""
    root = tmp_path / "stories"
    root.mkdir()
    records = [{"id": "m1", "date": "1987-03-01", "title": "Merger talks",
                "body": "The merger of the two firms follows the takeover bid made on Monday."},
               {"id": "o1", "date": "1987-03-02", "title": "Banc One results",
                "body": "Banc One Corp said on Monday that one unit was sold."}]
    (root / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index([root], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    hit = archive.search(SearchRequest(q="title:merger takeover")).hits[0]
    assert "<mark>takeover</mark>" in hit.snippet and "<mark>merger</mark>" not in hit.snippet.lower()
    assert "<mark>merger</mark>" in archive.search(SearchRequest(q="merger takeover")).hits[0].snippet
    one = archive.search(SearchRequest(q="one")).hits[0]
    assert "<mark>One</mark>" in one.snippet and "<mark>one</mark>" in one.snippet
    assert "<mark>on</mark>" not in one.snippet                   # the stop word itself stays unmarked
    story = archive.story("o1", "one")
    assert any("<mark>One</mark>" in p for p in story.paragraphs)
