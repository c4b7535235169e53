"""Finding certified products (C7: may this product be sold?; C13: is what a supplier offers certified?):
the product lines of public certificates (registry.products keeps them as CertifiedProduct rows), by GTIN,
model, product name, trademark and factory. Public reads: no actor, public statuses only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypedDict

from django.db.models import Q, QuerySet

from certhub.core.validation import Gtin, Input, Text, normalize_text, validate
from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES
from certhub.registry.models import CertifiedProduct
from certhub.registry.products import fold_model

CCC_SCHEME = "CCC"
GTIN_LENGTHS = (8, 12, 13, 14)
SEARCH_FIELDS = ("q", "gtin", "model", "trademark", "factory")


class ProductSearchInput(Input):
    """What a product search may ask, the same for the page and the API: text of bounded length, and a
    GTIN with its check digit (a mistyped barcode number is said to be one, not answered "not found")."""

    q: Annotated[str, Text(100, required=False)] = ""
    gtin: Gtin = ""
    model: Annotated[str, Text(100, required=False)] = ""
    trademark: Annotated[str, Text(100, required=False)] = ""
    factory: Annotated[str, Text(100, required=False)] = ""


class ProductCriteria(TypedDict, total=False):
    q: str
    gtin: str
    model: str
    trademark: str
    factory: str


def product_search_criteria(data: Mapping[str, Any]) -> ProductCriteria:
    """The criteria given (empty ones left out), checked; ValidationFailed naming each bad field."""
    checked = validate(ProductSearchInput, {key: data.get(key) or "" for key in SEARCH_FIELDS})
    criteria = ProductCriteria()
    for key in SEARCH_FIELDS:
        if getattr(checked, key):
            criteria[key] = getattr(checked, key)  # type: ignore[literal-required]  # keys: SEARCH_FIELDS
    return criteria


def gtin_forms(gtin: str) -> list[str]:
    """The spellings of one GTIN (GS1 General Specifications §4.3: a GTIN-8, -12 or -13 is the same number
    as the GTIN-14 with leading zeros): a UPC-A read as "036000291452" is the EAN-13 "0036000291452" and the
    GTIN-14 "00036000291452" printed on a carton. Certificates carry whichever their body wrote."""
    digits = str(gtin or "").strip()
    if not digits.isdigit():
        return []
    core = digits.lstrip("0")
    return [core.zfill(length) for length in GTIN_LENGTHS if len(core) <= length]


def public_certified_products(*, ccc_only: bool = True) -> QuerySet[CertifiedProduct]:
    """Product lines of certificates the public may see (every status but draft), with the certificate,
    its body, holder and CCC product joined (no query per row); the newest certificates first, then their
    lines in order."""
    products = CertifiedProduct.objects.filter(certificate__status__in=PUBLIC_CERTIFICATE_STATUSES)
    if ccc_only:
        products = products.filter(certificate__scheme__code=CCC_SCHEME)
    return products.select_related(
        "certificate", "certificate__certification_body", "certificate__ccc_product", "certificate__holder"
    ).order_by("-certificate_id", "line")


def certified_products_by_gtin(gtins: Iterable[str]) -> dict[str, list[CertifiedProduct]]:
    """For each GTIN asked, the public certified products carrying it (in any of its spellings,
    gtin_forms), in one query whatever the number of GTINs; a GTIN with none is absent from the answer.
    Every scheme counts: a product certified voluntarily is still the product the barcode names."""
    wanted: dict[str, set[str]] = defaultdict(set)  # spelling → the GTINs asked that it answers
    for gtin in gtins:
        for form in gtin_forms(gtin):
            wanted[form].add(gtin)
    found: dict[str, list[CertifiedProduct]] = {}
    if not wanted:
        return found
    # The GTINs' rows are found first, by the partial GTIN index (`gtin <> ''` stated so that PostgreSQL uses it
    # whatever the list's length), and only then joined to their certificates: asked as one flat join, SQLite's
    # planner without statistics walks every public certificate by status instead (seconds per batch at a million).
    matching = CertifiedProduct.objects.exclude(gtin="").filter(gtin__in=list(wanted)).values("pk")
    products = public_certified_products(ccc_only=False).filter(pk__in=matching)
    for product in products:
        for gtin in sorted(wanted[product.gtin]):
            found.setdefault(gtin, []).append(product)
    return found


def search_certified_products(
    *, q: str = "", gtin: str = "", model: str = "", trademark: str = "", factory: str = "", ccc_only: bool = True
) -> QuerySet[CertifiedProduct]:
    """Public certified products matching every criterion given (the caller pages them): `q` in the
    product name or trademark or at the start of the model; `gtin` in any of its spellings; `model` at the
    start of the model, both folded (fold_model: "BCD-218" finds "bcd 218 WTV"); `trademark` and `factory`
    contained. Text is NFKC-normalized first. No criterion, no products."""
    q, trademark, factory = (normalize_text(value).strip() for value in (q, trademark, factory))
    model_key = fold_model(model)
    forms = gtin_forms(normalize_text(gtin).replace(" ", ""))
    if not (q or model_key or trademark or factory or gtin):
        return CertifiedProduct.objects.none()
    products = public_certified_products(ccc_only=ccc_only)
    if gtin:
        products = products.exclude(gtin="").filter(gtin__in=forms) if forms else products.none()
    if model_key:
        products = products.filter(model_key__startswith=model_key)
    if trademark:
        products = products.filter(trademark__contains=trademark)
    if factory:
        products = products.filter(factory__contains=factory)
    if q:
        anywhere = Q(name__contains=q) | Q(trademark__contains=q)
        q_key = fold_model(q)
        if q_key:
            anywhere |= Q(model_key__startswith=q_key)
        products = products.filter(anywhere)
    return products
