"""Toolbox endpoints of API v1 (C12): control charts, process capability, Pareto and quality cost computed
from the data in the request — stateless (nothing is stored: the data is the caller's own), open to anyone
and limited per address for anonymous callers like the other public reads. The same functions and refusals
as the calculator pages and `certhub toolbox`: bad input answers 422 in the API's error shape with the
field named and the InputError's sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router
from ninja.decorators import decorate_view

from certhub.core.errors import ValidationFailed
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import ErrorOut
from certhub.toolbox.capability import capability
from certhub.toolbox.errors import InputError
from certhub.toolbox.pareto import pareto
from certhub.toolbox.quality_cost import quality_cost
from certhub.toolbox.schemas import (
    CapabilityIn,
    CapabilityOut,
    ParetoIn,
    ParetoOut,
    QualityCostIn,
    QualityCostOut,
    SpcIn,
    SpcOut,
)
from certhub.toolbox.spc import control_chart

router = Router(tags=["toolbox"])
T = TypeVar("T")
ANSWERS = {422: ErrorOut, 429: ErrorOut}


def _computed(compute: Callable[[], T]) -> T:
    """Run a computation; its InputError becomes the 422 naming the field (nothing is stored either way)."""
    try:
        return compute()
    except InputError as error:
        raise ValidationFailed({error.field: [error.text()]}, code="bad_input") from None


@router.post("toolbox/spc", response={200: SpcOut, **ANSWERS}, summary="A control chart")
@decorate_view(limit_anonymous)
def spc(request: HttpRequest, payload: SpcIn) -> dict[str, Any]:
    """Limits, points and run-rule violations of a control chart (X̄-R, X̄-S, I-MR, p, np, c, u, EWMA,
    CUSUM), phase I the first `phase1` subgroups; as R's qcc package computes them."""
    return _computed(
        lambda: control_chart(
            payload.chart,
            payload.values,
            subgroups=payload.subgroups,
            sizes=payload.sizes,
            phase1=payload.phase1,
            rules=payload.rules,
            exclude_out_of_control=payload.exclude_out_of_control,
        ).to_json()
    )


@router.post("toolbox/capability", response={200: CapabilityOut, **ANSWERS}, summary="Process capability")
@decorate_view(limit_anonymous)
def capability_study(request: HttpRequest, payload: CapabilityIn) -> dict[str, Any]:
    """Cp, Cpl, Cpu, Cpk, Cpm, Pp, Ppk with their 95 % confidence intervals, expected and observed shares
    outside the limits, a normality test and the verdict in one sentence."""
    return _computed(
        lambda: capability(
            payload.values,
            subgroups=payload.subgroups,
            phase1=payload.phase1,
            lsl=payload.lsl,
            usl=payload.usl,
            target=payload.target,
        ).to_json()
    )


@router.post("toolbox/pareto", response={200: ParetoOut, **ANSWERS}, summary="A Pareto analysis")
@decorate_view(limit_anonymous)
def pareto_study(request: HttpRequest, payload: ParetoIn) -> dict[str, Any]:
    """Categories by count (largest first) with shares, cumulative shares and the vital few (through 80 %)."""
    return _computed(lambda: pareto(payload.categories, payload.counts).to_json())


@router.post("toolbox/quality-cost", response={200: QualityCostOut, **ANSWERS}, summary="Quality cost by period")
@decorate_view(limit_anonymous)
def quality_cost_study(request: HttpRequest, payload: QualityCostIn) -> dict[str, Any]:
    """Prevention, appraisal, internal and external failure cost by period, their shares of sales and the
    trend of each share (least-squares slope per period)."""
    return _computed(lambda: quality_cost([row.dict() for row in payload.rows]).to_json())
