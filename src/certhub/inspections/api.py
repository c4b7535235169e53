"""Inspection endpoints of API v1 (C5 一公开; C2: other departments reuse results instead of
inspecting again): published results, public fields only. Validation and orchestration only."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from certhub.core.errors import ValidationFailed
from certhub.core.ratelimit import limit_anonymous
from certhub.inspections.choices import FollowUp, ResultCategory, TargetType
from certhub.inspections.queries import published_results
from certhub.inspections.records import result_record
from certhub.registry.schemas import ErrorOut
from certhub.registry.validation import clean_uscc

router = Router(tags=["inspections"])
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
    offset: int = Field(0, ge=0)


@router.get(
    "/inspections/results",
    response={200: ResultPage, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Published inspection results",
)
@decorate_view(limit_anonymous)
def list_results(request: HttpRequest, filters: Query[ResultFilter]) -> ResultPage:
    """Published 双随机 results, newest first (docs/inspections.md)."""
    results = published_results()
    if filters.uscc:
        code, error = clean_uscc(filters.uscc)
        if error:
            raise ValidationFailed({"uscc": error})
        results = results.filter(organization__uscc=code)
    if filters.batch:
        results = results.filter(batch__number=filters.batch)
    page = results[filters.offset : filters.offset + filters.limit]
    return ResultPage.model_validate({"count": results.count(), "results": [result_record(task) for task in page]})
