"""Certified products in API v1 (C7, C13): is the product behind this barcode, model or name certified, by
which certificate, and is that certificate valid now? Public, like the certificate search; the same
criteria and the same rule for each as the /products/ page (registry.queries.products)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from certhub.core.api_auth import request_actor
from certhub.core.schemas import ErrorOut
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import CertifiedProduct
from certhub.registry.queries import (
    TwoStepSlices,
    capped_count,
    product_search_criteria,
    search_certified_products,
)
from certhub.registry.schemas import ProductFilter, ProductPage

router = Router()
PER_PAGE = 20


def certified_product_out(product: CertifiedProduct, today: datetime.date) -> dict[str, Any]:
    """A product line with its certificate's public particulars (what the page shows)."""
    certificate = product.certificate
    ccc = certificate.ccc_product
    return {
        "name": product.name,
        "model": product.model,
        "trademark": product.trademark,
        "gtin": product.gtin,
        "factory": product.factory,
        "certificate": {
            "number": certificate.number,
            "status": certificate.status,
            "status_label": str(CertificateStatus(certificate.status).label),
            "holder_name": certificate.holder_name,
            "certification_body": {
                "name": certificate.certification_body.name,
                "approval_number": certificate.certification_body.approval_number,
            },
            "ccc_product": ccc.code if ccc is not None else "",
            "issue_date": certificate.issue_date,
            "expiry_date": certificate.expiry_date,
            "valid_now": certificate.status == CertificateStatus.ACTIVE and certificate.expiry_date >= today,
        },
    }


@router.get("products", response={200: ProductPage, 422: ErrorOut}, tags=["certificates"])
def list_certified_products(request: HttpRequest, filters: Query[ProductFilter]) -> dict[str, Any]:
    """Find certified products (CCC certificates' product lines) by part of the product name or trademark
    or the model's start (`q`), GTIN (`gtin`: any of its 8/12/13/14-digit spellings), model, trademark or
    factory; the criteria given must all match. Public certificates only (never drafts), newest first,
    20 a page. A GTIN whose check digit is wrong is refused (422 naming `gtin`); no criterion at all
    answers no products."""
    request_actor(request)  # a wrong or revoked key is refused, never ignored
    criteria = product_search_criteria(filters.dict())
    queryset = search_certified_products(**criteria)
    start = (filters.page - 1) * PER_PAGE
    today = timezone.localdate()
    items = [certified_product_out(p, today) for p in TwoStepSlices(queryset)[start : start + PER_PAGE]]
    count, exact = capped_count(queryset) if criteria else (0, True)
    return {"count": count, "count_exact": exact, "page": filters.page, "per_page": PER_PAGE, "items": items}
