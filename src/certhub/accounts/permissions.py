"""Who may administer users (C14): administrators everyone; officers the users of their own region — the
roles they may grant and the regions they may give are the action's own check (accounts.users.actions).

Enterprise sign-up (C8): anyone not signed in may create an enterprise account; an enterprise account asks
to act for an organization (which one it may join is the action's check: the code sent to the organization's
registered contact, or an officer's decision); officers decide the requests of organizations in their
region."""

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, Rule, officer_in_region


def signed_out(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """A person who is not signed in and calls with no API key (a signed-in account never makes another)."""
    return actor.role == Role.PUBLIC and actor.user_id is None and actor.api_key_id is None


def enterprise_account(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """A signed-in enterprise account, acting on its own link (the action checks which account)."""
    return actor.role == Role.ENTERPRISE and actor.user_id is not None


RULES: dict[Permission, Rule] = {
    Permission.MANAGE_USERS: officer_in_region,
    # Enterprise sign-up and organization links (C8)
    Permission.SIGN_UP: signed_out,
    Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT: enterprise_account,
    Permission.DECIDE_ORGANIZATION_LINKS: officer_in_region,
}
