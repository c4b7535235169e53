"""The demo enterprise's toolbox (issue 18 §8): a dataset for every chart type, the piston rings among them,
and saved studies whose parameters name the dataset's columns and compute."""

from __future__ import annotations

import pytest

from certhub.demo.generator.toolbox import build_toolbox_demo
from certhub.registry.testing import build_world
from certhub.toolbox.capability import capability
from certhub.toolbox.models import Dataset, Study
from certhub.toolbox.pareto import pareto
from certhub.toolbox.quality_cost import quality_cost_from_table
from certhub.toolbox.spc import control_chart
from certhub.toolbox.tables import Table, labels, numbers


def table(dataset: Dataset) -> Table:
    return Table(tuple(dataset.columns), tuple(tuple(row) for row in dataset.rows))


@pytest.mark.django_db
def test_demo_datasets_and_studies():
    world = build_world()
    maker = world.users["maker"]
    assert build_toolbox_demo(maker) == {"datasets": 9, "studies": 5}
    assert build_toolbox_demo(maker) == {"datasets": 9, "studies": 0}  # a second run adds nothing
    assert Dataset.objects.count() == 9
    assert set(Dataset.objects.values_list("organization", flat=True)) == {maker.organization_id}
    for dataset in Dataset.objects.all():
        assert dataset.row_count == len(dataset.rows)
        assert all(len(row) == len(dataset.columns) for row in dataset.rows)

    rings = Dataset.objects.get(name="活塞环内径（Montgomery 表 6.3）")
    assert (rings.columns, rings.row_count, rings.rows[0]) == (
        ["diameter", "sample", "trial"],
        200,
        ["74.030", "1", "TRUE"],
    )

    studies = {study.title: study for study in Study.objects.select_related("dataset")}
    assert sorted((s.kind, s.title) for s in studies.values()) == [
        ("capability", "活塞环内径过程能力"),
        ("pareto", "不良原因排列图"),
        ("quality_cost", "2025 年质量成本分析"),
        ("spc", "活塞环内径 X̄-R 控制图"),
        ("spc", "灌装量 EWMA 控制图"),
    ]
    assert all(study.share_token is None and study.created_by == maker for study in studies.values())

    study = studies["活塞环内径过程能力"]
    p = study.parameters
    data = table(study.dataset)
    cap = capability(
        numbers(data, p["value"]), subgroups=labels(data, p["subgroup"]), phase1=p["phase1"], lsl=p["lsl"], usl=p["usl"]
    )
    assert round(cap.cp, 3) == 1.703

    study = studies["不良原因排列图"]
    data = table(study.dataset)
    result = pareto(labels(data, "不良原因"), list(numbers(data, "数量")))
    assert [row.category for row in result.rows if row.vital] == ["尺寸超差", "表面划伤", "毛刺"]

    study = studies["2025 年质量成本分析"]
    columns = {key: value for key, value in study.parameters.items()}
    cost = quality_cost_from_table(table(study.dataset), **columns)
    assert [period.period for period in cost.periods] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert cost.trend["prevention"] > 0 > cost.trend["internal_failure"]  # the story the demo tells

    for title, charts in (("活塞环内径 X̄-R 控制图", ["xbar", "r"]), ("灌装量 EWMA 控制图", ["ewma"])):
        p = studies[title].parameters
        assert set(p) == {"chart", "value", "subgroup", "size", "phase1", "rules", "exclude_out_of_control"}
        data = table(studies[title].dataset)
        result = control_chart(
            p["chart"],
            numbers(data, p["value"]),
            subgroups=labels(data, p["subgroup"]) if p["subgroup"] else None,
            phase1=p["phase1"],
            rules=p["rules"],
        )
        assert [series.name for series in result.charts] == charts

    # every chart type has a dataset it computes from
    by_name = {dataset.name: table(dataset) for dataset in Dataset.objects.all()}
    for chart, name, value, size in (
        ("imr", "注塑件单件重量", "重量(g)", None),
        ("p", "外观检验不良品（样本量不等）", "不良品数", "检验数"),
        ("np", "包装抽检不良品（每批 100 件）", "不良品数", "检验数"),
        ("c", "电路板焊点缺陷", "缺陷数", None),
        ("u", "布匹瑕疵（卷长不等）", "瑕疵数", "检验单位(百平方米)"),
        ("cusum", "灌装量（缓慢漂移）", "灌装量(ml)", None),
    ):
        data = by_name[name]
        sizes = list(numbers(data, size)) if size else None
        result = control_chart(chart, numbers(data, value), sizes=sizes)
        assert result.chart == chart
