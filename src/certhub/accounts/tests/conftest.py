"""Sign-in tests: a fresh officer (no second factor yet) with an e-mail address, beside the shared world."""

from __future__ import annotations

from typing import Any

import pytest

PASSWORD = "Fresh-officer-pass-2026"


@pytest.fixture
def fresh_officer(world: Any) -> Any:
    from django.contrib.auth import get_user_model

    from certhub.core.models import Region

    return get_user_model().objects.create_user(
        username="officer_fresh",
        password=PASSWORD,
        email="fresh@example.gov.cn",
        role="OFFICER",
        region=Region.objects.get(code="430100"),
        department="市场监管局",
    )
