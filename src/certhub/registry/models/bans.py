"""Bans (C9): what an institution or a person is barred from, and since and until when."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    BanKind,
)
from certhub.registry.models.labs import Person
from certhub.registry.models.organizations import Organization


def ban_in_force(on: datetime.date) -> models.Q:
    """The condition a Ban meets when it binds on `on`: started, not ended, not lifted (a lift takes
    effect on its date). Filter with `Ban.objects.filter(ban_in_force(day), …)`."""
    return (
        models.Q(starts__lte=on)
        & (models.Q(ends__isnull=True) | models.Q(ends__gt=on))
        & (models.Q(lifted_on__isnull=True) | models.Q(lifted_on__gt=on))
    )


class Ban(RegulatedModel):
    """A bar imposed by a decision (C9): on an organization (permanent exit, application bar, certification
    bar, serious-violation listing) or on a person (lifetime ban). Imposed and lifted only by actions that
    carry a decision number (registry.actions.bans), each with its audit row and ledger entry. `ends` is
    empty for a permanent exit and a lifetime ban. A lift keeps the row: the integrity archive shows both."""

    kind = models.CharField(_("限制类型"), max_length=20, choices=BanKind.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("被限制机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="bans"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("被限制人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="bans"
    )
    # An application bar may name one licence type (licensing.choices.LicenceType values); empty = any.
    licence_type = models.CharField(_("限制的许可类型"), max_length=16, blank=True)
    decision_number = models.CharField(_("决定文号"), max_length=64)
    decided_on = models.DateField(_("决定日期"))
    authority = models.CharField(_("决定机关"), max_length=100)
    # The region of the deciding authority: only officers of this region (or above it) may lift the ban.
    region_code = models.CharField(_("决定机关所在地区"), max_length=6, db_index=True)
    starts = models.DateField(_("起始日期"))
    ends = models.DateField(_("截止日期"), null=True, blank=True)
    reason = models.TextField(_("事由"))
    legal_basis = models.TextField(_("法律依据"))
    # What the ban came from (e.g. "licensing.Licence:CMA-2025-0001"), for the integrity archive's link.
    source = models.CharField(_("来源记录"), max_length=120, blank=True)
    # For an application bar: the digest of the legal representative's ID number at the time, so that the
    # same person's new organization is barred too (a keyed digest, registry.person_ids).
    legal_representative_digest = models.CharField(_("法定代表人身份证件摘要"), max_length=64, blank=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lift_decision_number = models.CharField(_("解除决定文号"), max_length=64, blank=True)
    lift_reason = models.TextField(_("解除原因"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-starts", "id"]
        verbose_name = _("限制措施")
        verbose_name_plural = _("限制措施")
        indexes = [
            models.Index(fields=["organization", "kind", "starts"], name="ban_organization"),
            models.Index(fields=["person", "kind", "starts"], name="ban_person"),
            models.Index(fields=["legal_representative_digest"], name="ban_representative"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organization__isnull=False) & models.Q(person__isnull=True))
                | (models.Q(organization__isnull=True) & models.Q(person__isnull=False)),
                name="ban_one_subject",
                violation_error_message=_("限制措施应针对一个机构或一名人员"),
            ),
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gt=models.F("starts")),
                name="ban_ends_after_start",
                violation_error_message=_("截止日期须晚于起始日期"),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=BanKind.values),
                name="ban_kind_known",
                violation_error_message=_("未知的限制类型"),
            ),
            models.UniqueConstraint(
                fields=["decision_number", "kind", "organization", "person"],
                name="ban_unique_decision",
                violation_error_message=_("该决定已登记此限制"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.kind}"
