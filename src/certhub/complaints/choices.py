"""Vocabularies of complaints and tip-offs (C10): what was filed, where it stands, which statutory period runs,
and the lifecycle as one table (docs/architecture.md convention 3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintKind(models.TextChoices):
    """投诉 asks the department to settle a dispute with the one complained of (mediation); 举报 reports a
    suspected violation for the department to check and, where it holds, to open a case
    (市场监督管理投诉举报处理暂行办法 第三条)."""

    COMPLAINT = "COMPLAINT", _("投诉")
    TIP_OFF = "TIP_OFF", _("举报")


class ComplaintState(models.TextChoices):
    RECEIVED = "RECEIVED", _("已收到，待受理")
    ACCEPTED = "ACCEPTED", _("已受理，办理中")
    REFUSED = "REFUSED", _("不予受理")
    MEDIATED = "MEDIATED", _("调解结束")
    SUBSTANTIATED = "SUBSTANTIATED", _("查证属实")
    NOT_SUBSTANTIATED = "NOT_SUBSTANTIATED", _("查证不属实")


class ComplaintStep(models.TextChoices):
    """The statutory periods (complaints/data/periods.json) and the steps of the history."""

    ACCEPTANCE = "ACCEPTANCE", _("受理或不予受理")
    MEDIATION = "MEDIATION", _("调解")
    VERIFICATION = "VERIFICATION", _("核查并决定是否立案")
    FILED = "FILED", _("提交")
    FORWARDED = "FORWARDED", _("移送")
    EXTENDED = "EXTENDED", _("延长核查期限")
    CONCLUDED = "CONCLUDED", _("办结")
    CASE_OPENED = "CASE_OPENED", _("立案")
    CASE_JOINED = "CASE_JOINED", _("并案")


S = ComplaintState
OPEN_STATES = (S.RECEIVED, S.ACCEPTED)
OUTCOME_STATES = (S.REFUSED, S.MEDIATED, S.SUBSTANTIATED, S.NOT_SUBSTANTIATED)
COMPLAINT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.ACCEPTED, S.REFUSED),
    S.ACCEPTED: (S.MEDIATED, S.SUBSTANTIATED, S.NOT_SUBSTANTIATED),
    S.REFUSED: (),
    S.MEDIATED: (),
    S.SUBSTANTIATED: (),
    S.NOT_SUBSTANTIATED: (),
}
# Mediation settles a complaint's dispute; a tip-off has none to settle (暂行办法 第三十一条: a tip-off is
# handled by the administrative penalty procedure).
COMPLAINT_ONLY_OUTCOMES = (S.MEDIATED,)
