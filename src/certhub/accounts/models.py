"""The sign-in history (C14): who tried to sign in, from where, and what came of it.

Deliberately not the regulated audit log (core.AuditEvent) and never in the ledger: sign-ins are personal
data about officers and staff, not a public record of regulatory acts, so they are kept apart, for the
operator and the user themselves, and may be pruned under the operator's retention rule."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "SIGNED_IN", _("登录成功")
    SIGNED_OUT = "SIGNED_OUT", _("退出登录")
    IDLE_TIMEOUT = "IDLE_TIMEOUT", _("长时间未操作，自动退出")
    SESSION_EXPIRED = "SESSION_EXPIRED", _("登录已到期，自动退出")
    PASSWORD_FAILED = "PASSWORD_FAILED", _("密码错误")
    THROTTLED = "THROTTLED", _("尝试过于频繁，已拒绝")
    LOCKED_OUT = "LOCKED_OUT", _("失败次数过多，已锁定")
    SECOND_FACTOR_PASSED = "SECOND_FACTOR_PASSED", _("第二重验证通过")
    SECOND_FACTOR_FAILED = "SECOND_FACTOR_FAILED", _("第二重验证失败")
    ENROLLED = "ENROLLED", _("绑定第二重验证")
    RECOVERY_CODES_GENERATED = "RECOVERY_CODES_GENERATED", _("生成恢复码")
    SECOND_FACTOR_RESET = "SECOND_FACTOR_RESET", _("重置第二重验证")
    PASSWORD_CHANGED = "PASSWORD_CHANGED", _("修改密码")
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED", _("申请重置密码")
    PASSWORD_RESET = "PASSWORD_RESET", _("通过邮件重置密码")
    REAUTHENTICATED = "REAUTHENTICATED", _("再次验证身份")
    REAUTH_FAILED = "REAUTH_FAILED", _("再次验证身份失败")


class SignInEventQuerySet(models.QuerySet["SignInEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("sign-in events are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("sign-in events are append-only")


class SignInEvent(models.Model):
    """One row per attempt or change of how someone signs in. Append-only: rows are never changed or
    deleted by CertHub (pruning old rows is the operator's, by SQL, under their retention rule)."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=32, choices=SignInEventKind.choices)
    succeeded = models.BooleanField(_("结果"))
    username = models.CharField(_("所用用户名"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        indexes = [models.Index(fields=["user", "-time"], name="signin_user_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("sign-in events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("sign-in events are append-only")
