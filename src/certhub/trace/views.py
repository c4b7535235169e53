"""The trace pages (C4 全过程追溯、倒查追溯), beside GET /api/v1/trace/…: a certificate, a test
report or an organization with everything behind it, and a timeline of its history in which every step
shows its ledger entry and, on request, the proof that the signed checkpoint includes it.

The traces are trace.queries', the same as the API's (the public part or the full view, as the visitor
may see); these views only add the words and links people read."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.errors import NotFound, ValidationFailed
from certhub.core.web import request_actor
from certhub.registry.choices import BodyStatus, CertificateStatus
from certhub.registry.queries import AmbiguousNumber
from certhub.trace import queries

MAX_KEY = 64  # a body's approval number or a lab's CMA number, as the API bounds them


def _status_label(value: str | None) -> str:
    return str(CertificateStatus(value).label) if value else ""


def _with_status_labels(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Status names (ACTIVE, …) with their words, for the badges."""
    for item in items:
        item["from_label"] = _status_label(item.get("from_status"))
        item["to_label"] = _status_label(item.get("to_status"))
    return items


def _schemes_for_display(certificates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for certificate in certificates:
        certificate["scheme"] = SimpleNamespace(**certificate["scheme"])  # for the `localized` filter
    return certificates


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "404.html", {"exception": message}, status=status)


def _choose(request: HttpRequest, error: AmbiguousNumber, number: str, kind: str) -> HttpResponse:
    """Several bodies (or labs) use the number: the visitor picks the one their document names."""
    url = reverse(f"trace:{kind}", args=[number])
    choices = [
        {"key": key, "name": name, "url": f"{url}?{urlencode({error.parameter: key})}"} for key, name in error.choices
    ]
    context = {"number": number, "choices": choices, "kind": kind}
    return render(request, "trace/choose.html", context)


@require_safe
def trace_certificate(request: HttpRequest, number: str) -> HttpResponse:
    """A certificate's trace; `?body=` (approval number) chooses among bodies sharing the number."""
    body = request.GET.get("body", "").strip()[:MAX_KEY]
    try:
        found = queries.certificate_trace(request_actor(request), number, body=body)
    except AmbiguousNumber as error:
        return _choose(request, error, number.strip()[:60], "certificate")
    except NotFound as error:
        return _refused(request, error.message, 404)
    found["certificate"]["history"] = _with_status_labels(found["certificate"]["history"])
    found["events"] = _with_status_labels(found["events"])
    found["certificate"]["scheme"] = SimpleNamespace(**found["certificate"]["scheme"])
    found["certification_body"]["status_label"] = BodyStatus(found["certification_body"]["status"]).label
    return render(request, "trace/certificate.html", {"trace": found, "body": body})


@require_safe
def trace_report(request: HttpRequest, number: str) -> HttpResponse:
    """A test report's trace; `?lab=` (CMA number) chooses among labs sharing the number."""
    lab = request.GET.get("lab", "").strip()[:MAX_KEY]
    try:
        found = queries.report_trace(request_actor(request), number, lab=lab)
    except AmbiguousNumber as error:
        return _choose(request, error, number.strip()[:64], "report")
    except NotFound as error:
        return _refused(request, error.message, 404)
    found["events"] = _with_status_labels(found["events"])
    found["certificates"] = _schemes_for_display(found["certificates"])
    return render(request, "trace/report.html", {"trace": found})


@require_safe
def trace_organization(request: HttpRequest, uscc: str) -> HttpResponse:
    """An organization's trace by its credit code; a malformed code is refused with the reason."""
    try:
        found = queries.organization_trace(request_actor(request), uscc)
    except ValidationFailed as error:
        return _refused(
            request,
            _("统一社会信用代码“%(code)s”无效：%(reason)s") % {"code": uscc[:40], "reason": error.errors["uscc"][0]},
            400,
        )
    except NotFound as error:
        return _refused(request, error.message, 404)
    found["events"] = _with_status_labels(found["events"])
    found["certificates"] = _schemes_for_display(found["certificates"])
    return render(request, "trace/organization.html", {"trace": found})
