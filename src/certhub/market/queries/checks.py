"""Reads of CCC market control (C7), scoped by role and region (docs/architecture.md convention 11): the
check batches and market checks an officer or inspector may see — those recorded in their region —
and the fetchers that answer 404 alike for a missing record and one outside the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import within_scope
from certhub.market.models import CheckBatch, MarketCheck
from certhub.registry.queries import within_region

# issue 17: engine
MARKET_ROLES = (Role.OFFICER, Role.INSPECTOR)


def check_batches_visible_to(actor: Actor) -> QuerySet[CheckBatch]:
    """Officers and inspectors see the batches checked in their region; administrators all; nobody else any."""
    batches = CheckBatch.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return batches
    if actor.role in MARKET_ROLES:
        return batches.filter(within_region("region_code", actor.region_prefix))
    return batches.none()


def market_checks_visible_to(actor: Actor) -> QuerySet[MarketCheck]:
    """The market checks recorded in the actor's region (the same scope as their batches)."""
    checks = MarketCheck.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return checks
    if actor.role in MARKET_ROLES:
        return checks.filter(within_region("region_code", actor.region_prefix))
    return checks.none()


def access_check_batch(actor: Actor, batch_id: int) -> CheckBatch:
    """One batch within the actor's scope; NotFound alike for a missing one and one outside it."""
    batch = check_batches_visible_to(actor).filter(pk=batch_id).first()
    return within_scope(batch, lambda b: True, _("没有编号为%(id)s的市场检查批次") % {"id": batch_id})


def access_market_check(actor: Actor, check_id: int) -> MarketCheck:
    """One market check within the actor's scope; NotFound alike for a missing one and one outside it."""
    check = market_checks_visible_to(actor).filter(pk=check_id).first()
    return within_scope(check, lambda c: True, _("没有编号为%(id)s的市场检查") % {"id": check_id})


# What a check's answer names, read as plain values in the same query (a batch's answer lists up to 1,000).
CHECK_VALUES = ("id", "row", "checked_on", "platform", "shop", "product_name", "model", "claimed_number", "gtin",
                "verdict", "reason", "placement", "ccc_product__code", "ccc_product__name", "certificate__number",
                "declaration__number", "producer__uscc", "producer__name", "shop_organization__uscc",
                "test_report__number")  # fmt: skip


def batch_checks(batch: CheckBatch, *, offset: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """A batch's checks in row order, from `offset`, as the values its answer shows, in one query."""
    rows = MarketCheck.objects.filter(batch=batch).order_by("row", "id").values(*CHECK_VALUES)
    return list(rows[offset : offset + limit])


def batch_verdicts(batch: CheckBatch) -> dict[str, int]:
    """How many of a batch's checks got each verdict."""
    rows = MarketCheck.objects.filter(batch=batch).values("verdict").annotate(n=Count("id")).order_by("verdict")
    return {row["verdict"]: row["n"] for row in rows}
