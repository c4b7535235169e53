"""Certification body actions: a body approved by CNCA and the schemes it may certify."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.registry.models import CertificationBody, Organization, Scheme
from certhub.registry.validation import require_text


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
    errors: dict[str, str] = {}
    name, error = require_text(name, 200)
    if error:
        errors["name"] = error
    approval_number, error = require_text(approval_number, 32)
    if error:
        errors["approval_number"] = error
    codes = sorted({c.strip().upper() for c in scheme_codes})
    schemes = list(Scheme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in schemes})
    if unknown:
        errors["schemes"] = _("未知的认证制度：%(c)s") % {"c": ", ".join(unknown)}
    if errors:
        raise ValidationFailed(errors)
    if CertificationBody.objects.filter(approval_number=approval_number).exists():
        raise Conflict(_("批准号%(n)s已登记") % {"n": approval_number}, field="approval_number")
    if CertificationBody.objects.filter(organization=organization).exists():
        raise Conflict(_("该机构已登记为认证机构"), field="organization")
    body = CertificationBody(
        organization=organization, name=name, approval_number=approval_number, accreditation=accreditation.strip()
    )
    body.save()
    body.schemes.set(schemes)
    record_audit(
        actor, AuditEventType.CERTIFICATION_BODY_CREATED, body, before=None, after={**snapshot(body), "schemes": codes}
    )
    return body
