"""Invariant 3: the published inspection results expose only public fields. The field list is pinned here, so a
new field is a conscious decision."""

from certhub.inspections import schemas

PUBLIC_FIELDS = {
    # Published inspection results (一公开): no stratum, no grade, no findings, no inspector ids.
    schemas.ResultOut: [
        "batch", "plan", "department", "items", "target_type", "target_type_label", "target", "target_name",
        "inspected_from", "inspected_until", "result", "result_label", "follow_up", "follow_up_label",
        "published_on", "deadline", "published_late", "late_reason",
    ],
}  # fmt: skip


def test_public_schemas_list_exactly_their_public_fields():
    for schema, fields in PUBLIC_FIELDS.items():
        assert list(schema.model_fields) == fields, schema.__name__
