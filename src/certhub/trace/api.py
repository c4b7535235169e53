"""Trace endpoints of API v1 (C4 全过程追溯、倒查追溯): a certificate, a test report or an
organization with everything behind it and the ledger proofs of its history (trace.queries decides what
each caller sees; docs/trace.md). Validation and orchestration only; the schemas are in trace/schemas.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from certhub.core.api_auth import request_actor
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import ErrorOut
from certhub.trace import queries
from certhub.trace.schemas import CertificateTraceOut, OrganizationTraceOut, ReportTraceOut

router = Router(tags=["trace"])

# The operation ids the endpoints had when they were registry/trace_api.py (ninja derives a default from the module):
# clients generated from the OpenAPI document keep working (docs/architecture.md, "Nothing may change for users").
OPERATION_ID_STEM = "certhub_registry_trace_api"


@router.get(
    "trace/certificate/{number}",
    response={200: CertificateTraceOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Trace a certificate",
    operation_id=f"{OPERATION_ID_STEM}_trace_certificate",
)
@decorate_view(limit_anonymous)
def trace_certificate(
    request: HttpRequest,
    number: str,
    body: str = Query("", max_length=64, description="the body's approval number (or name) when numbers collide"),
) -> dict[str, Any]:
    """A certificate's full history with the ledger proof of every step, its body, surveillance audits,
    the test reports behind it, and (once recorded) inspections and complaints. 404 when the registry has no
    such number; 409 `ambiguous` listing the bodies' approval numbers when several use it (pass `body`).
    Officers of its region, administrators and its own body see the full view; everyone else the public
    part."""
    return queries.certificate_trace(request_actor(request), number, body=body.strip())


@router.get(
    "trace/report/{number}",
    response={200: ReportTraceOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Trace a test report",
    operation_id=f"{OPERATION_ID_STEM}_trace_report",
)
@decorate_view(limit_anonymous)
def trace_report(
    request: HttpRequest,
    number: str,
    lab: str = Query("", max_length=32, description="the lab's CMA number when several labs use the number"),
) -> dict[str, Any]:
    """A test report with its lab, signatory, items checked against their qualified scopes on the issue
    date, the certificates it stands behind and its ledger proofs. 404 when unknown; 409 `ambiguous`
    listing the labs' CMA numbers when several use the number (pass `lab`)."""
    return queries.report_trace(request_actor(request), number, lab=lab.strip())


@router.get(
    "trace/organization/{uscc}",
    response={200: OrganizationTraceOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Trace an organization",
    operation_id=f"{OPERATION_ID_STEM}_trace_organization",
)
@decorate_view(limit_anonymous)
def trace_organization(request: HttpRequest, uscc: str) -> dict[str, Any]:
    """An organization by credit code: the certificates it holds, the reports it commissioned, its approval
    as a body or lab, and the ledger proofs of its records. 422 naming `uscc` when the code is malformed;
    404 when the registry does not have it."""
    return queries.organization_trace(request_actor(request), uscc)
