"""Registry endpoints of API v1: certificates (search, record, batch verify, writes), organizations (and
matching them by name or credit code), certification bodies, labs with their scope, schemes, and the
procurement check (C13). Validation and orchestration only; changes go through actions."""

from __future__ import annotations

from typing import Any

import orjson
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError

from certhub.core.api_auth import request_actor, require_scope, signed_in_writer
from certhub.core.choices import ApiScope, Role
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.middleware import NulCharacterMiddleware
from certhub.core.models import Region
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import KEY_OR_SESSION, KEY_REQUIRED, SESSION_REQUIRED, ErrorOut
from certhub.core.validation import USCC, validate_value
from certhub.registry import actions, numbering
from certhub.registry.actions.people import do_end_affiliation, do_start_affiliation
from certhub.registry.choices import CertificateStatus
from certhub.registry.dates import surveillance_due_date
from certhub.registry.models import Affiliation, Certificate, CertificationBody, Lab, ManufacturedProduct, Scheme
from certhub.registry.queries import (
    TwoStepSlices,
    access_certificate,
    access_certification_body,
    access_lab,
    access_organization,
    body_status_history,
    capped_count,
    certificate_search,
    certification_bodies,
    find_labs,
    match_organizations,
    normalize_name,
    procurement_check,
    public_certificate_record,
    search_organizations,
    verify_certificates,
    with_live_flags,
)
from certhub.registry.queries import people as people_queries
from certhub.registry.schemas import (
    MAX_LIMIT,
    AffiliationEndIn,
    AffiliationOut,
    AffiliationStartIn,
    BodyStatusChangeIn,
    BodyStatusChangeOut,
    CertificateFilter,
    CertificateIn,
    CertificatePage,
    CertificateRecord,
    CertificationBodyDetailOut,
    CertificationBodyOut,
    ContactIn,
    DeclaredProductIn,
    LabDetailOut,
    LabOut,
    OrganizationCorrectionIn,
    OrganizationMatchOut,
    OrganizationOut,
    OrganizationPage,
    OwnOrganizationOut,
    ProcurementCheckOut,
    SchemeOut,
    StatusChangeIn,
    TransferIn,
    VerifyIn,
    VerifyOut,
)

# Every endpoint documents 422: bad parameters, and a NUL character anywhere (core.middleware).
router = Router()


# Page bounds are part of the published schema, so clients (and schemathesis) know them.
Limit = Query(20, ge=1, le=MAX_LIMIT, description="page size, 1–100")
# Deep paging is refused (narrow the search instead); it is also what keeps OFFSET cheap at national scale.
MAX_OFFSET = 10_000
Offset = Query(0, ge=0, le=MAX_OFFSET, description="rows to skip, at most 10,000")


def certificate_summary(certificate: Certificate, today_text: str) -> dict[str, Any]:
    holder = certificate.holder
    due = surveillance_due_date(certificate)
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_label": str(CertificateStatus(certificate.status).label),
        "scheme": {
            "code": certificate.scheme.code,
            "name": certificate.scheme.name,
            "name_en": certificate.scheme.name_en,
        },
        "certification_body": {
            "name": certificate.certification_body.name,
            "approval_number": certificate.certification_body.approval_number,
        },
        "holder": {
            "name": certificate.holder_name,
            "uscc": holder.uscc,
            "region": {"code": holder.region_id, "name": holder.region.name},
        },
        "issue_date": certificate.issue_date,
        "expiry_date": certificate.expiry_date,
        "surveillance_overdue": bool(certificate.status == "ACTIVE" and due and due.isoformat() < today_text),
    }


@router.get("certificates", response={200: CertificatePage, 422: ErrorOut}, tags=["certificates"])
def list_certificates(request: HttpRequest, filters: Query[CertificateFilter]) -> dict[str, Any]:
    """Search certificates. `q` matches a certificate number, a credit code or part of a holder's name;
    `status` takes the upper-case names (ACTIVE, SUSPENDED, WITHDRAWN, CANCELLED, EXPIRED)."""
    limit, offset = filters.limit, filters.offset
    errors = {}  # `status` is an enum in the schema: an unknown one is refused before this point
    if filters.scheme and not Scheme.objects.filter(code=filters.scheme.upper()).exists():
        errors["scheme"] = _("未知的认证制度“%(code)s”") % {"code": filters.scheme[:32]}
    if filters.region and not _region_exists(filters.region):
        errors["region"] = _("未知的行政区划代码“%(code)s”") % {"code": filters.region[:12]}
    if errors:
        raise ValidationFailed(errors)
    queryset, partial = certificate_search(
        request_actor(request),
        q=filters.q,
        scheme=filters.scheme,
        status=filters.status or "",
        region=filters.region,
        holder_uscc=filters.holder_uscc,
        body=filters.body,
    )
    today_text = timezone.localdate().isoformat()
    items = [certificate_summary(c, today_text) for c in TwoStepSlices(queryset)[offset : offset + limit]]
    count, exact = capped_count(queryset)
    return {"count": count, "count_exact": exact and not partial, "limit": limit, "offset": offset, "items": items}


def _region_exists(code: str) -> bool:
    return Region.objects.filter(code=code.strip()).exists()


# Declared before certificates/{number}: URL patterns are tried in order, and that one would take "verify".
@router.post(
    "certificates/verify",
    response={200: VerifyOut, 401: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["certificates"],
    summary="Verify certificate numbers in a batch",
)
@decorate_view(limit_anonymous)
def verify_certificate_numbers(request: HttpRequest, payload: VerifyIn) -> HttpResponse:
    """Check up to 100 certificate numbers in one call (C2 采信: a department or a buyer checks the
    certificates it was given). Each distinct number is answered once, in the order given: found or not,
    and if found its public status (upper-case name), holder, scheme, body, expiry date and `valid_now`
    (ACTIVE and not past the expiry date today). A number used by two bodies is answered by one entry per
    body, adjacent, in approval-number order; `body` keeps one body's. Drafts are never found.
    Anonymous callers share a per-address limit per minute; a key has its own (429 past it)."""
    request_actor(request)  # a wrong or revoked key is refused, never ignored
    # As for parameters (core.middleware.NulCharacterMiddleware): PostgreSQL cannot compare a NUL character.
    errors = {f"numbers.{i}": [NulCharacterMiddleware.MESSAGE] for i, n in enumerate(payload.numbers) if "\x00" in n}
    if "\x00" in payload.body:
        errors["body"] = [NulCharacterMiddleware.MESSAGE]
    if errors:
        raise ValidationFailed(errors)
    results = verify_certificates(payload.numbers, body=payload.body.strip())
    answer = {
        "checked": len({r["number"] for r in results}),
        "found": len({r["number"] for r in results if r["found"]}),
        "valid_now": len({r["number"] for r in results if r["valid_now"]}),
        "results": results,
    }
    # Serialized directly, as the single lookup is: re-validating a hundred results against VerifyOut
    # would cost more than the query (the tests hold the answer to the published schema).
    return HttpResponse(orjson.dumps(answer), content_type="application/json")


@router.get(
    "certificates/{number}",
    response={200: CertificateRecord, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["certificates"],
)
def get_certificate(request: HttpRequest, number: str, body: str = "") -> HttpResponse:
    """The public record of a certificate and its status history. 404 when the registry has no such
    number (which is not the same as suspended, withdrawn or expired: those return 200 with the status).
    When two bodies use the same number, 409 lists them; pass `body` (approval number) to choose."""
    actor = request_actor(request)
    if not body:
        bodies = list(
            Certificate.objects.filter(number=number.strip(), status__in=_visible_statuses(actor))
            .order_by("certification_body__approval_number")
            .values_list("certification_body__approval_number", flat=True)[:10]
        )
        # The body the national numbering rule says issued it answers (registry/numbering.py).
        body = numbering.issuing_body(number.strip(), bodies) or ""
        if len(bodies) > 1 and not body:
            return HttpResponse(
                orjson.dumps(
                    {
                        "code": "ambiguous",
                        "message": _("多个认证机构使用此编号，请用body参数指定"),
                        "errors": {"body": bodies},
                    }
                ),
                status=409,
                content_type="application/json",
            )
    certificate = access_certificate(actor, number, body=body)
    document = public_certificate_record(certificate)
    document = with_live_flags(document, certificate_id=certificate.pk)
    return HttpResponse(orjson.dumps(document), content_type="application/json")


def _visible_statuses(actor: Any) -> list[str]:
    if actor.role in (Role.ADMINISTRATOR, Role.OFFICER, Role.CERTIFICATION_BODY):
        return CertificateStatus.values
    return [s for s in CertificateStatus.values if s != CertificateStatus.DRAFT]


def _writer_body(request: HttpRequest) -> tuple[Any, CertificationBody]:
    actor = request_actor(request, required=True)
    if actor.role != Role.CERTIFICATION_BODY or actor.organization_id is None:
        raise NotPermitted(_("只有认证机构的接口密钥可以登记证书"))
    require_scope(request, ApiScope.SUBMIT_CERTIFICATES)
    body = CertificationBody.objects.filter(organization_id=actor.organization_id).first()
    if body is None:
        raise NotPermitted(_("该密钥所属机构不是已登记的认证机构"))
    return actor, body


@router.post(
    "certificates",
    response={
        201: CertificateRecord,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    tags=["certificates"],
    openapi_extra=KEY_REQUIRED,
)
def create_certificate(request: HttpRequest, payload: CertificateIn) -> Status:
    """Register a certificate of the calling certification body (API key required)."""
    actor, body = _writer_body(request)
    data = payload.model_dump()
    data["products"] = [{k: v for k, v in p.items() if v} for p in data["products"]]
    certificate = actions.do_create_certificate(body=body, data=data, actor=actor)
    record = public_certificate_record(access_certificate(actor, certificate.number, body=body.approval_number))
    return Status(201, with_live_flags(record, certificate_id=certificate.pk))


@router.post(
    "certificates/{number}/status",
    response={
        200: CertificateRecord,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    tags=["certificates"],
    openapi_extra=KEY_REQUIRED,
)
def change_certificate_status(request: HttpRequest, number: str, payload: StatusChangeIn) -> dict[str, Any]:
    """Suspend, restore, withdraw, cancel or expire one of the calling body's certificates."""
    actor, body = _writer_body(request)
    certificate = Certificate.objects.filter(certification_body=body, number=number.strip()).first()
    if certificate is None:
        # Another body's certificate answers exactly as a missing one (C14: existence does not leak).
        raise NotFound(_("登记库中没有编号为“%(number)s”的证书") % {"number": number[:60]})
    actions.do_change_certificate_status(
        certificate=certificate,
        to_status=payload.status,
        effective_date=payload.effective_date,
        reason=payload.reason,
        actor=actor,
    )
    record = public_certificate_record(access_certificate(actor, number, body=body.approval_number))
    return with_live_flags(record, certificate_id=certificate.pk)


# ---------------------------------------------------------------- organizations, bodies, labs, schemes


def _organization_out(organization: Any) -> dict[str, Any]:
    return {
        "uscc": organization.uscc,
        "name": organization.name,
        "region": {"code": organization.region_id, "name": organization.region.name},
        "industry_section": organization.industry_section,
        "industry_division": organization.industry_division,
        "above_designated_size": organization.above_designated_size,
        "registration_status": organization.registration_status,
        "former_names": [
            {"name": f.name, "used_from": f.used_from, "used_until": f.used_until}
            for f in organization.former_names.all()
        ],
    }


@router.get("organizations", response={200: OrganizationPage, 422: ErrorOut}, tags=["registries"])
def list_organizations(
    request: HttpRequest, q: str = "", region: str = "", limit: int = Limit, offset: int = Offset
) -> dict[str, Any]:
    """Organizations by name (substring of the current name or a former name) or credit code, optionally
    within a region."""
    queryset = search_organizations(request_actor(request), q=q, region=region)
    items = [_organization_out(o) for o in queryset.prefetch_related("former_names")[offset : offset + limit]]
    count, exact = capped_count(queryset)
    return {"count": count, "count_exact": exact, "limit": limit, "offset": offset, "items": items}


# Declared before organizations/{uscc}, which would otherwise take "match".
@router.get(
    "organizations/match",
    response={200: OrganizationMatchOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["registries"],
    summary="Match an organization by name or credit code",
)
@decorate_view(limit_anonymous)
def match_organization(
    request: HttpRequest,
    name: str = Query("", max_length=200, description="the organization's name as another system records it"),
    uscc: str = Query("", max_length=40, description="its Unified Social Credit Code, if known"),
    limit: int = Query(10, ge=1, le=50, description="candidates to return, 1–50"),
    min_score: int = Query(50, ge=0, le=100, description="leave out candidates scoring less, 0–100"),
) -> dict[str, Any]:
    """Which registered organizations a name and/or a credit code may mean, best first, each with a score
    0–100 and the reasons (C2: another department's or a buyer's records joined to the registry). 100 is
    the credit code itself; 98 the same name once full-width characters, spaces and punctuation are
    folded; 95 the same name but for its legal form (有限公司 …); otherwise up to 94 by name similarity.
    Public fields only."""
    actor = request_actor(request)
    errors: dict[str, list[str]] = {}
    code = ""
    if uscc.strip():
        try:
            code = validate_value(USCC, uscc, field="uscc")
        except ValidationFailed as failure:
            errors.update(failure.errors)
    if name.strip() and len(normalize_name(name)) < 2:
        errors["name"] = [_("名称至少需要2个字")]
    if not name.strip() and not uscc.strip():
        both = _("名称和统一社会信用代码至少填写一项")
        errors = {"name": [both], "uscc": [both]}
    if errors:
        raise ValidationFailed(errors)
    candidates = match_organizations(actor, name=name, uscc=code, limit=limit, min_score=min_score)
    return {"name": name.strip(), "uscc": code, "candidates": candidates}


@router.get("organizations/{uscc}", response={200: OrganizationOut, 404: ErrorOut, 422: ErrorOut}, tags=["registries"])
def get_organization(request: HttpRequest, uscc: str) -> dict[str, Any]:
    organization = access_organization(request_actor(request), uscc)
    return _organization_out(organization)


@router.put(
    "organizations/{uscc}",
    response={200: OrganizationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["registries"],
    summary="Correct an organization's registered details (officer)",
    openapi_extra=SESSION_REQUIRED,
)
def correct_organization(request: HttpRequest, uscc: str, payload: OrganizationCorrectionIn) -> dict[str, Any]:
    """An officer corrects one organization of their region (signed-in session with the CSRF token in
    X-CSRFToken): every field is checked by the same rule as the back-office form and the bulk file; a
    changed name is kept as a former name. Organizations outside the officer's region answer 404."""
    actor = signed_in_writer(request)
    organization = access_organization(actor, uscc)
    actions.do_update_organization(organization=organization, data=payload.model_dump(), actor=actor)
    return _organization_out(access_organization(actor, uscc))


def _own_organization(request: HttpRequest, uscc: str) -> tuple[Any, Any]:
    actor = signed_in_writer(request)
    organization = access_organization(actor, uscc)
    if actor.organization_id != organization.pk:
        raise NotPermitted(_("只能维护本企业的信息"))
    return actor, organization


def _own_out(organization: Any) -> dict[str, Any]:
    made = ManufacturedProduct.objects.filter(organization=organization).select_related("ccc_product")
    return {
        "uscc": organization.uscc,
        "contact_email": organization.contact_email,
        "contact_phone": organization.contact_phone,
        "products": [{"ccc_product": m.ccc_product.code, "name": m.ccc_product.name, "source": m.source} for m in made],
    }


@router.put(
    "organizations/{uscc}/contact",
    response={200: OwnOrganizationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["registries"],
    summary="The enterprise's own contact details",
    openapi_extra=SESSION_REQUIRED,
)
def set_organization_contact(request: HttpRequest, uscc: str, payload: ContactIn) -> dict[str, Any]:
    """The enterprise's signed-in user sets its registered contact (never public; where account-link codes
    are sent)."""
    actor, organization = _own_organization(request, uscc)
    actions.do_update_organization_contact(organization=organization, data=payload.model_dump(), actor=actor)
    return _own_out(organization)


@router.post(
    "organizations/{uscc}/products",
    response={201: OwnOrganizationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["registries"],
    summary="Declare a product the enterprise makes",
    openapi_extra=SESSION_REQUIRED,
)
def declare_product(request: HttpRequest, uscc: str, payload: DeclaredProductIn) -> Status:
    """The enterprise declares a CCC-catalogue product it makes (source `declared`): the CCC coverage
    denominator (C6)."""
    actor, organization = _own_organization(request, uscc)
    actions.do_declare_product(organization=organization, data=payload.model_dump(), actor=actor)
    return Status(201, _own_out(organization))


@router.delete(
    "organizations/{uscc}/products/{code}",
    response={200: OwnOrganizationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["registries"],
    summary="Withdraw a declared product",
    openapi_extra=SESSION_REQUIRED,
)
def withdraw_product(request: HttpRequest, uscc: str, code: str) -> dict[str, Any]:
    """The enterprise withdraws a product it declared itself (not one licensing, statistics or inspections
    recorded)."""
    actor, organization = _own_organization(request, uscc)
    actions.do_withdraw_declared_product(organization=organization, ccc_product=code, actor=actor)
    return _own_out(organization)


def _body_out(body: CertificationBody) -> dict[str, Any]:
    organization = body.organization
    return {
        "name": body.name,
        "approval_number": body.approval_number,
        "accreditation": body.accreditation,
        "status": body.status,
        "uscc": organization.uscc,
        "region": {"code": organization.region_id, "name": organization.region.name},
        "schemes": sorted(s.code for s in body.schemes.all()),
        "valid_from": body.valid_from,
        "valid_until": body.valid_until,
    }


def _body_detail(body: CertificationBody) -> dict[str, Any]:
    history = [
        {
            "from_status": event.from_status,
            "to_status": event.to_status,
            "date": event.effective_date,
            "reason": event.reason,
            "decision": event.decision,
        }
        for event in body_status_history(body)
    ]
    return {**_body_out(body), "history": history}


@router.get("certification-bodies", response={200: list[CertificationBodyOut], 422: ErrorOut}, tags=["registries"])
def list_certification_bodies(request: HttpRequest, scheme: str = "") -> list[dict[str, Any]]:
    """All certification bodies (a province has tens), optionally those approved for a scheme."""
    queryset = certification_bodies(scheme)
    return [_body_out(b) for b in queryset]


@router.get(
    "certification-bodies/{approval_number}",
    response={200: CertificationBodyDetailOut, 404: ErrorOut, 422: ErrorOut},
    tags=["registries"],
)
def get_certification_body(request: HttpRequest, approval_number: str) -> dict[str, Any]:
    """A body's public record with its status history: each change (暂停 SUSPENDED, 恢复 ACTIVE, 撤销 REVOKED,
    注销 CLOSED) with its date, reason and the decision or announcement it follows."""
    return _body_detail(access_certification_body(request_actor(request), approval_number))


BODY_STATUS_ACTIONS = {
    "SUSPENDED": actions.do_suspend_certification_body,
    "ACTIVE": actions.do_reinstate_certification_body,
    "REVOKED": actions.do_revoke_certification_body,
    "CLOSED": actions.do_close_certification_body,
}


@router.post(
    "certification-bodies/{approval_number}/status",
    response={200: BodyStatusChangeOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["registries"],
    openapi_extra=SESSION_REQUIRED,
    summary="Change a certification body's status (officers)",
)
def change_certification_body_status(
    request: HttpRequest, approval_number: str, payload: BodyStatusChangeIn
) -> dict[str, Any]:
    """Record a national decision on a body: SUSPENDED (暂停), ACTIVE (恢复, after a suspension), REVOKED
    (撤销: every certificate of the body not already final is withdrawn at once) or CLOSED (注销: its
    certificates stay valid until their last audit plus one year and two months, unless transferred). The
    answer is the body's record with its history and how many certificates changed."""
    actor = signed_in_writer(request)
    body = access_certification_body(actor, approval_number)
    result = BODY_STATUS_ACTIONS[payload.status](
        body=body,
        effective_date=payload.effective_date,
        reason=payload.reason,
        decision=payload.decision,
        actor=actor,
    )
    return {"body": _body_detail(result.body), "certificates_changed": result.certificates}


@router.post(
    "certificates/{number}/transfer",
    response={200: CertificateRecord, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["certificates"],
    openapi_extra=SESSION_REQUIRED,
    summary="Transfer a certificate to another certification body (officers)",
)
def transfer_certificate(request: HttpRequest, number: str, payload: TransferIn, body: str = "") -> dict[str, Any]:
    """Move a valid certificate to another body (`to_body`, its approval number), which must be ACTIVE and
    approved for the certificate's scheme; `body` chooses among bodies sharing the number. The answer is the
    certificate's public record, naming the receiving body, with the transfer in its history."""
    actor = signed_in_writer(request)
    certificate = access_certificate(actor, number, body=body.strip())
    receiving = CertificationBody.objects.filter(approval_number=payload.to_body.strip()).first()
    if receiving is None:
        raise ValidationFailed(
            {"to_body": [_("没有批准号为“%(approval_number)s”的认证机构") % {"approval_number": payload.to_body[:40]}]}
        )
    moved = actions.do_transfer_certificate(
        certificate=certificate,
        to_body=receiving,
        effective_date=payload.effective_date,
        reason=payload.reason,
        actor=actor,
    )
    record = public_certificate_record(access_certificate(actor, moved.number, body=receiving.approval_number))
    return with_live_flags(record, certificate_id=moved.pk)


def _lab_out(lab: Lab) -> dict[str, Any]:
    organization = lab.organization
    return {
        "name": lab.name,
        "cma_number": lab.cma_number,
        "cma_valid_from": lab.cma_valid_from,
        "cma_valid_until": lab.cma_valid_until,
        "status": lab.status,
        "uscc": organization.uscc,
        "region": {"code": organization.region_id, "name": organization.region.name},
    }


@router.get("labs", response={200: list[LabOut], 422: ErrorOut}, tags=["registries"])
def list_labs(
    request: HttpRequest,
    q: str = "",
    parameter: str = "",
    standard: str = "",
    region: str = "",
    limit: int = Limit,
    offset: int = Offset,
) -> list[dict[str, Any]]:
    """Labs by name, or those whose qualified scope covers a parameter (and standard) — the lab finder."""
    queryset = find_labs(q=q, parameter=parameter, standard=standard, region=region)
    return [_lab_out(lab) for lab in queryset[offset : offset + limit]]


@router.get("labs/{cma_number}", response={200: LabDetailOut, 404: ErrorOut, 422: ErrorOut}, tags=["registries"])
def get_lab(request: HttpRequest, cma_number: str) -> dict[str, Any]:
    """A lab with its qualified scope and its authorized signatories (names only)."""
    lab = access_lab(request_actor(request), cma_number)
    scope = [
        {
            "field": s.field,
            "object": s.object,
            "parameter": s.parameter,
            "standard": s.standard,
            "limits": s.limits,
            "valid_from": s.valid_from,
            "valid_until": s.valid_until,
        }
        for s in lab.scope.all()
    ]
    signatories = [
        {"name": s.person.name, "valid_from": s.valid_from, "valid_until": s.valid_until, "scope_count": s.n}
        for s in lab.signatories.select_related("person").annotate(n=Count("scope"))
    ]
    return {**_lab_out(lab), "scope": scope, "signatories": signatories}


def _scheme_out(scheme: Scheme) -> dict[str, Any]:
    return {f: getattr(scheme, f) for f in SchemeOut.model_fields}


@router.get("schemes", response={200: list[SchemeOut], 422: ErrorOut}, tags=["registries"])
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_scheme_out(s) for s in Scheme.objects.order_by("code")]


@router.get("schemes/{code}", response={200: SchemeOut, 404: ErrorOut, 422: ErrorOut}, tags=["registries"])
def get_scheme(request: HttpRequest, code: str) -> dict[str, Any]:
    scheme = Scheme.objects.filter(code=code.upper()).first()
    if scheme is None:
        raise NotFound(_("没有代码为“%(code)s”的认证制度") % {"code": code[:32]})
    return _scheme_out(scheme)


# ---------------------------------------------------------------- procurement (C13)


@router.get(
    "procurement/check",
    response={200: ProcurementCheckOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["procurement"],
    summary="Is a supplier or its product certified now",
)
@decorate_view(limit_anonymous)
def check_procurement(
    request: HttpRequest,
    uscc: str = Query(..., max_length=40, description="the supplier's Unified Social Credit Code"),
    product: str = Query("", max_length=100, description="part of a product name, or a 4-digit CCC catalogue code"),
) -> dict[str, Any]:
    """政府采购优先 (C13): does the supplier hold certificates valid now, and under which schemes;
    with `product`, is that product certified (matched on the CCC catalogue product, the listed products
    and the scope). `certified` is the plain yes/no; `certificates` lists the matching public
    certificates, valid ones first. An invalid credit code is 422 naming `uscc`; a valid one the
    registry does not have is 200 with `registered` and `certified` false and a message saying so."""
    return procurement_check(request_actor(request), uscc=uscc, product=product)


# ---------------------------------------------------------------- people: affiliations (officers, C1)


def _officer(request: HttpRequest, *, writes: bool = False) -> Any:
    """An officer or an administrator, signed in (people are back-office data, C14): 401 for anyone else
    unsigned, 403 for other roles. A write by session must carry the CSRF token, as a page's form does."""
    # A write is the officer's own, by session with its CSRF token, never through a key (core.api_auth).
    actor = signed_in_writer(request) if writes else request_actor(request)
    if actor.role == Role.PUBLIC:
        raise AuthenticationError()
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR):
        raise NotPermitted(_("人员任职信息仅对监管人员和系统管理员开放"))
    return actor


def _affiliation_out(affiliation: Affiliation) -> dict[str, Any]:
    return {
        "id": affiliation.pk,
        "person_id": affiliation.person_id,
        "person_name": affiliation.person.name,
        "organization_uscc": affiliation.organization.uscc,
        "organization_name": affiliation.organization.name,
        "role": affiliation.role,
        "role_label": str(affiliation.get_role_display()),
        "start": affiliation.start,
        "end": affiliation.end,
        "decision": affiliation.decision,
    }


PEOPLE_RESPONSES: dict[int, Any] = {200: list[AffiliationOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("people/{person_id}/affiliations", response=PEOPLE_RESPONSES, tags=["people"], openapi_extra=KEY_OR_SESSION)
def list_person_affiliations(request: HttpRequest, person_id: int) -> list[dict[str, Any]]:
    """A person's affiliations over time, newest first, as far as they lie in the officer's region."""
    actor = _officer(request)
    person = people_queries.access_person(actor, person_id)
    return [_affiliation_out(a) for a in people_queries.person_affiliations(actor, person)]


@router.get("organizations/{uscc}/key-people", response=PEOPLE_RESPONSES, tags=["people"], openapi_extra=KEY_OR_SESSION)
def list_key_people(request: HttpRequest, uscc: str) -> list[dict[str, Any]]:
    """An organization's key people over time: the open affiliations first."""
    actor = _officer(request)
    organization = access_organization(actor, uscc)
    return [_affiliation_out(a) for a in people_queries.organization_people(actor, organization)]


@router.post(
    "organizations/{uscc}/affiliations",
    response={201: AffiliationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["people"],
    openapi_extra=SESSION_REQUIRED,
)
def start_affiliation(request: HttpRequest, uscc: str, payload: AffiliationStartIn) -> Status:
    """A person starts in a role at the organization: found by name and ID-document number, or registered.
    The number is hashed at once and appears in no answer, audit row or ledger entry."""
    actor = _officer(request, writes=True)
    organization = access_organization(actor, uscc)
    affiliation = do_start_affiliation(
        organization=organization,
        role=payload.role,
        start=payload.start,
        name=payload.name,
        id_number=payload.id_number,
        decision=payload.decision,
        actor=actor,
    )
    return Status(201, _affiliation_out(affiliation))


@router.post(
    "affiliations/{affiliation_id}/end",
    response={200: AffiliationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["people"],
    openapi_extra=SESSION_REQUIRED,
)
def end_affiliation(request: HttpRequest, affiliation_id: int, payload: AffiliationEndIn) -> dict[str, Any]:
    """A person leaves a role: the affiliation gains its last day."""
    actor = _officer(request, writes=True)
    affiliation = people_queries.access_affiliation(actor, affiliation_id)
    return _affiliation_out(
        do_end_affiliation(affiliation=affiliation, end=payload.end, reason=payload.reason, actor=actor)
    )
