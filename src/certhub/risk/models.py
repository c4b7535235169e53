"""Risk (C6): the current credit-risk grade of each organization, body and lab with its history,
the scoring runs that set them, the warnings they raise, and the signals recorded here rather than in the
registries (certificate uses and penalties). The inspection draws read the grades to stratify their pools
(C5). Rows change only through risk.actions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.registry.models import Certificate, Organization
from certhub.risk.choices import UseChannel, WarningStatus


class Grade(RegulatedModel):
    """The current grade of one subject (an organization, a certification body or a lab, by its id)."""

    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices)
    subject_id = models.BigIntegerField(_("对象"))
    grade = models.CharField(_("风险等级"), max_length=1, choices=RiskGrade.choices)
    graded_on = models.DateField(_("评定日期"))
    basis = models.TextField(_("评定依据"), blank=True)
    score = models.FloatField(_("风险分值"), null=True, blank=True)
    # The region of the subject's organization, copied so that the grade mix per prefecture and county is
    # one index range (C6 dashboard).
    region_code = models.CharField(_("所在地区"), max_length=6, blank=True, db_index=True)

    class Meta:
        ordering = ["subject_type", "subject_id"]
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                name="risk_grade_one_per_subject",
                violation_error_message=_("该对象已有风险等级"),
            ),
            models.CheckConstraint(
                condition=models.Q(grade__in=RiskGrade.values),
                name="risk_grade_known",
                violation_error_message=_("风险等级应为A、B、C、D之一"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.grade}"


class ScoringRun(RegulatedModel):
    """One run of every detector and the scoring rule over the whole registry (certhub risk score)."""

    ran_at = models.DateTimeField(_("评分时间"), default=timezone.now)
    as_of = models.DateField(_("数据截至"))
    rule_digest = models.CharField(_("评分规则摘要"), max_length=64)
    rule = models.JSONField(_("评分规则"))
    subjects = models.PositiveIntegerField(_("评分对象数"), default=0)
    findings = models.PositiveIntegerField(_("发现问题数"), default=0)
    changed = models.PositiveIntegerField(_("等级变化数"), default=0)
    warnings = models.PositiveIntegerField(_("新增预警数"), default=0)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("风险评分批次")
        verbose_name_plural = _("风险评分批次")

    def __str__(self) -> str:
        return f"{self.as_of} {self.rule_digest[:8]}"


class GradeChange(RegulatedModel):
    """The history of grades: one row each time a subject's grade changes (C6 "graded … with history")."""

    run = models.ForeignKey(
        ScoringRun, verbose_name=_("评分批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices)
    subject_id = models.BigIntegerField(_("对象"))
    from_grade = models.CharField(_("原等级"), max_length=1, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=1, choices=RiskGrade.choices)
    score = models.FloatField(_("风险分值"), null=True, blank=True)
    changed_on = models.DateField(_("变更日期"))
    basis = models.TextField(_("评定依据"), blank=True)

    class Meta:
        ordering = ["subject_type", "subject_id", "changed_on", "id"]
        verbose_name = _("风险等级变更")
        verbose_name_plural = _("风险等级变更")
        indexes = [models.Index(fields=["subject_type", "subject_id", "changed_on"], name="grade_change_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.from_grade}→{self.to_grade}"


class CertificateUse(RegulatedModel):
    """A certificate seen in use — presented in a tender, on goods in the market, at customs, scanned —
    as a department reports it. Use while suspended, withdrawn or expired is a signal (C6)."""

    certificate = models.ForeignKey(Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="+")
    used_on = models.DateField(_("使用日期"))
    channel = models.CharField(_("发现渠道"), max_length=16, choices=UseChannel.choices)
    place = models.CharField(_("使用场合"), max_length=200, blank=True)
    reported_by = models.CharField(_("通报部门"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-used_on", "id"]
        verbose_name = _("证书使用记录")
        verbose_name_plural = _("证书使用记录")
        indexes = [models.Index(fields=["certificate", "used_on"], name="certificate_use_when")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.used_on}"


class Penalty(RegulatedModel):
    """An administrative penalty decision (行政处罚决定) against an organization: a signal (C6)."""

    organization = models.ForeignKey(Organization, verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField(_("处罚决定书文号"), max_length=64, unique=True)
    decided_on = models.DateField(_("处罚日期"))
    authority = models.CharField(_("处罚机关"), max_length=100)
    reason = models.TextField(_("违法行为"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "id"]
        verbose_name = _("行政处罚")
        verbose_name_plural = _("行政处罚")

    def __str__(self) -> str:
        return self.decision_number


class Warning(RegulatedModel):
    """A risk warning: a subject whose score reached the rule's warning threshold in a scoring run, with
    the findings behind it. An officer opens a case from it (cases.Case) or dismisses it with a reason.
    One open warning per subject: later runs refresh it rather than raise another."""

    run = models.ForeignKey(ScoringRun, verbose_name=_("评分批次"), on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices)
    subject_id = models.BigIntegerField(_("对象"))
    subject_name = models.CharField(_("对象名称"), max_length=200)
    # The organization's credit code: the trace page of the subject (倒查追溯) is /trace/organization/<uscc>/.
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    score = models.FloatField(_("风险分值"))
    grade = models.CharField(_("风险等级"), max_length=1, choices=RiskGrade.choices)
    # [{"detector", "count", "since", "text_zh", "text_en", "contribution"}] as the run found them.
    findings = models.JSONField(_("发现问题"), default=list)
    raised_on = models.DateField(_("预警日期"))
    refreshed_on = models.DateField(_("最近更新"))
    status = models.CharField(_("状态"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    status_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        indexes = [models.Index(fields=["status", "region_code"], name="warning_status_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(status="OPEN"),
                name="warning_one_open_per_subject",
                violation_error_message=_("该对象已有待处置的预警"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.score:.0f}"
