"""Reads of CCC market control (C7), scoped by role and region (docs/architecture.md convention 11): the
check batches and market checks an officer or inspector may see — those recorded in their region —
and the fetchers that answer 404 alike for a missing record and one outside the actor's scope."""

from __future__ import annotations

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


def batch_checks(batch: CheckBatch) -> QuerySet[MarketCheck]:
    """A batch's checks in row order, with what their answers name, in one query."""
    return (
        MarketCheck.objects.filter(batch=batch)
        .select_related("ccc_product", "certificate", "declaration", "producer", "shop_organization", "test_report")
        .order_by("row", "id")
    )


def batch_verdicts(batch: CheckBatch) -> dict[str, int]:
    """How many of a batch's checks got each verdict."""
    rows = MarketCheck.objects.filter(batch=batch).values("verdict").annotate(n=Count("id")).order_by("verdict")
    return {row["verdict"]: row["n"] for row in rows}
