"""Read helpers for the portal's own pages: where a signed-in user lands."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.registry.models import Lab, Organization


def own_organization_landing(actor: Actor) -> str | None:
    """Where an enterprise's or a lab's user belongs after signing in: its certificates, or its lab page; an
    enterprise account not yet linked to an organization, the page that links it."""
    if actor.role == Role.ENTERPRISE and actor.organization_id is None:
        return reverse("accounts:organization")  # C8: an account acts for nobody until it is linked
    if actor.organization_id is None:
        return None
    if actor.role == Role.LAB:
        lab = Lab.objects.filter(organization_id=actor.organization_id).first()
        return reverse("registry:lab", args=[lab.cma_number]) if lab else None
    if actor.role == Role.ENTERPRISE:
        uscc = Organization.objects.filter(pk=actor.organization_id).values_list("uscc", flat=True).first()
        return f"{reverse('portal:search')}?{urlencode({'q': uscc})}" if uscc else None
    return None
