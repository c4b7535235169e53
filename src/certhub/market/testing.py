"""Test factories of CCC market control (C7): market checks with a verdict already given, for the tests of
what follows a verdict (risk signals, cases, traces, campaign tallies) without running the judging engine.
Built through an action, so that a test world obeys the same write guard, permission and audit rules as
real data (docs/architecture.md convention 17)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.market.choices import BatchSource, BatchState, CheckChannel, Placement
from certhub.market.models import Campaign, CheckBatch, MarketCheck

DEFAULTS: dict[str, Any] = {
    "platform": "",
    "shop": "",
    "shop_organization": None,
    "url": "",
    "model": "",
    "trademark": "",
    "catalogue_code": "",
    "claimed_number": "",
    "gtin": "",
    "ccc_product": None,
    "placement": Placement.KEYWORDS,
    "certificate": None,
    "declaration": None,
    "producer": None,
    "sample_number": "",
    "test_report": None,
}


@action
def do_record_judged_checks(
    *,
    rows: Sequence[dict[str, Any]],
    region_code: str,
    channel: str = CheckChannel.ONLINE,
    campaign: Campaign | None = None,
    checked_on: datetime.date | None = None,
    actor: Actor,
) -> list[MarketCheck]:
    """One batch of market checks with the verdicts, reasons and links given in `rows` (product_name,
    verdict, reason required; any other MarketCheck field optional), checked on `checked_on` (default
    today) unless a row names its own day."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=region_code)
    day = checked_on or timezone.localdate()
    batch = CheckBatch.objects.create(
        source=BatchSource.API,
        channel=channel,
        campaign=campaign,
        region_code=region_code,
        state=BatchState.DONE,
        rows_total=len(rows),
        rows_done=len(rows),
        submitted_by=actor.label,
        finished_at=timezone.now(),
    )
    checks = []
    for index, row in enumerate(rows):
        values = {**DEFAULTS, "checked_on": day, **row}
        checks.append(
            MarketCheck.objects.create(
                batch=batch, row=index, campaign=campaign, channel=channel, region_code=region_code, **values
            )
        )
    record_audit(actor, AuditEventType.MARKET_CHECKS_RECORDED, batch, before=None, after={"rows": len(checks)})
    return checks
