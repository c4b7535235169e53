"""Trace test fixtures. The page tests (test_pages.py) build their own `traced` world, which replaces this one there."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.registry import actions


@pytest.fixture
def traced(world, settings):
    """The world, with a report behind the CCC certificate, a recorded surveillance audit, and auditors on
    the body's books (one who left before the certificate was issued)."""
    settings.LEDGER_CHECKPOINT_INTERVAL = 0  # a fresh checkpoint whenever the ledger grew
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    org = world.organizations
    world.reports = {
        "fridge": actions.do_create_test_report(
            lab=world.labs["main"],
            number="BG-2025-0001",
            signatory=world.signatories["zhou"],
            issue_date=datetime.date(2025, 6, 1),
            conclusion="PASS",
            client=org["maker"],
            product="家用电冰箱",
            items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}],
            actor=world.actor("lab"),
        ),
        # Same client, a sample no certificate of it names: behind nothing.
        "rice": actions.do_create_test_report(
            lab=world.labs["main"],
            number="BG-2025-0002",
            signatory=world.signatories["zhou"],
            issue_date=datetime.date(2025, 7, 1),
            conclusion="FAIL",
            client=org["maker"],
            product="大米",
            items=[
                {"parameter": "铅", "standard": "GB 5009.12-2023", "result": "0.3 mg/kg"},
                {"parameter": "镉", "standard": "GB 5009.15-2023", "result": "0.1 mg/kg"},
            ],
            actor=world.actor("lab"),
        ),
    }
    world.certificates["ccc"] = actions.do_record_surveillance(
        certificate=world.certificates["ccc"], audit_date=datetime.date(2025, 4, 15), actor=world.actor("cb_hunan")
    )
    for name, start, end in (
        ("王审核", datetime.date(2020, 1, 1), None),
        ("李离职", datetime.date(2018, 1, 1), datetime.date(2024, 12, 31)),
    ):
        person = actions.do_create_person(name=name, roles=["AUDITOR"], actor=SYSTEM)
        actions.do_add_affiliation(
            person=person, organization=org["cb_hunan"], role="AUDITOR", start=start, end=end, actor=SYSTEM
        )
    return world
