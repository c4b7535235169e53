"""The licensing API's schemas (C8): what an applicant sends and reads of its own case, and what officers
read of their due list. Types and presence only; the rules are the actions'."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class LicensingApplicationIn(Schema):
    licence_type: str = Field(description="CMA or PRODUCTION", max_length=16)
    kind: str = Field(description="FIRST, RENEWAL, EXTENSION, CHANGE, REDUCTION or CANCELLATION", max_length=16)
    track: str = Field("GENERAL", description="GENERAL, or COMMITMENT (告知承诺: granted on the spot)", max_length=12)
    uscc: str = Field(description="the applicant's unified social credit code", max_length=40)
    region_code: str = Field("", max_length=12)
    licence_number: str = Field(
        "", description="the production licence concerned (kinds other than FIRST)", max_length=40
    )
    commitment_text: str = Field("", description="the signed commitment (track COMMITMENT)", max_length=4000)
    particulars: dict[str, Any] = Field(description="what is applied for (docs/licensing.md)")


class LicensingEventOut(Schema):
    on: datetime.date
    step: str
    state: str
    note: str


class LicensingOpinionOut(Schema):
    id: int
    department: str
    requested_on: datetime.date
    due_on: datetime.date
    answered_on: datetime.date | None
    agrees: bool | None


class LicensingMaterialRequestOut(Schema):
    id: int
    items: str
    requested_on: datetime.date
    due_on: datetime.date
    answered_on: datetime.date | None


class LicensingApplicationOut(Schema):
    number: str
    licence_type: str
    kind: str
    track: str
    state: str
    applicant_uscc: str
    applicant_name: str
    submitted_on: datetime.date
    accepted_on: datetime.date | None
    decided_on: datetime.date | None
    decision_number: str
    refusal_reasons: str
    next_due_step: str
    next_due_on: datetime.date | None
    next_due_provisional: bool
    awaited: list[str]
    licence_number: str | None
    events: list[LicensingEventOut]
    opinions: list[LicensingOpinionOut]
    material_requests: list[LicensingMaterialRequestOut]


class LicensingDueOut(Schema):
    number: str
    applicant_name: str
    licence_type: str
    kind: str
    state: str
    step: str
    due_on: datetime.date
    provisional: bool
    overdue: bool
    days_overdue: int
    assigned_to: str


class LicensingAcceptIn(Schema):
    assigned_to: str = Field("", description="username of the officer who handles the case", max_length=150)


class LicensingAssignIn(Schema):
    assigned_to: str = Field(max_length=150)


class LicensingReasonsIn(Schema):
    reasons: str = Field(max_length=4000)


class LicensingNoteIn(Schema):
    note: str = Field("", max_length=4000)


class LicensingMaterialRequestIn(Schema):
    items: str = Field(max_length=4000)


class LicensingOpinionsIn(Schema):
    departments: list[str] = Field(min_length=1, max_length=20)
    question: str = Field("", max_length=4000)
    working_days: int | None = Field(None, ge=1, le=60)


class LicensingOpinionAnswerIn(Schema):
    agrees: bool
    text: str = Field(max_length=4000)


class LicensingOnSiteIn(Schema):
    scheduled_on: datetime.date
    reviewers: str = Field("", max_length=300)


class LicensingOnSiteConclusionIn(Schema):
    outcome: str = Field(description="PASSED, RECTIFICATION or FAILED", max_length=16)
    findings: str = Field("", max_length=4000)
    concluded_on: datetime.date | None = None
    rectification_days: int | None = Field(None, ge=0, le=1000)


class LicensingRectificationIn(Schema):
    passed: bool
    note: str = Field("", max_length=4000)
    rectified_on: datetime.date | None = None


class LicensingDecisionIn(Schema):
    decision: str = Field(description="GRANT or REFUSE", max_length=8)
    reasons: str = Field("", max_length=4000)
    decision_number: str = Field("", max_length=64)


class LicensingCheckIn(Schema):
    outcome: str = Field(description="CONFIRMED or FALSE_COMMITMENT", max_length=20)
    note: str = Field(max_length=4000)
    done_on: datetime.date | None = None


class LicensingRevocationIn(Schema):
    decision_number: str = Field("", description="the revocation decision's number (required)", max_length=64)
    reason: str = Field("", description="the facts and reasons of the revocation (required)", max_length=4000)


class LicensingRevocationOut(Schema):
    licence_number: str
    licence_status: str
    revoked_on: datetime.date
    bar_kind: str
    bar_licence_type: str
    bar_decision_number: str
    bar_authority: str
    bar_starts: datetime.date
    bar_ends: datetime.date | None
    bar_sentence: str = Field(description="the sentence every refused application of the holder gives")
