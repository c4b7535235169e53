"""The integrity archive's own records (C9). The archive itself is a read model assembled from the records
behind it (integrity/archive.py); what lives here is what no other app keeps: the log of joint punishment
queries other departments and officers make, and the credit repair decisions that end an entry's publicity
early."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.integrity.choices import EntryKind, QueryChannel


class JointPunishmentQuery(RegulatedModel):
    """One joint punishment query (联合惩戒): who asked (the department's key, or the officer), when, how many
    items and how many of them were under a bar. The items asked about are not kept: a person's identity
    number never is, in clear or as a digest (C14), and a credit code asked about is the asker's business."""

    asked_at = models.DateTimeField(_("查询时间"), default=timezone.now, db_index=True)
    channel = models.CharField(_("查询渠道"), max_length=8, choices=QueryChannel.choices)
    # The asking department: the organization holding the API key, or the officer's department.
    department = models.CharField(_("查询部门"), max_length=200)
    api_key_prefix = models.CharField(_("接口密钥前缀"), max_length=12, blank=True)
    asked_by = models.CharField(_("查询人"), max_length=150)
    item_count = models.PositiveIntegerField(_("查询条数"))
    hit_count = models.PositiveIntegerField(_("命中条数"))

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("联合惩戒查询记录")
        verbose_name_plural = _("联合惩戒查询记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hit_count__lte=models.F("item_count")),
                name="jointquery_hits_within_items",
                violation_error_message=_("命中条数不能多于查询条数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.asked_at:%Y-%m-%d %H:%M} ({self.hit_count}/{self.item_count})"


class CreditRepair(RegulatedModel):
    """A credit repair decision (信用修复): the archive entry it names stops being public on `ends_publicity_on`,
    before its period would end. The entry stays in the archive for officers, with this decision beside it."""

    entry_kind = models.CharField(_("档案条目类型"), max_length=16, choices=EntryKind.choices)
    # The entry's source record, as the archive names it ("risk.Penalty:12").
    source = models.CharField(_("来源记录"), max_length=120, db_index=True)
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    decision_number = models.CharField(_("信用修复决定文号"), max_length=64)
    decided_on = models.DateField(_("决定日期"))
    ends_publicity_on = models.DateField(_("停止公示日期"))
    authority = models.CharField(_("决定机关"), max_length=100)
    region_code = models.CharField(_("决定机关所在地区"), max_length=6, db_index=True)
    reason = models.TextField(_("修复理由"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "id"]
        verbose_name = _("信用修复")
        verbose_name_plural = _("信用修复")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], name="creditrepair_one_per_entry", violation_error_message=_("该条目已作信用修复")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.source}"
