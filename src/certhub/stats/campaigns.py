"""Campaigns (专项整治, C7) on the statistics page and in their XLSX export: the campaigns of a region and
each one's tally (market.queries.campaign_tally). A tally is one grouped count over the campaign's checks on
their (campaign, verdict) index, read when asked for: it changes with every batch of checks, so the daily
figures of the dashboard (docs/architecture.md convention 19) would show it a day late."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.models import Region
from certhub.core.spreadsheets import append_row
from certhub.market.choices import NEGATIVE, CheckChannel, Verdict
from certhub.market.models import Campaign, MarketCheck
from certhub.market.queries import campaign_tally
from certhub.registry.queries import within_region

# The export lists a campaign's checks up to this many rows (an XLSX sheet holds 1,048,576); the tally
# counts them all.
CHECK_ROWS_CAP = 200_000


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


def campaign_workbook(campaign: Campaign) -> bytes:
    """A campaign as an XLSX workbook: 说明 (the campaign), 核查结果 (the tally) and 检查记录 (its checks,
    oldest first, up to CHECK_ROWS_CAP), every text a string cell (core.spreadsheets)."""
    from openpyxl import Workbook  # lazy: a heavy library only the XLSX export needs

    tally = campaign_tally(campaign)
    book = Workbook(write_only=True)
    about = book.create_sheet(_("说明"))
    for pair in (
        (_("专项整治名称"), campaign.name),
        (_("地区代码"), campaign.region_code),
        (_("开始日期"), campaign.starts_on),
        (_("结束日期"), campaign.ends_on),
        (_("CCC目录产品"), " ".join(campaign.product_codes) or _("全部")),
        (_("说明"), campaign.description),
        (_("生成时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("检查记录行数"), min(tally["checked"], CHECK_ROWS_CAP)),
    ):
        append_row(about, pair)
    results = book.create_sheet(_("核查结果"))
    append_row(results, (_("项目"), _("数量")))
    for row in tally_rows(tally):
        append_row(results, row)
    checks = book.create_sheet(_("检查记录"))
    append_row(
        checks,
        (_("检查日期"), _("发现渠道"), _("平台"), _("店铺或经营者"), _("产品名称"), _("型号"), _("所称编号"),
         _("商品条码"), _("结论"), _("理由")),
    )  # fmt: skip
    channels, verdicts = dict(CheckChannel.choices), dict(Verdict.choices)
    rows = (
        MarketCheck.objects.filter(campaign=campaign)
        .order_by("checked_on", "id")
        .values_list("checked_on", "channel", "platform", "shop", "product_name", "model", "claimed_number", "gtin",
                     "verdict", "reason")[:CHECK_ROWS_CAP]
    )  # fmt: skip
    for day, channel, platform, shop, name, model, number, gtin, verdict, reason in rows.iterator(chunk_size=2_000):
        append_row(
            checks,
            (day, str(channels.get(channel, channel)), platform, shop, name, model, number, gtin,
             str(verdicts.get(verdict, verdict)), reason),
        )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
