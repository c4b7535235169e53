"""Invariant 3: public schemas expose only public fields. Each schema's field list is pinned here, so a
new field is a conscious decision (no risk grades, no personal ID digests, no internal notes). The trace and
inspection schemas are pinned in their apps' tests/test_public_fields.py."""

from certhub.registry import schemas

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
    # Registration status and former names are public registration facts (C1; market registration
    # publishes both).
    schemas.OrganizationOut: [
        "uscc", "name", "region", "industry_section", "industry_division", "above_designated_size",
        "registration_status", "former_names",
    ],
    schemas.FormerNameOut: ["name", "used_from", "used_until"],
    schemas.CertificationBodyOut: [
        "name", "approval_number", "accreditation", "status", "uscc", "region", "schemes", "valid_from", "valid_until",
    ],
    schemas.CertificationBodyDetailOut: [
        "name", "approval_number", "accreditation", "status", "uscc", "region", "schemes", "valid_from", "valid_until",
        "history",
    ],
    schemas.BodyHistoryOut: ["from_status", "to_status", "date", "reason", "decision"],
    schemas.LabDetailOut: [
        "name", "cma_number", "cma_valid_from", "cma_valid_until", "status", "uscc", "region", "scope", "signatories",
    ],
    schemas.SignatoryOut: ["name", "valid_from", "valid_until", "scope_count"],
    schemas.LabScopeOut: ["field", "object", "parameter", "standard", "limits", "valid_from", "valid_until"],
    # issue 17: products — a certified product line and its certificate's public particulars (C7)
    schemas.ProductPage: ["count", "count_exact", "page", "per_page", "items"],
    schemas.CertifiedProductOut: ["name", "model", "trademark", "gtin", "factory", "certificate"],
    schemas.ProductCertificateOut: [
        "number", "status", "status_label", "holder_name", "certification_body", "ccc_product", "issue_date",
        "expiry_date", "valid_now",
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
