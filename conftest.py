"""Shared fixtures: reference data and a small world built through actions."""

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls in the same thread
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Signing keys (ledger checkpoints, seals) of a test run live in a directory of its own, never in var/.
os.environ.setdefault("CERTHUB_KEY_DIR", tempfile.mkdtemp(prefix="certhub-test-keys-"))


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "upgrade: migrates a database of the previous release with this code (tests/test_upgrade.py)"
    )


@pytest.fixture
def reference(db):
    from certhub.registry.testing import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def world(db):
    from certhub.registry.testing import build_world

    return build_world()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once per session; transactional tests that flush it reload it on demand."""
    from certhub.registry.testing import ensure_reference_data

    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language (zh-Hans), whatever a previous request activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects real passwords; test users need none of it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---------------------------------------------------------------- the browser for `browser` tests

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


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
    from certhub.core.testing import PHONE

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # A content-security-policy violation or a script error shows up here; the tests assert none.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def demo_password(transactional_db: Any, live_server: Any) -> str:
    """A small demo province as `certhub demo` makes it (its items, inspectors with sign-ins, pools and a plan
    of its own included), for the browser tests that walk a whole procedure; returns the demo password."""
    from certhub.demo.generator import DEMO_PASSWORD, DemoProvince, Size

    DemoProvince(Size(organizations=400, certificates=600, bodies=6, labs=4, reports_per_lab=1)).run()
    return DEMO_PASSWORD


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the test thread for the rest
    of the session, and tests that call asyncio.run() (the fast lookup path's ASGI tests) cannot run after."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
