"""Who may see and feed risk classification (C14): officers inside their region; grades are set by
administrators (the scoring run acts as the system)."""

from certhub.core.permissions import Permission, Rule, administrator, officer_in_region

RULES: dict[Permission, Rule] = {
    Permission.SET_RISK_GRADES: administrator,
    Permission.RECORD_RISK_SIGNAL: officer_in_region,
    Permission.VIEW_RISK: officer_in_region,
}
