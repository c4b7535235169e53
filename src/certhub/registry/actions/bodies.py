"""Certification body actions: a body approved by CNCA and the schemes it may certify."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Identifier, Input, Text, collect
from certhub.registry import numbering
from certhub.registry.models import CertificationBody, Organization, Scheme


class BodyInput(Input):
    name: Annotated[str, Text(200)]
    approval_number: Annotated[str, Identifier(32)]


@action
def do_create_certification_body(
    *,
    organization: Organization,
    name: str,
    approval_number: str,
    accreditation: str = "",
    scheme_codes: Iterable[str] = (),
    actor: Actor,
) -> CertificationBody:
    """Register a certification body approved by CNCA, and the schemes it may certify."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors: dict[str, list[str]] = {}
    checked = collect(BodyInput, {"name": name, "approval_number": approval_number}, errors)
    codes = sorted({c.strip().upper() for c in scheme_codes})
    schemes = list(Scheme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in schemes})
    if unknown:
        errors["schemes"] = [_("未知的认证制度：%(unknown)s") % {"unknown": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    name, approval_number = checked.name, checked.approval_number
    if CertificationBody.objects.filter(approval_number=approval_number).exists():
        raise Conflict(
            _("批准号%(approval_number)s已登记") % {"approval_number": approval_number}, field="approval_number"
        )
    if CertificationBody.objects.filter(organization=organization).exists():
        raise Conflict(_("该机构已登记为认证机构"), field="organization")
    code = numbering.body_code(approval_number)
    # The code its certificate numbers begin with names one body only (registry/numbering.py).
    bodies = CertificationBody.objects.only("name", "approval_number") if code else []
    same_code = [b for b in bodies if numbering.body_code(b.approval_number) == code]
    if same_code:
        other = same_code[0]
        raise Conflict(
            _("批准号%(approval_number)s的机构代码%(code)s已由认证机构“%(name)s”（%(other)s）使用")
            % {"approval_number": approval_number, "code": code, "name": other.name, "other": other.approval_number},
            field="approval_number",
        )
    body = CertificationBody(
        organization=organization, name=name, approval_number=approval_number, accreditation=accreditation.strip()
    )
    body.save()
    body.schemes.set(schemes)
    record_audit(
        actor, AuditEventType.CERTIFICATION_BODY_CREATED, body, before=None, after={**snapshot(body), "schemes": codes}
    )
    return body
