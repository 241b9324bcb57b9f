"""In a real browser: search, see highlights, narrow by a facet, open a story, go back; nothing hostile runs;
a German word finds the German story with its language chip, Arabic reads right to left."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from webcorpus import HOSTILE_WORD, PAYLOADS, hostile_records

pytestmark = pytest.mark.e2e


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def total_of(page) -> int:
    heading = page.locator("#results-heading").inner_text()
    m = re.match(r"([\d,]+) stor", heading)
    return int(m.group(1).replace(",", "")) if m else 0


def test_search_facet_story_and_back(page, live_server):
    page.goto(live_server + "/")
    assert page.title() == "NewsFacet"
    page.get_by_label("Search the news archive").fill("coffee")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=coffee"))
    assert page.locator("#q").input_value() == "coffee"
    marks = page.locator(".snippet mark")
    assert marks.count() > 0
    assert {t.lower() for t in marks.all_inner_texts()} == {"coffee"}
    before = total_of(page)
    assert before > 3

    # narrow by the first country that does not cover every hit
    links = page.locator("#facet-country .facet-values a.toggle")
    assert links.count() > 0
    for i in range(links.count()):
        count = int(links.nth(i).locator(".count").inner_text().replace(",", ""))
        if count < before:
            name = links.nth(i).locator(".label").inner_text()
            links.nth(i).click()
            break
    else:
        pytest.fail("every country covers every hit")
    page.wait_for_url(re.compile(r"country="))
    assert total_of(page) == count < before
    assert page.locator(".results .hit").count() == min(count, 10)
    chip = page.locator(".active-filters .chip-remove")
    assert chip.count() == 1 and name in chip.inner_text()
    results_url = page.url.split("#")[0]          # a facet link lands on "#results" (issue 14)
    back_to_results = re.compile(re.escape(results_url) + "(#results)?$")

    # open a story, see the query highlighted, go back by the link and by the browser
    first = page.locator(".hit-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == title
    assert page.locator(".story-body mark").count() > 0
    page.get_by_role("link", name="← Back to the results").click()
    page.wait_for_url(back_to_results)
    assert total_of(page) == count
    page.go_back()
    page.wait_for_url(re.compile(r"/doc/"))
    page.go_back()
    page.wait_for_url(back_to_results)

    # removing the chip widens again
    page.locator(".active-filters .chip-remove").click()
    page.wait_for_url(re.compile(r"^[^?]*\?q=coffee$"))
    assert total_of(page) == before
    assert not page.watch.errors and not page.watch.console and not page.watch.dialogs


def test_date_bars_drill_down_and_date_inputs(page, live_server):
    page.goto(live_server + "/")
    bars = page.locator("#facet-date .bars a")
    assert bars.count() >= 3
    year = bars.filter(has_text="2020")
    count = int(year.locator(".count").inner_text())
    year.click()
    page.wait_for_url(re.compile(r"date=2020"))
    assert total_of(page) == count
    months = page.locator("#facet-date .bars a .label").all_inner_texts()
    assert months and all(m.endswith("2020") for m in months)
    width = page.locator("#facet-date .bars svg").first.bounding_box()["width"]
    assert width > 20      # the bar is drawn by the stylesheet (no inline style)
    page.get_by_role("link", name="← All years").click()
    page.wait_for_url(re.compile(r"/$|/\?$"))
    page.get_by_label("From", exact=True).fill("2021-01-01")
    page.get_by_label("To", exact=True).fill("2021-12-31")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url(re.compile(r"from=2021-01-01"))
    assert query(page.url)["to"] == ["2021-12-31"]
    dates = page.locator(".hit time").all_inner_texts()
    assert dates and all(d.startswith("2021") for d in dates)
    assert not page.watch.console


def test_sort_and_paging_keep_the_search(page, live_server):
    page.goto(live_server + "/?q=programme&country=BR&per_page=2")
    page.get_by_role("link", name="Oldest first").click()
    page.wait_for_url(re.compile(r"sort=oldest"))
    q = query(page.url)
    assert q["q"] == ["programme"] and q["country"] == ["BR"] and q["per_page"] == ["2"]
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    q = query(page.url)
    assert q["sort"] == ["oldest"] and q["country"] == ["BR"] and q["q"] == ["programme"]
    assert page.locator('.pager [aria-current="page"]').inner_text() == "2"


def test_no_script_from_a_document_runs(page, live_server):
    page.goto(live_server + "/?" + f"q={HOSTILE_WORD}&per_page=100")
    titles = page.locator(".hit-title a").all_inner_texts()
    for rec in hostile_records():
        assert rec["title"] in titles
    assert "<script>alert(1)</script> zebrafish title 0" in titles
    visited = 0
    for rec in hostile_records():
        page.goto(live_server + "/doc/" + quote(rec["id"], safe="/") + f"?q={HOSTILE_WORD}")
        assert page.locator("h1").inner_text() == rec["title"]
        visited += 1
    page.goto(live_server + "/?q=named&per_page=100")
    assert page.locator(".hit").count() >= 8
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/named/"))
    page.goto(live_server + "/?" + f"q={quote(PAYLOADS[0])}&country={quote(PAYLOADS[2])}")
    assert page.locator("#q").input_value() == PAYLOADS[0]
    assert visited == len(PAYLOADS)
    assert page.watch.dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelectorAll('script:not([src=\"/static/suggest.js\"]), iframe, img, math').length") == 0


def test_hostile_results_page_has_no_live_markup(page, live_server):
    page.goto(live_server + f"/?q={HOSTILE_WORD}&per_page=100")
    page.wait_for_timeout(300)     # give any onerror/onload a chance
    assert page.watch.dialogs == [] and page.evaluate("window.__xss") is None
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
        el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))""")
    assert handlers == []
    assert page.evaluate("[...document.querySelectorAll('.snippet *')].every(e => e.tagName === 'MARK')")


def test_keyboard_only(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")     # "Skip to the filters" (issue 14), then the brand link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("vaccine")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=vaccine"))
    for _ in range(40):        # tab to the first result and open it with Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.hit-title') !== null"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/doc/"))


def test_phone_sized_screen(browser, live_server):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = ctx.new_page()
        page.goto(live_server + "/?q=coffee&country=BR")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        results = page.locator(".results").bounding_box()
        facets = page.locator(".facets").bounding_box()
        assert facets["y"] >= results["y"] + results["height"] - 1     # facets below the results
        assert results["width"] <= 375
        page.goto(live_server + "/doc/story-001?q=coffee")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        ctx.close()


def test_works_without_javascript(browser, live_server):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(live_server + "/")
        page.fill("#q", "coffee")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"q=coffee"))
        page.locator("#facet-organisation .facet-values a.toggle").first.click()
        page.wait_for_url(re.compile(r"org="))
        assert page.locator(".hit").count() > 0
        more = page.locator("details.more summary")
        if more.count():
            more.first.click()
            assert page.locator("details.more").first.get_attribute("open") is not None
    finally:
        ctx.close()


# ---- suggestions under the search box and the feed link (in this module: the session's one browser)
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


# ---- the facet panel (issue 14): a choice is never hidden, values found, sorted, left out;
# the match switch; the date timeline; keyboard and phone
def api(page, live_server, path: str) -> dict:
    return page.request.get(live_server + path).json()


def test_a_selected_value_comes_first_even_from_under_more(page, live_server):
    data = api(page, live_server, "/api/search")
    last = data["facets"]["organisation"][-1]        # the smallest: folded under "more" on the page
    page.goto(live_server + "/")
    assert page.locator("#facet-organisation .facet-values li").first.get_attribute("class") != "selected"
    page.goto(live_server + "/?org=" + last["value"])
    first = page.locator("#facet-organisation .facet-values li").first
    assert "selected" in first.get_attribute("class") and first.is_visible()
    assert first.locator(".label").inner_text().startswith(last["label"])


def test_full_names_show_beside_acronyms(page, live_server):
    page.goto(live_server + "/")
    longs = page.locator("#facet-organisation .facet-values .long")
    assert longs.count() > 0 and longs.first.is_visible()
    assert longs.first.inner_text().startswith("— ")


def test_leave_a_value_out_with_one_click(page, live_server):
    page.goto(live_server + "/")
    before = total_of(page)
    row = page.locator("#facet-country .facet-values li").first
    label = row.locator(".label").inner_text()
    count = int(row.locator(".count").inner_text().replace(",", ""))
    row.locator("a.exclude").click()
    page.wait_for_url(re.compile(r"not_country="))
    assert total_of(page) == before - count
    chip = page.locator(".active-filters .chip-excluded s")
    assert chip.inner_text() == label
    struck = page.locator("#facet-country .facet-values li.excluded").first
    assert struck.locator("s").inner_text() == label
    struck.locator("a.exclude").click()           # "+" stops leaving it out
    page.wait_for_url(lambda url: "not_country" not in url)
    assert total_of(page) == before


def test_find_box_filters_as_you_type(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("#facet-organisation input[data-facet-find]")
    assert box.count() == 1, "the organisation facet is long enough for a find box"
    rows = page.locator("#facet-organisation .facet-values li")
    word = rows.last.locator(".label").text_content().split()[0].lower()
    box.fill(word)
    shown = [rows.nth(i) for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert shown and len(shown) < rows.count()
    for row in shown:
        assert word in row.get_attribute("data-label").lower()
    assert not page.watch.errors


def test_find_box_works_without_javascript(browser, live_server):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(live_server + "/?sort=oldest")
        page.locator("#facet-organisation input[type=search]").fill("un")
        page.locator("#facet-organisation .facet-find button").click()
        page.wait_for_url(re.compile(r"find_org=un"))
        assert query(page.url)["sort"] == ["oldest"]
        labels = page.locator("#facet-organisation .facet-values li").evaluate_all(
            "els => els.map(e => e.getAttribute('data-label').toLowerCase())")
        assert labels and all("un" in label for label in labels)
    finally:
        ctx.close()


def test_sort_a_facet_by_name(page, live_server):
    page.goto(live_server + "/")
    page.locator("#facet-organisation .facet-sort").get_by_role("link", name="A–Z").click()
    page.wait_for_url(re.compile(r"sort_org=name"))
    labels = page.locator("#facet-organisation .facet-values li .label").evaluate_all(
        "els => els.map(e => e.firstChild.textContent.trim().toLowerCase())")
    assert labels == sorted(labels)


def test_match_switch(page, live_server):
    page.goto(live_server + "/")
    switch = page.locator(".facets nav.match")
    assert switch.locator("[aria-current=true]").inner_text() == "Any mention"
    switch.get_by_role("link", name="Stories about").click()
    page.wait_for_url(re.compile(r"match=about"))
    assert page.locator(".facets nav.match [aria-current=true]").inner_text() == "Stories about"


def test_date_timeline_presets_and_undated(page, live_server):
    page.goto(live_server + "/")
    data = api(page, live_server, "/api/search")
    gaps = page.locator("#facet-date .bars li.gap")
    assert gaps.count() == sum(1 for fv in data["facets"]["date"] if fv.get("gap"))
    assert gaps.count() == 0 or gaps.locator("a").count() == 0      # an empty stretch is no link
    page.locator("#facet-date .presets").get_by_role("link", name="Last 30 days").click()
    page.wait_for_url(re.compile(r"from=.*to="))
    assert query(page.url)["to"] == [data["newest"]]
    assert total_of(page) >= 1
    undated = [fv for fv in data["facets"]["date"] if fv["value"] == "undated"]
    assert undated, "the web fixtures hold undated stories"
    page.goto(live_server + "/")
    page.locator("#facet-date .bars a").filter(has_text="Undated").click()
    page.wait_for_url(re.compile(r"date=undated"))
    assert total_of(page) == undated[0]["count"]
    assert page.locator(".hit time").count() == 0        # every hit undated


def test_date_drills_down_to_days(page, live_server):
    page.goto(live_server + "/?date=2020")
    month = page.locator("#facet-date .bars a").first
    count = int(month.locator(".count").inner_text().replace(",", ""))
    month.click()
    page.wait_for_url(re.compile(r"date=2020-\d\d"))
    assert total_of(page) == count
    assert "by day" in page.locator("#facet-date-h").inner_text()
    days = page.locator("#facet-date .bars a .label").all_inner_texts()
    assert days and all(re.fullmatch(r"\d{1,2} \w{3} 2020", d) for d in days)
    page.get_by_role("link", name="← 2020").click()
    page.wait_for_url(re.compile(r"date=2020$"))


def test_skip_link_to_the_filters(page, live_server):
    page.goto(live_server + "/?q=coffee")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-filters"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#facets-heading$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.facets') !== null")


def test_phone_tap_lands_on_the_results(browser, live_server):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = ctx.new_page()
        page.goto(live_server + "/?q=coffee")
        link = page.locator("#facet-country .facet-values a.toggle").first
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_url(re.compile(r"country=.*#results$"))
        assert page.evaluate("window.scrollY") > 0
        top = page.locator("#results").bounding_box()["y"]
        assert abs(top) < 40, top          # the results at the top of the screen, not the search box
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        ctx.close()


# ---- stories in other languages (tests/fixtures/web/languages.jsonl)

def test_german_word_finds_the_german_story_with_its_chip(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Search the news archive").fill("Regierungen")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Regierungen"))
    hit = page.locator(".results .hit", has_text="Kaffeesteuer")
    assert hit.count() == 1
    assert {t.lower() for t in hit.locator(".snippet mark").all_inner_texts()} <= {"regierung", "regierungen"}
    assert hit.locator(".snippet mark").count() > 0
    chip = hit.locator("a.chip.language")
    assert chip.inner_text() == "German"
    assert page.locator("#facet-language").count() == 1

    chip.click()
    page.wait_for_url(re.compile(r"language=de"))
    assert page.locator(".active-filters .chip-remove", has_text="German").count() == 1
    assert page.locator(".results .hit").count() == 1

    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/lang-de-1"))
    assert page.locator(".story-meta a.chip.language").inner_text() == "German"
    assert page.locator(".story-body mark").count() > 0


def test_arabic_story_reads_right_to_left(page, live_server):
    page.goto(live_server + "/doc/lang-ar-1")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('.story-body p')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('.story-meta')).direction") == "ltr"
