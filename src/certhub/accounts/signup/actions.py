"""Enterprise sign-up and organization links as actions (C8 一网通办; docs/architecture.md convention 6).

A person signs up (role ENTERPRISE, no organization) and confirms their e-mail address by a signed link;
the account then asks to act for an organization by its credit code. The link is confirmed either by a
one-time code sent to the contact e-mail registered for that organization (never to an address the person
types), or by an officer of the organization's region. Until then the account acts for nobody.

Every change is an action with its audit row and ledger entry, and none of them holds personal data: the
audit rows keep the account's and the organization's numbers, states and the method — never the e-mail
address, the name or the code — and the ledger names the account and the request by their bare numbers
(no describer is registered for them: ledger.subjects). E-mails leave after the commit, with links built
from the site's own address (core.absolute_urls)."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from certhub.accounts.models import LinkMethod, LinkState, OrganizationLinkRequest, SignUp
from certhub.accounts.signup import queries
from certhub.core.absolute_urls import absolute_url
from certhub.core.actors import Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotFound, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.validation import USCC, validate_value
from certhub.registry.choices import RegistrationStatus
from certhub.registry.models import Organization

# The version of the terms of use a person accepts at sign-up (templates/accounts/signup/terms.html).
TERMS_VERSION = "2026-1"
# A self-chosen user name: letters, digits and . _ - (no @, so that nobody's e-mail address becomes the name
# every audit row of theirs carries).
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,29}")
CONFIRMATION_SALT = "certhub.accounts.signup.email-confirmation"
CODE_SALT = "certhub.accounts.signup.link-code"
CODE_DIGITS = 6


# ---------------------------------------------------------------- what the audit rows keep


def _account_state(user: User, confirmed: bool) -> dict[str, Any]:
    """An account in an audit row: its role, organization and state — no user name, e-mail or name."""
    return {
        "role": user.role,
        "organization": user.organization_id,
        "is_active": user.is_active,
        "email_confirmed": confirmed,
    }


def _link_state(link: OrganizationLinkRequest) -> dict[str, Any]:
    """A link request in an audit row: the account's and organization's numbers, the method and the state —
    never the code, its digest or the note."""
    return {
        "user": link.user_id,
        "organization": link.organization_id,
        "method": link.method,
        "state": link.state,
    }


# ---------------------------------------------------------------- e-mail confirmation


def _email_digest(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    """A signed, timed token naming the account and (by digest) the address it was sent to: changing the
    address voids it, and it does nothing once the address is confirmed."""
    return signing.dumps({"u": user.pk, "e": _email_digest(user.email)}, salt=CONFIRMATION_SALT, compress=True)


def confirmation_link(user: User) -> str:
    return absolute_url(reverse("accounts:signup_confirm", kwargs={"token": confirmation_token(user)}))


def account_for_token(token: str) -> User:
    """The account a confirmation token names; ValidationFailed({"token": …}) for an expired, forged or
    stale one."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=settings.CERTHUB_EMAIL_CONFIRMATION_TIMEOUT)
    except signing.SignatureExpired:
        raise ValidationFailed({"token": _("确认链接已过期，请重新注册或登录后重新发送确认邮件。")}) from None
    except signing.BadSignature:
        raise ValidationFailed({"token": _("确认链接无效，请使用邮件中的完整链接。")}) from None
    number = data.get("u") if isinstance(data, dict) else None
    user = User.objects.filter(pk=number).first() if isinstance(number, int) else None
    if user is None or not constant_time_compare(str(data.get("e")), _email_digest(user.email)):
        raise ValidationFailed({"token": _("确认链接无效，请使用邮件中的完整链接。")})
    return user


def _send_confirmation(user: User) -> None:
    with override("zh-hans"):
        subject = _("认证通：请确认你的电子邮箱")
        body = _(
            "你好：\n\n你在认证通注册了企业账号“%(username)s”。请打开下面的链接确认电子邮箱（%(days)d天内有效）：\n\n"
            "%(link)s\n\n确认后即可登录，并关联你所在的机构。如非本人操作，请忽略本邮件，账号不会启用。"
        ) % {
            "username": user.get_username(),
            "days": max(1, settings.CERTHUB_EMAIL_CONFIRMATION_TIMEOUT // 86400),
            "link": confirmation_link(user),
        }
    send_mail(subject, body, None, [user.email])


def _send_address_in_use(user: User) -> None:
    """The answer to a sign-up with an address that already has an account, sent to that address only (the
    page says the same as for a new account: C14, no account enumeration)."""
    if not queries.email_confirmed(user):
        _send_confirmation(user)
        return
    with override("zh-hans"):
        subject = _("认证通：有人用你的邮箱注册")
        body = _(
            "你好：\n\n有人用本邮箱在认证通注册账号，但本邮箱已有账号，未新建账号。\n\n"
            "如果是你本人并忘记了密码，请在这里重置：\n\n%(link)s\n\n如非本人操作，请忽略本邮件。"
        ) % {"link": absolute_url(reverse("accounts:password_reset"))}
    send_mail(subject, body, None, [user.email])


@action
def do_sign_up(
    *, username: str, name: str, email: str, password: str, accepted_terms: bool, actor: Actor
) -> User | None:
    """A person creates an enterprise account (C8): no organization yet, e-mail address to be confirmed.
    An address that already has an account creates nothing and tells that address instead; the caller
    answers both alike. Returns the new account, or None."""
    authorize(actor, Permission.SIGN_UP)
    errors: dict[str, list[str]] = {}
    username, name, email = username.strip(), name.strip(), email.strip()
    if not USERNAME.fullmatch(username):
        errors["username"] = [_("用户名为3到30个字母、数字或 . _ -，以字母或数字开头")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名“%(name)s”已被使用") % {"name": username}]
    if not name or len(name) > 150:
        errors["name"] = [_("姓名应为1到150个字符")]
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [_("请填写有效的电子邮件地址")]
    try:
        validate_password(password, user=User(username=username, first_name=name, email=email))
    except DjangoValidationError as problems:
        errors["password"] = list(problems.messages)
    if not accepted_terms:
        errors["accepted_terms"] = [_("须阅读并同意用户协议")]
    if errors:
        raise ValidationFailed(errors)
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        make_password(password)  # the same work as a new account, so that the answer takes as long
        transaction.on_commit(lambda: _send_address_in_use(existing))
        return None
    user = User(username=username, first_name=name, email=email, role=Role.ENTERPRISE)
    user.set_password(password)
    try:
        user.save()
    except IntegrityError:  # the same name taken a moment ago by another sign-up
        raise ValidationFailed({"username": [_("用户名“%(name)s”已被使用") % {"name": username}]}) from None
    SignUp(user=user, terms_version=TERMS_VERSION).save()
    # The account is the author of its own sign-up (the anonymous person was authorized above).
    record_audit(
        Actor.from_user(user), AuditEventType.ACCOUNT_SIGNED_UP, user, before=None, after=_account_state(user, False)
    )
    transaction.on_commit(lambda: _send_confirmation(user))
    return user


@action
def do_confirm_email(*, user: User, actor: Actor) -> User:
    """The account's e-mail address is proven (the confirmation link was opened): `actor` is the account
    itself, acting by the link it was sent."""
    authorize(actor, Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT)
    if actor.user_id != user.pk:
        raise ValidationFailed({"token": _("确认链接无效，请使用邮件中的完整链接。")})
    sign_up = SignUp.objects.select_for_update().filter(user=user).first()
    if sign_up is None or sign_up.email_confirmed_at is not None:
        raise Conflict(_("电子邮箱已确认，请直接登录。"))
    sign_up.email_confirmed_at = timezone.now()
    sign_up.save(update_fields=["email_confirmed_at"])
    record_audit(
        actor,
        AuditEventType.ACCOUNT_EMAIL_CONFIRMED,
        user,
        before=_account_state(user, False),
        after=_account_state(user, True),
    )
    return user


# ---------------------------------------------------------------- linking an organization


def code_digest(link_request_user_id: int, organization_id: int, code: str) -> str:
    """HMAC-SHA-256 of a code under the site's secret key, bound to the account and organization: a copy of
    the table does not give the codes back (a million six-digit codes are guessed in a moment, unkeyed)."""
    return salted_hmac(CODE_SALT, f"{link_request_user_id}:{organization_id}:{code}", algorithm="sha256").hexdigest()


def _own_account(actor: Actor) -> User:
    user = (
        User.objects.select_for_update(of=("self",))
        .filter(pk=actor.user_id or 0)
        .select_related("organization")
        .first()
    )
    if user is None:
        raise NotFound(_("没有这个账号。"))
    return user


def _refuse_linked(user: User, organization: Organization, field: str) -> None:
    if user.organization_id == organization.pk:
        raise ValidationFailed({field: [_("本账号已关联该机构")]})
    if user.organization is not None:
        raise ValidationFailed(
            {field: [_("本账号已关联机构“%(name)s”，须先解除关联") % {"name": user.organization.name}]}
        )


def _send_code(address: str, organization_name: str, username: str, code: str) -> None:
    minutes = settings.CERTHUB_LINK_CODE_TIMEOUT // 60
    with override("zh-hans"):
        subject = _("认证通：机构关联验证码")
        body = _(
            "你好：\n\n认证通账号“%(username)s”申请代表“%(organization)s”办理业务。"
            "本邮箱是该机构在登记库中登记的联系邮箱。\n\n验证码：%(code)s（%(minutes)d分钟内有效，只能使用一次）\n\n"
            "如果这是本单位人员的申请，请把验证码交给申请人；否则请勿告诉任何人，并可向所在地市场监督管理部门反映。"
        ) % {"username": username, "organization": organization_name, "code": code, "minutes": minutes}
    send_mail(subject, body, None, [address])


def _send_decision(user: User, link: OrganizationLinkRequest) -> None:
    with override("zh-hans"):
        if link.state == LinkState.LINKED:
            subject = _("认证通：机构关联申请已批准")
            body = _("你好：\n\n你的账号已关联“%(organization)s”，现在可以代表该机构在线办理业务：\n\n%(link)s") % {
                "organization": link.organization.name,
                "link": absolute_url(reverse("accounts:organization")),
            }
        else:
            subject = _("认证通：机构关联申请未获批准")
            body = _("你好：\n\n你关联“%(organization)s”的申请未获批准。理由：%(reason)s\n\n%(link)s") % {
                "organization": link.organization.name,
                "reason": link.reason,
                "link": absolute_url(reverse("accounts:organization")),
            }
    send_mail(subject, body, None, [user.email])


def _tell_officers(link_pk: int) -> None:
    """Tell the officers whose region covers the organization that a request awaits them (those with an
    e-mail address; the list page is where they decide)."""
    link = OrganizationLinkRequest.objects.select_related("organization").get(pk=link_pk)
    officers = User.objects.filter(role=Role.OFFICER, is_active=True).exclude(email="").select_related("region")
    to = [o.email for o in officers if Actor.from_user(o).covers_region(link.organization.region_id)]
    if not to:
        return
    with override("zh-hans"):
        subject = _("认证通：新的机构关联申请")
        body = _("你好：\n\n有企业账号申请代表“%(organization)s”办理业务，等待辖区监管人员审核：\n\n%(link)s") % {
            "organization": link.organization.name,
            "link": absolute_url(reverse("accounts:link_requests")),
        }
    send_mail(subject, body, None, to)


@action
def do_request_organization_link(*, uscc: str, method: str, note: str, actor: Actor) -> OrganizationLinkRequest:
    """The account asks to act for the organization with credit code `uscc`. By CODE: a one-time code goes
    to the organization's registered contact e-mail; an organization without one, or method OFFICER, puts
    the request before the officers of its region. A new request withdraws the account's open one."""
    authorize(actor, Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT)
    user = _own_account(actor)
    code = validate_value(USCC, uscc, field="uscc")
    if not queries.email_confirmed(user):
        raise Conflict(_("请先打开确认邮件中的链接，确认电子邮箱后再关联机构。"))
    if method not in LinkMethod.values:
        raise ValidationFailed(
            {"method": [_("确认方式应为%(methods)s之一") % {"methods": ", ".join(LinkMethod.values)}]}
        )
    note = note.strip()
    if len(note) > 500:
        raise ValidationFailed({"note": [_("最多%(max)d个字符") % {"max": 500}]})
    organization = Organization.objects.filter(uscc=code).first()
    if organization is None:
        raise ValidationFailed({"uscc": [_("登记库中没有统一社会信用代码为“%(uscc)s”的机构") % {"uscc": code}]})
    _refuse_linked(user, organization, "uscc")
    if organization.registration_status == RegistrationStatus.DEREGISTERED:
        raise ValidationFailed({"uscc": [_("该机构已注销，不能关联")]})
    now = timezone.now()
    limit = settings.CERTHUB_LINK_CODES_PER_DAY
    if queries.requests_since(user, now - datetime.timedelta(days=1)) >= limit:
        raise ValidationFailed(
            {
                "uscc": [
                    ngettext(
                        "24小时内最多申请%(count)d次，请明天再试", "24小时内最多申请%(count)d次，请明天再试", limit
                    )
                    % {"count": limit}
                ]
            }
        )
    for open_request in OrganizationLinkRequest.objects.select_for_update().filter(user=user, state=LinkState.PENDING):
        before = _link_state(open_request)
        open_request.state, open_request.decided_at = LinkState.WITHDRAWN, now
        open_request.save(update_fields=["state", "decided_at"])
        record_audit(
            actor,
            AuditEventType.ORGANIZATION_LINK_WITHDRAWN,
            open_request,
            before=before,
            after=_link_state(open_request),
        )
    by_code = method == LinkMethod.CODE and bool(organization.contact_email)
    link = OrganizationLinkRequest(
        user=user,
        organization=organization,
        method=LinkMethod.CODE if by_code else LinkMethod.OFFICER,
        note=note,
        created_at=now,
    )
    secret = ""
    if by_code:
        secret = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        link.code_digest = code_digest(user.pk, organization.pk, secret)
        link.code_expires_at = now + datetime.timedelta(seconds=settings.CERTHUB_LINK_CODE_TIMEOUT)
    link.save()
    record_audit(actor, AuditEventType.ORGANIZATION_LINK_REQUESTED, link, before=None, after=_link_state(link))
    if by_code:
        address, name, username = organization.contact_email, organization.name, user.get_username()
        transaction.on_commit(lambda: _send_code(address, name, username, secret))
    else:
        link_pk = link.pk
        transaction.on_commit(lambda: _tell_officers(link_pk))
    return link


def _own_open_request(actor: Actor, link_request: OrganizationLinkRequest) -> OrganizationLinkRequest:
    """The request, locked, when it is the actor's own and still open by code; else refused."""
    locked = (
        OrganizationLinkRequest.objects.select_for_update().filter(pk=link_request.pk, user_id=actor.user_id).first()
    )
    if locked is None:
        raise NotFound(_("没有这个关联申请。"))
    if locked.state != LinkState.PENDING or locked.method != LinkMethod.CODE:
        raise ValidationFailed({"code": [_("该申请已办结或不使用验证码，请重新申请")]})
    return locked


def _too_many() -> ValidationFailed:
    return ValidationFailed({"code": [_("验证码错误次数过多，请重新获取验证码")]})


@action
def do_count_link_code_attempt(*, link_request: OrganizationLinkRequest, actor: Actor) -> OrganizationLinkRequest:
    """Count one try of a code before it is checked, in a transaction of its own, so that a wrong code still
    counts (the check that follows is rolled back when it refuses). A counter, not a change of the link: no
    audit row."""
    authorize(actor, Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT)
    locked = _own_open_request(actor, link_request)
    if locked.attempts >= settings.CERTHUB_LINK_CODE_ATTEMPTS:
        raise _too_many()
    locked.attempts += 1
    locked.save(update_fields=["attempts"])
    return locked


@action
def do_confirm_organization_link(
    *, link_request: OrganizationLinkRequest, code: str, actor: Actor
) -> OrganizationLinkRequest:
    """The code sent to the organization's registered contact is right: the account now acts for it."""
    authorize(actor, Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT)
    locked = _own_open_request(actor, link_request)
    if locked.attempts > settings.CERTHUB_LINK_CODE_ATTEMPTS:
        raise _too_many()
    if queries.code_expired(locked):
        raise ValidationFailed({"code": [_("验证码已过期，请重新获取验证码")]})
    typed = code.strip()
    if not constant_time_compare(code_digest(locked.user_id, locked.organization_id, typed), locked.code_digest):
        left = settings.CERTHUB_LINK_CODE_ATTEMPTS - locked.attempts
        if left <= 0:
            raise _too_many()
        raise ValidationFailed(
            {
                "code": [
                    ngettext("验证码不正确，还可尝试%(left)d次", "验证码不正确，还可尝试%(left)d次", left)
                    % {"left": left}
                ]
            }
        )
    return _link(locked, AuditEventType.ORGANIZATION_LINK_CONFIRMED, actor, field="code")


def confirm_organization_link(
    *, link_request: OrganizationLinkRequest, code: str, actor: Actor
) -> OrganizationLinkRequest:
    """What every entry point calls: count the try, then check the code (two actions, so that the count
    stays when the check refuses)."""
    do_count_link_code_attempt(link_request=link_request, actor=actor)
    return do_confirm_organization_link(link_request=link_request, code=code, actor=actor)


@action_step
def _link(link: OrganizationLinkRequest, event: AuditEventType, actor: Actor, *, field: str) -> OrganizationLinkRequest:
    """Set the account's organization and close the request (inside the calling action)."""
    user = User.objects.select_for_update(of=("self",)).select_related("organization").get(pk=link.user_id)
    organization = Organization.objects.get(pk=link.organization_id)
    _refuse_linked(user, organization, field)
    before = _link_state(link)
    user.organization = organization
    user.save(update_fields=["organization"])
    link.state, link.decided_at = LinkState.LINKED, timezone.now()
    if actor.user_id != user.pk:
        link.decided_by_id, link.decided_by_label = actor.user_id, actor.label
    link.save(update_fields=["state", "decided_at", "decided_by", "decided_by_label"])
    record_audit(actor, event, link, before=before, after=_link_state(link))
    return link


@action
def do_approve_organization_link(*, link_request: OrganizationLinkRequest, actor: Actor) -> OrganizationLinkRequest:
    """An officer of the organization's region confirms the account acts for it (having checked with the
    organization, C8)."""
    authorize(actor, Permission.DECIDE_ORGANIZATION_LINKS, region_code=link_request.organization.region_id)
    locked = _decidable(link_request)
    link = _link(locked, AuditEventType.ORGANIZATION_LINK_APPROVED, actor, field="")
    user = link.user
    transaction.on_commit(lambda: _send_decision(user, link))
    return link


@action
def do_refuse_organization_link(
    *, link_request: OrganizationLinkRequest, reason: str, actor: Actor
) -> OrganizationLinkRequest:
    """An officer of the organization's region refuses the request, saying why (the applicant reads it)."""
    authorize(actor, Permission.DECIDE_ORGANIZATION_LINKS, region_code=link_request.organization.region_id)
    locked = _decidable(link_request)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("请写明驳回理由")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("最多%(max)d个字符") % {"max": 500}]})
    before = _link_state(locked)
    locked.state, locked.reason, locked.decided_at = LinkState.REFUSED, reason, timezone.now()
    locked.decided_by_id, locked.decided_by_label = actor.user_id, actor.label
    locked.save(update_fields=["state", "reason", "decided_at", "decided_by", "decided_by_label"])
    # The reason is the officer's words to the applicant (docs/architecture.md convention 10): kept on the
    # request, not in the audit row.
    record_audit(actor, AuditEventType.ORGANIZATION_LINK_REFUSED, locked, before=before, after=_link_state(locked))
    user = locked.user
    transaction.on_commit(lambda: _send_decision(user, locked))
    return locked


def _decidable(link_request: OrganizationLinkRequest) -> OrganizationLinkRequest:
    locked = (
        OrganizationLinkRequest.objects.select_for_update(of=("self",))
        .filter(pk=link_request.pk)
        .select_related("organization", "user")
        .first()
    )
    if locked is None or locked.state != LinkState.PENDING or locked.method != LinkMethod.OFFICER:
        raise Conflict(_("该申请已办结或已撤回"))
    return locked


@action
def do_unlink_organization(*, actor: Actor) -> User:
    """The account stops acting for its organization (the person left it, or linked the wrong one)."""
    authorize(actor, Permission.MANAGE_OWN_ENTERPRISE_ACCOUNT)
    user = _own_account(actor)
    if user.organization_id is None:
        raise Conflict(_("本账号没有关联机构"))
    before = _account_state(user, True)
    user.organization = None
    user.save(update_fields=["organization"])
    record_audit(actor, AuditEventType.ORGANIZATION_UNLINKED, user, before=before, after=_account_state(user, True))
    return user
