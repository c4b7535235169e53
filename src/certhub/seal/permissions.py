"""Who may manage the seal signing keys (C14): administrators only."""

from certhub.core.permissions import Permission, Rule, administrator

RULES: dict[Permission, Rule] = {
    Permission.MANAGE_SEAL_KEYS: administrator,
}
