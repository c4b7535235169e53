"""The registry's pages: the public record of a certificate, a certification body and a lab (C3), the lab finder and
the procurement check (C13); and in the back office, the registry lists and record histories for officers and
administrators (scoped by region, C14), and a certification body's own certificates with the status-change form.

Views parse input, call registry queries and actions, and render; they decide nothing (docs/architecture.md, "five
things"). Every query runs as the visiting actor, so drafts never reach the public."""

from __future__ import annotations

from functools import wraps
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certhub.core.actors import ANONYMOUS
from certhub.core.choices import Role
from certhub.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from certhub.core.queries import region_choices
from certhub.core.reauth import reauth_required
from certhub.core.web import View, office_required, permitted, request_actor, submitted
from certhub.registry import numbering, queries
from certhub.registry.actions import (
    do_change_certificate_status,
    do_declare_product,
    do_update_organization,
    do_update_organization_contact,
    do_withdraw_declared_product,
)
from certhub.registry.actions.people import do_end_affiliation, do_start_affiliation
from certhub.registry.choices import CERTIFICATE_TRANSITIONS, CertificateStatus, ProductSource
from certhub.registry.display import audit_changes, certificate_banner, surveillance_of
from certhub.registry.forms import (
    BodyFilterForm,
    ContactForm,
    DeclareProductForm,
    EndAffiliationForm,
    LabFinderForm,
    OfficeFilterForm,
    OrganizationCorrectionForm,
    OwnCertificateFilterForm,
    ScopeFilterForm,
    StartAffiliationForm,
    StatusChangeForm,
)
from certhub.registry.models import CccProduct, Certificate, ManufacturedProduct, Organization
from certhub.registry.paging import paginate
from certhub.registry.queries import access_certificate, access_certification_body, access_lab
from certhub.registry.queries import pages as page_queries
from certhub.registry.queries import people as people_queries
from certhub.registry.tables import REGISTRY_BY_KEY, OfficeRegistry

SCOPE_PER_PAGE = 50

# ---------------------------------------------------------------- public pages


@require_safe
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate's status, stated in words and colour, with its record and history. An unknown
    number gets its own 404 page: "not in the registry" is not the same as suspended or withdrawn."""
    actor = request_actor(request)
    body = request.GET.get("body", "").strip()[:64]
    if not body:
        sharing = page_queries.certificates_sharing_number(actor, number)
        # The body the national numbering rule says issued it answers (registry/numbering.py).
        issuer = numbering.issuing_body(number.strip(), [c.certification_body.approval_number for c in sharing])
        body = issuer if len(sharing) > 1 and issuer else body
        if len(sharing) > 1 and not body:
            return render(request, "registry/certificate_choose.html", {"number": number, "certificates": sharing})
    try:
        found = access_certificate(actor, number, body=body)
    except NotFound as error:
        context: dict[str, object] = {"number": number.strip()[:60], "body": body, "message": error.message}
        return render(request, "registry/certificate_not_found.html", context, status=404)
    today = timezone.localdate()
    context = {
        "certificate": found,
        "banner": certificate_banner(found, today),
        "surveillance": surveillance_of(found, today),
        "events": list(found.events.all()),
    }
    return render(request, "registry/certificate.html", context)


@require_safe
def certification_body_list(request: HttpRequest) -> HttpResponse:
    form = BodyFilterForm(request.GET or None)
    bodies = queries.certification_bodies(**form.criteria())
    return render(request, "registry/certification_body_list.html", {"form": form, "bodies": bodies})


@require_safe
def certification_body(request: HttpRequest, approval_number: str) -> HttpResponse:
    try:
        found = access_certification_body(request_actor(request), approval_number)
    except NotFound as error:
        raise Http404(error.message) from error
    schemes = found.schemes.order_by("code")
    context = {"body": found, "schemes": schemes, "history": queries.body_status_history(found)}
    return render(request, "registry/certification_body.html", context)


@require_safe
def lab_list(request: HttpRequest) -> HttpResponse:
    """The lab finder: which qualified labs can test this parameter to this standard, and where."""
    form = LabFinderForm(request.GET or None, regions=region_choices(ANONYMOUS))
    page = paginate(request, queries.find_labs(**form.criteria()))
    return render(request, "registry/lab_list.html", {"form": form, "page": page, "today": timezone.localdate()})


@require_safe
def lab(request: HttpRequest, cma_number: str) -> HttpResponse:
    try:
        found = access_lab(request_actor(request), cma_number)
    except NotFound as error:
        raise Http404(error.message) from error
    form = ScopeFilterForm(request.GET or None)
    scope = paginate(request, page_queries.lab_scope(found, **form.criteria()), per_page=SCOPE_PER_PAGE)
    context = {
        "lab": found,
        "form": form,
        "scope": scope,
        "signatories": page_queries.lab_signatories(found),
        "qualified": found.qualified_on(timezone.localdate()),
    }
    return render(request, "registry/lab.html", context)


@require_safe
def procurement(request: HttpRequest) -> HttpResponse:
    """政府采购优先 (C13), the page beside GET /api/v1/procurement/check: is a supplier — or its
    product — certified now, and under which schemes. The answer is registry.queries.procurement_check's,
    the same as the API's; a bad credit code is shown next to its field."""
    uscc = request.GET.get("uscc", "").strip()[:40]
    product = request.GET.get("product", "").strip()[:100]
    result, errors = None, {}
    if "uscc" in request.GET:
        try:
            result = queries.procurement_check(request_actor(request), uscc=uscc, product=product)
        except ValidationFailed as failure:
            errors = failure.errors
    if result is not None:
        where = {"ccc_product": _("CCC目录产品"), "products": _("产品及型号"), "scope": _("认证范围")}
        for entry in result["certificates"]:
            entry["scheme"] = SimpleNamespace(**entry["scheme"])  # for the `localized` filter
            entry["matched_labels"] = [where[m] for m in entry["matched_on"]]
        result["schemes"] = [SimpleNamespace(**scheme) for scheme in result["schemes"]]
    context = {"uscc": uscc, "product": product, "result": result, "errors": errors}
    return render(request, "registry/procurement.html", context)


# ---------------------------------------------------------------- back office


def certification_body_required(view: View) -> View:
    """Signed in as a certification body's user (else the login page, or 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = request_actor(request)
        if actor.role != Role.CERTIFICATION_BODY or actor.organization_id is None:
            raise PermissionDenied(_("此页面仅对认证机构的用户开放。"))
        return view(request, *args, **kwargs)

    return wrapper


def _cells(registry: OfficeRegistry, row: Any) -> list[tuple[Any, Any]]:
    return [(column, column.value(row)) for column in registry.columns]


@office_required
@require_safe
def registry_list(request: HttpRequest, registry_key: str) -> HttpResponse:
    registry = REGISTRY_BY_KEY[registry_key]
    actor = request_actor(request)
    form = OfficeFilterForm(
        request.GET or None,
        regions=region_choices(actor),
        statuses=registry.statuses,
        status_label=registry.status_label,
        schemes=registry.schemes,
        search_help=registry.search_help,
    )
    page = paginate(request, registry.rows(actor, **form.criteria()))
    history = f"registry:office_{registry.name}_history"
    rows = [{"url": reverse(history, args=[row.pk]), "cells": _cells(registry, row)} for row in page]
    context = {"registry": registry, "form": form, "page": page, "rows": rows}
    return render(request, "registry/office/list.html", context)


@office_required
@require_safe
def registry_history(request: HttpRequest, registry_key: str, pk: int) -> HttpResponse:
    """A record and every audit row about it; a record outside the officer's region is not found."""
    registry = REGISTRY_BY_KEY[registry_key]
    row = registry.rows(request_actor(request)).filter(pk=pk).first()
    if row is None:
        raise Http404(_("你的辖区内没有这条记录。"))
    events = [
        (event, audit_changes(event.before, event.after, registry.model)) for event in page_queries.audit_events_of(row)
    ]
    context = {
        "registry": registry,
        "record": row,
        "cells": _cells(registry, row),
        "events": events,
        "certificate_events": page_queries.certificate_events_of(row) if isinstance(row, Certificate) else None,
        "list_url": reverse(f"registry:office_{registry.name}_list"),
    }
    return render(request, "registry/office/history.html", context)


@certification_body_required
@require_safe
def my_certificates(request: HttpRequest) -> HttpResponse:
    form = OwnCertificateFilterForm(request.GET or None)
    page = paginate(request, page_queries.own_certificates(request_actor(request), **form.criteria()))
    return render(request, "registry/office/my_certificates.html", {"form": form, "page": page})


@certification_body_required
@require_http_methods(["GET", "HEAD", "POST"])
# Suspending, withdrawing or cancelling a certificate is among the dangerous actions (C14).
@reauth_required
def certificate_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status of one of the body's own certificates through the action; a refusal is shown
    next to the field it concerns and changes nothing."""
    actor = request_actor(request)
    try:
        certificate = page_queries.access_own_certificate(actor, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    form = StatusChangeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            data = form.cleaned_data
            changed = do_change_certificate_status(
                certificate=certificate,
                to_status=data["to_status"],
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
                _("证书%(number)s的状态已变更为“%(status)s”。")
                % {"number": changed.number, "status": changed.get_status_display()},
            )
            return redirect("registry:office_my_certificates")
    allowed = [
        CertificateStatus(s).label for s in CertificateStatus.values if s in CERTIFICATE_TRANSITIONS[certificate.status]
    ]
    context = {
        "certificate": certificate,
        "form": form,
        "allowed": allowed,
        "events": page_queries.certificate_events_of(certificate),
    }
    return render(request, "registry/office/certificate_status.html", context, status=422 if form.errors else 200)


# ---------------------------------------------------------------- people (C1): affiliations over time
# ---------------------------------------------------------------- organizations (C1)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_people(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization's key people over time, and the form to start an affiliation; an organization outside
    the officer's region is not found."""
    actor = request_actor(request)
    organization = permitted(lambda: people_queries.access_office_organization(actor, pk))
    form = StartAffiliationForm(request.POST if request.method == "POST" else None)
    started = submitted(
        form,
        lambda: do_start_affiliation(
            organization=organization,
            role=form.cleaned_data["role"],
            start=form.cleaned_data["start"],
            name=form.cleaned_data["name"],
            id_number=form.cleaned_data["id_number"],
            decision=form.cleaned_data["decision"],
            actor=actor,
        ),
    )
    if started is not None:
        messages.success(
            request,
            _("已登记：%(name)s自%(start)s起任%(role)s。")
            % {"name": started.person.name, "start": f"{started.start:%Y-%m-%d}", "role": started.get_role_display()},
        )
        return redirect("registry:office_organization_people", pk=organization.pk)
    context = {
        "organization": organization,
        "affiliations": people_queries.organization_people(actor, organization),
        "form": form,
    }
    return render(request, "registry/office/organization_people.html", context, status=422 if form.errors else 200)


@office_required
@require_safe
def person_affiliations(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's affiliations over time, as far as they lie in the officer's region. Never the ID number,
    nor its digest (C14)."""
    actor = request_actor(request)
    person = permitted(lambda: people_queries.access_person(actor, pk))
    context = {"person": person, "affiliations": people_queries.person_affiliations(actor, person)}
    return render(request, "registry/office/person_affiliations.html", context)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def end_affiliation(request: HttpRequest, pk: int) -> HttpResponse:
    """End one affiliation; a refusal stands next to its field and changes nothing."""
    actor = request_actor(request)
    affiliation = permitted(lambda: people_queries.access_affiliation(actor, pk))
    form = EndAffiliationForm(request.POST if request.method == "POST" else None)
    ended = submitted(
        form,
        lambda: do_end_affiliation(
            affiliation=affiliation, end=form.cleaned_data["end"], reason=form.cleaned_data["reason"], actor=actor
        ),
        reload=affiliation,
    )
    if ended is not None:
        messages.success(
            request,
            _("已登记：%(name)s于%(end)s离任%(role)s。")
            % {"name": ended.person.name, "end": f"{ended.end:%Y-%m-%d}", "role": ended.get_role_display()},
        )
        return redirect("registry:office_organization_people", pk=affiliation.organization_id)
    context = {"affiliation": affiliation, "form": form}
    return render(request, "registry/office/affiliation_end.html", context, status=422 if form.errors else 200)


def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer corrects one organization of their region; every field is checked by the registry's one
    organization rule, a refusal is shown by the field and changes nothing. Outside the region: 404."""
    actor = request_actor(request)
    organization = (
        queries.organizations_visible_to(actor).select_related("region").prefetch_related("former_names").filter(pk=pk)
    ).first()
    if organization is None:
        raise Http404(_("你的辖区内没有这条记录。"))
    initial = {
        "name": organization.name,
        "region_code": organization.region_id,
        "address": organization.address,
        "industry_section": organization.industry_section,
        "industry_division": organization.industry_division,
        "above_designated_size": organization.above_designated_size,
        "registration_status": organization.registration_status,
    }
    form = OrganizationCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            do_update_organization(organization=organization, data=dict(form.cleaned_data), actor=actor)
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(request, _("机构%(uscc)s的登记信息已更新。") % {"uscc": organization.uscc})
            return redirect("registry:office_organization_edit", pk=organization.pk)
    context = {
        "organization": organization,
        "form": form,
        "former_names": list(organization.former_names.all()),
        "history_url": reverse("registry:office_organization_history", args=[organization.pk]),
    }
    return render(request, "registry/office/organization_edit.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_organization(request: HttpRequest) -> HttpResponse:
    """The enterprise's own page (phone-friendly): its registered contact and the products it declares it
    makes (the CCC coverage denominator, C6). Only a user linked to an organization as an enterprise."""
    actor = request_actor(request)
    if actor.role != Role.ENTERPRISE or actor.organization_id is None:
        raise PermissionDenied(_("本页面仅对已关联机构的企业用户开放。"))
    organization = Organization.objects.select_related("region").get(pk=actor.organization_id)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted else ""
    contact = ContactForm(
        posted if which == "contact" else None,
        initial={"contact_email": organization.contact_email, "contact_phone": organization.contact_phone},
        prefix="contact",
    )
    declare = DeclareProductForm(posted if which == "declare" else None, prefix="declare")
    try:
        if which == "contact" and contact.is_valid():
            try:
                do_update_organization_contact(organization=organization, data=contact.cleaned_data, actor=actor)
            except ValidationFailed as error:
                contact.add_domain_errors(error)
            else:
                messages.success(request, _("联系方式已保存。"))
                return redirect("registry:my_organization")
        elif which == "declare" and declare.is_valid():
            try:
                do_declare_product(organization=organization, data=declare.cleaned_data, actor=actor)
            except (ValidationFailed, Conflict) as error:
                declare.add_domain_errors(error)
            else:
                messages.success(request, _("已登记生产此产品。"))
                return redirect("registry:my_organization")
        elif which == "withdraw" and posted is not None:
            do_withdraw_declared_product(
                organization=organization, ccc_product=posted.get("ccc_product", ""), actor=actor
            )
            messages.success(request, _("已撤回自报产品。"))
            return redirect("registry:my_organization")
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except ValidationFailed as error:
        messages.error(request, "；".join(m for ms in error.errors.values() for m in ms))
    made = ManufacturedProduct.objects.filter(organization=organization).select_related("ccc_product")
    context = {
        "organization": organization,
        "contact": contact,
        "declare": declare,
        "products": list(made.order_by("ccc_product__code")),
        "catalogue": CccProduct.objects.order_by("code").values_list("code", "name"),
        "declared": ProductSource.DECLARED,
    }
    failed = contact.errors or declare.errors
    return render(request, "registry/my_organization.html", context, status=422 if failed else 200)
