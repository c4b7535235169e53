"""In a real browser (Debian's Chromium through Playwright) against a live server, as people use it:
on a phone, with a Chinese browser, without knowing any URL but the home page."""

from __future__ import annotations

import re

import pytest

from certhub.core.testing import assert_accessible, fits_the_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


def test_phone_search_by_holder_name_opens_the_certificate_and_its_status(live_server, live_world, phone):
    phone.goto(live_server.url + "/")
    assert_accessible(phone, context="the home page")
    phone.get_by_role("searchbox").fill("衡阳湘江")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(re.compile(r"/certificates/\?q="))
    rows = phone.locator("table.data-table tbody tr")
    assert rows.count() == 3
    assert_accessible(phone, context="search results")
    phone.get_by_role("link", name="CNCA-QMS-2025-0002").click()
    phone.wait_for_url(re.compile(r"/certificates/CNCA-QMS-2025-0002/"))
    assert phone.locator("#status-word").inner_text() == "暂停"
    assert phone.locator(".status-headline").inner_text() == "此证书自2025-09-01起暂停"
    banner = phone.locator(".status-banner").bounding_box()
    assert banner is not None and banner["width"] <= 390  # the banner fits the phone's width
    # The page fits the phone: nothing scrolls sideways.
    assert fits_the_phone(phone)
    screenshot(phone, "certificate-phone")
    assert_accessible(phone, context="a suspended certificate")
    assert phone.console_errors == []


def test_unknown_number_page_in_the_browser(live_server, live_world, phone):
    phone.goto(live_server.url + "/")
    phone.get_by_role("searchbox").fill("CNCA-QMS-2099-9999")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/certificates/\?q="))
    assert "没有找到符合条件的证书。" in phone.locator("#results").inner_text()
    assert_accessible(phone, context="a search that finds nothing")
    assert phone.console_errors == []
    response = phone.goto(live_server.url + "/certificates/CNCA-QMS-2099-9999/")
    assert response is not None and response.status == 404
    # Chromium logs the page's own 404 status; nothing else may fail.
    assert phone.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert phone.locator("#not-found-title").inner_text() == "登记库中没有此证书"
    assert phone.locator("#status-word").count() == 0
    assert phone.get_by_text("证书是伪造或变造的。").is_visible()
    assert_accessible(phone, context="an unknown certificate number")


def test_switching_to_english(live_server, live_world, phone):
    phone.goto(live_server.url + "/certificates/CNCA-EMS-2024-0004/")
    assert phone.locator("#status-word").inner_text() == "撤销"
    assert_accessible(phone, context="a withdrawn certificate")
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("#status-word").inner_text() == "Withdrawn"
    assert phone.url.endswith("/certificates/CNCA-EMS-2024-0004/")
    assert phone.get_by_role("link", name="Certificate search").first.is_visible()
    assert_accessible(phone, context="a withdrawn certificate in English")
    phone.goto(live_server.url + "/")  # the language chosen stays for the visit
    assert phone.locator("html").get_attribute("lang") == "en"
    assert_accessible(phone, context="the home page in English")
    assert phone.console_errors == []
