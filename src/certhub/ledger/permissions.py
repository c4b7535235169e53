"""Who may sign a ledger checkpoint on demand (C14): administrators (the server signs its own when due)."""

from certhub.core.permissions import Permission, Rule, administrator

RULES: dict[Permission, Rule] = {
    Permission.SIGN_CHECKPOINT: administrator,
}
