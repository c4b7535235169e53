"""The back office: registry lists and record histories for officers and administrators (scoped by
region, C14), and a certification body's own certificates with the status-change form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certhub.core.choices import Role
from certhub.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, is_permitted
from certhub.portal import queries
from certhub.portal.display import audit_changes
from certhub.portal.forms import OfficeFilterForm, OwnCertificateFilterForm, StatusChangeForm
from certhub.portal.paging import paginate
from certhub.portal.tables import REGISTRIES, REGISTRY_BY_KEY, OfficeRegistry
from certhub.portal.views import request_actor
from certhub.registry.actions import do_change_certificate_status
from certhub.registry.choices import CERTIFICATE_TRANSITIONS, CertificateStatus
from certhub.registry.models import Certificate

View = Callable[..., HttpResponse]


def office_required(view: View) -> View:
    """Signed in (else the login page) and holding VIEW_OFFICE (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_permitted(request_actor(request), Permission.VIEW_OFFICE):
            raise PermissionDenied(_("监管后台仅对监管人员和系统管理员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


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


@login_required
@require_safe
def office_home(request: HttpRequest) -> HttpResponse:
    """Where a sign-in lands: the registries for officers; a certification body's own certificates."""
    actor = request_actor(request)
    if actor.role == Role.CERTIFICATION_BODY:
        return redirect("portal:office_my_certificates")
    landing = queries.own_organization_landing(actor)
    if landing is not None:
        # An enterprise lands on its own certificates, a lab on its own qualification and scope (C3, C9).
        return redirect(landing)
    if not is_permitted(actor, Permission.VIEW_OFFICE):
        raise PermissionDenied(_("你的账号没有可用的后台功能。"))
    links = [(registry, reverse(f"portal:office_{registry.name}_list")) for registry in REGISTRIES]
    region = queries.region_of(actor)
    return render(request, "portal/office/home.html", {"links": links, "region": region})


def _cells(registry: OfficeRegistry, row: Any) -> list[tuple[Any, Any]]:
    return [(column, column.value(row)) for column in registry.columns]


@office_required
@require_safe
def registry_list(request: HttpRequest, registry_key: str) -> HttpResponse:
    registry = REGISTRY_BY_KEY[registry_key]
    actor = request_actor(request)
    form = OfficeFilterForm(
        request.GET or None,
        regions=queries.region_choices(actor),
        statuses=registry.statuses,
        status_label=registry.status_label,
        schemes=registry.schemes,
        search_help=registry.search_help,
    )
    page = paginate(request, registry.rows(actor, **form.criteria()))
    history = f"portal:office_{registry.name}_history"
    rows = [{"url": reverse(history, args=[row.pk]), "cells": _cells(registry, row)} for row in page]
    context = {"registry": registry, "form": form, "page": page, "rows": rows}
    return render(request, "portal/office/list.html", context)


@office_required
@require_safe
def registry_history(request: HttpRequest, registry_key: str, pk: int) -> HttpResponse:
    """A record and every audit row about it; a record outside the officer's region is not found."""
    registry = REGISTRY_BY_KEY[registry_key]
    row = registry.rows(request_actor(request)).filter(pk=pk).first()
    if row is None:
        raise Http404(_("你的辖区内没有这条记录。"))
    events = [
        (event, audit_changes(event.before, event.after, registry.model)) for event in queries.audit_events_of(row)
    ]
    context = {
        "registry": registry,
        "record": row,
        "cells": _cells(registry, row),
        "events": events,
        "certificate_events": queries.certificate_events_of(row) if isinstance(row, Certificate) else None,
        "list_url": reverse(f"portal:office_{registry.name}_list"),
    }
    return render(request, "portal/office/history.html", context)


@certification_body_required
@require_safe
def my_certificates(request: HttpRequest) -> HttpResponse:
    form = OwnCertificateFilterForm(request.GET or None)
    page = paginate(request, queries.own_certificates(request_actor(request), **form.criteria()))
    return render(request, "portal/office/my_certificates.html", {"form": form, "page": page})


@certification_body_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status of one of the body's own certificates through the action; a refusal is shown
    next to the field it concerns and changes nothing."""
    actor = request_actor(request)
    try:
        certificate = queries.access_own_certificate(actor, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    form = StatusChangeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            data = form.cleaned_data
            changed = do_change_certificate_status(
                certificate,
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
            return redirect("portal:office_my_certificates")
    allowed = [
        CertificateStatus(s).label for s in CertificateStatus.values if s in CERTIFICATE_TRANSITIONS[certificate.status]
    ]
    context = {
        "certificate": certificate,
        "form": form,
        "allowed": allowed,
        "events": queries.certificate_events_of(certificate),
    }
    return render(request, "portal/office/certificate_status.html", context, status=422 if form.errors else 200)
