"""Framework models: regions, users, the audit log and API keys."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.choices import AuditEventType, RegionLevel, Role
from certhub.core.regulated import RegulatedModel


class Region(RegulatedModel):
    """An administrative division, GB/T 2260 (C1). Loaded from a data file; one province per install."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    level = models.CharField(_("级别"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and everything under it (430000→43, 430100→4301)."""
        return region_prefix(self.code, self.level)


def region_prefix(code: str, level: str) -> str:
    if level == RegionLevel.PROVINCE:
        return code[:2]
    if level == RegionLevel.PREFECTURE:
        return code[:4]
    return code


class User(AbstractUser):
    """A person who signs in. Role, region and department decide what they may see and change (C14)."""

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.PUBLIC)
    region = models.ForeignKey(
        Region, verbose_name=_("辖区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("部门"), max_length=64, blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="OFFICER") | models.Q(region__isnull=False),
                name="officer_has_region",
                violation_error_message=_("监管人员必须指定辖区"),
            ),
        ]


class AuditEvent(RegulatedModel):
    """One row per regulated change, append-only (docs/architecture.md conventions 8, 9). Names are copied,
    never cascaded.
    Written only inside actions; on PostgreSQL a trigger also refuses UPDATE and DELETE."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    event_type = models.CharField(_("事件"), max_length=48, choices=AuditEventType.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人名称"), max_length=200)
    actor_role = models.CharField(_("操作人角色"), max_length=24, choices=Role.choices)
    subject_type = models.CharField(_("对象类型"), max_length=64)
    subject_id = models.CharField(_("对象标识"), max_length=128)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject")]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.subject_type}:{self.subject_id}"


# Requests per minute a key may make unless it was issued with its own limit (C2: departments' and
# buyers' systems reuse the registry; one client must not crowd out the others).
DEFAULT_API_KEY_RATE_LIMIT = 600
MAX_API_KEY_RATE_LIMIT = 1_000_000


class ApiKey(RegulatedModel):
    """A per-organization API key. Only its SHA-256 digest is stored; the secret is shown once.
    Every API request made with it counts against its own limit per minute (core.ratelimit)."""

    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    digest = models.CharField(_("摘要"), max_length=64)
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    rate_limit = models.PositiveIntegerField(_("每分钟请求上限"), default=DEFAULT_API_KEY_RATE_LIMIT)
    # What the key may do (core.choices.ApiScope values); every writing endpoint names the one it needs.
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    # Past this moment the key is refused with 401 naming the moment (C14: no key lives for ever).
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # Set when the key was rotated: the key issued to replace it.
    replaced_by = models.OneToOneField(
        "self", verbose_name=_("继任密钥"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit__gte=1, rate_limit__lte=MAX_API_KEY_RATE_LIMIT),
                name="apikey_rate_limit_range",
                violation_error_message=_("每分钟请求上限应在1到1000000之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class ApiRateCounter(models.Model):
    """Requests counted per caller (an API key or an anonymous client address) in fixed one-minute
    windows, in the database so that every server process counts together (core.ratelimit). Counters,
    not records: written by one atomic upsert per request and pruned as windows pass; on PostgreSQL
    the table is UNLOGGED (a crash only forgets the current minute)."""

    bucket = models.CharField(_("计数对象"), max_length=80)
    window_start = models.BigIntegerField(_("窗口起点（Unix秒）"))
    hits = models.PositiveIntegerField(_("请求次数"), default=0)

    class Meta:
        verbose_name = _("接口请求计数")
        verbose_name_plural = _("接口请求计数")
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "window_start"],
                name="apiratecounter_bucket_window",
                violation_error_message=_("同一计数窗口只能有一行"),
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="apiratecounter_window")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start}: {self.hits}"
