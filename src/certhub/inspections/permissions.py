"""Who may run 双随机 inspections (C14): officers plan, draw and review inside their region; any officer may
record a result, and the action checks that they are one of the task's inspectors (谁检查、谁录入)."""

from certhub.core.permissions import Permission, Rule, officer, officer_in_region

RULES: dict[Permission, Rule] = {
    Permission.MANAGE_INSPECTIONS: officer_in_region,
    Permission.RECORD_INSPECTION_RESULT: officer,
    Permission.REVIEW_INSPECTION_RESULT: officer_in_region,
}
