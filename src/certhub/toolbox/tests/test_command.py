"""`certhub toolbox …` (issue 18 §6): the same answers as the functions, as JSON or a readable table, without a
database — run as a subprocess against a database that does not exist, and in-process without the test
database (pytest-django refuses any query from a test not marked for it). Bad input: the InputError's sentence
on standard error, exit status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

RINGS = Path(__file__).parents[1] / "data" / "pistonrings.csv"
SRC = str(Path(__file__).resolve().parents[3])


def run(*args: str) -> tuple[int, str, str]:
    """The command in-process (no database allowed in these tests)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("toolbox", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue().strip()


def test_subprocess_without_a_database():
    env = {
        "PYTHONPATH": SRC,
        "PATH": "/usr/bin:/bin",
        "CERTHUB_DATABASE_URL": "postgres://nobody:wrong@127.0.0.1:9/no_such_database",
    }
    args = ["capability", str(RINGS), "--value", "diameter", "--subgroup", "sample", "--phase1", "25"]
    ok = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "certhub", "toolbox", *args, "--lsl", "73.95", "--usl", "74.05", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    data = json.loads(ok.stdout)
    assert [round(data[k], 3) for k in ("cp", "cpl", "cpu", "cpk", "cpm")] == [1.703, 1.743, 1.663, 1.663, 1.691]
    assert {k: [round(x, 3) for x in v] for k, v in data["ci"].items() if k != "pp" and k != "ppk"} == {
        "cp": [1.491, 1.915],
        "cpl": [1.555, 1.932],
        "cpu": [1.483, 1.844],
        "cpk": [1.448, 1.878],
        "cpm": [1.480, 1.902],
    }
    bad = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "certhub", "toolbox", *args, "--lsl", "74.05", "--usl", "73.95", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (bad.returncode, bad.stdout, bad.stderr.strip()) == (2, "", "规格下限（LSL）必须小于规格上限（USL）")


def test_capability_json_keys():
    code, out, err = run(
        "capability", str(RINGS), "--value", "diameter", "--subgroup", "sample", "--phase1", "25",
        "--lsl", "73.95", "--usl", "74.05", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data)[:10] == ["cp", "cpl", "cpu", "cpk", "cpm", "pp", "ppk", "ci", "sigma_within", "sigma_overall"]
    assert float(f"{data['sigma_within']:.7g}") == 0.009785039
    assert data["verdict"] == "过程能力充足 (Cpk ≥ 1.33)"


def test_capability_readable_table():
    code, out, _ = run(
        "capability", str(RINGS), "--value", "diameter", "--subgroup", "sample", "--phase1", "25",
        "--lsl", "73.95", "--usl", "74.05",
    )  # fmt: skip
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "n 125  mean 74.00118  LSL 73.95  USL 74.05  target 74"
    assert lines[2:8] == [
        "index    value    2.5%   97.5%",
        "cp       1.703   1.491   1.915",
        "cpl      1.743   1.555   1.932",
        "cpu      1.663   1.483   1.844",
        "cpk      1.663   1.448   1.878",
        "cpm      1.691   1.480   1.902",
    ]
    assert lines[-1] == "过程能力充足 (Cpk ≥ 1.33)"


def test_spc_json_piston_rings_beyond_limits():
    code, out, err = run(
        "spc",
        str(RINGS),
        "--chart",
        "xbar-r",
        "--value",
        "diameter",
        "--subgroup",
        "sample",
        "--phase1",
        "25",
        "--json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["chart"] == "xbar-r"
    assert [series["name"] for series in data["charts"]] == ["xbar", "r"]
    xbar = data["charts"][0]
    assert {"name", "center", "lcl", "ucl", "sigma", "points", "violations"} <= set(xbar)  # issue 18 §6
    # qcc's vignette prints "Center of group statistics = 74.00118", "LCL 73.98805  UCL 74.0143" (7 digits)
    assert (round(xbar["center"], 5), round(xbar["lcl"], 5), round(xbar["ucl"], 5)) == (74.00118, 73.98805, 74.0143)
    assert len(xbar["points"]) == 40
    # samples 37, 38 and 39 beyond the upper limit (qcc's vignette, the X̄ chart with phase II 26–40)
    assert [v["index"] for v in xbar["violations"] if v["rule"] == "nelson-1"] == [36, 37, 38]


def test_spc_readable_table_lists_violations():
    code, out, _ = run(
        "spc", str(RINGS), "--chart", "xbar-r", "--value", "diameter", "--subgroup", "sample", "--phase1", "25"
    )
    assert code == 0
    assert out.splitlines()[0] == "chart xbar-r"
    assert "  point 37 (37): nelson-1" in out.splitlines()


def test_pareto_and_quality_cost(tmp_path):
    causes = tmp_path / "causes.csv"
    causes.write_text("原因,数量\n划伤,20\n尺寸,50\n气泡,30\n", encoding="gb18030")
    code, out, _ = run("pareto", str(causes), "--category", "原因", "--count", "数量", "--json")
    assert code == 0
    assert [(r["category"], r["cumulative"], r["vital"]) for r in json.loads(out)["rows"]] == [
        ("尺寸", 0.5, True),
        ("气泡", 0.8, True),
        ("划伤", 1.0, False),
    ]
    code, out, _ = run("pareto", str(causes), "--category", "原因", "--count", "数量")
    assert out.splitlines() == [
        "category                 count    share     cum.",
        "尺寸                        50    50.0%    50.0%  *",
        "气泡                        30    30.0%    80.0%  *",
        "划伤                        20    20.0%   100.0%",
        "total 100   * vital few (cumulative to 80%)",
    ]
    costs = tmp_path / "costs.xlsx"
    workbook = openpyxl.Workbook()
    for row in (["月", "预防", "鉴定", "内损", "外损", "销售"], ["1月", 1, 2, 3, 4, 100], ["2月", 2, 2, 2, 2, 100]):
        workbook.active.append(row)
    workbook.save(costs)
    args = ["--period", "月", "--prevention", "预防", "--appraisal", "鉴定", "--internal-failure", "内损"]
    code, out, _ = run("quality-cost", str(costs), *args, "--external-failure", "外损", "--sales", "销售", "--json")
    assert code == 0
    data = json.loads(out)
    assert [p["total_share"] for p in data["periods"]] == [0.1, 0.08]
    assert data["trend"]["prevention"] == 0.01


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        # LSL ≥ USL
        (
            None,
            ["capability", "--value", "diameter", "--lsl", "74", "--usl", "74"],
            "规格下限（LSL）必须小于规格上限（USL）",
        ),
        # phase I larger than the data
        (
            None,
            ["capability", "--value", "diameter", "--subgroup", "sample", "--phase1", "41", "--lsl", "73.9",
             "--usl", "74.1"],
            "第一阶段的子组数（41）超过了子组的个数（40）",
        ),
        (
            None,
            ["spc", "--chart", "xbar-r", "--value", "diameter", "--subgroup", "sample", "--phase1", "41"],
            "第一阶段子组数（41）超过了子组总数（40）",
        ),
        # a subgroup column with one value per group for X̄-R
        (
            b"d,s\n1.0,1\n1.2,2\n1.1,3\n",
            ["spc", "--chart", "xbar-r", "--value", "d", "--subgroup", "s"],
            "每组只有一个数值，无法计算组内极差或标准差：请用单值图（I-MR），或选择正确的子组列",
        ),
        # fewer than 2 subgroups
        (b"d,s\n1.0,1\n1.2,1\n", ["spc", "--chart", "xbar-r", "--value", "d", "--subgroup", "s"],
         "至少需要 2 个子组（样本）才能计算控制限，现在只有 1 个"),
        (b"d,s\n1.0,1\n1.2,1\n", ["capability", "--value", "d", "--subgroup", "s", "--lsl", "0", "--usl", "2"],
         "至少需要 2 个子组（样本）才能估计组内标准差，现在只有 1 个"),
        # negative counts, defectives above the sample size
        (b"d,n\n1,50\n-2,50\n", ["spc", "--chart", "p", "--value", "d", "--size", "n"],
         "第 2 个不合格品数为负数：计数不能为负"),
        (b"d,n\n1,50\n60,50\n", ["spc", "--chart", "p", "--value", "d", "--size", "n"],
         "第 2 个样本的不合格品数（60）大于样本量（50）"),
        # a non-numeric cell, by row and column
        (b"d\n1.0\nabc\n", ["capability", "--value", "d", "--lsl", "0", "--usl", "2"], "第 3 行“d”列：“abc”不是数值"),
        # a file that is neither CSV nor XLSX
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
            ["capability", "--value", "d", "--lsl", "0", "--usl", "2"],
            "不是 CSV 或 XLSX 文件：请上传 CSV（UTF-8 或 GBK/GB18030 编码）或 Excel 的 .xlsx 文件",
        ),
        (b"c,n\nA,-1\n", ["pareto", "--category", "c", "--count", "n"], "数量不能为负数（-1）"),
    ],
)  # fmt: skip
def test_bad_input_exit_2(tmp_path, content, args, message):
    path = RINGS
    if content is not None:
        path = tmp_path / "data.csv"
        path.write_bytes(content)
    command, *options = args
    code, out, err = run(command, str(path), *options, "--json")
    assert (code, out, err) == (2, "", message)
