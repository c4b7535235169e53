"""The inspector pool (执法检查人员名录库, C5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.inspections.actions.common import region_of
from certhub.inspections.choices import TargetType
from certhub.inspections.models import Inspector

# The accounts an inspector in the pool may sign in with: an officer who also inspects, or an enforcement
# inspector who sees only their own tasks (C14 least privilege).
SIGN_IN_ROLES = (Role.OFFICER, Role.INSPECTOR)


@action
def do_create_inspector(
    *,
    code: str,
    name: str,
    department: str,
    region: str | Region,
    qualifications: Sequence[str],
    declared_conflicts: Sequence[str] = (),
    available: bool = True,
    person: Any = None,
    user: Any = None,
    username: str = "",
    actor: Actor,
) -> Inspector:
    """Enter an enforcement officer in the inspector pool (执法检查人员名录库). Their sign-in (`user`, or the
    `username` of an officer or enforcement-inspector account) is how they record results."""
    region = region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    for field, value in (("name", name), ("department", department)):
        if not value.strip():
            errors[field] = _("必填")
    try:
        code = clean_identifier(code, 32)  # the identifier grammar (core/identifiers.py)
    except ValueError as problem:
        errors["code"] = str(problem)
    bad = [q for q in qualifications if q not in TargetType.values]
    if bad or not qualifications:
        errors["qualifications"] = _("可检查对象类型应为%(types)s中的一个或多个") % {
            "types": ", ".join(TargetType.values)
        }
    if "code" not in errors and Inspector.objects.filter(code=code).exists():
        errors["code"] = _("执法证号“%(code)s”已在名录库中") % {"code": code}
    if username.strip():
        user = User.objects.filter(username=username.strip(), role__in=SIGN_IN_ROLES).first()
        if user is None:
            errors["username"] = _("没有用户名为“%(name)s”的监管人员或执法检查人员账号") % {"name": username.strip()}
    if user is not None and Inspector.objects.filter(user=user).exists():
        errors["username"] = _("账号“%(name)s”已对应名录库中的另一名检查人员") % {"name": user.get_username()}
    if errors:
        raise ValidationFailed(errors)
    inspector = Inspector(
        code=code.strip(),
        name=name.strip(),
        department=department.strip(),
        region=region,
        qualifications=sorted(set(qualifications)),
        available=available,
        declared_conflicts=sorted({c.strip().upper() for c in declared_conflicts if c.strip()}),
        person=person,
        user=user,
    )
    inspector.save()
    # The audit row keeps the code and posting, not the name (the ledger never names a person).
    record_audit(
        actor,
        AuditEventType.INSPECTOR_CREATED,
        inspector,
        before=None,
        after=snapshot(inspector, ["code", "department", "region", "qualifications", "available"]),
    )
    return inspector


@action
def do_link_inspector_user(*, inspector: Inspector, user: Any, actor: Actor) -> Inspector:
    """Give an inspector in the pool their sign-in (an officer or enforcement-inspector account without one),
    with which they see and record their own tasks (谁检查、谁录入)."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=inspector.region_id)
    if user.role not in SIGN_IN_ROLES:
        raise ValidationFailed({"inspector": _("只有监管人员或执法检查人员账号可以对应名录库中的检查人员")})
    if inspector.user_id is not None and inspector.user_id != user.pk:
        raise Conflict(_("检查人员%(code)s已有登录账号") % {"code": inspector.code}, field="inspector")
    if Inspector.objects.filter(user=user).exclude(pk=inspector.pk).exists():
        raise Conflict(
            _("账号“%(name)s”已对应名录库中的另一名检查人员") % {"name": user.get_username()}, field="inspector"
        )
    before = {"user": inspector.user_id}
    inspector.user = user
    inspector.save(update_fields=["user"])
    record_audit(actor, AuditEventType.INSPECTOR_LINKED, inspector, before=before, after={"user": user.pk})
    return inspector
