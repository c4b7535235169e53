"""Invariant 3: public schemas expose only public fields. Each schema's field list is pinned here, so a
new field is a conscious decision (no risk grades, no personal ID digests, no internal notes)."""

from certhub.inspections import api as inspections_api
from certhub.registry import schemas, trace_api

PUBLIC_FIELDS = {
    schemas.CertificateRecord: [
        "number", "status", "status_label", "status_date", "scheme", "certification_body", "holder", "scope",
        "ccc_product", "products", "sites", "standards", "particulars", "original_issue_date", "issue_date",
        "expiry_date", "surveillance_due", "surveillance_overdue", "history", "ledger_indexes",
    ],
    schemas.CertificateSummary: [
        "number", "status", "status_label", "scheme", "certification_body", "holder", "issue_date", "expiry_date",
        "surveillance_overdue",
    ],
    schemas.HolderOut: ["name", "uscc", "region"],
    schemas.HistoryOut: ["from_status", "to_status", "date", "reason"],
    schemas.OrganizationOut: [
        "uscc", "name", "region", "industry_section", "industry_division", "above_designated_size",
    ],
    schemas.CertificationBodyOut: ["name", "approval_number", "accreditation", "status", "uscc", "region", "schemes"],
    schemas.LabDetailOut: [
        "name", "cma_number", "cma_valid_from", "cma_valid_until", "status", "uscc", "region", "scope", "signatories",
    ],
    schemas.SignatoryOut: ["name", "valid_from", "valid_until", "scope_count"],
    schemas.LabScopeOut: ["field", "object", "parameter", "standard", "valid_from", "valid_until"],
    # Traces (registry.trace): the public part and the full view share these; the full view's own fields
    # (actor_label, changed_fields, internal, body_auditors, people, result, registered_at) are null in public.
    trace_api.CertificateTraceOut: [
        "view", "certificate", "internal", "certification_body", "surveillance", "body_auditors", "events",
        "checkpoint", "test_reports", "inspections", "complaints",
    ],
    trace_api.TraceInternalOut: ["reporting_lag_days", "last_surveillance_date", "registered_at", "updated_at"],
    trace_api.TraceEventOut: [
        "time", "subject_type", "event_type", "event_label", "actor_role", "actor_role_label", "actor_label",
        "changed_fields", "from_status", "to_status", "surveillance_date", "ledger",
    ],
    trace_api.TraceLedgerEntryOut: ["index", "leaf_hash", "entry", "proof", "proof_status"],
    trace_api.TraceCheckpointOut: ["tree_size", "root_hash", "note", "verifier_key"],
    trace_api.TracePersonOut: ["name", "role", "role_label", "start", "end"],
    trace_api.TraceReportOut: ["number", "issue_date", "product", "conclusion", "conclusion_label", "lab", "signatory"],
    trace_api.TraceSignatoryOut: ["name", "valid_from", "valid_until"],
    trace_api.ReportTraceOut: ["view", "report", "events", "checkpoint", "certificates", "inspections", "complaints"],
    trace_api.TraceReportDetailOut: [
        "number", "issue_date", "product", "conclusion", "conclusion_label", "lab", "signatory", "client",
        "cma_valid_on_issue_date", "signatory_valid_on_issue_date", "items", "registered_at",
    ],
    trace_api.TraceReportItemOut: ["parameter", "standard", "result", "within_lab_scope", "within_signatory_scope"],
    trace_api.OrganizationTraceOut: [
        "view", "organization", "certification_body", "lab", "certificates", "certificate_count", "test_reports",
        "test_report_count", "people", "events", "checkpoint", "inspections", "complaints",
    ],
    # Published inspection results (一公开): no stratum, no grade, no findings, no inspector ids.
    inspections_api.ResultOut: [
        "batch", "plan", "department", "items", "target_type", "target_type_label", "target", "target_name",
        "inspected_from", "inspected_until", "result", "result_label", "follow_up", "follow_up_label",
        "published_on", "deadline", "published_late", "late_reason",
    ],
}  # fmt: skip


def test_public_schemas_list_exactly_their_public_fields():
    for schema, fields in PUBLIC_FIELDS.items():
        assert list(schema.model_fields) == fields, schema.__name__


def test_the_stored_public_document_has_the_record_fields(world):
    import orjson

    from certhub.registry.models import CertificatePublicRecord

    document = orjson.loads(CertificatePublicRecord.objects.get(pk=world.certificates["ccc"].pk).document)
    # The stored document lacks only what is added at request time: the flag and the ledger indexes.
    added = {"surveillance_overdue", "ledger_indexes"}
    assert sorted(document) == sorted(set(PUBLIC_FIELDS[schemas.CertificateRecord]) - added)
    assert sorted(document["holder"]) == ["name", "region", "uscc"]
