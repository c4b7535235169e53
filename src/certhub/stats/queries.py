"""What the KPI dashboard and its exports read (C11): the region an officer may see, the stored
figures of a day (stats.Figure — never the registry), the same figures computed live by SQL for comparison,
and the dashboard assembled from either."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel
from certhub.core.display import localized_name
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, is_permitted, within_scope
from certhub.registry.choices import CertificateStatus, GradedSubject, RiskGrade, SchemeKind
from certhub.stats import aggregate
from certhub.stats.choices import KPIS, TARGETS, InspectionKey, Metric
from certhub.stats.models import Figure, SchemeLabel

# (metric, region code, key) → (numerator, denominator or None)
Figures = dict[tuple[str, str, str], tuple[int, int | None]]

REGION_CODE = re.compile(r"^\d{6}$")


# ----------------------------------------------------------------------------------------- scope


def access_region(actor: Actor, code: str | None) -> Region:
    """The region whose statistics `actor` asks for: `code`, or by default their own region (the province
    for an administrator). Raises ValidationFailed for a malformed code, NotFound for an unknown one or
    one outside the officer's region (C14: an officer sees their region and below; existence does not leak)."""
    if not is_permitted(actor, Permission.VIEW_STATISTICS):
        raise NotPermitted(_("统计分析仅对监管人员和系统管理员开放。"))
    code = (code or "").strip() or actor.region_code
    if not code:
        region = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
        if region is None:
            raise NotFound(_("尚未导入行政区划。"))
        return region
    if not REGION_CODE.match(code):
        raise ValidationFailed(
            {"region": _("地区代码应为6位数字（GB/T 2260），收到“%(code)s”。") % {"code": code[:20]}}
        )
    region = Region.objects.filter(code=code).select_related("parent").first()
    # A region outside the officer's answers as an unknown one (C14: 404 for everything outside scope).
    return within_scope(
        region,
        lambda r: is_permitted(actor, Permission.VIEW_STATISTICS, region_code=r.code),
        _("没有地区代码为%(code)s的行政区划。") % {"code": code},
    )


def children_of(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent=region).order_by("code"))


def ancestors_of(region: Region, actor: Actor) -> list[Region]:
    """The regions above `region` that `actor` may open, top first (the drill-down path back up)."""
    chain = []
    parent = region.parent
    while parent is not None:
        if is_permitted(actor, Permission.VIEW_STATISTICS, region_code=parent.code):
            chain.append(parent)
        parent = parent.parent
    return chain[::-1]


# ----------------------------------------------------------------------------------------- figures


def latest_day() -> datetime.date | None:
    """The newest day whose every metric is computed, or None before the first run."""
    days = aggregate.complete_days()
    return days[-1] if days else None


def stored_figures(codes: list[str], day: datetime.date) -> Figures:
    """The figures of `day` for the regions `codes`, as the daily job stored them."""
    rows = Figure.objects.filter(day=day, region_code__in=codes).values_list(
        "metric", "region_code", "key", "numerator", "denominator"
    )
    return {(metric, code, key): (numerator, denominator) for metric, code, key, numerator, denominator in rows}


def live_figures(region: Region | str, day: datetime.date | None = None) -> Figures:
    """The same figures as `stored_figures` for `region` and its children, computed now by SQL over the
    registry (what the page would cost without the daily job; the benchmark times both)."""
    place: Region = Region.objects.get(code=region) if isinstance(region, str) else region
    day = day or timezone.localdate()
    codes = {place.code, *(child.code for child in children_of(place))}
    parents = aggregate.region_parents()
    figures: Figures = {}
    for metric, compute in aggregate.COMPUTE.items():
        for (code, key), value in aggregate.roll_up(compute(day, place.prefix), parents).items():
            if code in codes:
                figures[(metric, code, key)] = value
    return figures


def kpi_series(region: Region, days: list[datetime.date]) -> dict[str, list[tuple[datetime.date, Decimal | None]]]:
    """Each KPI of `region` over the complete `days` (the line charts)."""
    wanted = set(days)
    series: dict[str, list[tuple[datetime.date, Decimal | None]]] = {metric: [] for metric in KPIS}
    rows = (
        Figure.objects.filter(region_code=region.code, metric__in=KPIS, key="")
        .order_by("day")
        .values_list("metric", "day", "numerator", "denominator")
    )
    for metric, day, numerator, denominator in rows:
        if day in wanted:
            series[metric].append((day, percent(numerator, denominator)))
    return series


# ----------------------------------------------------------------------------------------- the dashboard


def percent(numerator: int, denominator: int | None) -> Decimal | None:
    """A share in per cent to one decimal (half up), or None when there is nothing to share."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Kpi:
    """One policy KPI in one region beside its target."""

    metric: str
    numerator: int
    denominator: int

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)

    @property
    def target(self) -> Decimal:
        return TARGETS[self.metric]

    @property
    def rate(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)

    @property
    def met(self) -> bool | None:
        """Whether the target is met, compared exactly (not on the rounded rate); None with no data."""
        if not self.denominator:
            return None
        return Decimal(self.numerator) * 100 >= self.target * self.denominator


@dataclass
class RegionFigures:
    """A region's figures on the dashboard: its KPIs and its other counts by key."""

    region: Region
    kpis: list[Kpi]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return localized_name(self.region)

    def count(self, metric: str, key: str) -> int:
        return self.counts.get(metric, {}).get(key, 0)

    @property
    def inspections(self) -> list[int]:
        return [self.count(Metric.INSPECTIONS, key) for key in InspectionKey.values]

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(
            self.count(Metric.INSPECTIONS, InspectionKey.ON_TIME),
            self.count(Metric.INSPECTIONS, InspectionKey.PUBLISHED),
        )

    def grade_mix(self, subject_type: str = GradedSubject.ORGANIZATION) -> list[int]:
        return [self.count(Metric.GRADES, f"{subject_type}:{grade}") for grade in RiskGrade.values]

    @property
    def cases(self) -> list[int]:
        return [self.count(Metric.CASES, key) for key in aggregate.CASE_KEYS]


@dataclass(frozen=True)
class SchemeRow:
    code: str
    name: str
    kind: str
    kind_label: str
    by_status: list[int]

    @property
    def total(self) -> int:
        return sum(self.by_status)


# Statuses shown per scheme (drafts are not counted).
SHOWN_STATUSES = [s for s in CertificateStatus.values if s != CertificateStatus.DRAFT]


def status_choices() -> list[tuple[str, str]]:
    """The certificate statuses the figures count, with their labels."""
    return [(status, str(CertificateStatus(status).label)) for status in SHOWN_STATUSES]


@dataclass
class Dashboard:
    """Everything the page, the XLSX and the PDF show for one region on one day."""

    region: Region
    day: datetime.date
    own: RegionFigures
    children: list[RegionFigures]
    schemes: list[SchemeRow]
    series: dict[str, list[tuple[datetime.date, Decimal | None]]] = field(default_factory=dict)

    @property
    def rows(self) -> list[RegionFigures]:
        """The children, then the region itself as the total."""
        return [*self.children, self.own]

    @property
    def child_level(self) -> str:
        return self.children[0].region.get_level_display() if self.children else ""


def _region_figures(region: Region, figures: Figures) -> RegionFigures:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for (metric, code, key), (numerator, _denominator) in figures.items():
        if code == region.code and metric not in KPIS:
            counts[metric][key] = numerator
    kpis = []
    for metric in KPIS:
        numerator, denominator = figures.get((metric, region.code, ""), (0, 0))
        kpis.append(Kpi(metric, numerator, denominator or 0))
    return RegionFigures(region, kpis, dict(counts))


def _scheme_rows(region: Region, figures: Figures) -> list[SchemeRow]:
    by_scheme: dict[str, dict[str, int]] = defaultdict(dict)
    for (metric, code, key), (numerator, _denominator) in figures.items():
        if metric == Metric.CERTIFICATES and code == region.code:
            scheme, _sep, status = key.rpartition(":")
            by_scheme[scheme][status] = numerator
    labels = {label.code: label for label in SchemeLabel.objects.filter(code__in=list(by_scheme))}
    kinds = {value: str(label) for value, label in SchemeKind.choices}
    order = list(kinds)
    rows = []
    for scheme, counts in by_scheme.items():
        label = labels.get(scheme)
        kind = label.kind if label else ""
        rows.append(
            SchemeRow(
                scheme,
                localized_name(label) if label else scheme,
                kind,
                kinds.get(kind, ""),
                [counts.get(status, 0) for status in SHOWN_STATUSES],
            )
        )
    rows.sort(key=lambda row: (order.index(row.kind) if row.kind in order else len(order), row.code))
    return rows


Series = dict[str, list[tuple[datetime.date, Decimal | None]]]


def build_dashboard(region: Region, figures: Figures, day: datetime.date, series: Series | None = None) -> Dashboard:
    """Assemble the dashboard of `region` from figures (stored or live) of `region` and its children."""
    children = [_region_figures(child, figures) for child in children_of(region)]
    return Dashboard(
        region=region,
        day=day,
        own=_region_figures(region, figures),
        children=children,
        schemes=_scheme_rows(region, figures),
        series=series or {},
    )


def dashboard(region: Region, day: datetime.date | None = None) -> Dashboard | None:
    """The dashboard of `region` from the stored figures of `day` (the newest complete day by default), or
    None before the daily job has run. Reads stats tables and the region table only."""
    days = aggregate.complete_days()
    if not days:
        return None
    day = day if day in days else days[-1]
    codes = [region.code, *(child.code for child in children_of(region))]
    shown = [d for d in days if d <= day]
    return build_dashboard(region, stored_figures(codes, day), day, kpi_series(region, shown))
