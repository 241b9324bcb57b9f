"""In a real browser: a German word finds the German story, shown with its language chip;
an Arabic story reads right to left."""
from __future__ import annotations

import re

import pytest
from e2efixtures import browser, context, live_server, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


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
