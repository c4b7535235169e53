"""Who may do what with the integrity archive (C9, C14): officers and other departments' keys ask the joint
punishment query (a key must hold the `joint_punishment_query` scope: core.api_auth.require_scope); officers
of the deciding region repair credit and export the disclosure lists of their region."""

from __future__ import annotations

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, Rule, officer_in_region


def officer_or_department_key(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """An officer, or another department asking with its own API key (a read-only PUBLIC key whose scope
    the endpoint has checked): never an anonymous caller, a signed-in enterprise or a body's key."""
    return actor.role == Role.OFFICER or (actor.role == Role.PUBLIC and actor.api_key_id is not None)


RULES: dict[Permission, Rule] = {
    Permission.QUERY_JOINT_PUNISHMENT: officer_or_department_key,
    Permission.REPAIR_CREDIT: officer_in_region,
    Permission.EXPORT_DISCLOSURE: officer_in_region,
}
