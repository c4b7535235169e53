"""Pareto analysis (C12) against R's qcc `paretoChart` example (its help page, man/paretoChart.Rd, printed in
the vignette: defects by cause 80, 27, 66, 94, 33), whose printed table is: contact num. 94 (31.33 %, cum. 31.33 %),
price code 80 (26.67 %, 58.00 %), supplier code 66 (22.00 %, 80.00 %), part num. 33 (11.00 %, 91.00 %),
schedule date 27 (9.00 %, 100.00 %)."""

from __future__ import annotations

import json

import pytest

from certhub.toolbox.errors import InputError
from certhub.toolbox.pareto import pareto

CAUSES = ["price code", "schedule date", "supplier code", "contact num.", "part num."]
COUNTS = [80, 27, 66, 94, 33]


def test_qcc_example():
    result = pareto(CAUSES, COUNTS)
    table = [(r.category, r.count, round(r.share * 100, 2), round(r.cumulative * 100, 2), r.vital) for r in result.rows]
    assert table == [
        ("contact num.", 94, 31.33, 31.33, True),
        ("price code", 80, 26.67, 58.0, True),
        ("supplier code", 66, 22.0, 80.0, True),  # reaches 80 %: the last of the vital few
        ("part num.", 33, 11.0, 91.0, False),
        ("schedule date", 27, 9.0, 100.0, False),
    ]
    assert result.total == 300
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["rows"][0] == {
        "category": "contact num.",
        "count": 94.0,
        "share": 0.313333333333,
        "cumulative": 0.313333333333,
        "vital": True,
    }
    assert (data["total"], data["vital_share"]) == (300.0, 0.8)


def test_counting_occurrences_and_ties_keep_first_appearance():
    result = pareto(["划伤", "气泡", "划伤", "尺寸", "气泡", "色差"])
    assert [(r.category, r.count) for r in result.rows] == [("划伤", 2), ("气泡", 2), ("尺寸", 1), ("色差", 1)]
    assert [r.vital for r in result.rows] == [True, True, True, False]  # 33 %, 67 %, 83 %: the third crosses 80 %


def test_repeated_categories_add_up():
    result = pareto(["A", "B", "A"], [1, 5, 2.5])
    assert [(r.category, r.count) for r in result.rows] == [("B", 5), ("A", 3.5)]


def test_vital_share_is_a_parameter():
    result = pareto(CAUSES, COUNTS, vital_share=0.5)
    assert [r.category for r in result.rows if r.vital] == ["contact num.", "price code"]


@pytest.mark.parametrize(
    ("categories", "counts", "field", "row", "text"),
    [
        (["A", "B"], [3, -1], "counts", 3, "数量不能为负数（-1）"),
        (["A", "B"], [0, 0], "counts", None, "数量合计为 0，无法做排列图"),
        (["A", ""], [1, 2], "categories", 3, "类别为空"),
        (["A", "B"], [1], "counts", None, "数量与类别的个数不同"),
        ([], None, "categories", None, "没有数据"),
        (["A"], [float("nan")], "counts", 2, "数量必须是有限的数"),
    ],
)
def test_bad_input_refused(categories, counts, field, row, text):
    with pytest.raises(InputError) as refused:
        pareto(categories, counts)
    assert (refused.value.field, refused.value.row, refused.value.message) == (field, row, text)
