"""Reading submissions, scoped (C14): an organization sees its own; officers those of organizations in
their region and the organizations files filed for it; administrators all. Reporting timeliness per
certification body (C2: late reporting)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.exchange.models import Submission
from certhub.registry.models import Certificate, CertificationBody

LATE_AFTER_DAYS = 30  # reported more than 30 days after issue counts as late (shown, and explained, per body)


def submissions_visible_to(actor: Actor) -> QuerySet[Submission]:
    submissions = Submission.objects.select_related("organization", "region")
    if actor.role == Role.ADMINISTRATOR:
        return submissions
    if actor.role == Role.OFFICER and actor.region_prefix:
        # Organizations files are the region's they were filed for (province-wide ones: the province's).
        return submissions.filter(
            Q(organization__region__code__startswith=actor.region_prefix)
            | Q(organization__isnull=True, region__code__startswith=actor.region_prefix)
        )
    if actor.role in (Role.CERTIFICATION_BODY, Role.LAB) and actor.organization_id:
        return submissions.filter(organization_id=actor.organization_id)
    return submissions.none()


def access_submission(actor: Actor, pk: int) -> Submission:
    submission = submissions_visible_to(actor).filter(pk=pk).first()
    if submission is None:
        raise NotFound(f"没有第{pk}号报送，或无权查看")
    return submission


def reporting_timeliness(actor: Actor) -> list[dict[str, Any]]:
    """Per certification body the actor may see: certificates whose arrival was measured, the average
    lag in days, and how many arrived more than LATE_AFTER_DAYS after their issue date."""
    bodies = CertificationBody.objects.select_related("organization").order_by("approval_number")
    if actor.role == Role.OFFICER and actor.region_prefix:
        bodies = bodies.filter(organization__region__code__startswith=actor.region_prefix)
    elif actor.role != Role.ADMINISTRATOR:
        bodies = bodies.filter(organization_id=actor.organization_id or 0)
    names = {b.pk: b for b in bodies}
    figures = (
        Certificate.objects.filter(certification_body_id__in=list(names), reporting_lag_days__isnull=False)
        .values("certification_body_id")
        .annotate(
            measured=Count("id"),
            average=Avg("reporting_lag_days"),
            late=Count("id", filter=Q(reporting_lag_days__gt=LATE_AFTER_DAYS)),
        )
    )
    rows = []
    for figure in figures:
        body = names[figure["certification_body_id"]]
        measured = figure["measured"]
        rows.append(
            {
                "body": body,
                "measured": measured,
                "average_days": round(figure["average"] or 0, 1),
                "late": figure["late"],
                "late_share": round(100 * figure["late"] / measured, 1) if measured else 0.0,
            }
        )
    return sorted(rows, key=lambda r: (-r["late_share"], r["body"].approval_number))
