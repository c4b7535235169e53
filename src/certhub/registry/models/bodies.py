"""Certification bodies and their approval status history (C1)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    BodyStatus,
)
from certhub.registry.models.organizations import Organization
from certhub.registry.models.reference import Scheme


class CertificationBody(RegulatedModel):
    """A certification body approved by CNCA (批准书号), with its accreditation and schemes."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("法人机构"), on_delete=models.PROTECT, related_name="certification_body"
    )
    name = models.CharField(_("名称"), max_length=200)
    approval_number = models.CharField(_("批准号"), max_length=32, unique=True)
    accreditation = models.CharField(_("认可证书"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=BodyStatus.choices, default=BodyStatus.ACTIVE)
    schemes = models.ManyToManyField(Scheme, verbose_name=_("可认证制度"), related_name="certification_bodies")
    # The approval's validity as CNCA's announcement states it (认证机构批准书); unknown for bodies recorded
    # before CertHub kept it.
    valid_from = models.DateField(_("批准日期"), null=True, blank=True)
    valid_until = models.DateField(_("批准有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("认证机构")
        verbose_name_plural = _("认证机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="body_approval_validity_order",
                violation_error_message=_("批准有效期须晚于批准日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_public_id(self) -> str:
        return self.approval_number


class CertificationBodyStatusEvent(RegulatedModel):
    """The public status history of a certification body: each change of its approval (暂停, 恢复, 撤销, 注销)
    with its date, reason and the decision or announcement it follows (C1)."""

    body = models.ForeignKey(
        CertificationBody, verbose_name=_("认证机构"), on_delete=models.PROTECT, related_name="status_events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=BodyStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=BodyStatus.choices)
    effective_date = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"))
    decision = models.CharField(_("决定或公告文号"), max_length=200)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["body_id", "recorded_at", "id"]
        verbose_name = _("认证机构状态记录")
        verbose_name_plural = _("认证机构状态记录")
        indexes = [models.Index(fields=["body", "recorded_at"], name="bodyevent_body_time")]

    def __str__(self) -> str:
        return f"{self.body_id}: {self.from_status}→{self.to_status}"
