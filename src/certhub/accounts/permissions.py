"""Who may administer users (C14): administrators everyone; officers the users of their own region — the
roles they may grant and the regions they may give are the action's own check (accounts.users.actions)."""

from certhub.core.permissions import Permission, Rule, officer_in_region

RULES: dict[Permission, Rule] = {
    Permission.MANAGE_USERS: officer_in_region,
}
