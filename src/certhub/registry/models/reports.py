"""Test reports and their items (C1)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    ReportConclusion,
)
from certhub.registry.models.labs import Lab, Signatory
from certhub.registry.models.organizations import Organization


class TestReport(RegulatedModel):
    """Metadata of a lab's test report, enough to check it against the lab's scope on its date."""

    __test__ = False  # not a pytest test class

    lab = models.ForeignKey(Lab, verbose_name=_("检验检测机构"), on_delete=models.PROTECT, related_name="reports")
    number = models.CharField(_("报告编号"), max_length=64)
    signatory = models.ForeignKey(
        Signatory, verbose_name=_("授权签字人"), on_delete=models.PROTECT, related_name="reports"
    )
    issue_date = models.DateField(_("签发日期"))
    client = models.ForeignKey(
        Organization,
        verbose_name=_("委托单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.CharField(_("样品名称"), max_length=200, blank=True)
    conclusion = models.CharField(_("结论"), max_length=12, choices=ReportConclusion.choices)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "number"]
        verbose_name = _("检验检测报告")
        verbose_name_plural = _("检验检测报告")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "number"],
                name="report_number_unique_per_lab",
                violation_error_message=_("该机构已有此编号的报告"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TestReportItem(RegulatedModel):
    """One tested item of a report: parameter and standard (and the result as text)."""

    __test__ = False

    report = models.ForeignKey(TestReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="items")
    parameter = models.CharField(_("项目/参数"), max_length=200)
    standard = models.CharField(_("依据标准/方法"), max_length=200)
    result = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["report_id", "id"]
        verbose_name = _("报告检测项目")
        verbose_name_plural = _("报告检测项目")

    def __str__(self) -> str:
        return f"{self.parameter} ({self.standard})"
