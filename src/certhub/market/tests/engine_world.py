"""The registry a market check is judged against, on top of the shared test world (registry.testing): CCC
certificates of every state for the same product, self-declarations (published, withdrawn, for a product
that does not allow one), an inspector and a shop. Built through actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from stdnum import ean

from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.market.choices import DeclarationStatus
from certhub.market.models import Campaign, SelfDeclaration
from certhub.registry import actions
from certhub.registry.models import CccProduct, Certificate, Organization
from certhub.registry.testing import World, certificate_data, make_uscc


def gtin(first12: str) -> str:
    """A GTIN-13 with its right check digit."""
    return first12 + ean.calc_check_digit(first12)


FRIDGE_GTIN = "6901234567892"  # on the world's CCC certificate 2025010701000123, model BCD-218
DRILL_GTIN = gtin("690123400001")
UNKNOWN_GTIN = gtin("690999900009")


@action
def do_record_test_declaration(
    *,
    number: str,
    organization: Organization,
    code: str,
    models: list[str],
    gtins: list[str],
    declared_on: datetime.date,
    withdrawn_on: datetime.date | None = None,
    actor: Actor,
) -> SelfDeclaration:
    """A self-declaration as the register holds it (tests only: the engine reads declarations, it does not
    register them)."""
    authorize(actor, Permission.DECLARE_CCC_PRODUCT, organization_id=organization.pk)
    declaration = SelfDeclaration(
        number=number,
        organization=organization,
        region_code=organization.region.code,
        ccc_product=CccProduct.objects.get(code=code),
        product_name=CccProduct.objects.get(code=code).name,
        product_models=models,
        gtins=gtins,
        standards=["GB/T 3883.1-2014"],
        report_note="境外实验室报告",
        declared_on=declared_on,
        status=DeclarationStatus.WITHDRAWN if withdrawn_on else DeclarationStatus.PUBLISHED,
        withdrawn_on=withdrawn_on,
        withdrawal_reason="停产" if withdrawn_on else "",
    )
    declaration.save()
    record_audit(actor, AuditEventType.DECLARATION_REGISTERED, declaration, before=None, after=snapshot(declaration))
    return declaration


@action
def do_record_test_campaign(
    *, name: str, region_code: str, starts_on: datetime.date, ends_on: datetime.date, actor: Actor
) -> Campaign:
    """A campaign as officers define them (tests only: the engine reads campaigns, it does not define them)."""
    authorize(actor, Permission.MANAGE_MARKET_CAMPAIGNS, region_code=region_code)
    campaign = Campaign(
        name=name, region_code=region_code, product_codes=["0701"], starts_on=starts_on, ends_on=ends_on
    )
    campaign.save()
    record_audit(actor, AuditEventType.CAMPAIGN_CREATED, campaign, before=None, after=snapshot(campaign))
    return campaign


@dataclass
class MarketWorld:
    world: World
    certificates: dict[str, Certificate] = field(default_factory=dict)
    declarations: dict[str, SelfDeclaration] = field(default_factory=dict)
    shop: Organization | None = None

    def actor(self, username: str) -> Actor:
        return self.world.actor(username)


def build_market_world(world: World) -> MarketWorld:
    market = MarketWorld(world)
    org = world.organizations
    hunan = world.actor("cb_hunan")
    market.certificates["ccc"] = world.certificates["ccc"]

    def ccc(number: str, model: str, product_gtin: str, **overrides: Any) -> Certificate:
        data = certificate_data(
            number,
            org["maker"],
            scheme="CCC",
            ccc_product="0701",
            scope="家用电冰箱",
            standards="GB 4706.1-2005; GB 4706.13-2014",
            products=[{"name": "家用电冰箱", "model": model, "trademark": "星城", "gtin": product_gtin}],
            expiry_date="2030-02-28",
        )
        data.update(overrides)
        return actions.do_create_certificate(body=world.bodies["hunan"], data=data, actor=hunan)

    suspended = ccc("2025010701000124", "BCD-300W", gtin("690123456790"))
    market.certificates["suspended"] = actions.do_change_certificate_status(
        certificate=suspended,
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 9, 1),
        reason="监督抽查不合格",
        actor=hunan,
    )
    market.declarations["drill"] = do_record_test_declaration(
        number="ZS4301042025000001",
        organization=org["maker"],
        code="0501",
        models=["Z1C-10", "Z1C-13"],
        gtins=[DRILL_GTIN],
        declared_on=datetime.date(2025, 5, 1),
        actor=SYSTEM,
    )
    market.declarations["withdrawn"] = do_record_test_declaration(
        number="ZS4301042025000002",
        organization=org["maker"],
        code="0501",
        models=["Z1C-20"],
        gtins=[],
        declared_on=datetime.date(2025, 5, 1),
        withdrawn_on=datetime.date(2025, 7, 1),
        actor=SYSTEM,
    )
    # Registered for a product whose mode is third-party certification (0701, household refrigerators): the
    # register refuses such a declaration today; the engine still judges one it meets.
    market.declarations["third_party"] = do_record_test_declaration(
        number="ZS4301042025000003",
        organization=org["maker"],
        code="0701",
        models=["BCD-500"],
        gtins=[],
        declared_on=datetime.date(2025, 5, 1),
        actor=SYSTEM,
    )
    market.shop = actions.do_create_organization(
        data={"uscc": make_uscc(41, "430102"), "name": "长沙五一家电商行有限公司", "region": "430102"}, actor=SYSTEM
    )
    world.users["inspector"] = User.objects.create_user(
        username="inspector",
        password=World.PASSWORD,
        role=Role.INSPECTOR,
        region=Region.objects.get(code="430100"),
        department="市场监管综合执法支队",
    )
    return market
