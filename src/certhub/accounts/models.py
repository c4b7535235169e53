"""The sign-in history (C14): who tried to sign in, from where, and what came of it; and enterprise sign-up
with the link between an account and the organization it acts for (C8).

The sign-in history is deliberately not the regulated audit log (core.AuditEvent) and never in the ledger:
sign-ins are personal data about officers and staff, not a public record of regulatory acts, so they are kept
apart, for the operator and the user themselves, and may be pruned under the operator's retention rule."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel


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


# ---------------------------------------------------------------- enterprise sign-up and organization links (C8)


class SignUp(RegulatedModel):
    """How a self-registered account came to be (C8 一网通办: an enterprise signs up online): the terms of use
    accepted and when its e-mail address was confirmed. Accounts an administrator created have none (their
    address was proven by the set-password link). Changed only by the actions of accounts.signup."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="sign_up"
    )
    terms_version = models.CharField(_("所接受的用户协议版本"), max_length=16)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    email_confirmed_at = models.DateTimeField(_("邮箱确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号注册")
        verbose_name_plural = _("账号注册")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LinkMethod(models.TextChoices):
    """How a link between an account and an organization is confirmed (C8)."""

    CODE = "CODE", _("验证码发送至机构登记的联系邮箱")
    OFFICER = "OFFICER", _("由机构所在地监管人员审核")


class LinkState(models.TextChoices):
    PENDING = "PENDING", _("待确认")
    LINKED = "LINKED", _("已关联")
    REFUSED = "REFUSED", _("已驳回")
    WITHDRAWN = "WITHDRAWN", _("已撤回")


class OrganizationLinkRequest(RegulatedModel):
    """An account asking to act for an organization (C8): confirmed by a one-time code sent to the contact
    e-mail registered for the credit code, or decided by an officer of the organization's region. The code
    is kept only as a keyed digest (HMAC-SHA-256 under the site's secret key), expires, allows a limited
    number of attempts and works once. Changed only by the actions of accounts.signup."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请账号"), on_delete=models.PROTECT, related_name="link_requests"
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="link_requests"
    )
    method = models.CharField(_("确认方式"), max_length=8, choices=LinkMethod.choices)
    state = models.CharField(_("状态"), max_length=12, choices=LinkState.choices, default=LinkState.PENDING)
    note = models.CharField(_("申请说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, db_index=True)
    code_digest = models.CharField(_("验证码摘要"), max_length=64, blank=True)
    code_expires_at = models.DateTimeField(_("验证码到期时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_label = models.CharField(_("审核人名称"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reason = models.CharField(_("驳回理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("机构关联申请")
        verbose_name_plural = _("机构关联申请")
        indexes = [models.Index(fields=["state", "method"], name="linkrequest_state_method")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="CODE") | ~models.Q(code_digest=""),
                name="linkrequest_code_has_digest",
                violation_error_message=_("验证码方式的申请必须有验证码摘要"),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="REFUSED") | ~models.Q(reason=""),
                name="linkrequest_refusal_has_reason",
                violation_error_message=_("驳回须写明理由"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_state_display()}"
