"""Vocabularies of 双随机、一公开 inspections (C5): target types, plan and batch states,
task states, and the result categories SAMR publishes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetType(models.TextChoices):
    """What an inspection item inspects; each is a registry the target pool filters."""

    ENTERPRISE = "ENTERPRISE", _("企业")
    CERTIFIED_PRODUCT = "CERTIFIED_PRODUCT", _("获证产品")
    CERTIFICATION_BODY = "CERTIFICATION_BODY", _("认证机构")
    LAB = "LAB", _("检验检测机构")


class PlanStatus(models.TextChoices):
    DRAFT = "DRAFT", _("草拟")
    PUBLISHED = "PUBLISHED", _("已公告")


class BatchStatus(models.TextChoices):
    """A batch is announced with its commitment (pools frozen, sources named), then drawn."""

    DRAFT = "DRAFT", _("待公告")
    COMMITTED = "COMMITTED", _("已公告待抽取")
    DRAWN = "DRAWN", _("已抽取")


class TaskStatus(models.TextChoices):
    """谁检查、谁录入、谁公示: the assigned inspectors record, a reviewer approves (publishes) or returns."""

    ASSIGNED = "ASSIGNED", _("待录入")
    SUBMITTED = "SUBMITTED", _("待审核")
    RETURNED = "RETURNED", _("审核退回")
    PUBLISHED = "PUBLISHED", _("已公示")


TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.ASSIGNED: frozenset({TaskStatus.SUBMITTED}),
    TaskStatus.SUBMITTED: frozenset({TaskStatus.RETURNED, TaskStatus.PUBLISHED}),
    TaskStatus.RETURNED: frozenset({TaskStatus.SUBMITTED}),
    TaskStatus.PUBLISHED: frozenset(),
}


class ResultCategory(models.TextChoices):
    """The result categories SAMR publishes for 双随机 inspections."""

    NORMAL = "NORMAL", _("未发现问题")
    NOT_DISCLOSED = "NOT_DISCLOSED", _("未按规定公示应当公示的信息")
    UNREACHABLE = "UNREACHABLE", _("通过登记的住所（经营场所）无法联系")
    CORRECTED = "CORRECTED", _("发现问题已责令改正")
    PROBLEM = "PROBLEM", _("发现问题待后续处理")


# Categories that count as a problem found: they feed the organization's record and risk signals (C6).
ADVERSE_RESULTS = frozenset({ResultCategory.NOT_DISCLOSED, ResultCategory.UNREACHABLE, ResultCategory.CORRECTED,
                             ResultCategory.PROBLEM})  # fmt: skip


class FollowUp(models.TextChoices):
    """后续处置: what follows a result."""

    NONE = "NONE", _("无需后续处置")
    CORRECTION = "CORRECTION", _("责令限期改正")
    ABNORMAL_LIST = "ABNORMAL_LIST", _("列入经营异常名录")
    CASE_FILED = "CASE_FILED", _("立案查处")
    REFERRED = "REFERRED", _("移送有关部门")


class Algorithm(models.TextChoices):
    SHA256 = "sha256", _("SHA-256（默认）")
    RFC3797 = "rfc3797", _("RFC 3797（MD5）")
