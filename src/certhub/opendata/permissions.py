"""Who may generate the open data export (C14): administrators only."""

from certhub.core.permissions import Permission, Rule, administrator

RULES: dict[Permission, Rule] = {
    Permission.EXPORT_OPEN_DATA: administrator,
}
