"""web/urls.py: links that change one parameter and keep the rest."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from web import urls


def P(*pairs):
    return list(pairs)


def test_search_params_keeps_known_non_empty_in_order():
    args = MultiDict([("page", "2"), ("zzz", "1"), ("q", "oil"), ("country", "BR"), ("from", ""),
                      ("country", "KE"), ("org", "IMF")])
    assert urls.search_params(args) == [("q", "oil"), ("org", "IMF"), ("country", "BR"),
                                        ("country", "KE"), ("page", "2")]


def test_add_appends_and_resets_page():
    assert urls.add(P(("q", "oil"), ("page", "3")), "country", "BR") == [("q", "oil"), ("country", "BR")]


def test_add_is_idempotent():
    p = P(("country", "BR"))
    assert urls.add(p, "country", "BR") == p


def test_remove_one_value_keeps_the_others():
    p = P(("country", "BR"), ("country", "KE"), ("org", "IMF"), ("page", "2"))
    assert urls.remove(p, "country", "BR") == [("country", "KE"), ("org", "IMF")]


def test_remove_all_values():
    assert urls.remove(P(("country", "BR"), ("country", "KE")), "country") == []


@pytest.mark.parametrize("name,value,start,expected", [
    ("country", "BR", [], [("country", "BR")]),
    ("country", "BR", [("country", "BR")], []),
    ("date", "2020", [], [("date", "2020")]),
    ("date", "2020", [("date", "2020")], []),
    ("date", "2020-05", [("date", "2020")], [("date", "2020-05")]),
    ("date", "2020", [("from", "2019-01-01"), ("to", "2021-01-01")], [("date", "2020")]),
])
def test_toggle(name, value, start, expected):
    assert urls.toggle(start, name, value) == expected


def test_replace_page_keeps_everything_else():
    p = P(("q", "oil"), ("sort", "newest"), ("country", "BR"))
    assert urls.replace(p, "page", 3) == p + [("page", "3")]


def test_replace_sort_resets_page():
    assert urls.replace(P(("q", "a"), ("page", "4")), "sort", "oldest") == [("q", "a"), ("sort", "oldest")]


def test_from_to_replace_a_date_facet_value():
    assert urls.replace(P(("date", "2020")), "from", "2020-01-01") == [("from", "2020-01-01")]


def test_href_encodes_and_orders():
    assert urls.href(P(("page", "2"), ("q", "a&b c"))) == "/?q=a%26b+c&page=2"
    assert urls.href([]) == "/"
    assert urls.href(P(("q", "x")), "/api/search") == "/api/search?q=x"
