"""API schemas. Public schemas list exactly the public fields (docs/architecture.md invariant 3);
tests/test_public_fields.py pins them."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from certhub.core.validation import Identifier

MAX_LIMIT = 100  # the largest page a list endpoint gives

StatusName = Literal["DRAFT", "ACTIVE", "SUSPENDED", "WITHDRAWN", "CANCELLED", "EXPIRED"]


class RegionOut(Schema):
    code: str
    name: str


class SchemeRef(Schema):
    code: str
    name: str
    name_en: str


class BodyRef(Schema):
    name: str
    approval_number: str


class HolderOut(Schema):
    name: str
    uscc: str
    region: RegionOut


class HistoryOut(Schema):
    from_status: StatusName | None
    to_status: StatusName
    date: datetime.date
    reason: str


class CccProductRef(Schema):
    code: str
    name: str


class CertificateRecord(Schema):
    """The public record of one certificate, with its status history."""

    number: str
    status: StatusName
    status_label: str
    status_date: datetime.date
    scheme: SchemeRef
    certification_body: BodyRef
    holder: HolderOut
    scope: str
    ccc_product: CccProductRef | None
    products: list[dict[str, str]]
    sites: list[dict[str, str]]
    standards: str
    particulars: dict[str, str] = Field(
        description="applicant, address, manufacturer, factory, certification_mode, accreditation_body (when stated)"
    )
    original_issue_date: datetime.date
    issue_date: datetime.date
    expiry_date: datetime.date
    surveillance_due: datetime.date | None
    surveillance_overdue: bool
    history: list[HistoryOut]
    ledger_indexes: list[int] = Field(
        description="indexes of the certificate's entries in the transparency ledger, oldest first "
        "(GET /api/v1/ledger/entries, proofs at /api/v1/ledger/proof/inclusion)"
    )


class CertificateSummary(Schema):
    number: str
    status: StatusName
    status_label: str
    scheme: SchemeRef
    certification_body: BodyRef
    holder: HolderOut
    issue_date: datetime.date
    expiry_date: datetime.date
    surveillance_overdue: bool


class CertificatePage(Schema):
    count: int = Field(description="matches, counted up to 10,000")
    count_exact: bool = Field(description="false when there are more than `count` matches")
    limit: int
    offset: int
    items: list[CertificateSummary]


class ProductIn(Schema):
    name: str = Field(max_length=200)
    model: str = Field("", max_length=200)
    trademark: str = Field("", max_length=200)
    gtin: str = Field("", max_length=14)
    batch: str = Field("", max_length=200)


class CertificateIn(Schema):
    """A certificate a certification body registers (认证证书和认证标志管理办法 Art. 7 contents)."""

    number: Annotated[str, Identifier(60)] = Field(
        description="the identifier grammar: no spaces, control or format characters, '/', '\\' or '..'"
    )
    scheme: str = Field(max_length=32, description="scheme code, e.g. CCC, QMS")
    holder_uscc: str = Field(max_length=40)
    scope: str = Field("", max_length=4000)
    standards: str = Field("", max_length=300)
    ccc_product: str = Field("", max_length=4, description="4-digit CCC catalogue code")
    products: list[ProductIn] = Field(default_factory=list, max_length=500)
    sites: list[dict[str, str]] = Field(default_factory=list, max_length=200)
    original_issue_date: datetime.date | None = None
    issue_date: datetime.date
    expiry_date: datetime.date
    status: Literal["DRAFT", "ACTIVE"] = "ACTIVE"


class StatusChangeIn(Schema):
    status: StatusName
    effective_date: datetime.date
    reason: str = Field(min_length=1, max_length=2000)


class FormerNameOut(Schema):
    name: str
    used_from: datetime.date | None = Field(description="when the name began, if known")
    used_until: datetime.date


class OrganizationOut(Schema):
    uscc: str
    name: str
    region: RegionOut
    industry_section: str
    industry_division: str
    above_designated_size: bool
    registration_status: Literal["IN_BUSINESS", "LICENCE_REVOKED", "DEREGISTERED"] = Field(
        description="market registration's status: 存续, 吊销 (licence revoked) or 注销 (deregistered)"
    )
    former_names: list[FormerNameOut] = Field(description="曾用名, newest first")


class OrganizationCorrectionIn(Schema):
    """An officer's correction: every field is checked by the registry's organization rule (the credit
    code itself never changes)."""

    name: str
    region_code: str = Field(description="GB/T 2260 code, within the officer's region")
    address: str = ""
    industry_section: str = ""
    industry_division: str = ""
    above_designated_size: bool | str = Field(False, description="true/false, 1/0, Y/N or 是/否")
    registration_status: str = Field(
        "IN_BUSINESS", description="IN_BUSINESS/LICENCE_REVOKED/DEREGISTERED or 存续/吊销/注销"
    )


class ContactIn(Schema):
    contact_email: str = ""
    contact_phone: str = ""


class DeclaredProductIn(Schema):
    ccc_product: str = Field(description="CCC catalogue product code, e.g. 0701")


class OwnProductOut(Schema):
    ccc_product: str
    name: str
    source: str = Field(description="declared (by the enterprise), licence, statistics or inspection")


class OwnOrganizationOut(Schema):
    uscc: str
    contact_email: str
    contact_phone: str
    products: list[OwnProductOut]


class OrganizationPage(Schema):
    count: int = Field(description="matches, counted up to 10,000")
    count_exact: bool = Field(description="false when there are more than `count` matches")
    limit: int
    offset: int
    items: list[OrganizationOut]


BodyStatusName = Literal["ACTIVE", "SUSPENDED", "REVOKED", "CLOSED"]


class CertificationBodyOut(Schema):
    name: str
    approval_number: str
    accreditation: str
    status: str
    uscc: str
    region: RegionOut
    schemes: list[str]
    valid_from: datetime.date | None
    valid_until: datetime.date | None


class BodyHistoryOut(Schema):
    """One change of a body's status as the national announcement states it (public, C1)."""

    from_status: BodyStatusName
    to_status: BodyStatusName
    date: datetime.date
    reason: str
    decision: str


class CertificationBodyDetailOut(CertificationBodyOut):
    history: list[BodyHistoryOut]


class BodyStatusChangeIn(Schema):
    status: BodyStatusName
    effective_date: datetime.date
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field(min_length=1, max_length=200)


class BodyStatusChangeOut(Schema):
    body: CertificationBodyDetailOut
    certificates_changed: int


class TransferIn(Schema):
    to_body: str = Field(min_length=1, max_length=32, description="the receiving body's approval number")
    effective_date: datetime.date
    reason: str = Field(min_length=1, max_length=2000)


class LabScopeOut(Schema):
    field: str
    object: str
    parameter: str
    standard: str
    limits: str = Field(description="限制范围: the limits the decision set on the row, empty when none")
    valid_from: datetime.date
    valid_until: datetime.date | None


class SignatoryOut(Schema):
    name: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    scope_count: int


class LabOut(Schema):
    name: str
    cma_number: str
    cma_valid_from: datetime.date
    cma_valid_until: datetime.date
    status: str
    uscc: str
    region: RegionOut


class LabDetailOut(LabOut):
    scope: list[LabScopeOut]
    signatories: list[SignatoryOut]


class SchemeOut(Schema):
    code: str
    name: str
    name_en: str
    mandatory: bool
    kind: str
    validity_years: int | None
    surveillance_months: int | None
    standard: str
    authority: str


# ---------------------------------------------------------------- reuse by departments and buyers (C2, C13)

PublicStatusName = Literal["ACTIVE", "SUSPENDED", "WITHDRAWN", "CANCELLED", "EXPIRED"]
CertificateNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class VerifyIn(Schema):
    """A batch of certificate numbers to check."""

    numbers: list[CertificateNumber] = Field(
        min_length=1, max_length=100, description="1–100 certificate numbers; each distinct number is answered once"
    )
    body: str = Field(
        "", max_length=64, description="only certificates of this certification body (approval number or name)"
    )


class VerifyResult(Schema):
    """One number's answer. Not found: `found` false and the other fields null."""

    number: str
    found: bool
    status: PublicStatusName | None = Field(description="drafts are never public, so never found")
    status_label: str | None
    holder_name: str | None
    holder_uscc: str | None
    scheme: SchemeRef | None
    certification_body: BodyRef | None
    expiry_date: datetime.date | None
    valid_now: bool = Field(description="ACTIVE and today (Asia/Shanghai) not past the expiry date")


class VerifyOut(Schema):
    checked: int = Field(description="distinct numbers asked")
    found: int = Field(description="distinct numbers found")
    valid_now: int = Field(description="distinct numbers with at least one certificate valid now")
    results: list[VerifyResult] = Field(
        description="in the order asked; a number used by several bodies has one entry per body, adjacent, "
        "in approval-number order"
    )


class OrganizationCandidate(Schema):
    uscc: str
    name: str
    region: RegionOut
    score: int = Field(
        ge=0,
        le=100,
        description="100 credit code; 98 same name; 95 same but for the legal form; up to 94 by name similarity",
    )
    name_score: int | None = Field(description="the name's own score when a name was given")
    basis: Literal[
        "uscc",
        "name_exact",
        "name_core",
        "name_similar",
        "former_name_exact",
        "former_name_core",
        "former_name_similar",
    ] = Field(description="what the score rests on; former_… when a former name (曾用名) matched best")
    reasons: list[str]


class OrganizationMatchOut(Schema):
    name: str
    uscc: str
    candidates: list[OrganizationCandidate] = Field(description="best first, at most `limit`")


class SupplierOut(Schema):
    uscc: str
    name: str
    region: RegionOut


class ProcurementCertificate(Schema):
    number: str
    status: PublicStatusName
    status_label: str
    valid_now: bool = Field(description="ACTIVE and today (Asia/Shanghai) not past the expiry date")
    scheme: SchemeRef
    certification_body: BodyRef
    issue_date: datetime.date
    expiry_date: datetime.date
    ccc_product: CccProductRef | None
    matched_on: list[Literal["ccc_product", "products", "scope"]] = Field(
        description="where the certificate names the product asked for (empty without `product`)"
    )


class ProcurementCheckOut(Schema):
    """政府采购优先 (C13): is the supplier, or its product, certified now."""

    uscc: str
    product: str
    checked_on: datetime.date
    registered: bool = Field(description="the registry has an organization with this credit code")
    supplier: SupplierOut | None
    certified: bool = Field(description="at least one matching certificate is valid now")
    message: str
    schemes: list[SchemeRef] = Field(description="schemes of the matching certificates valid now")
    ccc_product: CccProductRef | None = Field(description="the CCC catalogue product, when `product` is its code")
    certificates: list[ProcurementCertificate] = Field(
        description="the supplier's public certificates that match, valid ones first"
    )


class CertificateFilter(Schema):
    q: str = ""
    scheme: str = ""
    status: StatusName | None = None
    region: str = ""
    holder_uscc: str = ""
    body: str = ""
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000)


# ---------------------------------------------------------------- people (officers only, C1)

PersonRoleName = Literal["AUDITOR", "INSPECTOR", "SIGNATORY", "LEGAL_REPRESENTATIVE", "TECHNICAL_MANAGER"]


class AffiliationOut(Schema):
    """One affiliation as officers see it. A person is named by name and id only: never the ID-document
    number nor its digest (C14; registry/tests/test_people_pages.py pins this)."""

    id: int
    person_id: int
    person_name: str
    organization_uscc: str
    organization_name: str
    role: PersonRoleName
    role_label: str
    start: datetime.date
    end: datetime.date | None
    decision: str


class AffiliationStartIn(Schema):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=40, description="ID-document number: hashed at once, never stored or answered")
    role: PersonRoleName
    start: datetime.date
    decision: str = Field("", max_length=64)


class AffiliationEndIn(Schema):
    end: datetime.date
    reason: str = Field("", max_length=500)


# ---------------------------------------------------------------- bans (officers, C9)

BanKindName = Literal["PERMANENT_EXIT", "LIFETIME_BAN", "APPLICATION_BAR", "CERTIFICATION_BAR", "SERIOUS_VIOLATION"]


class BanIn(Schema):
    """A ban decided by an authority. The subject: an organization by credit code, or a registered person by
    name and ID-document number (hashed at once, never stored in clear nor answered)."""

    kind: BanKindName
    organization_uscc: str = Field("", max_length=40)
    person_name: str = Field("", max_length=64)
    person_id_number: str = Field(
        "", max_length=40, description="ID-document number: matched, never stored or answered"
    )
    decision_number: str = Field("", max_length=64)
    decided_on: str = Field(max_length=10, description="YYYY-MM-DD")
    authority: str = Field("", max_length=100)
    starts: str = Field(max_length=10, description="YYYY-MM-DD")
    ends: str = Field("", max_length=10, description="YYYY-MM-DD; none for PERMANENT_EXIT and LIFETIME_BAN")
    reason: str = Field("", max_length=2000)
    legal_basis: str = Field("", max_length=2000)
    licence_type: str = Field("", max_length=16)


class BanLiftIn(Schema):
    decision_number: str = Field("", max_length=64)
    lifted_on: str = Field(max_length=10, description="YYYY-MM-DD")
    reason: str = Field("", max_length=2000)


class BanSubjectOut(Schema):
    type: Literal["organization", "person"]
    name: str
    uscc: str | None


class BanOut(Schema):
    id: int
    kind: BanKindName
    kind_label: str
    subject: BanSubjectOut
    licence_type: str
    decision_number: str
    decided_on: datetime.date
    authority: str
    region_code: str
    starts: datetime.date
    ends: datetime.date | None
    in_force: bool
    reason: str
    legal_basis: str
    source: str
    lifted_on: datetime.date | None
    lift_decision_number: str
    lift_reason: str
    sentence: str


class BanPage(Schema):
    count: int
    items: list[BanOut]


# ---------------------------------------------------------------- certified products (C7, C13)


class ProductFilter(Schema):
    """The criteria are checked by the page's rule (registry.queries.ProductSearchInput), so that both say
    the same about a bad one: text of at most 100 characters, a GTIN with its check digit."""

    q: str = Field("", description="part of the product name or trademark, or the model's start; ≤ 100 characters")
    gtin: str = Field("", description="GTIN-8/12/13/14 with its check digit; any spelling finds all")
    model: str = Field("", description="the model's start (spaces, dashes, dots, slashes ignored); ≤ 100 characters")
    trademark: str = Field("", description="part of the trademark; ≤ 100 characters")
    factory: str = Field("", description="part of the factory's (or manufacturer's) name; ≤ 100 characters")
    page: int = Field(1, ge=1, le=500, description="page of 20, at most 500")


class ProductCertificateOut(Schema):
    number: str
    status: StatusName
    status_label: str
    holder_name: str
    certification_body: BodyRef
    ccc_product: str = Field(description="4-digit CCC catalogue code; empty for other schemes")
    issue_date: datetime.date
    expiry_date: datetime.date
    valid_now: bool = Field(description="ACTIVE and not past its expiry date today")


class CertifiedProductOut(Schema):
    """One product line of a public certificate: public fields only (tests pin them)."""

    name: str
    model: str
    trademark: str
    gtin: str
    factory: str
    certificate: ProductCertificateOut


class ProductPage(Schema):
    count: int = Field(description="matches, counted up to 10,000")
    count_exact: bool = Field(description="false when there are more than `count` matches")
    page: int
    per_page: int
    items: list[CertifiedProductOut]
