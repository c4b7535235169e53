"""Reads of licensing, scoped to the actor (docs/architecture.md invariant 4, convention 11): applicants see
their own organization's applications; officers those of their region, and the cases whose opinion their
department was asked for; administrators everything. The officers' due list reads only each case's kept
next deadline, through one index (C8: 100,000 open cases answer in milliseconds)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.core.permissions import within_scope
from certhub.licensing.choices import ApplicationState, CheckOutcome, LicenceType, Step
from certhub.licensing.models import Application, Licence, OnSiteReview, OpinionRequest, PostApprovalCheck
from certhub.licensing.permissions import APPLICANT_ROLES
from certhub.registry.models import Organization

DUE_LIST_LIMIT = 200


def applications_visible_to(actor: Actor) -> QuerySet[Application]:
    """The applications `actor` may see."""
    applications = Application.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return applications
    if actor.role == Role.OFFICER:
        prefix = actor.region_prefix
        scope = Q(region_code__startswith=prefix) if prefix else Q(pk__in=[])
        if actor.department:
            scope |= Q(pk__in=OpinionRequest.objects.filter(department=actor.department).values("application_id"))
        return applications.filter(scope)
    if actor.role in APPLICANT_ROLES and actor.organization_id is not None:
        return applications.filter(applicant_id=actor.organization_id)
    return applications.none()


def access_application(actor: Actor, number: str) -> Application:
    """One application by its number, or NotFound alike when missing or outside the actor's scope."""
    found = (
        applications_visible_to(actor)
        .select_related("applicant", "lab", "licence", "assigned_to")
        .filter(number=number)
        .first()
    )
    return within_scope(found, lambda a: True, _("没有编号为%(number)s的申请") % {"number": number})


def licences_visible_to(actor: Actor) -> QuerySet[Licence]:
    licences = Licence.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return licences
    if actor.role == Role.OFFICER:
        prefix = actor.region_prefix
        return licences.filter(region_code__startswith=prefix) if prefix else licences.none()
    if actor.role in APPLICANT_ROLES and actor.organization_id is not None:
        return licences.filter(holder_id=actor.organization_id)
    return licences.none()


def access_licence(actor: Actor, number: str) -> Licence:
    found = licences_visible_to(actor).select_related("holder", "lab").filter(number=number).first()
    return within_scope(found, lambda licence: True, _("没有编号为%(number)s的许可证") % {"number": number})


def opinions_awaited_from(actor: Actor) -> QuerySet[OpinionRequest]:
    """The open opinion requests addressed to the actor's department."""
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR) or not actor.department:
        return OpinionRequest.objects.none()
    return (
        OpinionRequest.objects.filter(department=actor.department, answered_on__isnull=True)
        .select_related("application", "application__applicant")
        .order_by("due_on", "id")
    )


def post_checks_visible_to(actor: Actor) -> QuerySet[PostApprovalCheck]:
    return PostApprovalCheck.objects.filter(licence__in=licences_visible_to(actor)).select_related("licence")


@dataclass(frozen=True)
class DueItem:
    """One open case on the officers' due list: its next step and the day it is due."""

    number: str
    applicant_name: str
    licence_type: str
    kind: str
    state: str
    step: str
    due_on: datetime.date
    provisional: bool
    overdue: bool
    days_overdue: int
    assigned_to: str

    @property
    def step_label(self) -> str:
        return str(Step(self.step).label)

    @property
    def state_label(self) -> str:
        return str(ApplicationState(self.state).label)


def due_and_overdue(actor: Actor, today: datetime.date, *, limit: int = DUE_LIST_LIMIT) -> list[DueItem]:
    """Each case with a running deadline, earliest first — so the overdue come first — at most `limit`.
    Reads the kept `next_due_on` of each case (licensing.clocks.refresh_due), never the clocks."""
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR):
        return []
    # The cases first, in deadline order straight from the index, then the names of their applicants and
    # assignees: joined in one statement, SQLite's planner would start from the organizations and sort.
    rows = list(
        applications_visible_to(actor)
        .filter(next_due_on__isnull=False)
        .order_by("next_due_on", "id")
        .values_list(
            "number",
            "applicant_id",
            "licence_type",
            "kind",
            "state",
            "next_due_step",
            "next_due_on",
            "next_due_provisional",
            "assigned_to_id",
        )[:limit]
    )
    names = dict(Organization.objects.filter(pk__in={row[1] for row in rows}).values_list("id", "name"))
    assignees = {row[8] for row in rows if row[8] is not None}
    usernames = dict(User.objects.filter(pk__in=assignees).values_list("id", "username")) if assignees else {}
    items = []
    for number, applicant_id, licence_type, kind, state, step, due_on, provisional, assignee in rows:
        day = cast(datetime.date, due_on)  # never None: filtered above
        items.append(
            DueItem(
                number=number,
                applicant_name=names.get(applicant_id, ""),
                licence_type=licence_type,
                kind=kind,
                state=state,
                step=step,
                due_on=day,
                provisional=provisional,
                overdue=day < today,
                days_overdue=max((today - day).days, 0),
                assigned_to=usernames.get(assignee, ""),
            )
        )
    return items


def awaited(application: Application) -> list[str]:
    """What the case waits for, in words the applicant reads: the authority's step, the documents asked,
    the departments not yet answered, the rectification."""
    waiting: list[str] = []
    for request in application.material_requests.filter(answered_on__isnull=True):
        waiting.append(
            _("申请人补充材料（%(items)s），期限%(due)s") % {"items": request.items, "due": request.due_on.isoformat()}
        )
    for opinion in application.opinion_requests.filter(answered_on__isnull=True):
        waiting.append(
            _("%(department)s的意见，期限%(due)s")
            % {"department": opinion.department, "due": opinion.due_on.isoformat()}
        )
    review = OnSiteReview.objects.filter(application=application).first()
    if application.state == ApplicationState.RECTIFICATION and review is not None and review.rectification_due_on:
        waiting.append(_("申请人整改，期限%(due)s") % {"due": review.rectification_due_on.isoformat()})
    if not waiting and application.next_due_on is not None:
        waiting.append(
            _("%(step)s，期限%(due)s")
            % {"step": Step(application.next_due_step).label, "due": application.next_due_on.isoformat()}
        )
    return waiting


@dataclass(frozen=True)
class CommitmentRow:
    """One 告知承诺 an organization signed, for its integrity archive (C9: public commitments): when it was
    signed, what it said, the application it was signed on, and what the check after the grant found
    (`outcome` empty while the check is not done, or when the application was not granted)."""

    organization_id: int
    signed_on: datetime.date
    text: str
    application_number: str
    decision_number: str
    licence_type: str
    licence_number: str
    outcome: str
    checked_on: datetime.date | None

    @property
    def licence_type_label(self) -> str:
        return str(LicenceType(self.licence_type).label)

    @property
    def outcome_label(self) -> str:
        return str(CheckOutcome(self.outcome).label) if self.outcome else _("待核查")


def commitments_of(organization_ids: Iterable[int]) -> list[CommitmentRow]:
    """Every 告知承诺 signed by these organizations, oldest first (by signing time, then application), with
    the outcome of its post-approval check. Not scoped to an actor: the integrity archive decides what is
    public (a signed commitment is a public one, 告知承诺实施办法). Two statements whatever the count."""
    ids = list(organization_ids)
    if not ids:
        return []
    applications = list(
        Application.objects.filter(applicant_id__in=ids, commitment_signed_at__isnull=False)
        .order_by("commitment_signed_at", "id")
        .values_list(
            "id", "applicant_id", "commitment_signed_at", "commitment_text", "number", "decision_number", "licence_type"
        )
    )
    checks: dict[int, tuple[str, str, datetime.date | None]] = {
        application_id: (licence_number, outcome, done_on)
        for application_id, licence_number, outcome, done_on in PostApprovalCheck.objects.filter(
            application_id__in=[row[0] for row in applications]
        )
        .order_by("id")
        .values_list("application_id", "licence__number", "outcome", "done_on")
    }
    rows = []
    for application_id, organization_id, signed_at, text, number, decision_number, licence_type in applications:
        licence_number, outcome, done_on = checks.get(application_id, ("", "", None))
        rows.append(
            CommitmentRow(
                organization_id=organization_id,
                signed_on=timezone.localdate(signed_at),
                text=text,
                application_number=number,
                decision_number=decision_number,
                licence_type=licence_type,
                licence_number=licence_number,
                outcome=outcome,
                checked_on=done_on,
            )
        )
    return rows
