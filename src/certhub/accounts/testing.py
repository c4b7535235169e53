"""Test and demo helpers for sign-up and organization links (C8): an organization with a registered contact
e-mail and no account, as market registration leaves one, ready for a new enterprise account to link."""

from __future__ import annotations

from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.registry.models import Organization


@action
def do_register_contact_email(*, organization: Organization, email: str, actor: Actor) -> Organization:
    """Record the contact e-mail registered for `organization` (for test worlds and the demo, as the
    registration data would bring it)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    before = snapshot(organization, ["contact_email"])
    organization.contact_email = email
    organization.updated_at = timezone.now()
    organization.save(update_fields=["contact_email", "updated_at"])
    record_audit(
        actor,
        AuditEventType.ORGANIZATION_UPDATED,
        organization,
        before=before,
        after=snapshot(organization, ["contact_email"]),
    )
    return organization
