"""The applicant's pages (C8, 一网通办), made for the phone: the organization's applications and licences, the
online application (licence type, kind, track; a lab's particulars, scope rows and signatories, or a producer's
products), signing the 告知承诺 text for a licence on the spot, uploading materials with a progress bar,
answering a request for more documents, following a case by its number, and downloading the electronic
certificate.

Only an account linked to an organization acts for it (the actions' APPLY_FOR_LICENCE rule); the cases and
licences of other organizations answer as missing ones (docs/architecture.md convention 11)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.web import page_of, request_actor
from certhub.core.web import permitted as _permitted
from certhub.core.web import submitted as _submitted
from certhub.licensing import actions, queries
from certhub.licensing.choices import ApplicationKind, ApplicationState, LicenceType, Track
from certhub.licensing.forms import (
    AnswerRequestForm,
    ApplicationStartForm,
    CmaParticularsForm,
    CommitmentForm,
    FollowForm,
    ProductFormSet,
    ProductionParticularsForm,
    ScopeRowFormSet,
    SignatoryFormSet,
    UploadForm,
)
from certhub.licensing.models import Application
from certhub.licensing.procedures import procedures
from certhub.licensing.views import progress

# An upload larger than this is refused by the checks of core.uploads anyway; the page reads it whole.
ROW_SETS = ("scope", "signatory", "product")
# A formset row's field named in an action's refusal: particulars.scope[2].standard → the scope set's
# third row, field "standard".
ROW_ERROR = re.compile(r"^(?:particulars\.)?(scope|signatories|products)\[(\d+)\](?:\.(\w+))?")
ROW_FIELDS = {"signatories": {"scope": "scope_rows"}, "products": {"name": "product"}}
PERSON_ERROR = re.compile(r"^(?:particulars\.)?(legal_representative|technical_manager)(?:\.(\w+))?")


def _organization_required(request: HttpRequest) -> Any:
    """The organization the signed-in account acts for, or a 403 page saying why there is none."""
    actor = request_actor(request)
    organization = queries.applicant_organization(actor)
    if organization is None:
        raise PermissionDenied(
            _("行政许可在线申请仅对已关联机构的企业和检验检测机构账号开放。请先完成账号与机构的关联。")
        )
    return organization


# ------------------------------------------------------------------ lists


@login_required
@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    organization = _organization_required(request)
    actor = request_actor(request)
    page = page_of(request, queries.applications_visible_to(actor).filter(applicant=organization))
    for application in page.object_list:
        application.tone = progress.tone(application.state)
    context = {
        "organization": organization,
        "page": page,
        "licences": queries.licences_visible_to(actor).filter(holder=organization),
    }
    return render(request, "licensing/my_applications.html", context)


@login_required
@require_safe
def follow(request: HttpRequest) -> HttpResponse:
    """Follow a case by its number: the organization's own case opens; anything else is "not found"."""
    _organization_required(request)
    form = FollowForm(request.GET or None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["number"].strip()
        if queries.applications_visible_to(request_actor(request)).filter(number=number).exists():
            return redirect("licensing:application", number=number)
        form.add_error("number", _("本单位没有编号为“%(number)s”的申请。") % {"number": number})
    return render(request, "licensing/follow.html", {"form": form}, status=404 if form.errors else 200)


# ------------------------------------------------------------------ applying


def _chosen(start: ApplicationStartForm) -> dict[str, Any] | None:
    if not start.is_bound or not start.is_valid():
        return None
    data = start.cleaned_data
    query = QueryDict(mutable=True)
    query.update({"licence_type": data["licence_type"], "kind": data["kind"], "track": data["track"]})
    return {
        **data,
        "licence_type_label": LicenceType(data["licence_type"]).label,
        "kind_label": ApplicationKind(data["kind"]).label,
        "track_label": Track(data["track"]).label,
        "query": query.urlencode(),
    }


def _with_one_more_row(data: QueryDict, prefix: str) -> QueryDict:
    """The form as sent, with one more (empty) row in set `prefix`: the 添加一行 button without JavaScript."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return data


def _row_sets(data: QueryDict | None, licence_type: str) -> dict[str, Any]:
    if licence_type == LicenceType.CMA:
        return {
            "scope_formset": ScopeRowFormSet(data, prefix="scope"),
            "signatory_formset": SignatoryFormSet(data, prefix="signatory"),
        }
    return {"product_formset": ProductFormSet(data, prefix="product")}


def _particulars(licence_type: str, form: Any, sets: dict[str, Any]) -> dict[str, Any]:
    """The raw particulars handed to the submit action, which checks them (licensing.particulars)."""
    data = form.cleaned_data
    if licence_type == LicenceType.CMA:
        signatories = [
            {"name": row["name"], "id_number": row["id_number"], "scope": [n - 1 for n in row["scope_rows"]]}
            for row in sets["signatory_formset"].rows()
        ]
        particulars: dict[str, Any] = {
            "lab_name": data["lab_name"],
            "address": data["address"],
            "scope": sets["scope_formset"].rows(),
            "signatories": signatories,
        }
        for role in ("legal_representative", "technical_manager"):
            if data.get(role):
                particulars[role] = {"name": data[role], "id_number": data[f"{role}_id_number"]}
        return particulars
    return {
        "product_unit": data["product_unit"],
        "address": data["address"],
        "products": [{"name": row["product"], "models": row["models"]} for row in sets["product_formset"].rows()],
    }


def _place_errors(error: ValidationFailed | Conflict, start: Any, form: Any, sets: dict[str, Any]) -> None:
    """An action's refusal next to the field it names: a row's field in its row, a person's in the
    person's fields, the licence type, kind and track above the form."""
    by_prefix = {"scope": "scope_formset", "signatories": "signatory_formset", "products": "product_formset"}
    for name, field_messages in (getattr(error, "errors", None) or {"": [error.message]}).items():
        row = ROW_ERROR.match(name)
        person = PERSON_ERROR.match(name)
        for message in field_messages:
            if row and by_prefix[row.group(1)] in sets:
                formset = sets[by_prefix[row.group(1)]]
                index = int(row.group(2))
                field = ROW_FIELDS.get(row.group(1), {}).get(row.group(3) or "", row.group(3))
                if index < len(formset.forms):
                    target = formset.forms[index]
                    target.add_error(field if field in target.fields else None, message)
                    continue
            if person:
                field = person.group(1) + ("_id_number" if person.group(2) == "id_number" else "")
                form.add_error(field, message)
                continue
            key = name.removeprefix("particulars.")
            if key in form.fields:
                form.add_error(key, message)
            elif key in start.fields:
                start.add_error(key, message)
            else:
                form.add_error(None, f"{name}：{message}" if name else message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Apply online. First the licence type, kind and track (GET); then the particulars for that type (POST).
    A 告知承诺 application goes on to the commitment; a general one to its case page, to upload materials."""
    organization = _organization_required(request)
    actor = request_actor(request)
    start = ApplicationStartForm(request.GET or None)
    chosen = _chosen(start)
    context: dict[str, Any] = {
        "organization": organization,
        "start_form": start,
        "chosen": chosen,
        "procedures": [
            {
                "name": procedure.name,
                "commitment_kind_names": [ApplicationKind(kind).label for kind in procedure.commitment_kinds],
                "commitment_source": procedure.commitment_source,
            }
            for procedure in procedures().values()
        ],
    }
    if chosen is None:
        return render(request, "licensing/apply.html", context, status=422 if start.errors else 200)
    licence_type = chosen["licence_type"]
    form_class = CmaParticularsForm if licence_type == LicenceType.CMA else ProductionParticularsForm
    data: QueryDict | None = request.POST if request.method == "POST" else None
    adding = data is not None and data.get("add_row") in ROW_SETS
    if data is not None and adding:
        data = _with_one_more_row(data, data["add_row"])
    form = form_class(data if not adding else None, initial=data.dict() if adding and data is not None else None)
    sets = _row_sets(data, licence_type)
    status = 200
    if data is not None and not adding:
        if form.is_valid() and all(s.is_valid() for s in sets.values()):
            try:
                application = _permitted(
                    lambda: actions.do_submit_application(
                        applicant=organization,
                        licence_type=licence_type,
                        kind=chosen["kind"],
                        track=chosen["track"],
                        particulars=_particulars(licence_type, form, sets),
                        licence_number=form.cleaned_data.get("licence_number", ""),
                        actor=actor,
                    )
                )
            except (ValidationFailed, Conflict) as error:
                _place_errors(error, start, form, sets)
            else:
                if application.track == Track.COMMITMENT:
                    return redirect("licensing:commitment", number=application.number)
                messages.success(
                    request,
                    _("申请%(number)s已提交，请上传申请材料。") % {"number": application.number},
                )
                return redirect("licensing:application", number=application.number)
        status = 422
    context.update({"particulars_form": form, **sets})
    return render(request, "licensing/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def commitment(request: HttpRequest, number: str) -> HttpResponse:
    """Sign the 告知承诺 text: the licence is granted on the spot, its post-approval check scheduled."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = CommitmentForm(request.POST if request.method == "POST" else None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    licence = _submitted(
        form,
        lambda: actions.do_sign_commitment(application=application, signer=data["signer"], actor=actor),
        reload=application,
    )
    if licence is not None:
        messages.success(
            request,
            _("已签署告知承诺书，当场准予许可，证书编号%(number)s。") % {"number": licence.number},
        )
        return redirect("licensing:application", number=application.number)
    context = {
        "application": application,
        "form": form,
        "commitment_text": queries.commitment_text(application),
    }
    return render(request, "licensing/commitment.html", context, status=422 if form.errors else 200)


# ------------------------------------------------------------------ one case


def _render_application(request: HttpRequest, application: Application, **forms: Any) -> HttpResponse:
    open_request = application.material_requests.filter(answered_on__isnull=True).order_by("requested_on").first()
    can_upload = application.state not in (
        ApplicationState.GRANTED,
        ApplicationState.REFUSED,
        ApplicationState.NOT_ACCEPTED,
        ApplicationState.WITHDRAWN,
    )
    events = list(application.events.order_by("at", "id"))
    for event in events:
        event.step_label = progress.step_label(event.step)
    clocks = progress.clock_rows(application)
    context = {
        "application": application,
        "particulars": application.particulars,
        "tone": progress.tone(application.state),
        "licence": queries.licence_of(application),
        "awaited": progress.awaited(application),
        "clocks": clocks,
        "any_provisional": any(clock.provisional for clock in clocks),
        "opinions": application.opinion_requests.order_by("requested_on", "department"),
        "events": events,
        "materials": application.materials.order_by("uploaded_at", "id"),
        "open_request": open_request,
        "can_upload": can_upload,
        "upload_form": forms.get("upload_form") or UploadForm(),
        "answer_form": forms.get("answer_form") or AnswerRequestForm(),
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "licensing/application.html", context, status=status)


@login_required
@require_safe
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant's view of a case: what is done, what is awaited and from whom, the clocks."""
    return _render_application(request, _permitted(lambda: queries.access_application(request_actor(request), number)))


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
@require_POST
def upload(request: HttpRequest, number: str) -> HttpResponse:
    """Upload one document. upload.js sends it with XMLHttpRequest (for the progress bar) and gets JSON back;
    without JavaScript it is an ordinary POST and the refusal stands next to the field."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = UploadForm(request.POST, request.FILES)
    uploaded = form.cleaned_data.get("file") if form.is_valid() else None
    material = _submitted(
        form,
        lambda: actions.do_add_material(
            application=application,
            name=form.cleaned_data["title"] or uploaded.name,
            data=uploaded.read(),
            actor=actor,
        ),
        reload=application,
    )
    if material is not None:
        messages.success(request, _("已上传“%(name)s”。") % {"name": material.name})
        location = reverse("licensing:application", args=[application.number])
        if _wants_json(request):
            return JsonResponse({"location": location})
        return redirect(location)
    if _wants_json(request):
        errors = {name if name != "__all__" else "": list(errors) for name, errors in form.errors.items()}
        return JsonResponse({"errors": errors}, status=422)
    return _render_application(request, application, upload_form=form)


@login_required
@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    """Answer the open request for more documents with what was uploaded since."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = AnswerRequestForm(request.POST)
    if _submitted(
        form,
        lambda: actions.do_answer_materials(application=application, note=form.cleaned_data["note"], actor=actor),
        reload=application,
    ):
        messages.success(request, _("已提交补充材料，审查继续。"))
        return redirect("licensing:application", number=application.number)
    return _render_application(request, application, answer_form=form)


@login_required
@require_safe
def material(request: HttpRequest, pk: int) -> FileResponse:
    """A document of one of the organization's own cases."""
    found = _permitted(lambda: queries.access_material(request_actor(request), pk))
    return _file_response(found)


def _file_response(found: Any) -> FileResponse:
    response = FileResponse(
        queries.material_file(found), content_type=found.content_type, as_attachment=True, filename=found.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def licence_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The electronic certificate (PDF with its signed QR seal) of a licence the visitor may see: the holder's
    own, or an officer's of the licence's region."""
    licence = _permitted(lambda: queries.access_licence(request_actor(request), number))
    document = queries.licence_document(licence)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response
