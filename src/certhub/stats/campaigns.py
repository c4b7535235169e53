"""Campaigns (专项整治, C7) on the statistics page and in their XLSX export (stats.exports.campaign_workbook):
the campaigns of a region and each one's tally (market.queries.campaign_tally). A tally is one grouped count
over the campaign's checks on their (campaign, verdict) index, read when asked for: it changes with every batch
of checks, so the daily figures of the dashboard (docs/architecture.md convention 19) would show it a day
late."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certhub.core.models import Region
from certhub.market.choices import NEGATIVE, Verdict
from certhub.market.models import Campaign
from certhub.registry.queries import within_region


def campaigns_in(region: Region) -> QuerySet[Campaign]:
    """The campaigns whose region lies within `region`, the latest first."""
    return Campaign.objects.filter(within_region("region_code", region.prefix)).order_by("-starts_on", "-id")


def tally_rows(tally: dict[str, Any]) -> list[tuple[str, int]]:
    """The tally as (label, number) rows: checked, covered, violations, then each verdict."""
    rows = [
        (_("核查总数"), tally["checked"]),
        (_("已覆盖"), tally["covered"]),
        (_("违法情形合计"), tally["violations"]),
    ]
    for verdict, count in tally["by_verdict"].items():
        rows.append((("· " if verdict in NEGATIVE else "") + str(Verdict(verdict).label), count))
    return rows
