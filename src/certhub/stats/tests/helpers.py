"""Reading what the statistics pages produce: figures by key and a region's row of a table (the page and PDF
readers every app shares are in certhub.core.testing)."""

from __future__ import annotations

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
