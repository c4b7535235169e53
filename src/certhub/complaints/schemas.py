"""API schemas of complaints and tip-offs (C10). The public answers list exactly what the complainant may
see with the query code (docs/architecture.md invariant 3): never the contact details, the matched records
or the officers' internal notes."""

from __future__ import annotations

import datetime

from ninja import Field, Schema


class ComplaintChallengeOut(Schema):
    token: str = Field(description="The signed challenge, sent back as `proof_token`.")
    salt: str = Field(
        description="Find a decimal `proof_nonce` whose SHA-256 of `salt:nonce` starts with `bits` zero bits."
    )
    bits: int


class ComplaintEvidenceIn(Schema):
    name: str = Field(max_length=200, description="The file's name, with its extension (.jpg, .png, .pdf).")
    content_base64: str = Field(description="The file's bytes in base64.")


class ComplaintIn(Schema):
    kind: str = Field(description="COMPLAINT (投诉) or TIP_OFF (举报).")
    certificate_number: str = Field("", max_length=200)
    subject_name: str = Field("", max_length=400, description="An enterprise, shop, lab or body: name or code.")
    product: str = Field("", max_length=400)
    region_code: str = Field(
        "", max_length=12, description="Where it happened; needed when the registry does not know the subject."
    )
    text: str = Field("", max_length=4000, description="What happened (at most 2000 characters are accepted).")
    wants_reply: bool = False
    contact_name: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=200)
    evidence: list[ComplaintEvidenceIn] = Field(default_factory=list, max_length=20)
    proof_token: str = Field("", max_length=1000)
    proof_nonce: str = Field("", max_length=40)


class ComplaintReceiptOut(Schema):
    number: str = Field(description="The tracking number.")
    query_code: str = Field(description="The secret query code: shown once, kept only as a hash.")
    kind: str
    due_step: str
    due_on: datetime.date | None


class ComplaintTrackIn(Schema):
    number: str = Field(max_length=64)
    code: str = Field(max_length=64)


class ComplaintEventOut(Schema):
    on: datetime.date
    step: str
    step_label: str
    note: str


class ComplaintTrackOut(Schema):
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    received_on: datetime.date
    due_step: str
    due_on: datetime.date | None
    outcome: str = Field(description="The outcome as the department worded it, once concluded.")
    events: list[ComplaintEventOut]
