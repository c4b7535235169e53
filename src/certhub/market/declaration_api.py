"""The self-declaration register in API v1 (C7): anyone searches and reads declarations; a producer registers
its own — with its organization's API key holding the `declarations` scope, or its session and the CSRF token
— and withdraws them; an officer of the producer's region withdraws one by session. Parse, call the query or
the action, answer (docs/architecture.md convention 7); refusals in the API's one error shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from certhub.core.actors import Actor
from certhub.core.api_auth import presented_key, request_actor, require_scope, signed_in_writer
from certhub.core.choices import ApiScope
from certhub.core.errors import NotPermitted
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import KEY_OR_SESSION, ErrorOut
from certhub.market.actions import do_register_declaration, do_withdraw_declaration
from certhub.market.declaration_schemas import (
    DeclarationFilter,
    DeclarationIn,
    DeclarationOut,
    DeclarationPage,
    DeclarationWithdrawIn,
)
from certhub.market.models import SelfDeclaration
from certhub.market.queries import access_declaration, search_declarations
from certhub.registry.models import Organization
from certhub.registry.queries import capped_count

router = Router(tags=["declarations"])
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def declaration_out(declaration: SelfDeclaration) -> dict[str, Any]:
    """A declaration's public record (declaration_schemas.DeclarationOut)."""
    organization, product, report = declaration.organization, declaration.ccc_product, declaration.test_report
    return {
        "number": declaration.number,
        "status": declaration.status,
        "status_label": str(declaration.get_status_display()),
        "producer": {"name": organization.name, "uscc": organization.uscc, "region_code": declaration.region_code},
        "ccc_product": {"code": product.code, "name": product.name, "mode": product.mode},
        "product_name": declaration.product_name,
        "product_models": list(declaration.product_models),
        "trademark": declaration.trademark,
        "gtins": list(declaration.gtins),
        "standards": list(declaration.standards),
        "test_report": {
            "number": report.number,
            "lab_name": report.lab.name,
            "lab_cma_number": report.lab.cma_number,
            "issue_date": report.issue_date,
        }
        if report is not None
        else None,
        "report_note": declaration.report_note,
        "declared_on": declaration.declared_on,
        "withdrawn_on": declaration.withdrawn_on,
        "withdrawal_reason": declaration.withdrawal_reason,
    }


def _acting(request: HttpRequest) -> Actor:
    """A key holding the `declarations` scope, or a signed-in person's session with its CSRF token."""
    if presented_key(request):
        return require_scope(request, ApiScope.DECLARATIONS)
    return signed_in_writer(request)


@router.get(
    "market/declarations",
    response={200: DeclarationPage, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Search self-declarations",
)
@decorate_view(limit_anonymous)
def list_declarations(request: HttpRequest, filters: Query[DeclarationFilter]) -> dict[str, Any]:
    """Self-declarations (自我声明) of CCC catalogue products, published and withdrawn, newest first: by
    number, producer (part of the name, or the credit code), product (part of the name, or the catalogue
    code) and model (part of it, in any spelling); `q` looks in all four."""
    found = search_declarations(
        request_actor(request),
        q=filters.q,
        number=filters.number,
        producer=filters.producer,
        product=filters.product,
        model=filters.model,
    )
    limit, offset = filters.limit, filters.offset
    count, exact = capped_count(found)
    items = [declaration_out(d) for d in found[offset : offset + limit]]
    return {"count": count, "count_exact": exact, "limit": limit, "offset": offset, "items": items}


@router.get(
    "market/declarations/{number}",
    response={200: DeclarationOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A self-declaration",
)
@decorate_view(limit_anonymous)
def get_declaration(request: HttpRequest, number: str) -> dict[str, Any]:
    """One self-declaration by its number (ZS…), with its withdrawal when withdrawn."""
    return declaration_out(access_declaration(request_actor(request), number))


@router.post(
    "market/declarations",
    response={201: DeclarationOut, **WRITE},
    summary="Register a self-declaration",
    openapi_extra=KEY_OR_SESSION,
)
def register_declaration(request: HttpRequest, payload: DeclarationIn) -> Status:
    """Register and publish a self-declaration of the caller's own organization: a `*`/`**` product in the
    catalogue in force on `declared_on`, its models, standards and the type-test report behind it (a report
    in CertHub from a lab whose CMA scope and signatory covered each standard on the report's date) or the
    reason in `report_note`. 422 names every field refused, with nothing written; 403 for a caller who is
    not the producer."""
    actor = _acting(request)
    organization = Organization.objects.filter(pk=actor.organization_id).first() if actor.organization_id else None
    if organization is None:
        raise NotPermitted(_("只有关联了生产企业的账号或该企业的接口密钥可以登记自我声明"))
    declaration = do_register_declaration(
        organization=organization,
        ccc_product_code=payload.ccc_product_code,
        product_name=payload.product_name,
        product_models=payload.product_models,
        trademark=payload.trademark,
        gtins=payload.gtins,
        standards=payload.standards,
        test_report_number=payload.test_report_number,
        lab_cma_number=payload.lab_cma_number,
        report_note=payload.report_note,
        declared_on=payload.declared_on,
        actor=actor,
    )
    return Status(201, declaration_out(access_declaration(actor, declaration.number)))


@router.post(
    "market/declarations/{number}/withdraw",
    response={200: DeclarationOut, **WRITE},
    summary="Withdraw a self-declaration",
    openapi_extra=KEY_OR_SESSION,
)
def withdraw_declaration(request: HttpRequest, number: str, payload: DeclarationWithdrawIn) -> dict[str, Any]:
    """Withdraw a published self-declaration from `withdrawn_on`, with the reason (published beside it): the
    producer its own, an officer of the producer's region any there. 409 when it is withdrawn already."""
    actor = _acting(request)
    declaration = access_declaration(actor, number)
    withdrawn = do_withdraw_declaration(
        declaration=declaration, reason=payload.reason, withdrawn_on=payload.withdrawn_on, actor=actor
    )
    return declaration_out(access_declaration(actor, withdrawn.number))
