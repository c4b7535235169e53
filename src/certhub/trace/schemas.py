"""Schemas of the trace endpoints (trace/api.py). The public part and the full view share them: a field only the
full view fills is null in the public part (trace/tests/test_public_fields.py pins the fields).

A trace embeds the registry's public record of a certificate or an organization, so it uses the registry's own
record schemas (one definition of the public fields, docs/architecture.md invariant 3), and the published
inspection results as the inspections API gives them."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from certhub.inspections.schemas import ResultOut
from certhub.registry.schemas import (
    BodyRef,
    CertificateRecord,
    OrganizationOut,
    RegionOut,
    SchemeRef,
    StatusName,
)

ViewName = Literal["public", "full"]
FULL_ONLY = "full view only; null in the public part"
LATER_MODULE = "filled once the {} module records them; always empty for now"
INSPECTIONS = "published 双随机 inspection results of the organization behind the record (docs/inspections.md)"


class TraceCheckpointOut(Schema):
    """The signed checkpoint every proof of the trace is against (c2sp.org/tlog-checkpoint)."""

    tree_size: int
    root_hash: str = Field(description="base64 RFC 9162 root of the first tree_size entries")
    note: str = Field(description="the checkpoint as a c2sp.org/signed-note, exactly as signed")
    verifier_key: str = Field(description="the log's key, name+hash+base64; pin it from GET /api/v1/ledger/key")


class TraceLedgerEntryOut(Schema):
    index: int
    leaf_hash: str = Field(description="base64 SHA-256(0x00 ‖ entry)")
    entry: str = Field(description="the entry exactly as hashed: RFC 8785 JSON")
    proof: list[str] | None = Field(
        description="base64 hashes in RFC 9162 order, against checkpoint.tree_size; null while pending"
    )
    proof_status: Literal["included", "pending"] = Field(
        description="pending: newer than the checkpoint; the proof is available after the next checkpoint"
    )


class TraceEventOut(Schema):
    """One recorded step (an audit row) with its ledger entry."""

    time: datetime.datetime
    subject_type: str = Field(description="registry.certificate, registry.testreport, registry.organization, …")
    event_type: str
    event_label: str
    actor_role: str
    actor_role_label: str
    actor_label: str | None = Field(description=f"who recorded it (a user or an API key); {FULL_ONLY}")
    changed_fields: list[str] | None = Field(description=f"the fields the step changed; {FULL_ONLY}")
    from_status: StatusName | None = Field(description="a certificate's status before a status change")
    to_status: StatusName | None = Field(description="a certificate's status after a status change or on creation")
    surveillance_date: datetime.date | None = Field(description="the date of a surveillance audit the step recorded")
    ledger: TraceLedgerEntryOut | None


class TraceBodyOut(Schema):
    name: str
    approval_number: str
    accreditation: str
    status: str
    uscc: str
    region: RegionOut


class TraceLabOut(Schema):
    name: str
    cma_number: str
    cma_valid_from: datetime.date
    cma_valid_until: datetime.date
    status: str
    uscc: str


class TraceLabRef(Schema):
    name: str
    cma_number: str


class TraceSignatoryOut(Schema):
    name: str
    valid_from: datetime.date
    valid_until: datetime.date | None


class TraceReportOut(Schema):
    """A test report as a report-verification page shows it."""

    number: str
    issue_date: datetime.date
    product: str = Field(description="the sample's name (样品名称)")
    conclusion: Literal["PASS", "FAIL", "INFORMATIVE"]
    conclusion_label: str
    lab: TraceLabRef
    signatory: TraceSignatoryOut


class TracePersonOut(Schema):
    name: str
    role: Literal["AUDITOR", "INSPECTOR", "SIGNATORY"]
    role_label: str
    start: datetime.date
    end: datetime.date | None


class TraceSurveillanceOut(Schema):
    audit_date: datetime.date
    recorded_at: datetime.datetime
    ledger_index: int | None


class TraceInternalOut(Schema):
    reporting_lag_days: int | None = Field(description="days between issue and arrival in CertHub")
    last_surveillance_date: datetime.date | None
    registered_at: datetime.datetime
    updated_at: datetime.datetime


class CertificateTraceOut(Schema):
    view: ViewName
    certificate: CertificateRecord
    internal: TraceInternalOut | None = Field(description=FULL_ONLY)
    certification_body: TraceBodyOut
    surveillance: list[TraceSurveillanceOut] = Field(description="surveillance audits recorded, oldest first")
    body_auditors: list[TracePersonOut] | None = Field(
        description="the body's auditors on record while the certificate was in force (which of them audited it "
        f"is not reported); {FULL_ONLY}"
    )
    events: list[TraceEventOut] = Field(description="every recorded step, oldest first")
    checkpoint: TraceCheckpointOut | None = Field(description="null only while the ledger is empty")
    test_reports: list[TraceReportOut] = Field(
        description="reports whose client is the holder and whose sample the certificate names, newest first"
    )
    inspections: list[ResultOut] = Field(description=INSPECTIONS)
    complaints: list[dict[str, Any]] = Field(description=LATER_MODULE.format("complaint"))


class TraceClientOut(Schema):
    name: str
    uscc: str


class TraceReportItemOut(Schema):
    parameter: str
    standard: str
    result: str | None = Field(description=FULL_ONLY)
    within_lab_scope: bool = Field(description="the lab's qualified scope covered it on the issue date")
    within_signatory_scope: bool = Field(description="the signatory's scope covered it on the issue date")


class TraceReportDetailOut(Schema):
    number: str
    issue_date: datetime.date
    product: str
    conclusion: Literal["PASS", "FAIL", "INFORMATIVE"]
    conclusion_label: str
    lab: TraceLabOut
    signatory: TraceSignatoryOut
    client: TraceClientOut | None
    cma_valid_on_issue_date: bool
    signatory_valid_on_issue_date: bool
    items: list[TraceReportItemOut]
    registered_at: datetime.datetime | None = Field(description=FULL_ONLY)


class TraceCertificateOut(Schema):
    number: str
    status: StatusName
    status_label: str
    scheme: SchemeRef
    certification_body: BodyRef
    holder_name: str
    issue_date: datetime.date
    expiry_date: datetime.date


class TraceLinkedCertificateOut(TraceCertificateOut):
    matched_on: list[Literal["ccc_product", "products", "scope"]] = Field(
        description="where the certificate names the report's sample"
    )


class ReportTraceOut(Schema):
    view: ViewName
    report: TraceReportDetailOut
    events: list[TraceEventOut]
    checkpoint: TraceCheckpointOut | None
    certificates: list[TraceLinkedCertificateOut] = Field(description="the certificates the report stands behind")
    inspections: list[ResultOut] = Field(description=INSPECTIONS)
    complaints: list[dict[str, Any]] = Field(description=LATER_MODULE.format("complaint"))


class TraceLicenceOut(Schema):
    """A licence the organization holds (C8): a licensing decision is public."""

    number: str
    licence_type: str = Field(description="`CMA` or `PRODUCTION`")
    licence_type_label: str
    status: str = Field(description="ACTIVE, SUSPENDED, REVOKED or CLOSED")
    status_label: str
    valid_from: datetime.date
    valid_until: datetime.date
    decision_number: str


class TraceApplicationOut(Schema):
    """A licensing application the organization filed, and where it stands (C8)."""

    number: str
    licence_type_label: str
    kind_label: str
    track_label: str
    state: str
    state_label: str
    submitted_on: datetime.date
    decided_on: datetime.date | None


class TraceDeclarationOut(Schema):
    """A self-declaration the organization published (C7): public, withdrawn ones included."""

    number: str
    status: str = Field(description="published or withdrawn")
    status_label: str
    ccc_product_code: str
    ccc_product_name: str
    product_name: str
    product_models: list[str]
    declared_on: datetime.date
    withdrawn_on: datetime.date | None


class TraceMarketCheckOut(Schema):
    """A market check (C7) that traced a listing, label or sample to the organization."""

    checked_on: datetime.date
    channel: Literal["onsite", "online", "sample"]
    channel_label: str
    role: Literal["producer", "shop"] = Field(description="whether the organization is the producer or the shop")
    platform: str
    shop: str
    product_name: str
    model: str
    claimed_number: str = Field(description="the certificate or declaration number the listing claimed, as written")
    verdict: str = Field(description="covered, not_in_catalogue, model_not_covered, certificate_invalid, "
                         "declaration_invalid, forged_number, no_claim or needs_person")  # fmt: skip
    verdict_label: str
    reason: str
    campaign: str | None = Field(description="the campaign (专项整治) it was recorded under")


class OrganizationTraceOut(Schema):
    view: ViewName
    organization: OrganizationOut
    certification_body: TraceBodyOut | None = Field(description="its approval, when it is a certification body")
    lab: TraceLabOut | None = Field(description="its CMA qualification, when it is a lab")
    certificates: list[TraceCertificateOut] = Field(description="certificates it holds, newest first, at most 200")
    certificate_count: int = Field(description="all of them, counted up to 10,000")
    test_reports: list[TraceReportOut] = Field(description="reports it commissioned, newest first, at most 200")
    test_report_count: int = Field(description="all of them, counted up to 10,000")
    people: list[TracePersonOut] | None = Field(description=f"affiliations with it; {FULL_ONLY}")
    licences: list[TraceLicenceOut] = Field(description="licences it holds, newest first, at most 200")
    licence_applications: list[TraceApplicationOut] | None = Field(
        description=f"its licensing applications, newest first, at most 200; {FULL_ONLY}"
    )
    declarations: list[TraceDeclarationOut] = Field(
        description="self-declarations it published (withdrawn ones too), newest first, at most 200"
    )
    events: list[TraceEventOut]
    checkpoint: TraceCheckpointOut | None
    inspections: list[ResultOut] = Field(description=INSPECTIONS)
    complaints: list[dict[str, Any]] = Field(description=LATER_MODULE.format("complaint"))
    market_checks: list[TraceMarketCheckOut] | None = Field(
        description=f"market checks (C7) that traced a listing to it, as producer or shop, newest first, at most 50; "
        f"{FULL_ONLY}"
    )
