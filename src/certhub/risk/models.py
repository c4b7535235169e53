"""Risk grades (MISSION.md C6): the current credit-risk grade of each organization, body and lab. The
inspection draws read them to stratify their pools (C5); the scoring that sets them and their history
belong to the risk app's detectors. Rows change only through risk.actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.risk.choices import GradedSubject, RiskGrade


class Grade(RegulatedModel):
    """The current grade of one subject (an organization, a certification body or a lab, by its id)."""

    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices)
    subject_id = models.BigIntegerField(_("对象"))
    grade = models.CharField(_("风险等级"), max_length=1, choices=RiskGrade.choices)
    graded_on = models.DateField(_("评定日期"))
    basis = models.TextField(_("评定依据"), blank=True)

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
