"""indexer/query/params.py: SearchParams parses, validates, resolves into a new object and writes itself out."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import MultiDict

from indexer.query import params as P
from indexer.query.params import QueryError, SearchParams
from indexer.query.request import SearchRequest, parse_request


def parse(**kw) -> SearchParams:
    return SearchParams.parse({k: v if isinstance(v, list) else [v] for k, v in kw.items()})


# ---------------------------------------------------------------- parse

def test_parse_reads_every_form_of_parameters_alike():
    pairs = [("page", "2"), ("zzz", "1"), ("q", " oil "), ("country", "BR"), ("from", ""), ("country", "KE"),
             ("org", "IMF"), ("sort_org", "name"), ("find_country", "bra")]
    by_dict = SearchParams.parse({"page": ["2"], "zzz": ["1"], "q": [" oil "], "country": ["BR", "KE"], "from": [""],
                                  "org": ["IMF"], "sort_org": ["name"], "find_country": ["bra"]})
    for p in (SearchParams.parse(pairs), SearchParams.parse(MultiDict(pairs)), by_dict):
        assert p == by_dict
        assert (p.q, p.page, p.countries, p.orgs) == ("oil", 2, ("BR", "KE"), ("IMF",))
        assert p.facet_sort == {"org": "name"} and p.facet_find == {"country": "bra"}
        # as written (the query keeps its spaces), known names only, in PARAMS order
        assert p.to_pairs() == [("q", " oil "), ("org", "IMF"), ("country", "BR"), ("country", "KE"), ("page", "2"),
                                ("sort_org", "name"), ("find_country", "bra")]


def test_parse_request_and_search_request_are_the_same_object():
    assert SearchRequest is SearchParams
    assert parse_request({"q": ["x"]}) == SearchParams.parse({"q": ["x"]})


def test_the_prefixes_and_the_parameter_list_are_defined_here_once():
    from web import urls
    assert urls.SEARCH_PARAMS is P.PARAMS and urls.PANEL_PARAMS is P.PANEL_PARAMS
    assert (urls.FIND_PREFIX, urls.SORT_PREFIX) == (P.FIND_PREFIX, P.SORT_PREFIX) == ("find_", "sort_")
    assert P.EXCLUDE_PREFIX == "not_" and {"not_country", "find_org", "sort_person"} <= set(P.PARAMS)


def test_dates():
    assert (parse(date="1987-03").date_from, parse(date="1987-03").date_to) == (_dt.date(1987, 3, 1), _dt.date(1987, 3, 31))
    span = parse(date="1987..1988-02")
    assert (span.date_from, span.date_to) == (_dt.date(1987, 1, 1), _dt.date(1988, 2, 29))
    assert parse(date="undated").undated
    both = parse(**{"from": "1987", "to": "1987-06"})
    assert (both.date_from, both.date_to) == (_dt.date(1987, 1, 1), _dt.date(1987, 6, 30))


@pytest.mark.parametrize("params,message,param", [
    ({"q": "x" * 1001}, "the query is 1,001 characters long; the limit is 1,000", "q"),
    ({"country": [str(i) for i in range(51)]}, "at most 50 values of 'country'", "country"),
    ({"not_org": [str(i) for i in range(51)]}, "at most 50 values of 'not_org'", "not_org"),
    ({"sort_org": "size"}, "'sort_org' must be one of count, name (got 'size')", "sort_org"),
    ({"match": "all"}, "'match' must be one of mention, about (got 'all')", "match"),
    ({"org_kind": "agency!"}, "'org_kind' must be one of intergovernmental, government, company, news agency, "
                              "other (got 'agency!')", "org_kind"),
    ({"from": "soon"}, "'from' must be a date as YYYY-MM-DD (got 'soon')", "from"),
    ({"to": "2019-13"}, "'to' must be a date as YYYY-MM-DD (got '2019-13')", "to"),
    ({"date": "last week"}, "'date' must be YYYY, YYYY-MM, YYYY-MM-DD, FROM..TO or undated (got 'last week')", "date"),
    ({"from": "2020", "to": "2019"}, "'from' (2020-01-01) is after 'to' (2019-12-31)", "from"),
    ({"sort": "best"}, "'sort' must be one of relevance, newest, oldest (got 'best')", "sort"),
    ({"page": "x"}, "'page' must be a whole number (got 'x')", "page"),
    ({"page": "0"}, "'page' must be between 1 and 10,000 (got 0)", "page"),
    ({"per_page": "1000"}, "'per_page' must be between 1 and 100 (got 1000)", "per_page"),
    ({"group": "maybe"}, "'group' must be one of on, off (got 'maybe')", "group"),
    ({"correct": "no"}, "'correct' must be one of on, off (got 'no')", "correct"),
])
def test_the_same_query_errors(params, message, param):
    with pytest.raises(QueryError) as err:
        parse(**params)
    assert str(err.value) == message and err.value.param == param


def test_the_first_error_in_parameter_order_is_reported():
    with pytest.raises(QueryError, match="'sort'"):
        parse(sort="x", page="y")
    with pytest.raises(QueryError, match="query is"):
        parse(q="x" * 2000, page="y")


def test_control_characters_are_dropped_and_values_deduplicated():
    p = parse(q="cof\x00fee\u202e", country=["BR", " BR ", "", "K\u200bE"])
    assert p.q == "coffee" and p.countries == ("BR", "KE")


# ---------------------------------------------------------------- immutability

def test_frozen():
    p = parse(q="oil", country="BR")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.q = "gas"
    with pytest.raises(TypeError):
        p.filters["country"] = ("KE",)
    with pytest.raises(AttributeError):
        p.filters["country"].append("KE")
    made = SearchParams(filters={"country": ["BR"]})     # a list handed in is copied, not kept
    assert made.filters == {"country": ("BR",)}


def test_changed_copies_leave_the_original_alone():
    p = parse(q="oil", country="BR", page="3")
    before = (p, p.to_pairs())
    for changed in (p.with_filter("country", "KE"), p.without("country"), p.with_("sort", "newest"),
                    p.toggle("country", "BR"), p.toggle_exclude("country", "BR"), p.keep(lambda k, v: k == "q")):
        assert changed is not p
    assert (p, p.to_pairs()) == before and p.page == 3 and p.countries == ("BR",)


def test_equal_requests_compare_equal_however_written():
    assert parse(q="oil", page="2") == parse(q="oil ", page="02")        # typed fields decide equality
    assert SearchParams(filters={"org": []}) == SearchParams()
    assert dataclasses.replace(parse(q="oil", page="4"), page=1) == parse(q="oil")


# ---------------------------------------------------------------- resolve

def _lookup(param, text, prefix=""):
    table = {("country", "Brazil"): ["BR"], ("country", "BR"): ["BR"], ("country", "Kenya"): ["KE"],
             ("region", "Oceania"): ["Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"],
             ("org", "unicef"): ["UNICEF"], ("language", "Deutsch"): ["de"]}
    if any(text in values for (p, _), values in table.items() if p == param):
        return [text]                          # a value the index holds is that value
    if (param, text) not in table:
        raise QueryError(f"no {param} '{text}' is known", prefix + param)
    return table[(param, text)]


def test_resolve_makes_a_new_object_with_the_indexed_values():
    p = SearchParams.parse([("q", "x"), ("country", "Brazil"), ("country", " BR"), ("region", "Oceania"),
                            ("not_org", "unicef"), ("language", "Deutsch"), ("page", "2")])
    r = p.resolve(_lookup)
    assert p.countries == ("Brazil", "BR") and p.resolved == {}               # unchanged
    assert r.countries == ("BR",) and r.exclude == {"org": ("UNICEF",)} and r.languages == ("de",)
    assert len(r.regions) == 4 and r.resolved[("region", "Oceania")] == tuple(r.regions)
    # the written parameters carry the indexed values: links use what the index holds
    assert r.to_pairs() == [("q", "x"), ("country", "BR"), ("country", "BR"), ("region", "Australia and New Zealand"),
                            ("region", "Melanesia"), ("region", "Micronesia"), ("region", "Polynesia"),
                            ("language", "de"), ("not_org", "UNICEF"), ("page", "2")]
    assert r.resolve(_lookup) == r                                             # resolving twice changes nothing


def test_resolve_refuses_what_names_nothing():
    with pytest.raises(QueryError) as err:
        parse(not_country="Atlantis").resolve(_lookup)
    assert err.value.param == "not_country"


# ---------------------------------------------------------------- write out and links

def test_round_trips():
    for p in (parse(q="oil", country=["BR", "KE"], sort="newest", page="3", group="off", match="about"),
              SearchParams(q="oil", filters={"org": ["IMF"]}, date_from=_dt.date(1987, 3, 1), per_page=100,
                           correct=False, facet_sort={"org": "name"}, facet_find={"country": "bra"}),
              SearchParams(undated=True), SearchParams()):
        again = SearchParams.parse(p.to_pairs())
        assert again == p, p
        assert SearchParams.parse(MultiDict(P.known_pairs(p.to_pairs()))) == p
        assert p.to_query() == urlencode(p.to_pairs())
    assert SearchParams().href("/api/search") == "/api/search" and SearchParams().to_query() == ""
    assert parse(q="a&b c", page="2").href() == "/?q=a%26b+c&page=2"


def test_with_filter_and_without_reset_the_page():
    p = parse(q="oil", page="3")
    assert p.with_filter("country", "BR").to_pairs() == [("q", "oil"), ("country", "BR")]
    assert p.with_filter("country", "BR").page == 1
    two = parse(country=["BR", "KE"], org="IMF", page="2")
    assert two.without("country", "BR").to_pairs() == [("org", "IMF"), ("country", "KE")]
    assert two.without("country").to_pairs() == [("org", "IMF")]
    assert two.with_filter("country", "BR") .to_pairs() == two.to_pairs()          # already there: unchanged
    assert two.with_("page", 3).to_pairs() == [("org", "IMF"), ("country", "BR"), ("country", "KE"), ("page", "3")]
    assert two.with_("sort", "oldest").to_pairs() == [("org", "IMF"), ("country", "BR"), ("country", "KE"),
                                                      ("sort", "oldest")]
    assert parse(page="2", sort_org="count").with_("sort_org", "name").page == 2      # the panel's view keeps it


def test_a_date_value_replaces_from_and_to_and_the_reverse():
    p = parse(**{"from": "2019-01-01", "to": "2021-01-01"})
    assert p.with_("date", "2020").to_pairs() == [("date", "2020")]
    assert p.toggle("date", "2020").date_from == _dt.date(2020, 1, 1)
    d = parse(date="2020")
    assert d.with_("from", "2020-01-01").to_pairs() == [("from", "2020-01-01")]
    assert d.toggle("date", "2020").to_pairs() == [] and not d.toggle("date", "2020").date_from
    assert d.toggle("date", "2020-05").to_pairs() == [("date", "2020-05")]


def test_toggle_and_toggle_exclude():
    p = parse(country="BR")
    assert p.toggle("country", "BR").to_pairs() == []
    assert p.toggle_exclude("country", "BR").to_pairs() == [("not_country", "BR")]
    out = p.toggle_exclude("country", "BR")
    assert out.exclude == {"country": ("BR",)} and not out.countries
    assert out.toggle("country", "BR").to_pairs() == [("country", "BR")]
    assert out.toggle_exclude("country", "BR").to_pairs() == []


OPS = [("with_filter", "country", "KE"), ("with_filter", "org", "IMF"), ("without", "country", None),
       ("without", "page", None), ("with_", "sort", "newest"), ("with_", "q", "gas"), ("with_", "q", None),
       ("with_", "date", "1987-03"), ("with_", "from", "1987-02-01"), ("with_", "page", 4), ("with_", "group", "off"),
       ("with_", "sort_org", "name"), ("with_", "find_org", "bank"), ("with_", "match", "about"),
       ("with_", "org_kind", "government"), ("toggle", "country", "BR"), ("toggle", "date", "1987"),
       ("toggle_exclude", "country", "BR"), ("toggle_exclude", "org", "IMF"), ("with_", "per_page", 50)]
STARTS = [{}, {"q": "oil", "country": ["BR"], "page": "2"}, {"date": "1987", "sort_org": "name", "org": "IMF"},
          {"from": "1987-01-01", "to": "1987-12-31", "not_country": "BR", "find_org": "b", "group": "off"},
          {"date": "undated", "match": "about", "correct": "off", "per_page": "5"}]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("op,name,value", OPS)
def test_a_link_is_what_its_parameters_parse_to(start, op, name, value):
    """A changed copy derives only the fields of what changed: the same as parsing its parameters whole,
    and the same parameters as the list functions the web used before (web/urls.py)."""
    p = parse(**start)
    args = (name,) if op == "without" and value is None else (name, value)
    link = getattr(p, op)(*args)
    assert link == SearchParams.parse(link.to_pairs()), (op, name, value)
    pair_op = {"with_filter": P.added, "without": P.removed, "with_": P.replaced, "toggle": P.toggled,
               "toggle_exclude": P.toggled_exclude}[op]
    assert link.to_pairs() == P.known_pairs(pair_op(p.to_pairs(), *args))
    assert link.href("/") == ("/?" + P.query_string(pair_op(p.to_pairs(), *args))).rstrip("?")


def test_a_link_never_raises_it_is_checked_when_followed():
    full = parse(country=[str(i) for i in range(50)])
    link = full.with_filter("country", "X")             # a 51st value: the page still shows its link
    assert len(link.to_pairs()) == 51
    with pytest.raises(QueryError):
        SearchParams.parse(link.to_pairs())
    # a preset range set in two steps passes through a "from" after "to"
    p = parse(to="1987-01-01").with_("from", "1987-10-20").with_("to", "1987-10-26")
    assert (p.date_from, p.date_to) == (_dt.date(1987, 10, 20), _dt.date(1987, 10, 26))


def test_has_get_keep():
    p = parse(q="oil", country=["BR", "KE"], date="1987-03", sort="newest", page="2")
    assert p.has("country") and p.has("country", "KE") and not p.has("country", "US") and not p.has("org")
    assert p.get("date") == "1987-03" and p.get("from") == ""
    assert p.keep(lambda k, v: k in ("q", "sort")).to_pairs() == [("q", "oil"), ("sort", "newest")]
    assert p.keep(lambda k, v: k in ("q", "sort")).page == 1 and not p.keep(lambda k, v: k == "q").countries


# ---------------------------------------------------------------- links before and after

_B_FACETS = ("org", "company", "country", "region", "language", "source", "person")
_B_PANEL = tuple(p + f for f in _B_FACETS for p in ("find_", "sort_"))


class _Before:
    """web/urls.py's list helpers as they were before SearchParams (kept verbatim as the reference:
    every URL a page writes must stay byte for byte the same)."""
    PANEL = _B_PANEL
    SEARCH = ("q", *_B_FACETS, *("not_" + f for f in _B_FACETS), "match",
              "date", "from", "to", "org_kind", "sort", "group", "correct", "page", "per_page", *_B_PANEL)
    RESETS = frozenset(SEARCH) - {"page", *_B_PANEL}
    EXCL = {"date": ("from", "to"), "from": ("date",), "to": ("date",)}

    @classmethod
    def search_params(cls, items):
        items = [(k, v) for k, v in items if k in cls.SEARCH and v not in ("", None)]
        return sorted(items, key=lambda kv: cls.SEARCH.index(kv[0]))

    @staticmethod
    def _drop(params, name, value=None):
        return [(k, v) for k, v in params if not (k == name and (value is None or v == value))]

    @classmethod
    def _tidy(cls, params, changed):
        if changed in cls.RESETS:
            params = cls._drop(params, "page")
        for other in cls.EXCL.get(changed, ()):
            params = cls._drop(params, other)
        return params

    @classmethod
    def add(cls, params, name, value):
        return list(params) if (name, value) in params else cls._tidy(params, name) + [(name, value)]

    @classmethod
    def remove(cls, params, name, value=None):
        return cls._tidy(cls._drop(params, name, value), name)

    @classmethod
    def replace(cls, params, name, value):
        out = cls._drop(params, name)
        if name != "page":
            out = cls._tidy(out, name)
        if value not in (None, ""):
            out.append((name, str(value)))
        return out

    @classmethod
    def toggle(cls, params, name, value):
        if name == "date":
            return cls.replace(params, "date", None if ("date", value) in params else value)
        if ("not_" + name, value) in params:
            return cls.add(cls.remove(params, "not_" + name, value), name, value)
        return cls.remove(params, name, value) if (name, value) in params else cls.add(params, name, value)

    @classmethod
    def toggle_exclude(cls, params, name, value):
        if ("not_" + name, value) in params:
            return cls.remove(params, "not_" + name, value)
        return cls.add(cls.remove(params, name, value), "not_" + name, value)

    @classmethod
    def href(cls, params, path="/"):
        params = cls.search_params(params)
        return f"{path}?{urlencode(params)}" if params else path


def test_the_parameter_list_is_the_one_it_was():
    # the one addition since: the organisation facet's `kind_org` (the facet registry's kinded facets)
    assert tuple(p for p in P.PARAMS if p != "kind_org") == _Before.SEARCH and P.PANEL_PARAMS == _Before.PANEL
    assert P.PARAMS.index("kind_org") == P.PARAMS.index("org_kind") + 1


@pytest.mark.parametrize("start", STARTS + [{"q": " a&b ", "country": ["Brazil", "BR"], "zzz": "1", "page": "02"}])
def test_links_are_byte_for_byte_the_ones_before(start):
    raw = [(k, v) for k, vs in start.items() for v in (vs if isinstance(vs, list) else [vs])]
    p = parse(**start)
    before = _Before.search_params(raw)
    assert p.to_pairs() == before and p.href("/api/search") == _Before.href(before, "/api/search")
    method = {"with_filter": "add", "without": "remove", "with_": "replace", "toggle": "toggle",
              "toggle_exclude": "toggle_exclude"}
    for op, name, value in OPS:
        args = (name,) if op == "without" and value is None else (name, value)
        link = getattr(p, op)(*args)
        assert link.href("/") == _Before.href(getattr(_Before, method[op])(before, *args)), (start, op, name, value)
        # and a link of a link (the date presets: without date, with from, with to)
        two = link.without("date").with_("from", "1987-01-01").with_("to", "1987-02-01")
        ref = _Before.replace(_Before.replace(_Before.remove(getattr(_Before, method[op])(before, *args), "date"),
                                              "from", "1987-01-01"), "to", "1987-02-01")
        assert two.href() == _Before.href(ref)
        assert two == SearchParams.parse(two.to_pairs())
