"""Who may do what with complaints and tip-offs (C10, C14): anyone may file one, signed in or not (anonymous
filing is allowed, 暂行办法 allows anonymous tip-offs); officers handle those of their region."""

from __future__ import annotations

from certhub.core.actors import Actor
from certhub.core.permissions import Permission, Rule, officer_in_region


def anyone(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Every actor, the public included (social supervision, 社会监督)."""
    return True


RULES: dict[Permission, Rule] = {
    Permission.FILE_COMPLAINT: anyone,
    Permission.HANDLE_COMPLAINTS: officer_in_region,
}
