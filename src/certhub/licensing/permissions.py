"""Who may do what in licensing (C8, C14): an applicant acts for its own organization (an enterprise or a
lab whose account is linked to it); officers of the case's region accept, review and decide — the decision
only by the officer the case is assigned to, which is the action's own check; a department's officers
answer the opinions addressed to their department, wherever the case lives (parallel joint approval)."""

from __future__ import annotations

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, Rule, officer, officer_in_region

APPLICANT_ROLES = (Role.ENTERPRISE, Role.LAB)


def own_organization_applicant(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """An enterprise or lab account acting for the organization it is linked to."""
    return (
        actor.role in APPLICANT_ROLES
        and actor.organization_id is not None
        and (organization_id is None or actor.organization_id == organization_id)
    )


RULES: dict[Permission, Rule] = {
    Permission.APPLY_FOR_LICENCE: own_organization_applicant,
    Permission.HANDLE_LICENSING: officer_in_region,
    Permission.GIVE_LICENSING_OPINION: officer,
    Permission.DECIDE_LICENCE: officer_in_region,
}
