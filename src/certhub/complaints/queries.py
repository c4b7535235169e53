"""Reads of complaints and tip-offs (C10): the officers' scoped list and due list, the fetcher, the public
tracking look-up by number and query code, and what other apps read — the substantiated complaints of an
organization or lab for its trace, the integrity archive and the risk detector."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certhub.complaints.choices import OPEN_STATES, ComplaintState
from certhub.complaints.models import Complaint, ComplaintEvent
from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.core.permissions import within_scope
from certhub.registry.queries import within_region

LEGAL_BASIS = "市场监督管理投诉举报处理暂行办法；市场监督管理行政处罚程序规定 第十八条"


# A hash to compare against when the number does not exist, so that a wrong number costs the same time as a
# wrong code and the answer tells nothing about which it was.
@cache
def _no_such_code() -> str:
    return make_password(secrets.token_hex(8))


def complaints_visible_to(actor: Actor) -> QuerySet[Complaint]:
    """Officers see the complaints their region handles, administrators all; nobody else sees any here (the
    complainant follows one with its query code)."""
    queryset = Complaint.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return queryset
    if actor.role == Role.OFFICER:
        return queryset.filter(within_region("region_code", actor.region_prefix))
    return queryset.none()


def access_complaint(actor: Actor, number: str) -> Complaint:
    """One complaint within the actor's scope; NotFound alike for a missing one and one outside it."""
    complaint = (
        complaints_visible_to(actor)
        .select_related("organization", "lab", "certification_body", "certificate")
        .filter(number=number)
        .first()
    )
    return within_scope(complaint, lambda c: True, _("没有编号为“%(number)s”的投诉举报") % {"number": number[:40]})


def due_complaints(actor: Actor) -> QuerySet[Complaint]:
    """The open complaints of the actor's region by their running period's last day."""
    return (
        complaints_visible_to(actor)
        .filter(due_on__isnull=False, state__in=OPEN_STATES)
        .select_related("organization")
        .order_by("due_on", "id")
    )


def tracked_complaint(number: str, code: str) -> Complaint | None:
    """The complaint when `number` and its query code `code` belong together; None otherwise, whichever of
    the two was wrong."""
    # A NUL character matches nothing (and PostgreSQL cannot compare it).
    wanted = number.strip().upper() if number and "\x00" not in number else ""
    complaint = Complaint.objects.filter(number=wanted).first() if wanted else None
    matches = check_password(
        code.replace("\x00", "").strip().upper(), complaint.query_code_hash if complaint else _no_such_code()
    )
    return complaint if complaint is not None and matches else None


def public_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.filter(public=True).order_by("at", "id")


def officers_covering(region_code: str) -> list[User]:
    """The active officers whose region contains `region_code` (who are reminded of its complaints)."""
    officers = User.objects.filter(role=Role.OFFICER, is_active=True).select_related("region")
    return [u for u in officers if Actor.from_user(u).covers_region(region_code)]


def _substantiated(condition: Q) -> QuerySet[Complaint]:
    return Complaint.objects.filter(condition, state=ComplaintState.SUBSTANTIATED).order_by("-concluded_on", "-id")


def substantiated_of_organization(organization_id: int) -> list[dict[str, Any]]:
    """The substantiated complaints about an organization (its own, or as the lab or body it is), for its
    trace: the date, the kind and the outcome as the department worded it; nothing about the complainant."""
    return [
        {
            "kind": complaint.kind,
            "kind_label": str(complaint.get_kind_display()),
            "received_on": complaint.received_on,
            "concluded_on": complaint.concluded_on,
            "outcome": complaint.state,
            "outcome_label": str(complaint.get_state_display()),
            "outcome_note": complaint.outcome_note,
        }
        for complaint in _substantiated(Q(organization_id=organization_id))[:50]
    ]


def substantiated_for_archive(organization_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Archive entries (C9 integrity archive) for the substantiated complaints about these organizations:
    kind, date, legal basis, source record, the subject and the outcome; nothing about the complainant."""
    ids = list(organization_ids)
    if not ids:
        return []
    return [
        {
            "kind": "complaint",
            "date": complaint.concluded_on,
            "organization_id": complaint.organization_id,
            "lab_id": complaint.lab_id,
            "certification_body_id": complaint.certification_body_id,
            "legal_basis": LEGAL_BASIS,
            "source": f"complaints.Complaint:{complaint.pk}",
            "title": _("%(kind)s查证属实") % {"kind": complaint.get_kind_display()},
            "text": complaint.outcome_note,
        }
        for complaint in _substantiated(Q(organization_id__in=ids))
    ]


def filed_since(address_digest: str, since: datetime.datetime) -> int:
    return Complaint.objects.filter(address_digest=address_digest, received_at__gte=since).count()
