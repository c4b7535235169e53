"""Submissions: every file or batch a body or lab sends, with its outcome, kept for good (C2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.exchange.choices import (
    Severity,
    SubmissionChannel,
    SubmissionFormat,
    SubmissionKind,
    SubmissionMode,
    SubmissionState,
)


class Submission(RegulatedModel):
    """One file or API batch from one organization: who sent it, when, its digest, what became of each row.
    `rows_done` counts the data rows whose chunk has committed, so an interrupted import resumes there.

    Market registration's organization records (kind `organizations`) come through the regulator, not from
    one organization: such a submission has no `organization` but the `region` of the officer who filed it,
    the scope its rows must lie in (the whole province for an administrator)."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("报送机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("报送辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_label = models.CharField(_("报送人名称"), max_length=200)
    channel = models.CharField(_("报送方式"), max_length=12, choices=SubmissionChannel.choices)
    kind = models.CharField(_("数据类别"), max_length=16, choices=SubmissionKind.choices)
    mode = models.CharField(_("生效方式"), max_length=8, choices=SubmissionMode.choices)
    file_format = models.CharField(_("格式"), max_length=8, choices=SubmissionFormat.choices)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(_("大小（字节）"))
    stored_path = models.CharField(_("存档路径"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=SubmissionState.choices)
    message = models.TextField(_("说明"), blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    rejected_count = models.PositiveIntegerField(_("退回"), default=0)
    note_count = models.PositiveIntegerField(_("规范化"), default=0)
    problems_omitted = models.PositiveIntegerField(_("未列出的问题数"), default=0)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("数据报送")
        verbose_name_plural = _("数据报送")
        indexes = [models.Index(fields=["organization", "-received_at"], name="submission_org_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(kind="organizations"),
                name="submission_organization_unless_registration",
                violation_error_message=_("只有机构登记信息的报送可以不属于某一机构"),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename or self.get_channel_display()}"

    @property
    def accepted_count(self) -> int:
        return self.created_count + self.updated_count

    @property
    def finished(self) -> bool:
        return self.state in (SubmissionState.APPLIED, SubmissionState.PARTIAL, SubmissionState.REJECTED)


class SubmissionProblem(RegulatedModel):
    """A rejected row's reason, or a normalisation made to a row, naming row, field and value. Row 0 is
    the file itself (encoding, header, size)."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("数据报送"), on_delete=models.PROTECT, related_name="problems"
    )
    row = models.PositiveIntegerField(_("行号"))
    field = models.CharField(_("字段"), max_length=64, blank=True)
    value = models.CharField(_("值"), max_length=200, blank=True)
    message = models.TextField(_("原因"))
    severity = models.CharField(_("类别"), max_length=8, choices=Severity.choices)

    class Meta:
        ordering = ["submission_id", "row", "id"]
        verbose_name = _("报送问题")
        verbose_name_plural = _("报送问题")
        indexes = [models.Index(fields=["submission", "severity", "row"], name="problem_submission_row")]

    def __str__(self) -> str:
        return f"#{self.submission_id} row {self.row} {self.field}: {self.message}"
