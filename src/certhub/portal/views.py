"""The portal's own pages: the home page with its search box, the certificate search (C3), and the landing page of
the back office. The record pages of certificates, bodies and labs are the registry's (registry/views.py).

Views parse input, call queries, and render; they decide nothing (docs/architecture.md, "five things"). Every
query runs as the visiting actor, so drafts never reach the public."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.actors import ANONYMOUS
from certhub.core.choices import Role
from certhub.core.permissions import Permission, is_permitted
from certhub.core.queries import region_choices, region_of
from certhub.core.web import request_actor
from certhub.portal.forms import CertificateSearchForm
from certhub.portal.queries import own_organization_landing
from certhub.registry import queries as registry_queries
from certhub.registry.paging import paginate
from certhub.registry.queries import pages as page_queries
from certhub.registry.tables import REGISTRIES


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"form": CertificateSearchForm()})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Certificate search by number, holder name or credit code, with scheme, status and region filters."""
    form = CertificateSearchForm(request.GET or None, regions=region_choices(ANONYMOUS))
    criteria = form.criteria()
    page, partial = None, False
    if criteria:
        results, partial = registry_queries.certificate_search(request_actor(request), **criteria)
        page = paginate(request, results)
    body = page_queries.certification_body_named(criteria.get("body", ""))
    context = {
        "form": form,
        "page": page,
        "criteria": criteria,
        "body": body,
        "partial": partial,
        "holder_cap": registry_queries.search.HOLDER_MATCH_CAP,
    }
    return render(request, "portal/search.html", context)


@login_required
@require_safe
def office_home(request: HttpRequest) -> HttpResponse:
    """Where a sign-in lands: the registries for officers; a certification body's own certificates; an
    enforcement inspector's own tasks."""
    actor = request_actor(request)
    if actor.role == Role.CERTIFICATION_BODY:
        return redirect("registry:office_my_certificates")
    if actor.role == Role.INSPECTOR:
        # An enforcement inspector sees only their own tasks (C14 least privilege).
        return redirect("inspections:office_my_tasks")
    landing = own_organization_landing(actor)
    if landing is not None:
        # An enterprise lands on its own certificates, a lab on its own qualification and scope (C3, C9).
        return redirect(landing)
    if not is_permitted(actor, Permission.VIEW_OFFICE):
        raise PermissionDenied(_("你的账号没有可用的后台功能。"))
    links = [(registry, reverse(f"registry:office_{registry.name}_list")) for registry in REGISTRIES]
    return render(request, "portal/office/home.html", {"links": links, "region": region_of(actor)})
