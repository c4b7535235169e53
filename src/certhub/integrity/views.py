"""The integrity pages (C9, C3): the public disclosure list with its downloads, an organization's and a
person's integrity archive (the public part for the public, everything for officers of the region), the
officers' joint punishment query, the officers' disclosure export by region, and credit repair. Parse, call,
render (docs/architecture.md convention 7)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.reauth import reauth_required
from certhub.core.web import office_required, permitted, request_actor, submitted
from certhub.integrity import archive
from certhub.integrity.actions import do_query_joint_punishment, do_repair_credit
from certhub.integrity.choices import QueryChannel
from certhub.integrity.disclosure import check_export_region, csv_bytes, disclosure_rows, xlsx_bytes
from certhub.integrity.forms import CreditRepairForm, DisclosureExportForm, DisclosureFilterForm, JointQueryForm
from certhub.integrity.models import JointPunishmentQuery
from certhub.registry.models import Organization, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DISCLOSURE_PER_PAGE = 50


def _download(rows: list[dict[str, object]], file_format: str, name: str) -> HttpResponse:
    if file_format == "csv":
        response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
    elif file_format == "xlsx":
        response = HttpResponse(xlsx_bytes(rows), content_type=XLSX)
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@require_safe
def disclosure(request: HttpRequest) -> HttpResponse:
    """The public disclosure list: searchable by name, credit code or decision number, by category, paged."""
    form = DisclosureFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    rows = disclosure_rows(timezone.localdate(), search=criteria.get("q", ""), category=criteria.get("category", ""))
    return render(
        request,
        "integrity/disclosure.html",
        {
            "form": form,
            "page": Paginator(rows, DISCLOSURE_PER_PAGE).get_page(request.GET.get("page")),
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def disclosure_download(request: HttpRequest, file_format: str) -> HttpResponse:
    """The whole list (narrowed by the same filters as the page) as CSV or XLSX."""
    form = DisclosureFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    rows = disclosure_rows(timezone.localdate(), search=criteria.get("q", ""), category=criteria.get("category", ""))
    return _download(rows, file_format, "certhub-disclosure")


@office_required
@require_safe
def disclosure_export(request: HttpRequest) -> HttpResponse:
    """An officer's export of the list for a region within their scope (their whole region by default); a
    region outside it is refused with 403 and nothing is produced."""
    actor = request_actor(request)
    form = DisclosureExportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "integrity/office/export.html", {"form": form}, status=422 if form.is_bound else 200)
    prefix = permitted(lambda: check_export_region(actor, form.cleaned_data["region"]))
    rows = disclosure_rows(timezone.localdate(), region_prefix=prefix)
    return _download(rows, form.cleaned_data["file_format"], f"certhub-disclosure-{prefix or 'all'}")


@require_safe
def organization_archive(request: HttpRequest, uscc: str) -> HttpResponse:
    """An organization's integrity archive: the public part (entries in their publicity period) for
    everyone, every entry with its publicity dates for officers of its region."""
    organization = Organization.objects.filter(uscc=uscc.upper()).select_related("region").first()
    if organization is None:
        raise Http404(_("没有这个统一社会信用代码的机构"))
    actor = request_actor(request)
    today = timezone.localdate()
    full = archive.sees_everything(actor, organization.region_id)
    entries = archive.archive_of(organization, actor, today)
    return render(
        request,
        "integrity/archive.html",
        {
            "organization": organization,
            "entries": entries,
            "full": full,
            "today": today,
            "repair_form": CreditRepairForm() if full else None,
        },
    )


@require_safe
def person_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's archive. The public sees a person only where the law publishes them (a lifetime ban in
    force, by name and decision); otherwise the page does not exist for them (C14)."""
    person = Person.objects.filter(pk=pk).first()
    actor = request_actor(request)
    entries = archive.person_archive(person, actor, timezone.localdate()) if person else []
    if person is None or (not entries and actor.role not in ("OFFICER", "ADMINISTRATOR")):
        raise Http404(_("没有公示的人员记录"))
    return render(request, "integrity/person.html", {"person": person, "entries": entries})


@office_required
@require_http_methods(["GET", "POST"])
def joint_query(request: HttpRequest) -> HttpResponse:
    """The officers' joint punishment query: the same answers as the API, logged the same way."""
    actor = request_actor(request)
    form = JointQueryForm(request.POST or None)
    answers = None
    outcome = submitted(
        form, lambda: do_query_joint_punishment(items=form.parsed(), channel=QueryChannel.PAGE, actor=actor)
    )
    if outcome is not None:
        # A fresh form: the page of answers does not carry the identity numbers asked about (C14).
        answers, form = outcome[1], JointQueryForm()
    recent = JointPunishmentQuery.objects.all()[:20]
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "integrity/office/joint.html", {"form": form, "answers": answers, "recent": recent}, status=status
    )


@office_required
@reauth_required
@require_POST
def credit_repair(request: HttpRequest, uscc: str) -> HttpResponse:
    """Record a credit repair decision ending one entry's publicity early (officers of the region, after
    confirming who they are)."""
    actor = request_actor(request)
    organization = Organization.objects.filter(uscc=uscc.upper()).first()
    if organization is None or not archive.sees_everything(actor, organization.region_id):
        raise Http404(_("没有这个统一社会信用代码的机构"))
    form = CreditRepairForm(request.POST)
    repair = submitted(
        form,
        lambda: do_repair_credit(
            organization=organization,
            source=form.cleaned_data["source"],
            decision_number=form.cleaned_data["decision_number"],
            decided_on=form.cleaned_data["decided_on"],
            ends_publicity_on=form.cleaned_data["ends_publicity_on"],
            authority=form.cleaned_data["authority"],
            reason=form.cleaned_data["reason"],
            actor=actor,
        ),
    )
    if repair is not None:
        messages.success(request, _("已登记信用修复决定%(number)s") % {"number": repair.decision_number})
        return redirect(reverse("integrity:archive", args=[organization.uscc]))
    today = timezone.localdate()
    return render(
        request,
        "integrity/archive.html",
        {
            "organization": organization,
            "entries": archive.archive_of(organization, actor, today),
            "full": True,
            "today": today,
            "repair_form": form,
        },
        status=422,
    )
