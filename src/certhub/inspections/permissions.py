"""Who may run 双随机 inspections (C14): officers plan, draw and review inside their region; any officer or
enforcement inspector may record a result, and the action checks that they are one of the task's inspectors
(谁检查、谁录入); a reviewer is never one of them (the review actions' own check)."""

from certhub.core.permissions import Permission, Rule, officer_in_region, officer_or_inspector

RULES: dict[Permission, Rule] = {
    Permission.MANAGE_INSPECTIONS: officer_in_region,
    Permission.RECORD_INSPECTION_RESULT: officer_or_inspector,
    Permission.REVIEW_INSPECTION_RESULT: officer_in_region,
}
