"""Schemas of the inspection endpoints (inspections/api.py): a published result lists public fields only (C5 一公开),
and the traces (trace/schemas.py) give a record's results in the same shape."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from certhub.inspections.choices import FollowUp, ResultCategory, TargetType

MAX_LIMIT = 100


class ResultOut(Schema):
    """One published result (抽查结果公告)."""

    batch: str = Field(description="the batch (抽查任务) number: its page and draw file are under /inspections/")
    plan: str
    department: str = Field(description="the plan's lead department")
    items: list[str] = Field(description="the inspection items checked in this visit")
    target_type: TargetType
    target_type_label: str
    target: str = Field(
        description="credit code, APPROVAL_NUMBER/NUMBER of a certified product, approval or CMA number"
    )
    target_name: str
    inspected_from: datetime.date
    inspected_until: datetime.date
    result: ResultCategory
    result_label: str
    follow_up: FollowUp
    follow_up_label: str
    published_on: datetime.date
    deadline: datetime.date = Field(description="20 working days after the inspection's end")
    published_late: bool
    late_reason: str


class ResultPage(Schema):
    count: int
    results: list[ResultOut]


class ResultFilter(Schema):
    uscc: str = Field("", description="only results of the organization with this credit code")
    batch: str = Field("", description="only results of this batch")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    # Deep paging is refused as on the registry's lists (an unbounded offset reached the database as an
    # integer it cannot hold: a 500 schemathesis found, tests/test_api_schemathesis.py).
    offset: int = Field(0, ge=0, le=10_000, description="rows to skip, at most 10,000")
