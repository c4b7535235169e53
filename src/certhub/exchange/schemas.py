"""Schemas of the submissions API (exchange/api.py, C2): a batch of records in, the whole report out."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from certhub.exchange.choices import SubmissionKind, SubmissionMode

BATCH_MAX = 1000


class SubmissionIn(Schema):
    kind: SubmissionKind = Field(
        SubmissionKind.CERTIFICATES, description="certificates, status, reports or organizations"
    )
    mode: SubmissionMode = Field(
        SubmissionMode.ALL_OR_NOTHING,
        description="all: nothing is applied unless every record is valid (default); valid: apply the valid ones",
    )
    records: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=BATCH_MAX,
        description="Up to 1,000 records with the field names of docs/data-formats.md (English or Chinese keys)",
    )


class ProblemOut(Schema):
    row: int = Field(description="record number in the batch (1-based), or 0 for the batch as a whole")
    field: str
    value: str
    message: str
    severity: str = Field(description="error (the record was rejected) or note (a value was normalised)")


class SubmissionOut(Schema):
    id: int
    state: str = Field(description="applied, partial (valid rows applied), rejected (nothing applied), applying")
    kind: str
    mode: str
    channel: str
    file_format: str
    filename: str
    sha256: str
    received_at: Any
    finished_at: Any
    submitted_by: str
    total_rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    notes: int
    message: str
    problems: list[ProblemOut]
    problems_omitted: int = Field(description="problems beyond those listed (see the report page for all)")
