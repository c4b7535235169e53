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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once per session; transactional tests that flush it reload it on demand."""
    from certhub.registry.testing import ensure_reference_data

    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects real passwords; test users need none of it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
