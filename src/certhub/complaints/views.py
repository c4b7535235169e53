"""Pages of complaints and tip-offs (C10). Public, phone first: the form (anonymous allowed, a proof of work
solved by the browser, a limit per address), the receipt with the tracking number and the query code shown
once, and the tracking page (number + code; the same answer whether the number or the code was wrong,
limited per address). Officers, at a desk: the due and overdue list of their region, a complaint with the
forms of the steps it may take, and its evidence files. Views parse, call the actions and render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.complaints import actions, evidence, pow, queries
from certhub.complaints.choices import OPEN_STATES, ComplaintKind, ComplaintState, ComplaintStep
from certhub.complaints.forms import (
    AcceptForm,
    ComplaintForm,
    ConcludeForm,
    DueFilterForm,
    ForwardForm,
    ReasonForm,
    TrackForm,
)
from certhub.complaints.models import Complaint, Evidence
from certhub.core.errors import Conflict, NotFound, ValidationFailed
from certhub.core.models import Region
from certhub.core.ratelimit import client_address, count_request
from certhub.core.uploads import open_upload, size_text
from certhub.core.web import office_required, page_of, request_actor
from certhub.core.web import permitted as _permitted
from certhub.core.web import submitted as _submitted
from certhub.core.workdays import working_days_between

RECEIPT = "complaints.receipt"


def _limited(request: HttpRequest, budget: str, setting: str) -> str:
    """The refusal when the client address is past its budget this minute, else ""."""
    limit = int(getattr(settings, setting))
    if not limit:
        return ""
    decision = count_request(f"{budget}:{client_address(request)}", limit)
    if decision.allowed:
        return ""
    return _("操作过于频繁：每分钟最多%(limit)d次，请在%(seconds)d秒后重试") % {
        "limit": decision.limit,
        "seconds": decision.retry_after,
    }


def _evidence_files(form: ComplaintForm) -> list[tuple[str, bytes]]:
    """The uploaded files' names and bytes; a file over the size limit is refused from its declared size,
    before it is read."""
    files = form.cleaned_data.get("evidence") or []
    if len(files) > evidence.max_files():
        return [(f.name or "", b"") for f in files]  # the action refuses the count before anything else
    for upload in files:
        if (upload.size or 0) > evidence.max_bytes():
            reason = _("文件大小为%(size)s，超过上限%(limit)s") % {
                "size": size_text(upload.size or 0),
                "limit": size_text(evidence.max_bytes()),
            }
            raise ValidationFailed(
                {evidence.FIELD: [_("“%(name)s”：%(reason)s") % {"name": upload.name, "reason": reason}]},
                code="bad_upload",
            )
    return [(upload.name or "", upload.read()) for upload in files]


@require_http_methods(["GET", "HEAD", "POST"])
def file_complaint(request: HttpRequest) -> HttpResponse:
    """The public form; a filing that passes goes to the receipt page."""
    form = ComplaintForm(request.POST or None, request.FILES or None) if request.method == "POST" else ComplaintForm()
    status = 200
    if request.method == "POST":
        refusal = _limited(request, "complaint-file", "CERTHUB_COMPLAINT_RATE_LIMIT")
        if refusal:
            form.is_valid()
            form.add_error(None, refusal)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                salt = pow.verified_salt(data["proof_token"], data["proof_nonce"])
                complaint, code = actions.do_file_complaint(
                    kind=data["kind"],
                    text=data["text"],
                    certificate_number=data["certificate_number"],
                    subject_name=data["subject_name"],
                    product=data["product"],
                    region_code=data["region_code"],
                    wants_reply=data["wants_reply"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    evidence=_evidence_files(form),
                    address=client_address(request),
                    proof_salt=salt,
                    actor=request_actor(request),
                )
            except (ValidationFailed, Conflict) as error:
                form.add_domain_errors(error)
            else:
                request.session[RECEIPT] = {"number": complaint.number, "code": code}
                return redirect("complaints:filed")
        if form.errors and status == 200:
            status = 422
    challenge = pow.new_challenge()
    context = {"form": form, "challenge": challenge}
    return render(request, "complaints/file.html", context, status=status)


@never_cache  # the query code is on this page: no cache keeps it
@require_safe
def filed(request: HttpRequest) -> HttpResponse:
    """The receipt, shown once: the tracking number and the query code (the code is kept only as a hash)."""
    receipt = request.session.pop(RECEIPT, None)
    if not receipt:
        return redirect("complaints:track")
    complaint = queries.tracked_complaint(receipt["number"], receipt["code"])
    if complaint is None:
        return redirect("complaints:track")
    return render(request, "complaints/filed.html", {"receipt": receipt, "complaint": complaint})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Follow a complaint with its number and query code. A wrong number and a wrong code get the same
    answer; look-ups are limited per address."""
    form = TrackForm(request.POST if request.method == "POST" else None)
    complaint: Complaint | None = None
    status = 200
    if request.method == "POST":
        refusal = _limited(request, "complaint-track", "CERTHUB_COMPLAINT_TRACK_RATE_LIMIT")
        if refusal:
            form.is_valid()
            form.add_error(None, refusal)
            status = 429
        elif form.is_valid():
            complaint = queries.tracked_complaint(form.cleaned_data["number"], form.cleaned_data["code"])
            if complaint is None:
                form.add_error(None, _("受理编号或查询码不正确"))
                status = 422
        else:
            status = 422
    context: dict[str, Any] = {"form": form, "complaint": complaint}
    if complaint is not None:
        context["events"] = queries.public_events(complaint)
        context["region"] = Region.objects.filter(code=complaint.region_code).first()
    return render(request, "complaints/track.html", context, status=status)


# ------------------------------------------------------------------ officers


@office_required
@require_safe
def due_list(request: HttpRequest) -> HttpResponse:
    """The open complaints of the officer's region by their period's last day, overdue first."""
    actor = request_actor(request)
    form = DueFilterForm(request.GET or None)
    today = timezone.localdate()
    rows = queries.due_complaints(actor)
    if form.is_valid() and form.cleaned_data.get("overdue"):
        rows = rows.filter(due_on__lt=today)
    page = page_of(request, rows, 50)
    items = [
        {
            "complaint": complaint,
            "overdue": complaint.due_on is not None and complaint.due_on < today,
            "days_left": working_days_between(today, complaint.due_on) if complaint.due_on else None,
        }
        for complaint in page.object_list
    ]
    return render(request, "complaints/office/due.html", {"form": form, "page": page, "rows": items})


def _render_complaint(request: HttpRequest, complaint: Complaint, forms: dict[str, Any] | None = None) -> HttpResponse:
    forms = forms or {}
    is_open = complaint.state in OPEN_STATES
    panels: list[dict[str, Any]] = []

    def panel(key: str, title: str, button: str, form: Any) -> None:
        panels.append(
            {
                "key": key,
                "title": title,
                "button": button,
                "form": forms.get(key, form),
                "action": reverse(f"complaints:office_{key}", args=[complaint.number]),
            }
        )

    if complaint.state == ComplaintState.RECEIVED:
        panel("accept", _("受理"), _("受理"), AcceptForm())
        panel("refuse", _("不予受理"), _("不予受理"), ReasonForm())
    if complaint.state == ComplaintState.ACCEPTED:
        panel("conclude", _("办结"), _("办结"), ConcludeForm())
    if (
        is_open
        and complaint.kind == ComplaintKind.TIP_OFF
        and complaint.due_step == ComplaintStep.VERIFICATION
        and not complaint.extended
    ):
        panel("extend", _("延长核查期限"), _("延长"), ReasonForm())
    if is_open:
        panel("forward", _("移送其他地区"), _("移送"), ForwardForm())
    context = {
        "complaint": complaint,
        "events": complaint.events.order_by("at", "id"),
        "evidence": complaint.evidence.order_by("id"),
        "panels": panels,
        "cases": complaint.cases.order_by("-opened_at") if hasattr(complaint, "cases") else [],
        "region": Region.objects.filter(code=complaint.region_code).first(),
        "joined": complaint.events.filter(step=ComplaintStep.CASE_JOINED).exists(),
        "overdue": complaint.due_on is not None and complaint.due_on < timezone.localdate(),
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "complaints/office/complaint.html", context, status=status)


@office_required
@require_safe
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _permitted(lambda: queries.access_complaint(request_actor(request), number))
    return _render_complaint(request, complaint)


def _step(request: HttpRequest, number: str, key: str, form_class: Any, run: Any, done: str) -> HttpResponse:
    actor = request_actor(request)
    complaint = _permitted(lambda: queries.access_complaint(actor, number))
    form = form_class(request.POST)
    if _submitted(form, lambda: run(complaint, form.cleaned_data, actor)) is not None:
        messages.success(request, done % {"number": complaint.number})
        try:
            queries.access_complaint(actor, number)
        except NotFound:  # forwarded out of the officer's region
            return redirect("complaints:office_due")
        return redirect("complaints:office_complaint", number=complaint.number)
    complaint.refresh_from_db()
    return _render_complaint(request, complaint, {key: form})


@office_required
@require_POST
def accept(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "accept",
        AcceptForm,
        lambda c, d, a: actions.do_accept_complaint(complaint=c, note=d["note"], actor=a),
        _("已受理%(number)s。"),
    )


@office_required
@require_POST
def refuse(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "refuse",
        ReasonForm,
        lambda c, d, a: actions.do_refuse_complaint(complaint=c, reason=d["reason"], actor=a),
        _("已决定不予受理%(number)s。"),
    )


@office_required
@require_POST
def forward(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "forward",
        ForwardForm,
        lambda c, d, a: actions.do_forward_complaint(
            complaint=c, region_code=d["region_code"], reason=d["reason"], actor=a
        ),
        _("已移送%(number)s，办理期限不变。"),
    )


@office_required
@require_POST
def extend(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "extend",
        ReasonForm,
        lambda c, d, a: actions.do_extend_verification(complaint=c, reason=d["reason"], actor=a),
        _("已延长%(number)s的核查期限。"),
    )


@office_required
@require_POST
def conclude(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "conclude",
        ConcludeForm,
        lambda c, d, a: actions.do_conclude_complaint(complaint=c, outcome=d["outcome"], note=d["note"], actor=a),
        _("已办结%(number)s。"),
    )


@office_required
@require_safe
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file of a complaint in the officer's region (404 otherwise, as for a missing one)."""
    actor = request_actor(request)
    visible = queries.complaints_visible_to(actor).values("pk")
    item = Evidence.objects.filter(pk=pk, complaint__in=visible).first()
    if item is None:
        raise Http404(_("没有这个证据材料"))
    data = _permitted(lambda: open_upload(item.sha256))
    response = HttpResponse(data, content_type=item.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
