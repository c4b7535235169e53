"""Quality cost by period (C12): the four kinds of the prevention–appraisal–failure model, shares of sales and
the least-squares trend of each share; negative amounts and sales of zero or less refused with their row."""

from __future__ import annotations

import json

import pytest

from certhub.toolbox.errors import InputError
from certhub.toolbox.quality_cost import COST_KINDS, quality_cost, quality_cost_from_table
from certhub.toolbox.tables import parse_text

ROWS = [
    {
        "period": "2026-01",
        "prevention": 10,
        "appraisal": 20,
        "internal_failure": 40,
        "external_failure": 30,
        "sales": 2000,
    },
    {
        "period": "2026-02",
        "prevention": 12,
        "appraisal": 20,
        "internal_failure": 30,
        "external_failure": 28,
        "sales": 2000,
    },
    {
        "period": "2026-03",
        "prevention": "15",
        "appraisal": "21",
        "internal_failure": "24",
        "external_failure": "20",
        "sales": "2,000",
    },
]


def test_shares_and_trend():
    result = quality_cost(ROWS)
    first, _second, third = result.periods
    assert first.costs == {"prevention": 10, "appraisal": 20, "internal_failure": 40, "external_failure": 30}
    assert (first.total, first.sales, first.total_share) == (100, 2000, 0.05)
    assert first.share_of_sales == {
        "prevention": 0.005,
        "appraisal": 0.01,
        "internal_failure": 0.02,
        "external_failure": 0.015,
    }
    assert first.failure_share() == 0.7
    assert (third.total, third.total_share) == (80, 0.04)
    # least-squares slope over periods 0, 1, 2 = (y2 − y0)/2 for three equally spaced points
    assert {k: round(v, 10) for k, v in result.trend.items()} == {
        "prevention": round((0.0075 - 0.005) / 2, 10),
        "appraisal": round((0.0105 - 0.01) / 2, 10),
        "internal_failure": round((0.012 - 0.02) / 2, 10),
        "external_failure": round((0.01 - 0.015) / 2, 10),
        "total": round((0.04 - 0.05) / 2, 10),
    }
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["trend_method"] == "least-squares slope of the share of sales per period"
    assert data["periods"][0]["failure_share"] == 0.7
    assert data["trend"]["total"] == -0.005


def test_slope_uses_every_period():
    rows = [dict(ROWS[0], period=str(i), prevention=p) for i, p in enumerate([10, 30, 10, 30])]
    result = quality_cost(rows)
    # shares of sales 0.005, 0.015, 0.005, 0.015: slope of the least-squares line = 0.002 per period
    assert round(result.trend["prevention"], 12) == 0.002


def test_without_sales_no_shares_no_trend():
    rows = [{k: v for k, v in row.items() if k != "sales"} for row in ROWS]
    result = quality_cost(rows)
    assert result.periods[0].share_of_sales == dict.fromkeys(COST_KINDS)
    assert result.periods[0].total_share is None
    assert result.trend == dict.fromkeys((*COST_KINDS, "total"))


@pytest.mark.parametrize(
    ("change", "field", "row", "text"),
    [
        ({"appraisal": -5}, "appraisal", 3, "第 3 行“appraisal”列：金额不能为负数"),
        ({"sales": 0}, "sales", 3, "第 3 行“sales”列：销售额必须大于 0"),
        ({"sales": "-10"}, "sales", 3, "第 3 行“sales”列：销售额必须大于 0"),
        ({"prevention": "十"}, "prevention", 3, "第 3 行“prevention”列：“十”不是金额"),
        ({"prevention": ""}, "prevention", 3, "第 3 行“prevention”列：金额为空"),
        ({"period": "2026-01"}, "period", 3, "第 3 行“period”列：期间“2026-01”重复"),
        ({"period": " "}, "period", 3, "第 3 行“period”列：期间为空"),
    ],
)
def test_bad_rows_refused(change, field, row, text):
    rows = [ROWS[0], dict(ROWS[1], **change)]
    with pytest.raises(InputError) as refused:
        quality_cost(rows)
    assert (refused.value.field, refused.value.row, refused.value.text()) == (field, row, text)


def test_from_table_names_the_tables_columns():
    table = parse_text("月份\t预防\t鉴定\t内损\t外损\t销售额\n1月\t1\t2\t3\t4\t100\n2月\t1\t-2\t3\t4\t100\n")
    columns = dict(period="月份", prevention="预防", appraisal="鉴定", internal_failure="内损", external_failure="外损")
    with pytest.raises(InputError) as refused:
        quality_cost_from_table(table, **columns, sales="销售额")
    assert (refused.value.field, refused.value.text()) == ("鉴定", "第 3 行“鉴定”列：金额不能为负数")
    ok = parse_text("月份\t预防\t鉴定\t内损\t外损\n1月\t1\t2\t3\t4\n")
    assert quality_cost_from_table(ok, **columns).periods[0].total == 10


def test_no_rows_refused():
    with pytest.raises(InputError) as refused:
        quality_cost([])
    assert refused.value.text() == "没有数据"
