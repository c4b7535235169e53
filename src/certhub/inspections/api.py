"""Inspection endpoints of API v1 (C5 一公开; C2: other departments reuse results instead of
inspecting again): published results, public fields only. Validation and orchestration only; the schemas are in
inspections/schemas.py."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view

from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import ErrorOut
from certhub.core.validation import USCC, validate_value
from certhub.inspections.queries import published_results
from certhub.inspections.records import result_record
from certhub.inspections.schemas import ResultFilter, ResultPage

router = Router(tags=["inspections"])


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
        code = validate_value(USCC, filters.uscc, field="uscc")
        results = results.filter(organization__uscc=code)
    if filters.batch:
        results = results.filter(batch__number=filters.batch)
    page = results[filters.offset : filters.offset + filters.limit]
    return ResultPage.model_validate({"count": results.count(), "results": [result_record(task) for task in page]})
