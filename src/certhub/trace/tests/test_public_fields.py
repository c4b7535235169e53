"""Invariant 3: the trace schemas expose only public fields in the public part. Each schema's field list is pinned
here, so a new field is a conscious decision."""

from certhub.trace import schemas

PUBLIC_FIELDS = {
    # The public part and the full view share these; the full view's own fields
    # (actor_label, changed_fields, internal, body_auditors, people, result, registered_at, market_checks) are null
    # in public.
    schemas.CertificateTraceOut: [
        "view", "certificate", "internal", "certification_body", "surveillance", "body_auditors", "events",
        "checkpoint", "test_reports", "inspections", "complaints",
    ],
    schemas.TraceInternalOut: ["reporting_lag_days", "last_surveillance_date", "registered_at", "updated_at"],
    schemas.TraceEventOut: [
        "time", "subject_type", "event_type", "event_label", "actor_role", "actor_role_label", "actor_label",
        "changed_fields", "from_status", "to_status", "surveillance_date", "ledger",
    ],
    schemas.TraceLedgerEntryOut: ["index", "leaf_hash", "entry", "proof", "proof_status"],
    schemas.TraceCheckpointOut: ["tree_size", "root_hash", "note", "verifier_key"],
    schemas.TracePersonOut: ["name", "role", "role_label", "start", "end"],
    schemas.TraceReportOut: ["number", "issue_date", "product", "conclusion", "conclusion_label", "lab", "signatory"],
    schemas.TraceSignatoryOut: ["name", "valid_from", "valid_until"],
    schemas.ReportTraceOut: ["view", "report", "events", "checkpoint", "certificates", "inspections", "complaints"],
    schemas.TraceReportDetailOut: [
        "number", "issue_date", "product", "conclusion", "conclusion_label", "lab", "signatory", "client",
        "cma_valid_on_issue_date", "signatory_valid_on_issue_date", "items", "registered_at",
    ],
    schemas.TraceReportItemOut: ["parameter", "standard", "result", "within_lab_scope", "within_signatory_scope"],
    schemas.OrganizationTraceOut: [
        "view", "organization", "certification_body", "lab", "certificates", "certificate_count", "test_reports",
        "test_report_count", "people", "licences", "licence_applications", "declarations", "events", "checkpoint",
        "inspections", "complaints", "market_checks",
    ],
    # issue 17: declarations — a self-declaration is published whole (C7).
    schemas.TraceDeclarationOut: [
        "number", "status", "status_label", "ccc_product_code", "ccc_product_name", "product_name", "product_models",
        "declared_on", "withdrawn_on",
    ],
    schemas.TraceMarketCheckOut: [
        "checked_on", "channel", "channel_label", "role", "platform", "shop", "product_name", "model",
        "claimed_number", "verdict", "verdict_label", "reason", "campaign",
    ],
}  # fmt: skip


def test_public_schemas_list_exactly_their_public_fields():
    for schema, fields in PUBLIC_FIELDS.items():
        assert list(schema.model_fields) == fields, schema.__name__
