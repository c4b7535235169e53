"""Shared fixtures: reference data and a small world built through actions."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls in the same thread
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reference(db):
    from certhub.registry.testing import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def world(db):
    from certhub.registry.testing import build_world

    return build_world()
