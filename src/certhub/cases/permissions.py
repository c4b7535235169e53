"""Who may handle risk warnings as cases (C14): officers inside their region."""

from certhub.core.permissions import Permission, Rule, officer_in_region

RULES: dict[Permission, Rule] = {
    Permission.HANDLE_CASES: officer_in_region,
}
