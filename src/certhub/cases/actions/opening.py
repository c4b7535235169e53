"""Acting on a risk warning (C6): open a case from it, or dismiss it with a reason."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.utils.translation import gettext as _

from certhub.cases.actions.common import CASE_FIELDS, _acting_user, _announce_opened, _checked_case_input, _create_case
from certhub.cases.models import Case
from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.risk.choices import WarningStatus
from certhub.risk.models import Warning

logger = logging.getLogger(__name__)


@action
def do_open_case(
    *,
    warning: Warning,
    title: str,
    working_days: int,
    departments: Sequence[str],
    assignee: User | None = None,
    actor: Actor,
) -> Case:
    """Open a case (快速处置) from an open warning: a deadline `working_days` Chinese working days from
    today, the departments responsible, optionally an assignee. The warning becomes CASE_OPENED and the
    departments' officers in the region, and the assignee, are notified (信息通报)."""
    authorize(actor, Permission.HANDLE_CASES, region_code=warning.region_code)
    opened_by = _acting_user(actor)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        status = warning.get_status_display()
        raise Conflict(_("该预警的状态为“%(status)s”，不能立案") % {"status": status}, field="warning")
    title, chosen = _checked_case_input(title, working_days, departments, assignee, warning.region_code)
    case = _create_case(
        source={"warning": warning},
        subject=(warning.subject_type, warning.subject_id, warning.subject_name, warning.uscc),
        region_code=warning.region_code,
        title=title,
        departments=chosen,
        working_days=working_days,
        assignee=assignee,
        opened_by=opened_by,
    )
    warning.status = WarningStatus.CASE_OPENED
    warning.status_note = _("已立案：%(number)s") % {"number": case.number}
    warning.save(update_fields=["status", "status_note"])
    # One audit row for the case; the warning's new status is part of it (one action, one ledger entry).
    record_audit(
        actor,
        AuditEventType.CASE_OPENED,
        case,
        before=None,
        after={**snapshot(case, CASE_FIELDS), "warning_status": warning.status},
    )
    _announce_opened(case, _("风险预警已立案处置，请责任部门按期处置。"))
    return case


@action
def do_dismiss_warning(*, warning: Warning, reason: str, actor: Actor) -> Warning:
    """Dismiss an open warning (排除) with the reason; it raises no case."""
    authorize(actor, Permission.HANDLE_CASES, region_code=warning.region_code)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        status = warning.get_status_display()
        raise Conflict(_("该预警的状态为“%(status)s”，不能排除") % {"status": status}, field="warning")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("排除预警须说明理由")})
    before = snapshot(warning, ["status", "status_note"])
    warning.status, warning.status_note = WarningStatus.DISMISSED, reason
    warning.save(update_fields=["status", "status_note"])
    record_audit(
        actor,
        AuditEventType.WARNING_DISMISSED,
        warning,
        before=before,
        after=snapshot(warning, ["status", "status_note"]),
        reason=reason,
    )
    return warning


# ------------------------------------------------------------------ cases
