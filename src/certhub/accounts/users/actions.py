"""User administration as actions (C14): creating a user, changing their role, region and department,
deactivating and reactivating them, and resetting their second factors — each with its permission check,
audit row and ledger entry (docs/architecture.md convention 6).

Administrators administer everyone; officers the users of their region, only with the roles they may grant
(never an administrator) and never beyond their region. Nobody changes their own account here (a person
cannot widen their own scope). The audit rows hold the username, role, region, department, organization and
state — never the e-mail address or the password hash — and the public ledger entry only their salted digests
under the user's bare number (docs/architecture.md invariant 3)."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from certhub.accounts.signin.devices import remove_second_factors
from certhub.accounts.users.queries import ORGANIZATION_ROLES, REGION_ROLES, grantable_roles, user_scope
from certhub.core.absolute_urls import absolute_url
from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.inspections.actions import do_link_inspector_user
from certhub.inspections.models import Inspector
from certhub.registry.models import Organization

# What the audit row keeps of a user: never the e-mail address, the name or the password hash.
USER_FIELDS = ["username", "role", "region", "department", "organization", "is_active"]


def _placed(actor: Actor, scope: str | None) -> str | None:
    """`scope`, for authorize(): a user bound to no region or organization is an administrator's alone
    (the officers' rule would read a missing region as "not about one record")."""
    if scope is None and actor.role != Role.ADMINISTRATOR:
        raise NotPermitted(_("%(actor)s 无权管理不属于任何辖区或机构的用户") % {"actor": actor.label})
    return scope


def _scope_of(role: str, region: str | None, organization: Organization | None) -> str | None:
    """Where a user of `role` will belong (what the officer's region must cover): the region for officers and
    inspectors, the organization's region for its users, else the region given, if any."""
    if role in ORGANIZATION_ROLES and organization is not None:
        return str(organization.region_id)
    return region or None


def _authorize_role(actor: Actor, role: str) -> None:
    if role in Role.values and role not in grantable_roles(actor):
        raise NotPermitted(_("%(actor)s 不能授予“%(role)s”角色") % {"actor": actor.label, "role": Role(role).label})


def _refuse_self(actor: Actor, user: User) -> None:
    if actor.user_id is not None and actor.user_id == user.pk:
        raise NotPermitted(_("不能在这里更改自己的账号，请由其他管理人员办理"))


def _checked_assignment(
    role: str, region: str | None, organization: Organization | None, department: str, errors: dict[str, str]
) -> tuple[Region | None, Organization | None]:
    """The region and organization a user of `role` gets: a region for officers and inspectors, an
    organization for bodies, labs and enterprises, neither for the rest."""
    if role not in Role.values:
        errors["role"] = _("角色应为%(roles)s之一") % {"roles": ", ".join(Role.values)}
    found = Region.objects.filter(code=region).first() if region else None
    if region and found is None:
        errors["region"] = _("没有地区代码为%(code)s的行政区划。") % {"code": region[:20]}
    if role in REGION_ROLES and not region:
        errors["region"] = _("监管人员和执法检查人员必须指定辖区")
    if role in ORGANIZATION_ROLES and organization is None:
        errors["organization"] = _("认证机构、检验检测机构和企业的用户必须指定所属机构")
    if len(department) > 64:
        errors["department"] = _("最多%(max)d个字符") % {"max": 64}
    return (found if role in REGION_ROLES else None), (organization if role in ORGANIZATION_ROLES else None)


def set_password_link(user: User) -> str:
    """The one-time link with which a new user sets their own password (Django's password reset token: it
    stops working once the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "accounts:users_set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)


def _send_welcome(user: User) -> None:
    with override("zh-hans"):
        subject = _("认证通账号已开通")
        body = _(
            "%(name)s，你好：\n\n你的认证通账号“%(username)s”已开通。请打开下面的链接设置密码（链接只能使用一次）：\n\n"
            "%(link)s\n\n设置密码后首次登录时，请按提示绑定第二因素。如非本人申请，请忽略本邮件。"
        ) % {"name": user.first_name, "username": user.get_username(), "link": set_password_link(user)}
    send_mail(subject, body, None, [user.email])


@action
def do_create_user(
    *,
    username: str,
    name: str,
    email: str,
    role: str,
    region: str | None,
    department: str,
    organization: Organization | None,
    inspector: Inspector | None = None,
    actor: Actor,
) -> User:
    """Create a user with no password: once committed they get a one-time link by e-mail to set their own
    (the administrator never types or sees it). An officer or inspector account may be linked at once to its
    entry in the inspector pool, with which they see and record their own tasks."""
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, _scope_of(role, region, organization)))
    _authorize_role(actor, role)
    errors: dict[str, str] = {}
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError:
        errors["username"] = _("用户名只能包含字母、数字和@.+-_")
    if not username or len(username) > 150:
        errors["username"] = _("用户名应为1到150个字符")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名“%(name)s”已被使用") % {"name": username}
    if not name.strip() or len(name.strip()) > 150:
        errors["name"] = _("姓名应为1到150个字符")
    try:
        validate_email(email.strip())
    except DjangoValidationError:
        errors["email"] = _("请填写有效的电子邮件地址")
    region_row, organization_row = _checked_assignment(role, region, organization, department.strip(), errors)
    if inspector is not None and role not in REGION_ROLES:
        errors["inspector"] = _("只有监管人员或执法检查人员账号可以对应名录库中的检查人员")
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        first_name=name.strip(),
        email=email.strip(),
        role=role,
        region=region_row,
        organization=organization_row,
        department=department.strip(),
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    user.set_unusable_password()
    user.save()
    record_audit(actor, AuditEventType.USER_CREATED, user, before=None, after=snapshot(user, USER_FIELDS))
    if inspector is not None:
        do_link_inspector_user(inspector=inspector, user=user, actor=actor)
    # C14: the set-password link leaves only once the account exists (docs/architecture.md, the flow).
    transaction.on_commit(lambda: _send_welcome(user))
    return user


@action
def do_change_user(
    *, user: User, role: str, region: str | None, department: str, organization: Organization | None, actor: Actor
) -> User:
    """Change a user's role, region, department or organization. The actor must administer the user where
    they are and where they would be, and may give the role."""
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, user_scope(user)))
    _refuse_self(actor, user)
    _authorize_role(actor, user.role)
    _authorize_role(actor, role)
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, _scope_of(role, region, organization)))
    errors: dict[str, str] = {}
    region_row, organization_row = _checked_assignment(role, region, organization, department.strip(), errors)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(user, USER_FIELDS)
    user.role, user.region, user.organization = role, region_row, organization_row
    user.department = department.strip()
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
    after = snapshot(user, USER_FIELDS)
    if after == before:
        raise Conflict(_("没有需要保存的更改"))
    user.save(update_fields=["role", "region", "organization", "department", "is_staff", "is_superuser"])
    record_audit(actor, AuditEventType.USER_CHANGED, user, before=before, after=after)
    return user


@action_step
def _set_active(user: User, active: bool, event: AuditEventType, reason: str, actor: Actor) -> User:
    """Deactivate or reactivate `user` for the action calling (which has authorized it)."""
    if user.is_active == active:
        raise Conflict(_("该用户已是启用状态") if active else _("该用户已停用"))
    if not reason.strip():
        raise ValidationFailed({"reason": _("请写明理由")})
    before = snapshot(user, USER_FIELDS)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_audit(actor, event, user, before=before, after=snapshot(user, USER_FIELDS), reason=reason.strip())
    return user


@action
def do_deactivate_user(*, user: User, reason: str, actor: Actor) -> User:
    """Stop a user signing in (they leave, or their account is suspected); their sessions end with it, since
    an inactive user is no longer authenticated on their next request."""
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, user_scope(user)))
    _refuse_self(actor, user)
    _authorize_role(actor, user.role)
    return _set_active(user, False, AuditEventType.USER_DEACTIVATED, reason, actor)


@action
def do_reactivate_user(*, user: User, reason: str, actor: Actor) -> User:
    """Let a deactivated user sign in again."""
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, user_scope(user)))
    _refuse_self(actor, user)
    _authorize_role(actor, user.role)
    return _set_active(user, True, AuditEventType.USER_REACTIVATED, reason, actor)


@action
def do_reset_second_factors(*, user: User, reason: str, actor: Actor) -> dict[str, int]:
    """Delete every second factor of a user (authenticator apps, recovery codes, passkeys): a lost phone or
    key. They must enrol again at their next sign-in. Returns how many of each were deleted."""
    authorize(actor, Permission.MANAGE_USERS, region_code=_placed(actor, user_scope(user)))
    _refuse_self(actor, user)
    _authorize_role(actor, user.role)
    if not reason.strip():
        raise ValidationFailed({"reason": _("请写明理由")})
    removed = remove_second_factors(user, by=actor.label)
    if not any(removed.values()):
        raise Conflict(_("该用户没有已绑定的第二因素"))
    record_audit(
        actor, AuditEventType.USER_SECOND_FACTORS_RESET, user, before=removed, after=None, reason=reason.strip()
    )
    return removed
