"""Invariant 3 for the self-declaration register: its public answers list exactly the published fields (a
declaration is a public record, withdrawn ones too); a new field is a conscious decision."""

from certhub.market import declaration_schemas as schemas

PUBLIC_FIELDS = {
    schemas.DeclarationOut: [
        "number", "status", "status_label", "producer", "ccc_product", "product_name", "product_models", "trademark",
        "gtins", "standards", "test_report", "report_note", "declared_on", "withdrawn_on", "withdrawal_reason",
    ],
    schemas.DeclarationProducerOut: ["name", "uscc", "region_code"],
    schemas.DeclarationProductOut: ["code", "name", "mode"],
    schemas.DeclarationReportOut: ["number", "lab_name", "lab_cma_number", "issue_date"],
    schemas.DeclarationPage: ["count", "count_exact", "limit", "offset", "items"],
}  # fmt: skip


def test_public_schemas_list_exactly_their_public_fields():
    for schema, fields in PUBLIC_FIELDS.items():
        assert list(schema.model_fields) == fields, schema.__name__
