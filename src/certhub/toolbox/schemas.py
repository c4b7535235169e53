"""Schemas of the toolbox endpoints of API v1 (C12): the data and parameters in, the computation's JSON out
(the same keys as `certhub toolbox … --json`)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

Chart = Literal["xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum"]
Rules = Literal["nelson", "western-electric", "none"]
MAX_POINTS = 200_000  # as many rows as a calculator's file may have


class SpcIn(Schema):
    chart: Chart
    values: list[float] = Field(..., max_length=MAX_POINTS, description="measurements, defectives or defects")
    subgroups: list[str] | None = Field(None, max_length=MAX_POINTS, description="subgroup label of each value")
    sizes: list[float] | None = Field(None, max_length=MAX_POINTS, description="sample size of each value (p, np, u)")
    phase1: int | None = Field(None, description="the first N subgroups (points) are phase I")
    rules: Rules = "nelson"
    exclude_out_of_control: bool = False


class ViolationOut(Schema):
    index: int
    rule: str


class SeriesOut(Schema):
    name: str
    center: float | None
    sigma: float | None
    lcl: float | list[float | None] | None
    ucl: float | list[float | None] | None
    points: list[float | None]
    labels: list[str]
    violations: list[ViolationOut]
    phase1: int
    excluded: list[int]


class SpcOut(Schema):
    chart: str
    charts: list[SeriesOut]


class CapabilityIn(Schema):
    values: list[float] = Field(..., max_length=MAX_POINTS)
    subgroups: list[str] | None = Field(None, max_length=MAX_POINTS)
    phase1: int | None = None
    lsl: float
    usl: float
    target: float | None = None


class NormalityOut(Schema):
    test: str
    statistic: float | None
    p_value: float | None
    trusted: bool
    warning: str


class CapabilityOut(Schema):
    cp: float
    cpl: float
    cpu: float
    cpk: float
    cpm: float
    pp: float
    ppk: float
    ci: dict[str, list[float]]
    sigma_within: float
    sigma_overall: float
    n: int
    mean: float
    lsl: float
    usl: float
    target: float
    confidence: float
    expected_below: float
    expected_above: float
    observed_below: float
    observed_above: float
    normality: NormalityOut
    verdict: str


class ParetoIn(Schema):
    categories: list[str] = Field(..., max_length=MAX_POINTS)
    counts: list[float] | None = Field(None, max_length=MAX_POINTS, description="without it each category counts once")


class ParetoRowOut(Schema):
    category: str
    count: float
    share: float
    cumulative: float
    vital: bool


class ParetoOut(Schema):
    total: float
    vital_share: float
    rows: list[ParetoRowOut]


class CostPeriodIn(Schema):
    period: str
    prevention: float
    appraisal: float
    internal_failure: float
    external_failure: float
    sales: float | None = None


class QualityCostIn(Schema):
    rows: list[CostPeriodIn] = Field(..., max_length=10_000)


class CostPeriodOut(Schema):
    period: str
    costs: dict[str, float]
    total: float
    sales: float | None
    share_of_sales: dict[str, float | None]
    total_share: float | None
    failure_share: float | None


class QualityCostOut(Schema):
    periods: list[CostPeriodOut]
    trend: dict[str, float | None]
    trend_method: str
