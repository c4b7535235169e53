"""The KPI dashboard (C11) and its exports, for officers (their region and below) and
administrators. The views read stored figures only (stats.queries.dashboard), never the registry; an
export of a region outside the officer's scope is refused with the region named, and nothing is exported."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.actors import Actor
from certhub.core.display import localized_name
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, is_permitted, within_scope
from certhub.core.web import request_actor
from certhub.market.models import Campaign
from certhub.market.queries import campaign_tally
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.stats import campaigns, charts, exports, queries
from certhub.stats.choices import KPIS, TARGETS, CaseAge, InspectionKey

logger = logging.getLogger("certhub.stats")


class RegionRefused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _region(request: HttpRequest, actor: Actor) -> Region:
    """The region asked for, or the refusal as an exception: 403 for a role without statistics, 404 for an
    unknown code or one outside the officer's scope (alike, C14), 400 for a malformed one."""
    try:
        return queries.access_region(actor, request.GET.get("region"))
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except NotFound as error:
        raise Http404(error.message) from error
    except ValidationFailed as error:
        message = error.errors["region"][0]
        raise RegionRefused(render(request, "stats/error.html", {"message": message}, status=400)) from error


def _guarded(view: Callable[[HttpRequest, Actor, Region], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    @require_safe
    def wrapper(request: HttpRequest) -> HttpResponse:
        actor = request_actor(request)
        try:
            region = _region(request, actor)
        except RegionRefused as refused:
            return refused.response
        return view(request, actor, region)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def kpi_charts(board: queries.Dashboard) -> list[dict[str, object]]:
    """Per KPI: its figure in the region, the bars of the child regions and the line over the days (SVG)."""
    return [
        {
            "kpi": kpi,
            "bars": charts.plot_svg(bars),
            "line": charts.plot_svg(line),
            "days": len(board.series.get(line.metric, [])),
        }
        for kpi, (bars, line) in zip(board.own.kpis, charts.kpi_charts(board), strict=True)
    ]


def kpi_maps(board: queries.Dashboard) -> list[dict[str, object]]:
    """Per KPI: the map of the province's prefectures (SVG), or no maps where there is no layout for them."""
    kpis: dict[str, queries.Kpi] = dict(zip(KPIS, board.own.kpis, strict=True))
    return [{"kpi": kpis[chart.metric], "svg": charts.to_svg(chart)} for chart in charts.kpi_maps(board)]


def _tables(board: queries.Dashboard) -> dict[str, object]:
    """The dashboard's tables as rows of (region figures, [(column label, number)], extra) for the template,
    so that every cell carries its label (the tables turn into cards on a phone)."""
    inspection_labels = [str(label) for label in InspectionKey.labels]
    case_labels = [_("在办"), _("已超期"), *(str(label) for label in CaseAge.labels)]
    grade_columns = [f"{subject.label}·{grade}" for subject in GradedSubject for grade in RiskGrade.values]
    status_labels = [label for _value, label in queries.status_choices()]

    def grades(row: queries.RegionFigures) -> list[int]:
        return [n for subject in GradedSubject.values for n in row.grade_mix(subject)]

    return {
        "status_labels": status_labels,
        "scheme_rows": [(scheme, list(zip(status_labels, scheme.by_status, strict=True))) for scheme in board.schemes],
        "inspection_labels": inspection_labels,
        "on_time_label": _("按时公示率"),
        "inspection_rows": [
            (row, list(zip(inspection_labels, row.inspections, strict=True)), row.on_time_rate) for row in board.rows
        ],
        "grade_columns": grade_columns,
        "grade_rows": [(row, list(zip(grade_columns, grades(row), strict=True)), None) for row in board.rows],
        "case_labels": case_labels,
        "case_rows": [(row, list(zip(case_labels, row.cases, strict=True)), None) for row in board.rows],
    }


def _campaign_section(request: HttpRequest, region: Region) -> dict[str, object]:
    """The campaigns (专项整治, C7) of the region, and the tally of the one picked (?campaign=ID; default the
    latest)."""
    listed = list(campaigns.campaigns_in(region)[:100])
    picked = next((c for c in listed if str(c.pk) == request.GET.get("campaign", "")), listed[0] if listed else None)
    if picked is None:
        return {"campaigns": listed}
    tally = campaign_tally(picked)
    return {"campaigns": listed, "campaign": picked, "campaign_rows": campaigns.tally_rows(tally)}


@_guarded
def dashboard(request: HttpRequest, actor: Actor, region: Region) -> HttpResponse:
    """The dashboard of a region (default: the officer's own): the three KPIs against their targets per child
    region, drill-down links, the other figures and charts; on the province's page a map of the prefectures
    per KPI (where a tile layout allows)."""
    board = queries.dashboard(region)
    context: dict[str, object] = {
        "region": region,
        "region_name": localized_name(region),
        "ancestors": queries.ancestors_of(region, actor),
        "board": board,
        "targets": {metric: TARGETS[metric] for metric in KPIS},
    }
    context.update(_campaign_section(request, region))
    if board is not None:
        context.update(_tables(board))
        context.update(
            {
                "kpi_charts": kpi_charts(board),
                "kpi_maps": kpi_maps(board),
                "grade_chart": charts.plot_svg(charts.grade_chart(board)),
            }
        )
    return render(request, "stats/dashboard.html", context)


def _no_figures(request: HttpRequest) -> HttpResponse:
    return render(
        request, "stats/error.html", {"message": _("还没有统计数据：请先运行 certhub stats aggregate。")}, status=409
    )


@_guarded
def export_xlsx(request: HttpRequest, actor: Actor, region: Region) -> HttpResponse:
    """The dashboard of a region as an XLSX workbook, one sheet per group of figures."""
    board = queries.dashboard(region)
    if board is None:
        return _no_figures(request)
    response = HttpResponse(exports.workbook(board), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="certhub-statistics-{region.code}-{board.day}.xlsx"'
    logger.info("statistics exported: xlsx region=%s day=%s by %s", region.code, board.day, actor.label)
    return response


@_guarded
def report_pdf(request: HttpRequest, actor: Actor, region: Region) -> HttpResponse:
    """The report pack for the joint meeting (联席会议): the KPIs with targets, the tables and the charts."""
    board = queries.dashboard(region)
    if board is None:
        return _no_figures(request)
    response = HttpResponse(exports.report(board), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certhub-report-{region.code}-{board.day}.pdf"'
    logger.info("statistics exported: pdf region=%s day=%s by %s", region.code, board.day, actor.label)
    return response


@login_required
@require_safe
def campaign_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign (专项整治, C7) as an XLSX workbook: the campaign, its tally and its checks; a campaign outside
    the officer's region answers as a missing one (C14)."""
    actor = request_actor(request)
    if not is_permitted(actor, Permission.VIEW_STATISTICS):
        raise PermissionDenied(_("统计分析仅对监管人员和系统管理员开放。"))
    try:
        campaign = within_scope(
            Campaign.objects.filter(pk=pk).first(),
            lambda c: is_permitted(actor, Permission.VIEW_STATISTICS, region_code=c.region_code),
            _("没有这项专项整治。"),
        )
    except NotFound as error:
        raise Http404(error.message) from error
    response = HttpResponse(exports.campaign_workbook(campaign), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="certhub-campaign-{campaign.pk}.xlsx"'
    logger.info("campaign exported: xlsx campaign=%s by %s", campaign.pk, actor.label)
    return response
