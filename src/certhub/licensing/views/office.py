"""The officers' licensing pages (C8), made for the desk: the due and overdue list of the region, a case with
the form of every step it may take next (accept or refuse acceptance, assign, ask for more materials, ask
several departments for their opinion at once, record a department's opinion, schedule and record the on-site
review, record the rectification, decide, check a 告知承诺 grant afterwards), its materials and its history;
and a department's list of opinions it has still to give.

Refusals (of acceptance, of the licence) and a finding of a false commitment, which revokes the licence and
bars the applicant, need a recent confirmation of who the officer is (core.reauth, C14). Every successful POST
redirects with a message; a refusal of input stands next to its field (422) and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from certhub.core.errors import Conflict
from certhub.core.reauth import reauth_required
from certhub.core.web import office_required, page_of, request_actor
from certhub.core.web import permitted as _permitted
from certhub.core.web import pressed as _pressed
from certhub.core.web import submitted as _submitted
from certhub.core.workdays import working_days_between
from certhub.licensing import actions, queries
from certhub.licensing.choices import ApplicationState, CheckOutcome, Decision, LicenceStatus, Track
from certhub.licensing.forms import (
    AssignForm,
    DecisionForm,
    DueFilterForm,
    MaterialRequestForm,
    OnSiteResultForm,
    OnSiteScheduleForm,
    OpinionForm,
    OpinionRequestForm,
    PostCheckForm,
    ReasonsForm,
    RectificationForm,
    RevocationForm,
)
from certhub.licensing.models import Application
from certhub.licensing.views import progress
from certhub.licensing.views.applicant import material_file

S = ApplicationState
DUE_PER_PAGE = 50


def _due_rows(actor: Any, criteria: dict[str, Any]) -> QuerySet[Application]:
    """The due list narrowed by the page's filters (a page-only filter beside its page, docs/architecture.md
    convention 5): the same kept next deadline of each case the domain's due query reads, in day order."""
    rows = (
        queries.applications_visible_to(actor)
        .filter(next_due_on__isnull=False)
        .select_related("applicant", "assigned_to")
        .order_by("next_due_on", "id")
    )
    if criteria.get("licence_type"):
        rows = rows.filter(licence_type=criteria["licence_type"])
    if criteria.get("state"):
        rows = rows.filter(state=criteria["state"])
    if criteria.get("overdue"):
        rows = rows.filter(next_due_on__lt=timezone.localdate())
    return rows


@office_required
@require_safe
def due_list(request: HttpRequest) -> HttpResponse:
    """What is due and overdue in the officer's region: the open cases and 告知承诺 checks by their nearest
    deadline, overdue first, filtered by licence type and state, paged."""
    actor = request_actor(request)
    form = DueFilterForm(request.GET or None)
    today = timezone.localdate()
    page = page_of(request, _due_rows(actor, form.criteria()), DUE_PER_PAGE)
    rows = [
        {
            "application": application,
            "due_on": application.next_due_on,
            "provisional": application.next_due_provisional,
            "step_label": progress.step_label(application.next_due_step),
            "overdue": application.next_due_on < today,
            "days_left": working_days_between(today, application.next_due_on),
        }
        for application in page.object_list
    ]
    return render(request, "licensing/office/due.html", {"form": form, "page": page, "rows": rows})


@office_required
@require_safe
def opinion_list(request: HttpRequest) -> HttpResponse:
    """The opinions asked of the officer's department and not yet given (并联审批)."""
    actor = request_actor(request)
    context = {"opinions": queries.opinions_awaited_from(actor), "department": actor.department}
    return render(request, "licensing/office/opinions.html", context)


# ------------------------------------------------------------------ a case


def _url(name: str, application: Application, *args: Any) -> str:
    return reverse(f"licensing:office_{name}", args=[application.number, *args])


def _panels(request: HttpRequest, application: Application, forms: dict[str, Any]) -> list[dict[str, Any]]:
    """The forms of the steps the case may take now, each posting to its own URL (the lifecycle table
    decides which; the action checks again)."""
    actor = request_actor(request)
    state = application.state
    officers = progress.officers_covering(application.region_code)
    panels: list[dict[str, Any]] = []

    def panel(key: str, title: str, button: str, form: Any = None, *, danger: bool = False, note: str = "") -> None:
        panels.append(
            {
                "id": f"{key.replace('_', '-')}-form",
                "title": title,
                "url": _url(key, application),
                "form": forms.get(key, form),
                "button": button,
                "danger": danger,
                "note": note,
            }
        )

    if state == S.SUBMITTED and application.track == Track.GENERAL:
        accept_form = AssignForm(officers=officers, required=False, initial={"assigned_to": actor.user_id})
        panel("accept", _("受理"), _("受理"), accept_form, note=_("材料齐全、符合法定形式的，予以受理并指派承办人。"))
        panel("refuse_acceptance", _("不予受理"), _("不予受理"), ReasonsForm(), danger=True)
    if state in (S.ACCEPTED, S.UNDER_REVIEW, S.AWAITING_MATERIALS, S.AWAITING_OPINIONS, S.ONSITE_REVIEW,
                 S.RECTIFICATION, S.REVIEW_CONCLUDED):  # fmt: skip
        panel("assign", _("指派承办人"), _("指派"), AssignForm(officers=officers))
    if state in (S.UNDER_REVIEW, S.AWAITING_OPINIONS):
        panel("request_materials", _("一次性告知补充材料"), _("通知补充材料"), MaterialRequestForm())
    if state in (S.UNDER_REVIEW, S.AWAITING_OPINIONS, S.REVIEW_CONCLUDED, S.ONSITE_REVIEW):
        panel("request_opinions", _("并联征求部门意见"), _("征求意见"), OpinionRequestForm())
    if state in (S.UNDER_REVIEW, S.AWAITING_OPINIONS) and progress.review_of(application) is None:
        panel("schedule_onsite", _("安排现场评审"), _("安排评审"), OnSiteScheduleForm())
    if state == S.UNDER_REVIEW:
        panel(
            "conclude_review",
            _("书面审查结束"),
            _("审查结束，待决定"),
            note=_("不需现场评审的，书面审查结束后作出决定。"),
        )
    if state == S.ONSITE_REVIEW:
        panel("record_onsite", _("记录现场评审结论"), _("记录结论"), OnSiteResultForm())
    if state == S.RECTIFICATION:
        panel("record_rectification", _("记录整改结果"), _("记录整改"), RectificationForm())
    if state == S.REVIEW_CONCLUDED:
        panel(
            "decide",
            _("许可决定"),
            _("作出决定"),
            DecisionForm(),
            note=_("由承办人作出；不予许可须说明理由，并再次确认身份。"),
        )
    licence = application.licence
    if state == S.GRANTED and licence is not None and licence.status in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED):
        panel(
            "revoke",
            _("撤销许可"),
            _("撤销许可"),
            RevocationForm(),
            danger=True,
            note=_(
                "以欺骗、贿赂等不正当手段取得许可的，撤销许可证%(number)s；持证人三年内不得再次申请（须再次确认身份）。"
            )
            % {"number": licence.number},
        )
    if actor.department:
        for opinion in application.opinion_requests.filter(department=actor.department, answered_on__isnull=True):
            key = f"opinion-{opinion.pk}"
            panels.append(
                {
                    "id": f"opinion-form-{opinion.pk}",
                    "title": _("%(department)s意见") % {"department": opinion.department},
                    "url": _url("record_opinion", application, opinion.pk),
                    "form": forms.get(key, OpinionForm(prefix=key)),
                    "button": _("提交意见"),
                    "danger": False,
                    "note": opinion.question,
                }
            )
    shown = {panel["id"] for panel in panels}
    for key, form in forms.items():
        # A form sent for a step the case no longer offers (another officer moved it on) keeps its refusal.
        if f"{key.replace('_', '-')}-form" not in shown and not key.startswith(("opinion-", "check-")):
            panel(key, _("办理"), _("提交"), form)
    for check in application.post_checks.filter(done_on__isnull=True):
        key = f"check-{check.pk}"
        panels.append(
            {
                "id": f"check-form-{check.pk}",
                "title": _("告知承诺核查"),
                "url": _url("post_check", application, check.pk),
                "form": forms.get(key, PostCheckForm(prefix=key, initial={"done_on": timezone.localdate()})),
                "button": _("记录核查结论"),
                "danger": False,
                "note": _("承诺不实的，撤销许可并限制再次申请（须再次确认身份）。"),
            }
        )
    return panels


def _render(request: HttpRequest, application: Application, *, status: int | None = None, **forms: Any) -> HttpResponse:
    events = progress.history(application)
    clocks = progress.clock_rows(application)
    context = {
        "application": application,
        "particulars": application.particulars,
        "tone": progress.tone(application.state),
        "awaited": progress.awaited(application),
        "clocks": clocks,
        "any_provisional": any(clock.provisional for clock in clocks),
        "opinions": application.opinion_requests.order_by("requested_on", "department"),
        "review": progress.review_of(application),
        "checks": application.post_checks.order_by("due_on"),
        "events": events,
        "materials": application.materials.order_by("uploaded_at", "id"),
        "panels": _panels(request, application, forms),
    }
    if status is None:
        status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "licensing/office/application.html", context, status=status)


@office_required
@require_safe
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _permitted(lambda: queries.access_application(request_actor(request), number)))


def _step(
    request: HttpRequest,
    number: str,
    key: str,
    make_form: Callable[[Application, Any], Any],
    act: Callable[[Application, Any, Any], object],
    done: str,
) -> HttpResponse:
    """One step's POST: bind its form, run its action, redirect with `done` — or show the refusal."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = make_form(application, request.POST)
    try:
        done_it = _submitted(form, lambda: act(application, form, actor), reload=application)
    except PermissionDenied as refusal:
        # Not this officer's to do (a decision by someone other than the assignee): said on the form.
        form.add_error(None, str(refusal))
        application.refresh_from_db()
        return _render(request, application, status=403, **{key: form})
    if done_it is not None:
        messages.success(request, done % {"number": application.number})
        return redirect("licensing:office_application", number=application.number)
    return _render(request, application, **{key: form})


@office_required
@require_POST
def accept(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "accept",
        lambda application, data: AssignForm(
            data, officers=progress.officers_covering(application.region_code), required=False
        ),
        lambda application, form, actor: actions.do_accept_application(
            application=application, assigned_to=form.chosen(), actor=actor
        ),
        _("申请%(number)s已受理。"),
    )


@office_required
@require_POST
def conclude_review(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    _pressed(
        request,
        lambda: actions.do_conclude_review(application=application, note="", actor=actor),
        _("申请%(number)s审查结束，待作出决定。") % {"number": application.number},
    )
    return redirect("licensing:office_application", number=application.number)


@office_required
@reauth_required
@require_POST
def refuse_acceptance(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "refuse_acceptance",
        lambda application, data: ReasonsForm(data),
        lambda application, form, actor: actions.do_refuse_acceptance(
            application=application, reasons=form.cleaned_data["reasons"], actor=actor
        ),
        _("申请%(number)s不予受理，已告知申请人理由。"),
    )


@office_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "assign",
        lambda application, data: AssignForm(data, officers=progress.officers_covering(application.region_code)),
        lambda application, form, actor: actions.do_assign_application(
            application=application, assigned_to=form.chosen(), actor=actor
        ),
        _("申请%(number)s已指派承办人。"),
    )


@office_required
@require_POST
def request_materials(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "request_materials",
        lambda application, data: MaterialRequestForm(data),
        lambda application, form, actor: actions.do_request_materials(
            application=application, items=form.cleaned_data["items"], actor=actor
        ),
        _("已通知申请%(number)s的申请人补充材料，审查时限暂停计算。"),
    )


@office_required
@require_POST
def request_opinions(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "request_opinions",
        lambda application, data: OpinionRequestForm(data),
        lambda application, form, actor: actions.do_request_opinions(
            application=application,
            departments=form.cleaned_data["departments"],
            question=form.cleaned_data["question"],
            working_days=form.cleaned_data["working_days"],
            actor=actor,
        ),
        _("已就申请%(number)s同时征求各部门意见。"),
    )


@office_required
@require_POST
def record_opinion(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    key = f"opinion-{pk}"
    return _step(
        request,
        number,
        key,
        lambda application, data: OpinionForm(data, prefix=key),
        lambda application, form, actor: actions.do_answer_opinion(
            opinion=progress.opinion_of(application, pk),
            agrees=form.cleaned_data["agrees"],
            text=form.cleaned_data["text"],
            actor=actor,
        ),
        _("已提交对申请%(number)s的部门意见。"),
    )


@office_required
@require_POST
def schedule_onsite(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "schedule_onsite",
        lambda application, data: OnSiteScheduleForm(data),
        lambda application, form, actor: actions.do_schedule_onsite_review(
            application=application,
            scheduled_on=form.cleaned_data["scheduled_on"],
            reviewers=form.cleaned_data["reviewers"],
            actor=actor,
        ),
        _("已安排申请%(number)s的现场评审。"),
    )


@office_required
@require_POST
def record_onsite(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "record_onsite",
        lambda application, data: OnSiteResultForm(data),
        lambda application, form, actor: actions.do_record_onsite_review(
            review=progress.review_required(application),
            outcome=form.cleaned_data["outcome"],
            concluded_on=form.cleaned_data["concluded_on"],
            findings=form.cleaned_data["findings"],
            rectification_days=form.cleaned_data["rectification_days"],
            actor=actor,
        ),
        _("已记录申请%(number)s的现场评审结论。"),
    )


@office_required
@require_POST
def record_rectification(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "record_rectification",
        lambda application, data: RectificationForm(data),
        lambda application, form, actor: actions.do_record_rectification(
            review=progress.review_required(application),
            rectified_on=form.cleaned_data["rectified_on"],
            passed=form.cleaned_data["passed"],
            note=form.cleaned_data["note"],
            actor=actor,
        ),
        _("已记录申请%(number)s的整改结果。"),
    )


def _decide(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "decide",
        lambda application, data: DecisionForm(data),
        lambda application, form, actor: actions.do_decide_application(
            application=application,
            decision=form.cleaned_data["decision"],
            decision_number=form.cleaned_data["decision_number"],
            reasons=form.cleaned_data["reasons"],
            actor=actor,
        ),
        _("已对申请%(number)s作出许可决定。"),
    )


_decide_with_reauth = reauth_required(_decide)


@office_required
@require_POST
def decide(request: HttpRequest, number: str) -> HttpResponse:
    """A grant goes straight on; a refusal first asks the officer to confirm who they are (C14)."""
    if request.POST.get("decision") == Decision.REFUSE:
        return _decide_with_reauth(request, number)
    return _decide(request, number)


def _post_check(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    key = f"check-{pk}"
    return _step(
        request,
        number,
        key,
        lambda application, data: PostCheckForm(data, prefix=key),
        lambda application, form, actor: actions.do_record_post_approval_check(
            check=progress.check_of(application, pk),
            outcome=form.cleaned_data["outcome"],
            done_on=form.cleaned_data["done_on"],
            note=form.cleaned_data["note"],
            actor=actor,
        ),
        _("已记录申请%(number)s的告知承诺核查结论。"),
    )


_post_check_with_reauth = reauth_required(_post_check)


def _revoke_licence(application: Application, form: Any, actor: Any) -> object:
    if application.licence is None:
        raise Conflict(_("申请%(number)s没有所涉许可证") % {"number": application.number}, field="licence")
    return actions.do_revoke_licence(
        licence=application.licence,
        decision_number=form.cleaned_data["decision_number"],
        reason=form.cleaned_data["reason"],
        actor=actor,
    )


@office_required
@reauth_required
@require_POST
def revoke(request: HttpRequest, number: str) -> HttpResponse:
    """撤销许可 and the three-year bar on the holder (C9): a dangerous action, confirmed again first (C14)."""
    return _step(
        request,
        number,
        "revoke",
        lambda application, data: RevocationForm(data),
        _revoke_licence,
        _("申请%(number)s所涉许可证已撤销，持证人在限制期内不得再次申请。"),
    )


@office_required
@require_POST
def post_check(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A check that finds the commitment false revokes the licence and bars the applicant: confirm first."""
    if request.POST.get(f"check-{pk}-outcome") == CheckOutcome.FALSE_COMMITMENT:
        return _post_check_with_reauth(request, number, pk)
    return _post_check(request, number, pk)


@office_required
@require_safe
def material(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of a case of the officer's region (one elsewhere is "not found")."""
    found = progress.material_in(queries.applications_visible_to(request_actor(request)), pk)
    return material_file(_permitted(lambda: found))
