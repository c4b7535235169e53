"""Registry page fixtures: a registered test report (the browser fixtures are in the root conftest)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest


@pytest.fixture
def test_report(world: Any) -> Any:
    from certhub.registry import actions

    return actions.do_create_test_report(
        lab=world.labs["main"],
        number="BG-2025-0001",
        signatory=world.signatories["zhou"],
        issue_date=datetime.date(2025, 6, 1),
        conclusion="PASS",
        product="家用电冰箱",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}],
        actor=world.actor("lab"),
    )
