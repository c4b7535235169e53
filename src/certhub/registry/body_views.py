"""The back office's certification body pages (C1 stewardship): an officer records a national announcement
— a body's particulars and schemes, its suspension, reinstatement, revocation or closure — and transfers a
certificate to another body. Views parse, call the actions in registry.actions.bodies and render; a refusal
is shown next to the field it names, with status 422, and changes nothing. Revocation, suspension and closure
ask the officer to confirm who they are first (core.reauth, C14)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certhub.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from certhub.core.reauth import reauth_required
from certhub.core.web import office_required, request_actor
from certhub.registry.actions import (
    do_close_certification_body,
    do_reinstate_certification_body,
    do_revoke_certification_body,
    do_suspend_certification_body,
    do_transfer_certificate,
    do_update_certification_body,
)
from certhub.registry.choices import BODY_TRANSITIONS, BodyStatus
from certhub.registry.forms import BodyParticularsForm, BodyStatusForm, TransferForm
from certhub.registry.models import CertificationBody
from certhub.registry.queries import access_certification_body_for_change, body_status_history
from certhub.registry.queries import pages as page_queries

STATUS_ACTIONS = {
    BodyStatus.SUSPENDED: do_suspend_certification_body,
    BodyStatus.ACTIVE: do_reinstate_certification_body,
    BodyStatus.REVOKED: do_revoke_certification_body,
    BodyStatus.CLOSED: do_close_certification_body,
}


def _body(request: HttpRequest, pk: int) -> CertificationBody:
    try:
        return access_certification_body_for_change(request_actor(request), pk)
    except NotFound as error:
        raise Http404(error.message) from error


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a body's particulars and schemes (do_update_certification_body)."""
    body = _body(request, pk)
    initial = {
        "name": body.name,
        "accreditation": body.accreditation,
        "valid_from": body.valid_from,
        "valid_until": body.valid_until,
        "schemes": list(body.schemes.values_list("code", flat=True)),
    }
    form = BodyParticularsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            do_update_certification_body(
                body=body,
                name=data["name"],
                accreditation=data["accreditation"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                scheme_codes=data["schemes"],
                actor=request_actor(request),
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(request, _("认证机构“%(name)s”的信息已更新。") % {"name": data["name"]})
            return redirect("registry:office_certification_body_history", pk=body.pk)
    context = {"body": body, "form": form}
    return render(request, "registry/office/body_edit.html", context, status=422 if form.errors else 200)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
# Suspending, revoking or closing a body ends what its certificates prove (C14: dangerous actions).
@reauth_required
def body_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a national decision on a body's approval: suspend, reinstate, revoke (every certificate of the
    body withdrawn at once) or close."""
    body = _body(request, pk)
    form = BodyStatusForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = STATUS_ACTIONS[BodyStatus(data["to_status"])](
                body=body,
                effective_date=data["effective_date"],
                reason=data["reason"],
                decision=data["decision"],
                actor=request_actor(request),
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(
                request,
                _("认证机构“%(name)s”的状态已变更为“%(status)s”，%(count)d张证书随之变更。")
                % {"name": result.body.name, "status": result.body.get_status_display(), "count": result.certificates},
            )
            return redirect("registry:office_certification_body_history", pk=body.pk)
    allowed = [BodyStatus(s).label for s in BodyStatus.values if s in BODY_TRANSITIONS[body.status]]
    context = {"body": body, "form": form, "allowed": allowed, "history": body_status_history(body)}
    return render(request, "registry/office/body_status.html", context, status=422 if form.errors else 200)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Transfer a certificate within the officer's region to another body (do_transfer_certificate)."""
    actor = request_actor(request)
    certificate = page_queries.office_certificates(actor).filter(pk=pk).select_related("certification_body").first()
    if certificate is None:
        raise Http404(_("你的辖区内没有这条记录。"))
    bodies = [
        (b.approval_number, f"{b.name}（{b.approval_number}，{b.get_status_display()}）")
        for b in CertificationBody.objects.exclude(pk=certificate.certification_body_id).order_by("approval_number")
    ]
    form = TransferForm(request.POST if request.method == "POST" else None, bodies=bodies)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            moved = do_transfer_certificate(
                certificate=certificate,
                to_body=CertificationBody.objects.get(approval_number=data["to_body"]),
                effective_date=data["effective_date"],
                reason=data["reason"],
                actor=actor,
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(
                request,
                _("证书%(number)s已转移至认证机构“%(name)s”。")
                % {"number": moved.number, "name": moved.certification_body.name},
            )
            return redirect("registry:office_certificate_history", pk=certificate.pk)
    context = {"certificate": certificate, "form": form}
    return render(request, "registry/office/certificate_transfer.html", context, status=422 if form.errors else 200)
