"""Reference data: certification schemes and the CCC catalogue with its versions (C1, C7)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    CccMode,
    SchemeKind,
)


class Scheme(RegulatedModel):
    """A certification scheme, defined as data (registry/data/schemes.json)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("强制性"), default=False)
    kind = models.CharField(_("类别"), max_length=24, choices=SchemeKind.choices)
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), null=True, blank=True)
    surveillance_months = models.PositiveSmallIntegerField(_("监督周期（月）"), null=True, blank=True)
    standard = models.CharField(_("依据标准"), max_length=300, blank=True)
    authority = models.CharField(_("主管部门"), max_length=200, blank=True)
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("认证制度")
        verbose_name_plural = _("认证制度")

    def __str__(self) -> str:
        return self.name


class CccCatalogueVersion(RegulatedModel):
    """One announcement that set or changed the CCC catalogue."""

    key = models.CharField(_("版本"), max_length=32, unique=True)
    title = models.CharField(_("公告"), max_length=300)
    published = models.DateField(_("发布日期"))
    effective = models.DateField(_("实施日期"))
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["effective"]
        verbose_name = _("CCC目录版本")
        verbose_name_plural = _("CCC目录版本")

    def __str__(self) -> str:
        return self.title


class CccCategory(RegulatedModel):
    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("CCC产品大类")
        verbose_name_plural = _("CCC产品大类")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class CccProduct(RegulatedModel):
    """A product in the CCC catalogue, with the dates it is in force (versioned reference data)."""

    code = models.CharField(_("产品代码"), max_length=4, unique=True)
    codes = models.JSONField(_("全部代码"), default=list, help_text=_("目录中并列的代码，如 0205/0207"))
    name = models.CharField(_("产品名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    category = models.ForeignKey(CccCategory, verbose_name=_("大类"), on_delete=models.PROTECT)
    mode = models.CharField(_("评价方式"), max_length=24, choices=CccMode.choices)
    version = models.ForeignKey(CccCatalogueVersion, verbose_name=_("版本"), on_delete=models.PROTECT)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CCC目录产品")
        verbose_name_plural = _("CCC目录产品")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
