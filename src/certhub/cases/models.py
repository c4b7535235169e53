"""Rapid handling (快速处置) and notices (信息通报), C6: a case opened from a risk warning,
with a deadline in working days, an assignee, the measures taken and its closing; and the notices that
tell the departments responsible, in the app and by e-mail. Rows change only through cases.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.cases.choices import CaseStatus, NoticeKind
from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import GradedSubject


class Case(RegulatedModel):
    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    warning = models.ForeignKey(
        "risk.Warning",
        verbose_name=_("来源预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # A case opened from a substantiated complaint or tip-off (C10) rather than from a warning.
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("来源投诉举报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # A case opened from a market check's negative verdict (C7: a forged number, an uncovered sale …).
    market_check = models.ForeignKey(
        "market.MarketCheck",
        verbose_name=_("来源市场检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices)
    subject_id = models.BigIntegerField(_("对象"))
    subject_name = models.CharField(_("对象名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    title = models.CharField(_("案由"), max_length=200)
    # The departments responsible (信息通报 goes to every officer of these departments in the region).
    departments = models.JSONField(_("责任部门"), default=list)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立案人"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    opened_on = models.DateField(_("立案日期"))
    working_days = models.PositiveSmallIntegerField(_("处置时限（工作日）"))
    deadline = models.DateField(_("处置期限"))
    deadline_provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    conclusion = models.TextField(_("办结意见"), blank=True)
    reminded_on = models.DateField(_("期限提醒日期"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        verbose_name = _("处置案件")
        verbose_name_plural = _("处置案件")
        indexes = [models.Index(fields=["status", "region_code"], name="case_status_region")]

    def __str__(self) -> str:
        return self.number


class Measure(RegulatedModel):
    """A measure taken on a case (约谈, 责令整改, 暂停证书, 立案调查 …), in words, with its date."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="measures")
    taken_on = models.DateField(_("采取日期"))
    description = models.TextField(_("处置措施"))
    # A market check joined to an open case about the same organization (并案, C7) is recorded as a measure.
    market_check = models.ForeignKey(
        "market.MarketCheck",
        verbose_name=_("并案的市场检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joined_measures",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["case_id", "taken_on", "id"]
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")

    def __str__(self) -> str:
        return f"{self.case_id} {self.taken_on}"


class Notice(RegulatedModel):
    """A notice to one officer (信息通报): shown in their inbox, and e-mailed when they have an address."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, related_name="notices"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("通报时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_inbox")]

    def __str__(self) -> str:
        return self.subject
