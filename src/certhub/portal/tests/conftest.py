"""Portal fixtures: a registered test report, and the Playwright browser for the `browser` tests."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def test_report(world: Any) -> Any:
    from certhub.registry import actions

    return actions.do_create_test_report(
        world.labs["main"], number="BG-2025-0001", signatory=world.signatories["zhou"],
        issue_date=datetime.date(2025, 6, 1), conclusion="PASS", product="家用电冰箱",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}], actor=world.actor("lab"),
    )  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (no browser download: CERTHUB_CHROMIUM names the binary)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=os.environ.get("CERTHUB_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page on a phone-sized viewport with a Chinese browser, as most visitors have."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # A content-security-policy violation or a script error shows up here; the tests assert none.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
