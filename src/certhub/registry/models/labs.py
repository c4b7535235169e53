"""Labs with their CMA scope, people, their affiliations and the labs' authorized signatories (C1)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    BodyStatus,
    PersonRole,
)
from certhub.registry.models.organizations import Organization


class Lab(RegulatedModel):
    """An inspection and testing institution with its CMA qualification (资质认定)."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("法人机构"), on_delete=models.PROTECT, related_name="lab"
    )
    name = models.CharField(_("名称"), max_length=200)
    cma_number = models.CharField(_("资质认定证书编号"), max_length=32, unique=True)
    cma_valid_from = models.DateField(_("资质认定发证日期"))
    cma_valid_until = models.DateField(_("资质认定有效期至"))
    status = models.CharField(_("状态"), max_length=12, choices=BodyStatus.choices, default=BodyStatus.ACTIVE)
    # The licensing decision (资质认定决定书) behind the qualification as it stands, or the administrator's data
    # migration it came from: a lab's facts change only through licensing (C1, C8).
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("检验检测机构")
        verbose_name_plural = _("检验检测机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cma_valid_until__gt=models.F("cma_valid_from")),
                name="lab_cma_validity_order",
                violation_error_message=_("资质认定有效期须晚于发证日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_public_id(self) -> str:
        return self.cma_number

    def qualified_on(self, day: datetime.date) -> bool:
        return self.status == BodyStatus.ACTIVE and self.cma_valid_from <= day <= self.cma_valid_until


class LabScope(RegulatedModel):
    """One row of a lab's qualified scope: field × object × parameter × standard, with its dates."""

    lab = models.ForeignKey(Lab, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="scope")
    field = models.CharField(_("领域"), max_length=100)
    object = models.CharField(_("检测对象"), max_length=200)
    parameter = models.CharField(_("项目/参数"), max_length=200)
    standard = models.CharField(_("依据标准/方法"), max_length=200)
    limits = models.CharField(_("限制范围"), max_length=200, blank=True)
    valid_from = models.DateField(_("批准日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["lab_id", "field", "object", "parameter"]
        verbose_name = _("资质认定范围")
        verbose_name_plural = _("资质认定范围")
        indexes = [models.Index(fields=["parameter"], name="labscope_parameter")]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "object", "parameter", "standard"],
                name="labscope_unique_row",
                violation_error_message=_("该检测范围已登记"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object} / {self.parameter} / {self.standard}"


class Person(RegulatedModel):
    """An auditor, enforcement inspector or signatory. Only a digest of any ID number is kept."""

    name = models.CharField(_("姓名"), max_length=64)
    roles = models.JSONField(_("角色"), default=list)
    id_digest = models.CharField(_("身份证件摘要"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name

    def role_labels(self) -> list[str]:
        return [str(PersonRole(r).label) for r in self.roles]


class Affiliation(RegulatedModel):
    """A person's employment at an organization in a role, from a date until a date (or now)."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(_("角色"), max_length=24, choices=PersonRole.choices)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"), null=True, blank=True)
    # What the affiliation was recorded on: for a lab's key people the licensing decision (or the
    # administrator's data migration), since they change only through licensing (C1, C8).
    decision = models.CharField(_("依据"), max_length=64, blank=True)

    class Meta:
        ordering = ["person_id", "start"]
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="affiliation_dates_order",
                violation_error_message=_("截止日期不得早于起始日期"),
            ),
            # One open affiliation per person, organization and role: a second start without an end
            # would make "who is the technical manager now" ambiguous (C1).
            models.UniqueConstraint(
                fields=["person", "organization", "role"],
                condition=models.Q(end__isnull=True),
                name="affiliation_one_open",
                violation_error_message=_("该人员在本机构已有同一角色的在任记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization} ({self.role})"


class Signatory(RegulatedModel):
    """An authorized signatory (授权签字人) of a lab, with their own scope and dates."""

    lab = models.ForeignKey(Lab, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="signatories")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="signatures")
    scope = models.ManyToManyField(LabScope, verbose_name=_("授权签字范围"), related_name="signatories")
    valid_from = models.DateField(_("批准日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["lab_id", "person__name"]
        verbose_name = _("授权签字人")
        verbose_name_plural = _("授权签字人")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "person"],
                name="signatory_unique",
                violation_error_message=_("该人员已是授权签字人"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.lab})"
