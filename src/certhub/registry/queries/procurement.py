"""The procurement check (C13): is a supplier's product certified now, and under which schemes."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certhub.core.actors import Actor
from certhub.core.validation import USCC, normalize_text, validate_value
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import CccProduct, Certificate
from certhub.registry.queries.access import certificates_visible_to, organizations_visible_to
from certhub.registry.queries.public_record import status_label

CCC_CODE = re.compile(r"^\d{4}$")
# A supplier with more certificates than this is checked on its newest ones (a bound on one request).
PROCUREMENT_CERTIFICATE_CAP = 5_000


def _product_matches(certificate: Certificate, product: str, ccc_code: bool) -> list[str]:
    """Where a certificate names the product: its CCC catalogue product (by code or name), its listed
    products (name, model, trademark) or its scope. Text is compared NFKC-folded and case-insensitively."""
    if ccc_code:
        ccc = certificate.ccc_product
        return ["ccc_product"] if ccc is not None and (ccc.code == product or product in (ccc.codes or [])) else []
    wanted = normalize_text(product).casefold()
    matched = []
    if certificate.ccc_product is not None and wanted in normalize_text(certificate.ccc_product.name).casefold():
        matched.append("ccc_product")
    listed = " ".join(str(v) for p in certificate.products for k, v in p.items() if k in ("name", "model", "trademark"))
    if wanted in normalize_text(listed).casefold():
        matched.append("products")
    if wanted in normalize_text(certificate.scope).casefold():
        matched.append("scope")
    return matched


def procurement_check(
    actor: Actor, *, uscc: str, product: str = "", today: datetime.date | None = None
) -> dict[str, Any]:
    """政府采购优先 (C13): does this supplier hold valid certificates now, and under which schemes; with
    `product` (part of a product name, or a 4-digit CCC catalogue code), is that product certified.

    A certificate is valid now when it is ACTIVE and today is not past its expiry date. The answer lists
    the supplier's public certificates that match (valid ones first), each with its status, so that a
    suspended or withdrawn certificate shown by a supplier is seen for what it is. An invalid credit
    code raises ValidationFailed naming `uscc`; a valid one the registry does not have is answered with
    certified = false and says so."""
    code = validate_value(USCC, uscc, field="uscc")
    product = normalize_text(product)[:100]
    today = today or timezone.localdate()
    ccc_code = bool(CCC_CODE.match(product))
    ccc_product = None
    if ccc_code:
        ccc_product = next(
            (p for p in CccProduct.objects.order_by("code") if p.code == product or product in (p.codes or [])), None
        )
    answer: dict[str, Any] = {
        "uscc": code,
        "product": product,
        "checked_on": today,
        "registered": False,
        "supplier": None,
        "certified": False,
        "message": "",
        "schemes": [],
        "ccc_product": {"code": ccc_product.code, "name": ccc_product.name} if ccc_product else None,
        "certificates": [],
    }
    supplier = organizations_visible_to(actor).select_related("region").filter(uscc=code).first()
    if supplier is None:
        message = _("登记库中没有统一社会信用代码为%(code)s的机构，不能认定其持有有效认证证书")
        answer["message"] = message % {"code": code}
        return answer
    answer["registered"] = True
    answer["supplier"] = {
        "uscc": supplier.uscc,
        "name": supplier.name,
        "region": {"code": supplier.region_id, "name": supplier.region.name},
    }
    held = (
        certificates_visible_to(actor)
        .filter(holder=supplier)
        .exclude(status=CertificateStatus.DRAFT)  # a body's own drafts are never evidence to a buyer
        .select_related("scheme", "certification_body", "ccc_product")
        .order_by("-issue_date", "-id")[:PROCUREMENT_CERTIFICATE_CAP]
    )
    entries: list[dict[str, Any]] = []
    for certificate in held:
        matched = _product_matches(certificate, product, ccc_code) if product else []
        if product and not matched:
            continue
        scheme, issuer = certificate.scheme, certificate.certification_body
        entries.append(
            {
                "number": certificate.number,
                "status": certificate.status,
                "status_label": status_label(certificate.status),
                "valid_now": certificate.status == CertificateStatus.ACTIVE and certificate.expiry_date >= today,
                "scheme": {"code": scheme.code, "name": scheme.name, "name_en": scheme.name_en},
                "certification_body": {"name": issuer.name, "approval_number": issuer.approval_number},
                "issue_date": certificate.issue_date,
                "expiry_date": certificate.expiry_date,
                "ccc_product": (
                    {"code": certificate.ccc_product.code, "name": certificate.ccc_product.name}
                    if certificate.ccc_product
                    else None
                ),
                "matched_on": matched,
            }
        )
    entries.sort(key=lambda e: (not e["valid_now"], -e["expiry_date"].toordinal(), e["number"]))
    schemes: dict[str, dict[str, str]] = {}
    for entry in entries:
        if entry["valid_now"]:
            schemes.setdefault(entry["scheme"]["code"], entry["scheme"])
    answer["certificates"] = entries
    answer["schemes"] = [schemes[c] for c in sorted(schemes)]
    answer["certified"] = bool(schemes)
    names = pgettext("list separator", "、").join(s["name"] for s in answer["schemes"])
    valid = sum(1 for e in entries if e["valid_now"])
    if product and answer["certified"]:
        answer["message"] = _("产品“%(product)s”目前有%(valid)d张有效认证证书：%(schemes)s") % {
            "product": product,
            "valid": valid,
            "schemes": names,
        }
    elif product:
        answer["message"] = _("没有找到该供应商产品“%(product)s”目前有效的认证证书") % {"product": product}
    elif answer["certified"]:
        answer["message"] = _("该供应商目前持有%(valid)d张有效认证证书：%(schemes)s") % {
            "valid": valid,
            "schemes": names,
        }
    else:
        answer["message"] = _("该供应商目前没有有效的认证证书")
    return answer
