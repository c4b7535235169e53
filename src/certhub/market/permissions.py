"""Who may do what in CCC market control (C7, C14): officers and enforcement inspectors record market checks
(an inspector in a shop is the commonest case); officers define campaigns in their own region; a producer
registers and withdraws its own self-declarations."""

from __future__ import annotations

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, Rule, officer_in_region, own_organization


def officer_or_inspector_in_region(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Officers and enforcement inspectors, inside the region they are posted to."""
    return actor.role in (Role.OFFICER, Role.INSPECTOR) and (region_code is None or actor.covers_region(region_code))


# issue 17: declarations
_producer = own_organization(Role.ENTERPRISE)


def producer_or_officer_in_region(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """A self-declaration is withdrawn by its producer (CNCA-00C-008: the producer answers for what it
    declares) or, when the producer will not, by an officer of the producer's region acting on a finding (C7)."""
    return _producer(actor, organization_id, region_code) or officer_in_region(actor, organization_id, region_code)


RULES: dict[Permission, Rule] = {
    Permission.RECORD_MARKET_CHECK: officer_or_inspector_in_region,
    Permission.MANAGE_MARKET_CAMPAIGNS: officer_in_region,
    Permission.DECLARE_CCC_PRODUCT: own_organization(Role.ENTERPRISE),
    # issue 17: declarations
    Permission.WITHDRAW_CCC_DECLARATION: producer_or_officer_in_region,
}
