"""Licensing endpoints of API v1 (C8, 一网通办): an applicant files and follows its own applications with its
organization's API key (scope `licensing`) or its session; officers read their due list and take each
step of a case with their session. Parse, call the query or the action, answer (docs/architecture.md
convention 7); errors in the one shape of the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from certhub.core.actors import Actor
from certhub.core.api_auth import presented_key, request_actor, require_scope, signed_in_writer
from certhub.core.choices import ApiScope, Role
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.models import User
from certhub.core.reauth import confirmed_recently
from certhub.core.schemas import KEY_OR_SESSION, ErrorOut
from certhub.licensing import actions
from certhub.licensing.choices import CheckOutcome
from certhub.licensing.models import Application, MaterialRequest, OnSiteReview, OpinionRequest
from certhub.licensing.queries import (
    access_application,
    access_licence,
    applications_visible_to,
    awaited,
    due_and_overdue,
    post_checks_visible_to,
)
from certhub.licensing.schemas import (
    LicensingAcceptIn,
    LicensingApplicationIn,
    LicensingApplicationOut,
    LicensingAssignIn,
    LicensingCheckIn,
    LicensingDecisionIn,
    LicensingDueOut,
    LicensingMaterialRequestIn,
    LicensingNoteIn,
    LicensingOnSiteConclusionIn,
    LicensingOnSiteIn,
    LicensingOpinionAnswerIn,
    LicensingOpinionsIn,
    LicensingReasonsIn,
    LicensingRectificationIn,
    LicensingRevocationIn,
    LicensingRevocationOut,
)
from certhub.registry.bans import ban_refusal

router = Router(tags=["licensing"])
READ = {200: LicensingApplicationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
WRITE = {
    200: LicensingApplicationOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _acting(request: HttpRequest) -> Actor:
    """Who takes a step: an organization's key holding the `licensing` scope, or a signed-in person whose
    request carries the CSRF token like every form of the site (core.api_auth.signed_in_writer: 401 for
    anonymous callers)."""
    if presented_key(request):
        return require_scope(request, ApiScope.LICENSING)
    return signed_in_writer(request)


def _reading(request: HttpRequest) -> Actor:
    actor = require_scope(request, ApiScope.READ) if presented_key(request) else request_actor(request)
    if actor.role == Role.PUBLIC:
        raise AuthenticationError()
    return actor


def application_out(application: Application) -> dict[str, Any]:
    return {
        "number": application.number,
        "licence_type": application.licence_type,
        "kind": application.kind,
        "track": application.track,
        "state": application.state,
        "applicant_uscc": application.applicant.uscc,
        "applicant_name": application.applicant.name,
        "submitted_on": application.submitted_on,
        "accepted_on": application.accepted_on,
        "decided_on": application.decided_on,
        "decision_number": application.decision_number,
        "refusal_reasons": application.refusal_reasons,
        "next_due_step": application.next_due_step,
        "next_due_on": application.next_due_on,
        "next_due_provisional": application.next_due_provisional,
        "awaited": awaited(application),
        "licence_number": application.licence.number if application.licence_id and application.licence else None,
        "events": [
            {"on": e.on, "step": e.step, "state": e.to_state, "note": e.note}
            for e in application.events.order_by("at", "id")
        ],
        "opinions": list(
            application.opinion_requests.values("id", "department", "requested_on", "due_on", "answered_on", "agrees")
        ),
        "material_requests": list(
            application.material_requests.values("id", "items", "requested_on", "due_on", "answered_on")
        ),
    }


def _fresh(actor: Actor, number: str) -> dict[str, Any]:
    return application_out(access_application(actor, number))


def _officer(username: str, field: str) -> User:
    user = User.objects.filter(username=username).select_related("region").first()
    if user is None:
        raise ValidationFailed({field: _("没有用户名为“%(name)s”的人员") % {"name": username}})
    return user


@router.post(
    "/licensing/applications",
    response={201: LicensingApplicationOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="File an application",
    openapi_extra=KEY_OR_SESSION,
)
def submit(request: HttpRequest, payload: LicensingApplicationIn) -> Status:
    """File an application for the caller's own organization. 告知承诺 (`track` COMMITMENT, with
    `commitment_text`) is granted on the spot; the answer then holds the licence number."""
    actor = _acting(request)
    application = actions.do_submit_application(
        licence_type=payload.licence_type,
        kind=payload.kind,
        track=payload.track,
        uscc=payload.uscc,
        particulars=payload.particulars,
        region_code=payload.region_code,
        licence_number=payload.licence_number,
        commitment_text=payload.commitment_text,
        actor=actor,
    )
    return Status(201, _fresh(actor, application.number))


@router.get("/licensing/applications/{number}", response=READ, summary="An application", openapi_extra=KEY_OR_SESSION)
def get_application(request: HttpRequest, number: str) -> dict[str, Any]:
    """An application by its number, with its history, what it waits for and its next deadline (the
    applicant's own; an officer's within their region)."""
    return _fresh(_reading(request), number)


@router.get(
    "/licensing/applications",
    response={200: list[LicensingApplicationOut], 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Applications",
    openapi_extra=KEY_OR_SESSION,
)
def list_applications(request: HttpRequest, limit: int = Query(50, ge=1, le=200)) -> list[dict[str, Any]]:
    """The caller's applications (officers: those of their region), newest first."""
    actor = _reading(request)
    found = applications_visible_to(actor).select_related("applicant", "licence").order_by("-submitted_at", "-id")
    return [application_out(a) for a in found[:limit]]


@router.get(
    "/licensing/due",
    response={200: list[LicensingDueOut], 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Due and overdue steps",
    openapi_extra=KEY_OR_SESSION,
)
def list_due(request: HttpRequest, limit: int = Query(200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Officers: each open case of their region with its next step and day, the overdue first."""
    actor = _reading(request)
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR):
        raise NotPermitted(_("只有监管人员可以查看许可办理期限"))
    return [item.__dict__ for item in due_and_overdue(actor, timezone.localdate(), limit=limit)]


def _case(actor: Actor, number: str) -> Application:
    return access_application(actor, number)


def _step(path: str, summary: str) -> Any:
    return router.post(path, response=WRITE, summary=summary, openapi_extra=KEY_OR_SESSION)


@_step("/licensing/applications/{number}/accept", "Accept an application")
def accept(request: HttpRequest, number: str, payload: LicensingAcceptIn) -> dict[str, Any]:
    """受理, optionally naming the officer who handles the case."""
    actor = _acting(request)
    assignee = _officer(payload.assigned_to, "assigned_to") if payload.assigned_to else None
    actions.do_accept_application(application=_case(actor, number), assigned_to=assignee, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/refuse-acceptance", "Refuse to accept an application")
def refuse_acceptance(request: HttpRequest, number: str, payload: LicensingReasonsIn) -> dict[str, Any]:
    """不予受理, with the reasons."""
    actor = _acting(request)
    actions.do_refuse_acceptance(application=_case(actor, number), reasons=payload.reasons, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/assign", "Assign an application")
def assign(request: HttpRequest, number: str, payload: LicensingAssignIn) -> dict[str, Any]:
    """Name the officer who handles and decides the case."""
    actor = _acting(request)
    assignee = _officer(payload.assigned_to, "assigned_to")
    actions.do_assign_application(application=_case(actor, number), assigned_to=assignee, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/material-requests", "Ask for more documents")
def request_materials(request: HttpRequest, number: str, payload: LicensingMaterialRequestIn) -> dict[str, Any]:
    """一次性告知: the clocks stand still until the applicant answers."""
    actor = _acting(request)
    actions.do_request_materials(application=_case(actor, number), items=payload.items, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/material-requests/{request_id}/answer", "Answer a request for documents")
def answer_materials(request: HttpRequest, number: str, request_id: int, payload: LicensingNoteIn) -> dict[str, Any]:
    """The applicant answers in words (files are uploaded on the application's page)."""
    actor = _acting(request)
    application = _case(actor, number)
    found = MaterialRequest.objects.filter(application=application, pk=request_id).first()
    if found is None:
        raise NotFound(_("没有这个补充材料通知"))
    actions.do_answer_materials_request(request=found, note=payload.note, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/opinion-requests", "Ask departments for their opinions")
def request_opinions(request: HttpRequest, number: str, payload: LicensingOpinionsIn) -> dict[str, Any]:
    """并联审批: several departments at once, each with the same deadline in working days."""
    actor = _acting(request)
    actions.do_request_opinions(
        application=_case(actor, number),
        departments=payload.departments,
        question=payload.question,
        working_days=payload.working_days,
        actor=actor,
    )
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/opinion-requests/{opinion_id}/answer", "Answer an opinion request")
def answer_opinion(
    request: HttpRequest, number: str, opinion_id: int, payload: LicensingOpinionAnswerIn
) -> dict[str, Any]:
    """An officer of the department asked gives its opinion."""
    actor = _acting(request)
    application = _case(actor, number)
    opinion = OpinionRequest.objects.filter(application=application, pk=opinion_id).first()
    if opinion is None:
        raise NotFound(_("没有这个征求意见"))
    actions.do_answer_opinion(opinion=opinion, agrees=payload.agrees, text=payload.text, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/onsite-review", "Schedule the on-site review")
def schedule_onsite(request: HttpRequest, number: str, payload: LicensingOnSiteIn) -> dict[str, Any]:
    """The case's one on-site review."""
    actor = _acting(request)
    actions.do_schedule_onsite_review(
        application=_case(actor, number), scheduled_on=payload.scheduled_on, reviewers=payload.reviewers, actor=actor
    )
    return _fresh(actor, number)


def _review(application: Application) -> OnSiteReview:
    review = OnSiteReview.objects.filter(application=application).first()
    if review is None:
        raise NotFound(_("该申请没有安排现场评审"))
    return review


@_step("/licensing/applications/{number}/onsite-review/conclusion", "Record the on-site review")
def record_onsite(request: HttpRequest, number: str, payload: LicensingOnSiteConclusionIn) -> dict[str, Any]:
    """Passed, failed, or rectification within at most the statutory period."""
    actor = _acting(request)
    actions.do_record_onsite_review(
        review=_review(_case(actor, number)),
        outcome=payload.outcome,
        findings=payload.findings,
        concluded_on=payload.concluded_on,
        rectification_days=payload.rectification_days,
        actor=actor,
    )
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/onsite-review/rectification", "Record the rectification")
def record_rectification(request: HttpRequest, number: str, payload: LicensingRectificationIn) -> dict[str, Any]:
    actor = _acting(request)
    actions.do_record_rectification(
        review=_review(_case(actor, number)),
        passed=payload.passed,
        note=payload.note,
        rectified_on=payload.rectified_on,
        actor=actor,
    )
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/conclude-review", "End a document-only review")
def conclude_review(request: HttpRequest, number: str, payload: LicensingNoteIn) -> dict[str, Any]:
    actor = _acting(request)
    actions.do_conclude_review(application=_case(actor, number), note=payload.note, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/decision", "Decide an application")
def decide(request: HttpRequest, number: str, payload: LicensingDecisionIn) -> dict[str, Any]:
    """Grant or refuse: only the assigned officer, only once every department has answered."""
    actor = _acting(request)
    actions.do_decide_application(
        application=_case(actor, number),
        decision=payload.decision,
        reasons=payload.reasons,
        decision_number=payload.decision_number,
        actor=actor,
    )
    return _fresh(actor, number)


@_step("/licensing/applications/{number}/withdraw", "Withdraw an application")
def withdraw(request: HttpRequest, number: str, payload: LicensingNoteIn) -> dict[str, Any]:
    actor = _acting(request)
    actions.do_withdraw_application(application=_case(actor, number), reason=payload.note, actor=actor)
    return _fresh(actor, number)


@_step("/licensing/post-approval-checks/{check_id}", "Record a post-approval check")
def record_check(request: HttpRequest, check_id: int, payload: LicensingCheckIn) -> dict[str, Any]:
    """The check after a 告知承诺 grant; a false commitment revokes the licence and bars the holder."""
    actor = _acting(request)
    check = post_checks_visible_to(actor).filter(pk=check_id).first()
    if check is None:
        raise NotFound(_("没有这个告知承诺核查"))
    if (
        payload.outcome == CheckOutcome.FALSE_COMMITMENT
        and not presented_key(request)
        and not confirmed_recently(request)
    ):
        # Revoking a licence and barring its holder is a dangerous action (C14): confirm who you are first.
        raise NotPermitted(_("撤销许可前须重新验证身份（密码和第二因素）"))
    actions.do_record_post_approval_check(
        check=check, outcome=payload.outcome, note=payload.note, done_on=payload.done_on, actor=actor
    )
    return _fresh(actor, check.application.number)


@router.post(
    "/licensing/licences/{number}/revoke",
    response={200: LicensingRevocationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Revoke a licence for misconduct",
    openapi_extra=KEY_OR_SESSION,
)
def revoke(request: HttpRequest, number: str, payload: LicensingRevocationIn) -> dict[str, Any]:
    """撤销许可 by a numbered decision: the licence (and a lab's qualification) is revoked and its holder barred
    from applying for the same licence for three years (行政许可法 第七十九条), the registry's APPLICATION_BAR.
    Only an officer of the licence's region, recently re-authenticated (C14)."""
    actor = _acting(request)
    licence = access_licence(actor, number)
    if not presented_key(request) and not confirmed_recently(request):
        raise NotPermitted(_("撤销许可前须重新验证身份（密码和第二因素）"))
    ban = actions.do_revoke_licence(
        licence=licence, decision_number=payload.decision_number, reason=payload.reason, actor=actor
    )
    licence.refresh_from_db()
    return {
        "licence_number": licence.number,
        "licence_status": licence.status,
        "revoked_on": licence.status_changed_on,
        "bar_kind": ban.kind,
        "bar_licence_type": ban.licence_type,
        "bar_decision_number": ban.decision_number,
        "bar_authority": ban.authority,
        "bar_starts": ban.starts,
        "bar_ends": ban.ends,
        "bar_sentence": ban_refusal(ban),
    }
