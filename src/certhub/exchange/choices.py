"""Submission vocabularies (C2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    """What a submission carries; each has its own field set (exchange.fields)."""

    CERTIFICATES = "certificates", _("证书")
    STATUS = "status", _("证书状态变更")
    REPORTS = "reports", _("检验检测报告")
    # Market registration's organizations, filed by officers (C1)
    ORGANIZATIONS = "organizations", _("机构登记信息")


class SubmissionMode(models.TextChoices):
    """The submitter's choice: apply nothing unless every row is valid (the default), or apply the valid rows."""

    ALL_OR_NOTHING = "all", _("全部有效才生效")
    VALID_ROWS = "valid", _("仅有效行生效")


class SubmissionState(models.TextChoices):
    RECEIVED = "received", _("已接收")
    APPLYING = "applying", _("正在写入")
    APPLIED = "applied", _("已全部生效")
    PARTIAL = "partial", _("部分生效")
    REJECTED = "rejected", _("已退回，未生效")


class SubmissionChannel(models.TextChoices):
    UPLOAD = "upload", _("网页上传")
    API = "api", _("接口")
    COMMAND = "command", _("运维导入")


class SubmissionFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", "JSON Lines"
    JSON = "json", "JSON"


class Severity(models.TextChoices):
    ERROR = "error", _("错误")
    NOTE = "note", _("已规范化")


class RowOutcome(models.TextChoices):
    CREATED = "created", _("新增")
    UPDATED = "updated", _("更新")
    UNCHANGED = "unchanged", _("无变化")
    REJECTED = "rejected", _("退回")
