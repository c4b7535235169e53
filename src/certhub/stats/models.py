"""The KPI dashboard's pre-aggregated figures (C11; docs/architecture.md convention 19): one row per day, region, metric
and key, filled by the resumable daily job (certhub stats aggregate) so that the dashboard and its exports
never scan the registry. Derived data, not regulated records: the job rewrites a day's figures at will, so
these are plain models, written only by stats.aggregate."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.stats.choices import Metric


class Figure(models.Model):
    """One figure of one day in one region (province, prefecture or county, by its GB/T 2260 code): a count
    (`numerator` alone) or a share (`numerator` of `denominator`)."""

    day = models.DateField(_("统计日期"))
    region_code = models.CharField(_("地区代码"), max_length=6)
    metric = models.CharField(_("指标"), max_length=16, choices=Metric.choices)
    key = models.CharField(_("分项"), max_length=64, blank=True)
    numerator = models.BigIntegerField(_("数值"))
    denominator = models.BigIntegerField(_("基数"), null=True, blank=True)

    class Meta:
        ordering = ["day", "region_code", "metric", "key"]
        verbose_name = _("统计数据")
        verbose_name_plural = _("统计数据")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region_code", "metric", "key"],
                name="stats_figure_once",
                violation_error_message=_("同一日期、地区、指标和分项只能有一个数值"),
            ),
        ]
        # The page reads one day for a region and its children, and one region's KPIs over all days.
        indexes = [models.Index(fields=["region_code", "metric", "day"], name="stats_figure_series")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_code} {self.metric}:{self.key} {self.numerator}/{self.denominator}"


class ComputedMetric(models.Model):
    """A metric of a day computed and committed: what lets an interrupted run resume where it stopped."""

    day = models.DateField(_("统计日期"))
    metric = models.CharField(_("指标"), max_length=16, choices=Metric.choices)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), default=0)

    class Meta:
        ordering = ["day", "metric"]
        verbose_name = _("已计算指标")
        verbose_name_plural = _("已计算指标")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric"],
                name="stats_computed_once",
                violation_error_message=_("该日期的指标已计算"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}"


class SchemeLabel(models.Model):
    """The names of the certification schemes as of the last run, copied from the registry so that the page
    can name the schemes of its figures without reading a registry table."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=24)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("认证制度名称")
        verbose_name_plural = _("认证制度名称")

    def __str__(self) -> str:
        return self.code
