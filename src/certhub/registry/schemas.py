"""API schemas. Public schemas list exactly the public fields (ARCHITECTURE.md invariant 3);
tests/test_public_fields.py pins them."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from certhub.registry.choices import CertificateStatus

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
    original_issue_date: datetime.date
    issue_date: datetime.date
    expiry_date: datetime.date
    surveillance_due: datetime.date | None
    surveillance_overdue: bool
    history: list[HistoryOut]


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

    number: str = Field(max_length=60)
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
    status: Literal["DRAFT", "ACTIVE"] = CertificateStatus.ACTIVE


class StatusChangeIn(Schema):
    status: StatusName
    effective_date: datetime.date
    reason: str = Field(min_length=1, max_length=2000)


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]


class OrganizationOut(Schema):
    uscc: str
    name: str
    region: RegionOut
    industry_section: str
    industry_division: str
    above_designated_size: bool


class OrganizationPage(Schema):
    count: int = Field(description="matches, counted up to 10,000")
    count_exact: bool = Field(description="false when there are more than `count` matches")
    limit: int
    offset: int
    items: list[OrganizationOut]


class CertificationBodyOut(Schema):
    name: str
    approval_number: str
    accreditation: str
    status: str
    uscc: str
    region: RegionOut
    schemes: list[str]


class LabScopeOut(Schema):
    field: str
    object: str
    parameter: str
    standard: str
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
