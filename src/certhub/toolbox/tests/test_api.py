"""POST /api/v1/toolbox/… (C12): stateless computations for anyone — the piston rings' X̄-R chart and
capability as qcc prints them, a Pareto and a quality cost — and every bad input answered 422 in the API's
error shape naming the field, with nothing stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from certhub.core.models import AuditEvent
from certhub.toolbox.models import Dataset, Study

pytestmark = pytest.mark.django_db

# Montgomery's piston rings as shipped with R's qcc package (`pistonrings`): public textbook data.
ROWS = list(csv.DictReader(io.StringIO((Path(__file__).resolve().parents[1] / "data" / "pistonrings.csv").read_text())))
VALUES = [float(r["diameter"]) for r in ROWS]
SAMPLES = [r["sample"] for r in ROWS]


def _post(client, path, body):
    return client.post(f"/api/v1/toolbox/{path}", body, content_type="application/json")


def _nothing_stored():
    return (Dataset.objects.count(), Study.objects.count(), AuditEvent.objects.count())


def test_the_piston_ring_xbar_r_chart_as_qcc_prints_it(client):
    response = _post(client, "spc", {"chart": "xbar-r", "values": VALUES, "subgroups": SAMPLES, "phase1": 25})
    assert response.status_code == 200
    body = response.json()
    xbar, r = body["charts"]
    assert (body["chart"], xbar["name"], r["name"]) == ("xbar-r", "xbar", "r")
    # qcc: center 74.00118, StdDev 0.009785039, LCL 73.98805, UCL 74.0143 (seven digits)
    assert (round(xbar["center"], 5), round(xbar["sigma"], 9)) == (74.00118, 0.009785039)
    assert (round(xbar["lcl"], 5), round(xbar["ucl"], 4)) == (73.98805, 74.0143)
    beyond = [v["index"] + 1 for v in xbar["violations"] if v["rule"] == "nelson-1"]
    assert beyond == [37, 38, 39]
    assert xbar["phase1"] == 25 and len(xbar["points"]) == 40


def test_capability_of_the_piston_rings(client):
    body = _post(
        client, "capability", {"values": VALUES, "subgroups": SAMPLES, "phase1": 25, "lsl": 73.95, "usl": 74.05}
    ).json()
    # qcc's printed table: Cp 1.703 [1.491, 1.915]
    assert (round(body["cp"], 3), [round(x, 3) for x in body["ci"]["cp"]]) == (1.703, [1.491, 1.915])
    assert body["verdict"] == "过程能力充足 (Cpk ≥ 1.33)"
    assert body["n"] == 125


def test_pareto_and_quality_cost(client):
    body = _post(client, "pareto", {"categories": ["划伤", "气泡", "划伤", "尺寸"], "counts": [5, 3, 2, 1]}).json()
    assert [(r["category"], r["count"], r["vital"]) for r in body["rows"]] == [
        ("划伤", 7.0, True),
        ("气泡", 3.0, True),
        ("尺寸", 1.0, False),
    ]
    assert body["total"] == 11.0
    rows = [
        {
            "period": "1月",
            "prevention": 10,
            "appraisal": 20,
            "internal_failure": 30,
            "external_failure": 40,
            "sales": 1000,
        },
        {
            "period": "2月",
            "prevention": 20,
            "appraisal": 20,
            "internal_failure": 20,
            "external_failure": 20,
            "sales": 1000,
        },
    ]
    cost = _post(client, "quality-cost", {"rows": rows}).json()
    assert [(p["period"], p["total"], p["total_share"]) for p in cost["periods"]] == [
        ("1月", 100.0, 0.1),
        ("2月", 80.0, 0.08),
    ]
    assert cost["trend"]["prevention"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("spc", {"chart": "xbar-r", "values": VALUES, "subgroups": SAMPLES, "phase1": 41}, "phase1",
         "第一阶段子组数（41）超过了子组总数（40）"),
        ("spc", {"chart": "xbar-r", "values": VALUES, "subgroups": [str(i) for i in range(200)]}, "subgroups",
         "每组只有一个数值，无法计算组内极差或标准差：请用单值图（I-MR），或选择正确的子组列"),
        ("spc", {"chart": "xbar-r", "values": [74.0]}, "subgroups",
         "X̄-R 图需要子组列；每个样本只有一个数值时请用单值图（I-MR）"),
        ("spc", {"chart": "p", "values": [-1, 2, 3], "sizes": [50, 50, 50]}, "values",
         "第 1 个不合格品数为负数：计数不能为负"),
        ("spc", {"chart": "np", "values": [51, 2, 3], "sizes": [50, 50, 50]}, "values",
         "第 1 个样本的不合格品数（51）大于样本量（50）"),
        ("spc", {"chart": "xbar-r", "values": [1, 2, 3], "subgroups": ["a", "a", "a"]}, "values",
         "至少需要 2 个子组（样本）才能计算控制限，现在只有 1 个"),
        ("spc", {"chart": "u", "values": [1, 2], "sizes": [0, 2]}, "sizes", "第 1 个样本量必须是正数"),
        ("capability", {"values": VALUES, "lsl": 74.05, "usl": 73.95}, "lsl", "规格下限（LSL）必须小于规格上限（USL）"),
        ("capability", {"values": [74.0], "lsl": 73.95, "usl": 74.05}, "values", "至少需要 2 个数值"),
        ("quality-cost", {"rows": [{"period": "1月", "prevention": -1, "appraisal": 0, "internal_failure": 0,
                                    "external_failure": 0}]}, "prevention", "第 2 行“prevention”列：金额不能为负数"),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field_and_nothing_is_stored(client, path, body, field, message):
    before = _nothing_stored()
    response = _post(client, path, body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "bad_input"
    assert list(answer["errors"]) == [field]
    assert answer["errors"][field] == [message]
    assert _nothing_stored() == before
