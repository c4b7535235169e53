"""An enterprise's own quality data and studies (C12). They belong to the enterprise alone: nobody else —
officers included — sees a dataset, and a study only when the enterprise shares it by link. They are the
enterprise's working papers, not regulated records, so they are neither audited into the transparency ledger
nor read by any other app (docs/architecture.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certhub.registry.models import Organization
from certhub.toolbox.choices import StudyKind


class Dataset(models.Model):
    """A table as the enterprise typed or uploaded it: column names and the cells as written (strings), so
    that a study can pick other columns later and an error can name the row and column it found."""

    organization = models.ForeignKey(Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    columns = models.JSONField(_("列"), default=list)
    rows = models.JSONField(_("数据行"), default=list)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据集")
        verbose_name_plural = _("数据集")
        indexes = [models.Index(fields=["organization", "-created_at"], name="toolbox_dataset_org")]

    def __str__(self) -> str:
        return self.name


class Study(models.Model):
    """A computation kept with its parameters (which columns, which chart, limits…); the result is computed
    again from the dataset whenever it is shown, so it can never disagree with its data. `share_token` set:
    anyone with the study's link may read it (the enterprise's choice, revocable)."""

    organization = models.ForeignKey(Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("数据集"), null=True, blank=True, on_delete=models.CASCADE, related_name="studies"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=StudyKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    parameters = models.JSONField(_("参数"), default=dict)
    share_token = models.CharField(_("分享令牌"), max_length=64, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("分析")
        verbose_name_plural = _("分析")
        indexes = [models.Index(fields=["organization", "-created_at"], name="toolbox_study_org")]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """A performance-excellence self-assessment (卓越绩效自评, GB/T 19580) for one year: the edition it was made
    against and one score per item (AssessmentScore)."""

    organization = models.ForeignKey(Organization, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    edition = models.CharField(_("标准版本"), max_length=40)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("卓越绩效自评")
        verbose_name_plural = _("卓越绩效自评")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="toolbox_assessment_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.edition}"


class AssessmentScore(models.Model):
    """The points given to one item of the standard (at most the item's points) and the evidence behind them."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("自评"), on_delete=models.CASCADE, related_name="scores")
    item = models.CharField(_("评分条款"), max_length=12)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    evidence = models.TextField(_("证据说明"), blank=True)

    class Meta:
        verbose_name = _("条款得分")
        verbose_name_plural = _("条款得分")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="toolbox_score_one_per_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"
