"""Read-side helpers of the registries, one module per noun: who sees what and the `access_*` fetchers
(access), searches (search), the public record (public_record), batch verification (verification),
organization-name matching (name_matching), the procurement check (procurement) and certified products
(products). Every name other modules use is importable from here."""

from __future__ import annotations

from certhub.registry.queries.access import (
    AMBIGUITY_CAP,
    AmbiguousNumber,
    access_certificate,
    access_certification_body,
    access_certification_body_for_change,
    access_lab,
    access_organization,
    body_status_history,
    certificates_visible_to,
    organizations_visible_to,
    refuse_ambiguous_number,
    region_code_prefix,
    within_region,
)
from certhub.registry.queries.name_matching import (
    COMMON_LEGAL_FORMS,
    LEGAL_FORMS,
    MATCH_CANDIDATE_CAP,
    MATCH_MAX_LIMIT,
    NAME_NOISE,
    REGION_SUFFIXES,
    distinctive_part,
    match_organizations,
    name_core,
    name_similarity,
    normalize_name,
)
from certhub.registry.queries.procurement import (
    CCC_CODE,
    PROCUREMENT_CERTIFICATE_CAP,
    _product_matches,
    procurement_check,
)
from certhub.registry.queries.products import (
    certified_products_by_gtin,
    gtin_forms,
    public_certified_products,
    search_certified_products,
)
from certhub.registry.queries.public_record import (
    public_certificate_record,
    public_document_bytes,
    status_label,
    with_live_flags,
)
from certhub.registry.queries.search import (
    TwoStepSlices,
    capped_count,
    certificate_search,
    certification_bodies,
    find_labs,
    holder_ids_matching,
    search_certificates,
    search_organizations,
)
from certhub.registry.queries.verification import verify_certificates

__all__ = [
    "AMBIGUITY_CAP",
    "CCC_CODE",
    "COMMON_LEGAL_FORMS",
    "LEGAL_FORMS",
    "MATCH_CANDIDATE_CAP",
    "MATCH_MAX_LIMIT",
    "NAME_NOISE",
    "PROCUREMENT_CERTIFICATE_CAP",
    "REGION_SUFFIXES",
    "AmbiguousNumber",
    "TwoStepSlices",
    "_product_matches",
    "access_certificate",
    "access_certification_body",
    "access_certification_body_for_change",
    "access_lab",
    "access_organization",
    "body_status_history",
    "capped_count",
    "certificate_search",
    "certificates_visible_to",
    "certification_bodies",
    "certified_products_by_gtin",
    "distinctive_part",
    "find_labs",
    "gtin_forms",
    "holder_ids_matching",
    "match_organizations",
    "name_core",
    "name_similarity",
    "normalize_name",
    "organizations_visible_to",
    "procurement_check",
    "public_certificate_record",
    "public_certified_products",
    "public_document_bytes",
    "refuse_ambiguous_number",
    "region_code_prefix",
    "search_certificates",
    "search_certified_products",
    "search_organizations",
    "status_label",
    "verify_certificates",
    "with_live_flags",
    "within_region",
]
