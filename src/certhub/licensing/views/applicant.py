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
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import within_scope
from certhub.core.uploads import open_upload, read_upload, store_upload
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
from certhub.licensing.materials import CheckedMaterial
from certhub.licensing.models import Application, Licence, Material
from certhub.licensing.permissions import APPLICANT_ROLES
from certhub.licensing.procedures import procedure, procedures
from certhub.licensing.views import progress
from certhub.licensing.views.certificate import licence_document
from certhub.registry.models import Organization

ROW_SETS = ("scope", "signatory", "product")
# A formset row's field named in an action's refusal: particulars.scope[2].standard → the scope set's
# third row, field "standard".
ROW_ERROR = re.compile(r"^(?:particulars\.)?(scope|signatories|products)\[(\d+)\](?:\.(\w+))?")
ROW_FIELDS = {"signatories": {"scope": "scope_rows"}, "products": {"name": "product"}}
PERSON_ERROR = re.compile(r"^(?:particulars\.)?(legal_representative|technical_manager)(?:\.(\w+))?")


def _organization_required(request: HttpRequest) -> Any:
    """The organization the signed-in account acts for, or a 403 page saying why there is none."""
    actor = request_actor(request)
    organization = Organization.objects.filter(pk=actor.organization_id).first() if actor.organization_id else None
    if organization is None or actor.role not in APPLICANT_ROLES:
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
                filled = sets[by_prefix[row.group(1)]].filled()
                index = int(row.group(2))
                field = ROW_FIELDS.get(row.group(1), {}).get(row.group(3) or "", row.group(3))
                if index < len(filled):
                    target = filled[index]
                    if field == "scope_rows":
                        # The action counts scope rows from 0; the page numbers them from 1.
                        count = len(sets["scope_formset"].filled())
                        message = _("签字范围须为上方检测范围的行号（1–%(last)d）") % {"last": count}
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
                form.add_error(None, message)


def commitment_text(organization: Organization, licence_type: str, kind: str) -> str:
    """The 告知承诺 text the applicant signs: who commits, to what, under which rules, and what a false
    commitment costs (行政许可法 第六十九条、第七十九条, as procedures.json cites)."""
    proc = procedure(licence_type)
    return _(
        "%(name)s（统一社会信用代码%(uscc)s）就%(type)s%(kind)s申请作出如下承诺：\n"
        "一、本单位已知晓%(type)s的法定条件、标准和技术要求；\n"
        "二、本单位符合上述条件，所提交的申请材料和填报的信息真实、准确、完整；\n"
        "三、本单位同意在取得许可后%(months)d个月内接受核查；\n"
        "四、承诺不实的，愿意承担被撤销许可、%(years)d年内不得再次申请等法律责任（%(source)s）。\n"
        "依据：%(commitment_source)s"
    ) % {
        "name": organization.name,
        "uscc": organization.uscc,
        "type": proc.name,
        "kind": ApplicationKind(kind).label,
        "months": proc.post_check.months,
        "years": proc.bar.months // 12,
        "source": proc.bar.source,
        "commitment_source": proc.commitment_source,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Apply online. First the licence type, kind and track (GET); then the particulars for that type (POST).
    On the 告知承诺 track the applicant signs the commitment in the same form and the licence is granted on
    the spot; a general application goes to its case page, to upload the materials."""
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
                "name": proc.name,
                "commitment_kind_names": [ApplicationKind(kind).label for kind in proc.commitment_kinds],
                "commitment_source": proc.commitment_source,
            }
            for proc in procedures().values()
        ],
    }
    if chosen is None:
        return render(request, "licensing/apply.html", context, status=422 if start.errors else 200)
    licence_type = chosen["licence_type"]
    committing = chosen["track"] == Track.COMMITMENT
    text = commitment_text(organization, licence_type, chosen["kind"]) if committing else ""
    form_class = CmaParticularsForm if licence_type == LicenceType.CMA else ProductionParticularsForm
    data: QueryDict | None = request.POST if request.method == "POST" else None
    adding = data is not None and data.get("add_row") in ROW_SETS
    if data is not None and adding:
        data = _with_one_more_row(data, str(data.get("add_row")))
    form = form_class(None if adding else data, initial=data.dict() if adding and data is not None else None)
    if chosen["kind"] == ApplicationKind.FIRST and "licence_number" in form.fields:
        del form.fields["licence_number"]  # a first application holds no licence yet
    sign = CommitmentForm(None if adding else data, initial=data.dict() if adding and data is not None else None)
    sets = _row_sets(data, licence_type)
    status = 200
    if data is not None and not adding:
        valid = [form.is_valid(), all(s.is_valid() for s in sets.values()), not committing or sign.is_valid()]
        if all(valid):
            try:
                application = _permitted(
                    lambda: actions.do_submit_application(
                        licence_type=licence_type,
                        kind=chosen["kind"],
                        track=chosen["track"],
                        uscc=organization.uscc,
                        particulars=_particulars(licence_type, form, sets),
                        licence_number=form.cleaned_data.get("licence_number", ""),
                        commitment_text=f"{text}\n{sign.cleaned_data['signer']}" if committing else "",
                        actor=actor,
                    )
                )
            except (ValidationFailed, Conflict) as error:
                _place_errors(error, start, form, sets)
            else:
                if application.state == ApplicationState.GRANTED:
                    licence = queries.licences_visible_to(actor).filter(granted_by=application).first()
                    messages.success(
                        request,
                        _("已签署告知承诺书，当场准予许可，证书编号%(number)s。")
                        % {"number": licence.number if licence else application.decision_number},
                    )
                else:
                    messages.success(
                        request, _("申请%(number)s已提交，请上传申请材料。") % {"number": application.number}
                    )
                return redirect("licensing:application", number=application.number)
        status = 422
    context.update(
        {"particulars_form": form, "commitment_form": sign, "commitment_text": text, "committing": committing, **sets}
    )
    return render(request, "licensing/apply.html", context, status=status)


# ------------------------------------------------------------------ one case


def _render_application(request: HttpRequest, application: Application, **forms: Any) -> HttpResponse:
    actor = request_actor(request)
    open_request = application.material_requests.filter(answered_on__isnull=True).order_by("requested_on").first()
    # While a request is open, its answer form takes the documents (they count as the answer).
    can_upload = open_request is None and application.state not in progress.CLOSED
    events = progress.history(application)
    clocks = progress.clock_rows(application)
    context = {
        "application": application,
        "particulars": application.particulars,
        "tone": progress.tone(application.state),
        "licence": queries.licences_visible_to(actor).filter(granted_by=application).first(),
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


def _checked(form: UploadForm) -> list[CheckedMaterial]:
    """The form's file checked by content (type from the bytes, size, no active content in a PDF) and
    stored by its digest; ValidationFailed names the file field. Nothing is recorded until the action runs."""
    uploaded = form.cleaned_data.get("file")
    if not uploaded:
        return []
    checked, data = read_upload(uploaded, field="file")
    key = store_upload(checked, data)
    name = form.cleaned_data.get("title") or uploaded.name
    return [CheckedMaterial(name, checked.kind, checked.content_type, checked.size, checked.sha256, key)]


def _upload_answer(request: HttpRequest, application: Application, done: str) -> HttpResponse:
    """Where a successful upload goes: JSON for upload.js, a redirect otherwise."""
    messages.success(request, done)
    location = reverse("licensing:application", args=[application.number])
    if _wants_json(request):
        return JsonResponse({"location": location})
    return redirect(location)


def _refused_upload(request: HttpRequest, application: Application, key: str, form: UploadForm) -> HttpResponse:
    if _wants_json(request):
        errors = {name if name != "__all__" else "": list(errors) for name, errors in form.errors.items()}
        return JsonResponse({"errors": errors}, status=422)
    return _render_application(request, application, **{key: form})


@login_required
@require_POST
def upload(request: HttpRequest, number: str) -> HttpResponse:
    """Upload one document. upload.js sends it with XMLHttpRequest (for the progress bar) and gets JSON back;
    without JavaScript it is an ordinary POST and the refusal stands next to the field."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = UploadForm(request.POST, request.FILES)
    saved = _submitted(
        form,
        lambda: actions.do_add_materials(application=application, materials=_checked(form), actor=actor),
        reload=application,
    )
    if saved:
        return _upload_answer(request, application, _("已上传“%(name)s”。") % {"name": saved[0].name})
    return _refused_upload(request, application, "upload_form", form)


@login_required
@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    """Answer the open request for more documents: the document asked for and a note; the clocks resume."""
    actor = request_actor(request)
    application = _permitted(lambda: queries.access_application(actor, number))
    form = AnswerRequestForm(request.POST, request.FILES)
    open_request = application.material_requests.filter(answered_on__isnull=True).order_by("requested_on").first()
    if open_request is None:
        form.is_valid()
        form.add_error(None, _("没有待答复的补充材料通知。"))
    elif _submitted(
        form,
        lambda: actions.do_answer_materials_request(
            request=open_request, note=form.cleaned_data["note"], materials=_checked(form), actor=actor
        ),
        reload=application,
    ):
        return _upload_answer(request, application, _("已提交补充材料，审查继续。"))
    return _refused_upload(request, application, "answer_form", form)


def material_file(found: Material) -> HttpResponse:
    """A stored document, downloaded under its name (never shown inline: it is the applicant's file)."""
    response = HttpResponse(_permitted(lambda: open_upload(found.storage_key)), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def material(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of one of the organization's own cases (a document of another's is "not found")."""
    actor = request_actor(request)
    found = Material.objects.filter(pk=pk, application__in=queries.applications_visible_to(actor)).first()
    return material_file(_permitted(lambda: within_scope(found, lambda m: True, _("没有这份材料"))))


@require_safe
def licence_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The electronic certificate (a PDF with its signed QR seal) of a licence the visitor may see: the
    holder's own, or one of an officer's region."""
    licence: Licence = _permitted(lambda: queries.access_licence(request_actor(request), number))
    response = HttpResponse(_permitted(lambda: licence_document(licence)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response
