"""Office pages of rapid handling (快速处置, C6): the open warnings of the officer's region, a
warning with its findings (open a case, or dismiss it), the cases with their deadlines, a case (measures,
assignment, closing) and the officer's inbox of notices (信息通报).

Internal only: every view needs a signed-in officer or administrator (else the login page, or 403) and
shows only the region the officer covers. Views parse input, call the actions and render; the actions
decide. A refusal is shown on its form (422) and changes nothing; every successful POST redirects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from certhub.cases import actions, queries
from certhub.cases.choices import CaseStatus
from certhub.cases.forms import (
    AssignForm,
    CloseForm,
    ComplaintCaseForm,
    DismissForm,
    JoinCaseForm,
    MeasureForm,
    OpenCaseForm,
    WarningFilterForm,
)
from certhub.cases.models import Case
from certhub.complaints.queries import access_complaint
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.web import office_required, page_of, request_actor
from certhub.core.web import permitted as _permitted
from certhub.core.web import submitted as _submitted
from certhub.market.queries import access_market_check
from certhub.risk.models import Warning

PER_PAGE = 25


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return page_of(request, rows, PER_PAGE)


# ------------------------------------------------------------------ warnings


@office_required
@require_safe
def warning_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = WarningFilterForm(request.GET or None, actor=actor)
    prefecture = form.cleaned_data["prefecture"] if form.is_bound and form.is_valid() else ""
    page = _page(request, queries.open_warnings_visible_to(actor, prefecture))
    return render(request, "cases/warnings.html", {"form": form, "page": page})


def _render_warning(
    request: HttpRequest,
    warning: Warning,
    *,
    open_form: OpenCaseForm | None = None,
    dismiss_form: DismissForm | None = None,
) -> HttpResponse:
    open_form = open_form or OpenCaseForm(warning=warning)
    dismiss_form = dismiss_form or DismissForm()
    context = {
        "warning": warning,
        "open_form": open_form,
        "dismiss_form": dismiss_form,
        "cases": warning.cases.order_by("-opened_at"),
    }
    status = 422 if open_form.errors or dismiss_form.errors else 200
    return render(request, "cases/warning.html", context, status=status)


@office_required
@require_safe
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_warning(request, _permitted(lambda: queries.access_warning(request_actor(request), pk)))


@office_required
@require_POST
def warning_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    warning = _permitted(lambda: queries.access_warning(actor, pk))
    form = OpenCaseForm(request.POST, warning=warning)
    case = _submitted(
        form,
        lambda: actions.do_open_case(
            warning=warning,
            title=form.cleaned_data["title"],
            working_days=form.cleaned_data["working_days"],
            departments=form.cleaned_data["departments"],
            assignee=form.chosen_assignee(),
            actor=actor,
        ),
    )
    if case is not None:
        messages.success(request, _("已立案%(number)s，已通报责任部门。") % {"number": case.number})
        return redirect("cases:case_detail", number=case.number)
    warning.refresh_from_db()
    return _render_warning(request, warning, open_form=form)


@office_required
@require_POST
def warning_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    warning = _permitted(lambda: queries.access_warning(actor, pk))
    form = DismissForm(request.POST)
    if _submitted(
        form, lambda: actions.do_dismiss_warning(warning=warning, reason=form.cleaned_data["reason"], actor=actor)
    ):
        messages.success(request, _("已排除“%(name)s”的风险预警。") % {"name": warning.subject_name})
        return redirect("cases:warning_list")
    warning.refresh_from_db()
    return _render_warning(request, warning, dismiss_form=form)


def _open_cases_about(actor: Any, complaint: Any) -> QuerySet[Case]:
    """The open cases of the actor's region about the complaint's organization (a complaint may join one)."""
    if complaint.organization_id is None:
        return Case.objects.none()
    rows = queries.cases_visible_to(actor).filter(status=CaseStatus.OPEN, uscc=complaint.organization.uscc)
    return rows.exclude(complaint=complaint)


def _render_complaint_case(
    request: HttpRequest, complaint: Any, form: ComplaintCaseForm, join_form: JoinCaseForm
) -> HttpResponse:
    context = {
        "complaint": complaint,
        "form": form,
        "join_form": join_form,
        "cases": complaint.cases.order_by("-opened_at"),
        "joined": complaint.events.filter(step="CASE_JOINED").exists(),
    }
    status = 422 if form.errors or join_form.errors else 200
    return render(request, "cases/complaint_open.html", context, status=status)


@office_required
def complaint_open_case(request: HttpRequest, number: str) -> HttpResponse:
    """Open a case from a substantiated complaint or tip-off of the officer's region (C10 → C6)."""
    actor = request_actor(request)
    complaint = _permitted(lambda: access_complaint(actor, number))
    form = ComplaintCaseForm(request.POST if request.method == "POST" else None, complaint=complaint)
    case = _submitted(
        form,
        lambda: actions.do_open_case_from_complaint(
            complaint=complaint,
            title=form.cleaned_data["title"],
            working_days=form.cleaned_data["working_days"],
            departments=form.cleaned_data["departments"],
            assignee=form.chosen_assignee(),
            actor=actor,
        ),
    )
    if case is not None:
        messages.success(request, _("已立案%(number)s，已通报责任部门。") % {"number": case.number})
        return redirect("cases:case_detail", number=case.number)
    return _render_complaint_case(request, complaint, form, JoinCaseForm(cases=_open_cases_about(actor, complaint)))


@office_required
@require_POST
def complaint_join_case(request: HttpRequest, number: str) -> HttpResponse:
    """Join a substantiated complaint to an open case about the same organization (并案)."""
    actor = request_actor(request)
    complaint = _permitted(lambda: access_complaint(actor, number))
    join_form = JoinCaseForm(request.POST, cases=_open_cases_about(actor, complaint))
    measure = _submitted(
        join_form,
        lambda: actions.do_join_case_from_complaint(
            complaint=complaint, case=join_form.cases[join_form.cleaned_data["case"]], actor=actor
        ),
    )
    if measure is not None:
        messages.success(request, _("已将%(number)s并入案件。") % {"number": complaint.number})
        return redirect("cases:case_detail", number=measure.case.number)
    return _render_complaint_case(request, complaint, ComplaintCaseForm(complaint=complaint), join_form)


@office_required
@require_POST
def market_check_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-step button of a market check's page (C7): open a case from its violation, or join it to the
    open case about the same organization; a refusal goes back to the check's page with its reason."""
    actor = request_actor(request)
    check = _permitted(lambda: access_market_check(actor, pk))
    try:
        case = _permitted(lambda: actions.do_open_case_from_market_check(check=check, actor=actor))
    except (ValidationFailed, Conflict) as refused:
        for field_messages in (refused.errors or {"": [refused.message]}).values():
            for message in field_messages:
                messages.error(request, message)
        return redirect("market:check_detail", pk=check.pk)
    if case.market_check_id == check.pk:
        messages.success(request, _("已立案%(number)s，已通报责任部门。") % {"number": case.number})
    else:
        messages.success(request, _("已并入在办案件%(number)s。") % {"number": case.number})
    return redirect("cases:case_detail", number=case.number)


# ------------------------------------------------------------------ cases


@office_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = _page(request, queries.cases_visible_to(actor))
    today = timezone.localdate()
    rows = [queries.case_row(case, today) for case in page.object_list]
    return render(request, "cases/cases.html", {"page": page, "rows": rows})


def _render_case(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    context = {
        "case": case,
        "row": queries.case_row(case),
        "warning": case.warning,
        "measures": case.measures.select_related("recorded_by").order_by("taken_on", "id"),
        "open": case.status == CaseStatus.OPEN,
        "measure_form": forms.get("measure_form") or MeasureForm(),
        "assign_form": forms.get("assign_form") or AssignForm(case=case),
        "close_form": forms.get("close_form") or CloseForm(),
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "cases/case.html", context, status=status)


@office_required
@require_safe
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_case(request, _permitted(lambda: queries.access_case(request_actor(request), number)))


@office_required
@require_POST
def case_record_measure(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    case = _permitted(lambda: queries.access_case(actor, number))
    form = MeasureForm(request.POST)
    if _submitted(
        form,
        lambda: actions.do_record_measure(
            case=case,
            taken_on=form.cleaned_data["taken_on"],
            description=form.cleaned_data["description"],
            actor=actor,
        ),
    ):
        messages.success(request, _("已记录处置措施。"))
        return redirect("cases:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_case(request, case, measure_form=form)


@office_required
@require_POST
def case_assign(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    case = _permitted(lambda: queries.access_case(actor, number))
    form = AssignForm(request.POST, case=case)
    if _submitted(form, lambda: actions.do_assign_case(case=case, assignee=form.chosen_assignee(), actor=actor)):
        messages.success(request, _("已指派承办人并通知。"))
        return redirect("cases:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_case(request, case, assign_form=form)


@office_required
@require_POST
def case_close(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    case = _permitted(lambda: queries.access_case(actor, number))
    form = CloseForm(request.POST)
    if _submitted(
        form, lambda: actions.do_close_case(case=case, conclusion=form.cleaned_data["conclusion"], actor=actor)
    ):
        messages.success(request, _("案件%(number)s已办结，已通报责任部门。") % {"number": case.number})
        return redirect("cases:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_case(request, case, close_form=form)


# ------------------------------------------------------------------ the inbox


@office_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = _page(request, queries.inbox(actor))
    return render(request, "cases/inbox.html", {"page": page, "unread": queries.unread_count(actor)})


@office_required
@require_POST
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notice: it is marked read, and the officer lands on its case (a POST: it changes the notice)."""
    actor = request_actor(request)
    notice = queries.access_notice(actor, pk)
    _permitted(lambda: actions.do_mark_notice_read(notice=notice, actor=actor))
    if notice.case is not None:
        return redirect("cases:case_detail", number=notice.case.number)
    return redirect("cases:inbox")
