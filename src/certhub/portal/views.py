"""The public pages (C3): certificate search and verification, certification bodies, the lab finder.

Views parse input, call registry and portal queries, and render; they decide nothing (docs/architecture.md, "five
things"). Every query runs as the visiting actor, so drafts never reach the public."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.actors import ANONYMOUS, Actor
from certhub.core.errors import NotFound, ValidationFailed
from certhub.portal import queries
from certhub.portal.display import certificate_banner, surveillance_of
from certhub.portal.forms import BodyFilterForm, CertificateSearchForm, LabFinderForm, ScopeFilterForm
from certhub.portal.paging import paginate
from certhub.registry import queries as registry_queries
from certhub.registry.queries import (
    access_certificate,
    access_certification_body,
    access_lab,
    certificate_search,
)

SCOPE_PER_PAGE = 50


def request_actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"form": CertificateSearchForm()})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Certificate search by number, holder name or credit code, with scheme, status and region filters."""
    form = CertificateSearchForm(request.GET or None, regions=queries.region_choices(ANONYMOUS))
    criteria = form.criteria()
    page, partial = None, False
    if criteria:
        results, partial = certificate_search(request_actor(request), **criteria)
        page = paginate(request, results)
    body = queries.certification_body_named(criteria.get("body", ""))
    context = {
        "form": form,
        "page": page,
        "criteria": criteria,
        "body": body,
        "partial": partial,
        "holder_cap": registry_queries.HOLDER_MATCH_CAP,
    }
    return render(request, "portal/search.html", context)


@require_safe
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate's status, stated in words and colour, with its record and history. An unknown
    number gets its own 404 page: "not in the registry" is not the same as suspended or withdrawn."""
    actor = request_actor(request)
    body = request.GET.get("body", "").strip()[:64]
    if not body:
        sharing = queries.certificates_sharing_number(actor, number)
        if len(sharing) > 1:
            return render(request, "portal/certificate_choose.html", {"number": number, "certificates": sharing})
    try:
        found = access_certificate(actor, number, body=body)
    except NotFound as error:
        context = {"number": number.strip()[:60], "body": body, "message": error.message}
        return render(request, "portal/certificate_not_found.html", context, status=404)
    today = timezone.localdate()
    context = {
        "certificate": found,
        "banner": certificate_banner(found, today),
        "surveillance": surveillance_of(found, today),
        "events": list(found.events.all()),
    }
    return render(request, "portal/certificate.html", context)


@require_safe
def certification_body_list(request: HttpRequest) -> HttpResponse:
    form = BodyFilterForm(request.GET or None)
    bodies = queries.certification_bodies(**form.criteria())
    return render(request, "portal/certification_body_list.html", {"form": form, "bodies": bodies})


@require_safe
def certification_body(request: HttpRequest, approval_number: str) -> HttpResponse:
    try:
        found = access_certification_body(request_actor(request), approval_number)
    except NotFound as error:
        raise Http404(error.message) from error
    schemes = found.schemes.order_by("code")
    return render(request, "portal/certification_body.html", {"body": found, "schemes": schemes})


@require_safe
def lab_list(request: HttpRequest) -> HttpResponse:
    """The lab finder: which qualified labs can test this parameter to this standard, and where."""
    form = LabFinderForm(request.GET or None, regions=queries.region_choices(ANONYMOUS))
    page = paginate(request, queries.find_labs(**form.criteria()))
    return render(request, "portal/lab_list.html", {"form": form, "page": page, "today": timezone.localdate()})


@require_safe
def lab(request: HttpRequest, cma_number: str) -> HttpResponse:
    try:
        found = access_lab(request_actor(request), cma_number)
    except NotFound as error:
        raise Http404(error.message) from error
    form = ScopeFilterForm(request.GET or None)
    scope = paginate(request, queries.lab_scope(found, **form.criteria()), per_page=SCOPE_PER_PAGE)
    context = {
        "lab": found,
        "form": form,
        "scope": scope,
        "signatories": queries.lab_signatories(found),
        "qualified": found.qualified_on(timezone.localdate()),
    }
    return render(request, "portal/lab.html", context)


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
            result = registry_queries.procurement_check(request_actor(request), uscc=uscc, product=product)
        except ValidationFailed as failure:
            errors = failure.errors
    if result is not None:
        where = {"ccc_product": _("CCC目录产品"), "products": _("产品及型号"), "scope": _("认证范围")}
        for entry in result["certificates"]:
            entry["scheme"] = SimpleNamespace(**entry["scheme"])  # for the `localized` filter
            entry["matched_labels"] = [where[m] for m in entry["matched_on"]]
        result["schemes"] = [SimpleNamespace(**scheme) for scheme in result["schemes"]]
    context = {"uscc": uscc, "product": product, "result": result, "errors": errors}
    return render(request, "portal/procurement.html", context)
