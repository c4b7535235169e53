"""Who may see and export the statistics (C14): officers inside their region."""

from certhub.core.permissions import Permission, Rule, officer_in_region

RULES: dict[Permission, Rule] = {
    Permission.VIEW_STATISTICS: officer_in_region,
}
