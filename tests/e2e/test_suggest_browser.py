"""In a real browser: suggestions under the search box, by keyboard and by mouse; versions expand."""
from __future__ import annotations

import re

import pytest
from e2efixtures import browser, context, live_server, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


def test_suggestions_by_keyboard(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.click()
    page.keyboard.type("vacc")
    options = page.locator("#q-suggestions [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    first = options.first.locator(".s-text").inner_text()
    assert first.startswith("vacc")
    page.keyboard.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=" + first))
    assert page.locator(".hit").count() > 0
    assert not page.watch.errors and not page.watch.console


def test_a_facet_suggestion_adds_its_filter_and_escape_closes(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").click()
    page.keyboard.type("coffee bra")
    brazil = page.locator("#q-suggestions [role=option]", has_text="Brazil").filter(has_text="country")
    brazil.wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    page.keyboard.type("z")
    brazil.wait_for()
    n = page.locator("#q-suggestions [role=option]").count()
    for _ in range(n):
        page.keyboard.press("ArrowDown")
        if page.locator("#q-suggestions [aria-selected=true]").inner_text().startswith("Brazil"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"country=BR"))
    assert page.locator("#q").input_value() == "coffee"
    assert page.locator(".active-filters .chip-remove").count() == 1


def test_enter_without_a_choice_searches_what_was_typed(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").click()
    page.keyboard.type("programme")
    page.locator("#q-suggestions [role=option]").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=programme$"))


def test_feed_link_is_there(page, live_server):
    page.goto(live_server + "/?q=coffee")
    feed = page.get_by_role("link", name="Follow this search")
    assert feed.get_attribute("href") == "/feed.atom?q=coffee"
    response = page.request.get(live_server + "/feed.atom?q=coffee")
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
