"""Reads of CCC market control (C7), shared by the pages and the API (docs/architecture.md convention 5).

Self-declarations are public records, published and withdrawn alike (the withdrawal and its reason are
published beside the declaration): everyone sees all of them; who may withdraw one is the action's rule.

Market checks are scoped by role and region (docs/architecture.md convention 11): the check batches and market
checks an officer or inspector may see — those recorded in their region — and the fetchers that answer 404
alike for a missing record and one outside the actor's scope; the filters of the checks list, forged numbers
grouped, campaigns and a campaign's tally, and an organization's checks for its trace."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, is_permitted, within_scope
from certhub.market import declarations as rules
from certhub.market.choices import NEGATIVE, DeclarationStatus, Verdict
from certhub.market.models import Campaign, CheckBatch, MarketCheck, SelfDeclaration
from certhub.registry.models import CccProduct, Organization
from certhub.registry.queries import within_region

# ---------------------------------------------------------------- issue 17: declarations


def declarations_visible_to(actor: Actor) -> QuerySet[SelfDeclaration]:
    """Every self-declaration: the register is public (CNCA-00C-008: declarations are published)."""
    return SelfDeclaration.objects.select_related("organization", "ccc_product", "test_report__lab")


def access_declaration(actor: Actor, number: str) -> SelfDeclaration:
    """One declaration by its number (as written: case, full-width characters and spaces folded)."""
    found = declarations_visible_to(actor).filter(number=rules.fold_number(number)).first()
    return within_scope(found, lambda _declaration: True, _("没有编号为%(number)s的自我声明") % {"number": number})


def search_declarations(
    actor: Actor, *, q: str = "", number: str = "", producer: str = "", product: str = "", model: str = ""
) -> QuerySet[SelfDeclaration]:
    """Declarations by number, producer (part of its name, or its credit code), product (part of the product
    name, the catalogue product's name, or its code) and model (part of it, in any spelling: "bcd 218" finds
    "BCD-218"); `q` looks in all four. Newest first."""
    queryset = declarations_visible_to(actor)
    if q.strip():
        anywhere = _number(q) | _producer(q) | _product(q)
        queryset = queryset.filter(anywhere | _model(q) if rules.model_key(q) else anywhere)
    for value, condition in ((number, _number), (producer, _producer), (product, _product), (model, _model)):
        if value.strip():
            queryset = queryset.filter(condition(value))
    return queryset.order_by("-declared_on", "-id")


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _number(value: str) -> Q:
    folded = rules.fold_number(value)
    return Q(number__startswith=folded) if folded else Q(pk__in=[])


def _producer(value: str) -> Q:
    text = _clean(value)
    return Q(organization__name__contains=text) | Q(organization__uscc=text.upper().replace(" ", ""))


def _product(value: str) -> Q:
    text = _clean(value)
    return (
        Q(product_name__contains=text)
        | Q(ccc_product__name__contains=text)
        | Q(ccc_product__code=text)
        | Q(trademark__iexact=text)
    )


def _model(value: str) -> Q:
    key = rules.model_key(value)
    return Q(model_keys__contains=key) if key else Q(pk__in=[])


def declarations_of(organization: Organization) -> QuerySet[SelfDeclaration]:
    """An organization's declarations, newest first (its own list; its trace)."""
    return (
        SelfDeclaration.objects.filter(organization=organization)
        .select_related("ccc_product", "test_report__lab")
        .order_by("-declared_on", "-id")
    )


def may_withdraw(actor: Actor, declaration: SelfDeclaration) -> bool:
    """Whether the page offers `actor` the withdrawal of a published declaration (the action decides)."""
    return declaration.status == DeclarationStatus.PUBLISHED and is_permitted(
        actor,
        Permission.WITHDRAW_CCC_DECLARATION,
        organization_id=declaration.organization_id,
        region_code=declaration.region_code,
    )


def declaration_covers(
    *, organization: Organization, ccc_product: CccProduct, day: datetime.date, models: Iterable[str] = ()
) -> SelfDeclaration | None:
    """The producer's published declaration that covers its catalogue product on `day` — and each of
    `models`, when given (in any spelling) — or None. In force as market.declarations.in_force_sql has it:
    declared by the day, not withdrawn by then, the product's mode allowing self-declaration."""
    if ccc_product.mode not in rules.self_declaration_modes():
        return None
    candidates = (
        SelfDeclaration.objects.filter(organization=organization, ccc_product=ccc_product, declared_on__lte=day)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .order_by("-declared_on", "-id")
    )
    wanted = [f"|{rules.model_key(m)}|" for m in models if rules.model_key(m)]
    for declaration in candidates:
        if all(key in declaration.model_keys for key in wanted):
            return declaration
    return None


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
    check = (
        market_checks_visible_to(actor)
        .select_related(
            "campaign", "batch", "certificate", "declaration", "producer", "shop_organization", "ccc_product"
        )
        .filter(pk=check_id)
        .first()
    )
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


# issue 17: consequences
# An organization's trace lists at most this many of its market checks, newest first.
TRACE_CAP = 50


def _covers(actor: Actor, region_code: str) -> bool:
    return actor.role == Role.ADMINISTRATOR or (actor.role in MARKET_ROLES and actor.covers_region(region_code))


# ------------------------------------------------------------------ the checks list, forged numbers


def checks_visible_to(actor: Actor) -> QuerySet[MarketCheck]:
    """The market checks of the actor's region, newest first."""
    return market_checks_visible_to(actor).order_by("-checked_on", "-id")


@dataclass(frozen=True)
class CheckFilter:
    """The filters of the checks list; empty values filter nothing."""

    verdict: str = ""
    campaign: Campaign | None = None
    channel: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    number: str = ""


def filtered_checks(actor: Actor, filters: CheckFilter) -> QuerySet[MarketCheck]:
    """The actor's checks narrowed by `filters`, with what the list shows of each."""
    rows = checks_visible_to(actor).select_related("campaign", "shop_organization", "producer")
    if filters.verdict == "negative":
        rows = rows.filter(verdict__in=NEGATIVE)
    elif filters.verdict:
        rows = rows.filter(verdict=filters.verdict)
    if filters.campaign is not None:
        rows = rows.filter(campaign=filters.campaign)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.since:
        rows = rows.filter(checked_on__gte=filters.since)
    if filters.until:
        rows = rows.filter(checked_on__lte=filters.until)
    if filters.number:
        rows = rows.filter(claimed_number=filters.number)
    return rows


def forged_numbers(actor: Actor) -> QuerySet[Any]:
    """Claimed numbers not in the registry (verdict FORGED_NUMBER) in the actor's region, one row each: the
    number, how many times it was seen, in how many shops (named ones), first and last seen; most seen first."""
    return (
        checks_visible_to(actor)
        .filter(verdict=Verdict.FORGED_NUMBER)
        .order_by()
        .values("claimed_number")
        .annotate(
            times=Count("id"),
            shops=Count("shop", distinct=True, filter=~Q(shop="")),
            first_seen=Min("checked_on"),
            last_seen=Max("checked_on"),
        )
        .order_by("-times", "-last_seen", "claimed_number")
    )


def checks_of_organization(organization_id: int) -> list[dict[str, Any]]:
    """An organization's market checks, as the producer or as the shop's organization, for its trace (the
    full view only: a verdict is an enforcement finding): newest first, at most TRACE_CAP."""
    rows = (
        MarketCheck.objects.filter(Q(producer_id=organization_id) | Q(shop_organization_id=organization_id))
        .select_related("campaign")
        .order_by("-checked_on", "-id")[:TRACE_CAP]
    )
    return [
        {
            "checked_on": check.checked_on,
            "channel": check.channel,
            "channel_label": str(check.get_channel_display()),
            "role": "producer" if check.producer_id == organization_id else "shop",
            "platform": check.platform,
            "shop": check.shop,
            "product_name": check.product_name,
            "model": check.model,
            "claimed_number": check.claimed_number,
            "verdict": check.verdict,
            "verdict_label": str(check.get_verdict_display()),
            "reason": check.reason,
            "campaign": check.campaign.name if check.campaign else None,
        }
        for check in rows
    ]


# ------------------------------------------------------------------ campaigns


def campaigns_visible_to(actor: Actor) -> QuerySet[Campaign]:
    """The campaigns of the actor's region, the latest first."""
    campaigns = Campaign.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return campaigns.order_by("-starts_on", "-id")
    if actor.role in MARKET_ROLES:
        campaigns = campaigns.filter(within_region("region_code", actor.region_prefix))
    else:
        campaigns = campaigns.none()
    return campaigns.order_by("-starts_on", "-id")


def access_campaign(actor: Actor, pk: int) -> Campaign:
    """A campaign of the actor's region; one elsewhere answers as a missing one (C14)."""
    campaign = Campaign.objects.filter(pk=pk).first()
    return within_scope(campaign, lambda c: _covers(actor, c.region_code), _("没有这项专项整治。"))


def campaign_tally(campaign: Campaign) -> dict[str, Any]:
    """What a campaign's checks found, in one grouped count: how many listings were checked, how many were
    covered, how many were violations (NEGATIVE), and the number of each verdict (every verdict, zeros
    included, in the vocabulary's order)."""
    counts = dict(
        MarketCheck.objects.filter(campaign=campaign)
        .order_by()
        .values("verdict")
        .annotate(n=Count("id"))
        .values_list("verdict", "n")
    )
    by_verdict = {verdict: counts.get(verdict, 0) for verdict in Verdict.values}
    return {
        "checked": sum(by_verdict.values()),
        "covered": by_verdict[Verdict.COVERED],
        "violations": sum(by_verdict[verdict] for verdict in NEGATIVE),
        "by_verdict": by_verdict,
    }
