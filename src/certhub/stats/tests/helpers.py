"""Reading what the statistics pages produce: figures by key and a region's row of a table (the page and PDF
readers every app shares are in certhub.core.testing)."""

from __future__ import annotations

import re
from html import unescape

from certhub.core.testing import HtmlSource, element
from certhub.stats.models import Figure
from certhub.stats.testing import DAY


def figure(metric: str, region: str, key: str = "") -> tuple[int, int | None] | None:
    row = Figure.objects.filter(day=DAY, metric=metric, region_code=region, key=key).first()
    return None if row is None else (row.numerator, row.denominator)


def row(html: HtmlSource, table_id: str, region: str) -> list[str]:
    """The cells' text of the row of `region` in the table `table_id`."""
    found = element(html, table_id).first(lambda e: e.tag == "tr" and e.attrs.get("data-region") == region)
    assert found is not None, f"no row {region} in #{table_id}"
    return [cell.text for cell in found.iter("td")]


# The four charts of every dashboard with one day of figures: a bar chart per KPI and the grade mix.
BAR_AND_GRADE_CHARTS = [
    "规模以上工业企业ISO 9001认证率（按地区）",
    "具备资质的检验检测机构出具的证明性报告占比（按地区）",
    "CCC目录产品认证覆盖率（按地区）",
    "企业风险等级分布",
]


def chart_titles(html: str) -> list[str]:
    """The accessible names (aria-label) of the page's charts, maps left out, in page order."""
    tags = re.findall(r"<svg\b[^>]*>", html)
    return [
        unescape(re.search(r'aria-label="([^"]*)"', tag).group(1))  # type: ignore[union-attr]
        for tag in tags
        if re.search(r'class="chart"', tag)
    ]
