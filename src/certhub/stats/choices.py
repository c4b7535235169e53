"""Vocabularies of the KPI dashboard (C11): the figures the daily job computes, the policy's
three targets, and the age buckets of open cases."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """One group of figures. The three KPIs carry a numerator and a denominator; the rest are counts by key."""

    ISO9001 = "iso9001", _("规模以上工业企业ISO 9001认证率")
    CMA_REPORTS = "cma_reports", _("具备资质的检验检测机构出具的证明性报告占比")
    CCC_COVERAGE = "ccc_coverage", _("CCC目录产品认证覆盖率")
    CERTIFICATES = "certificates", _("证书数量（按认证制度和状态）")
    INSPECTIONS = "inspections", _("双随机抽查完成和按时公示")
    GRADES = "grades", _("风险等级分布")
    CASES = "cases", _("在办案件及办理时长")
    # issue 18: standard-revision transitions
    TRANSITIONS = "transitions", _("管理体系标准换版")


KPIS = (Metric.ISO9001, Metric.CMA_REPORTS, Metric.CCC_COVERAGE)

# 湘政发〔2018〕28号 (二) 主要目标: ISO 9001 for at least 80 % of above-size industrial enterprises; evidentiary
# testing by qualified labs and CCC coverage of catalogue products both 100 %.
TARGETS: dict[str, Decimal] = {
    Metric.ISO9001: Decimal("80"),
    Metric.CMA_REPORTS: Decimal("100"),
    Metric.CCC_COVERAGE: Decimal("100"),
}

# 国民经济行业分类 GB/T 4754-2017: the industrial sections (采矿业, 制造业, 电力热力燃气及水生产和供应业) the
# statistics bureau counts as 工业 for 规模以上工业企业.
INDUSTRIAL_SECTIONS = ("B", "C", "D")

# Evidentiary reports are counted over the 365 days up to the day: a rolling year shows change, which an
# all-time share would bury under old reports.
REPORT_WINDOW_DAYS = 365


class InspectionKey(models.TextChoices):
    """Counts of 双随机 tasks, by the region of the inspected target, as of the day."""

    DRAWN = "drawn", _("抽中对象")
    DONE = "done", _("已完成检查")
    PUBLISHED = "published", _("已公示")
    ON_TIME = "on_time", _("按时公示")
    LATE = "late", _("逾期公示")
    OVERDUE = "overdue", _("逾期未公示")


class CaseAge(models.TextChoices):
    """Open cases by working days since they were opened (案件办理时长)."""

    UP_TO_5 = "le5", _("5个工作日以内")
    UP_TO_20 = "le20", _("6至20个工作日")
    OVER_20 = "gt20", _("超过20个工作日")


def case_age_bucket(working_days: int) -> str:
    """The bucket of an open case `working_days` after it was opened."""
    if working_days <= 5:
        return CaseAge.UP_TO_5
    if working_days <= 20:
        return CaseAge.UP_TO_20
    return CaseAge.OVER_20
