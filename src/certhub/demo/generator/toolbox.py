"""The demo enterprise's quality toolbox (C12): a dataset for every control chart, the public piston-ring data
among them, and saved studies — an X̄-R chart, a capability study on the piston rings, a Pareto of defect
causes and a year of quality cost by month with sales. Toolbox data is the enterprise's private working paper,
not a regulated record (no action, no audit row), so it is written with the models directly, as an enterprise
user's upload would be (toolbox/actions.py applies only the ownership check, which holds here by
construction). Reproducible: the numbers come from a generator seeded with the province's seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from certhub.core.models import User
from certhub.toolbox.choices import StudyKind
from certhub.toolbox.models import Dataset, Study
from certhub.toolbox.tables import read_table

# Montgomery, Introduction to Statistical Quality Control, table 6.3: inside diameters of forged piston rings,
# 40 samples of 5 (the first 25 are the calibration data); public data, as shipped with R's qcc package.
PISTON_RINGS = Path(__file__).parents[2] / "toolbox" / "data" / "pistonrings.csv"

DEFECT_CAUSES = [
    ("尺寸超差", 146),
    ("表面划伤", 97),
    ("毛刺", 58),
    ("气泡", 31),
    ("色差", 17),
    ("装配不良", 12),
    ("包装破损", 8),
    ("其他", 5),
]


def _fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _datasets(rng: np.random.Generator) -> dict[str, tuple[str, list[str], list[list[str]]]]:
    """name → (filename, columns, rows): one per chart type and tool."""
    rings = read_table(PISTON_RINGS.read_bytes(), PISTON_RINGS.name)
    out: dict[str, tuple[str, list[str], list[list[str]]]] = {
        "活塞环内径（Montgomery 表 6.3）": ("pistonrings.csv", list(rings.columns), [list(r) for r in rings.rows]),
    }
    weights = rng.normal(52.0, 0.35, 60)
    out["注塑件单件重量"] = (
        "weights.xlsx",
        ["序号", "重量(g)"],
        [[str(i + 1), _fmt(w, 2)] for i, w in enumerate(weights)],
    )
    sizes = rng.integers(80, 121, 25)
    defectives = rng.binomial(sizes, 0.05)
    out["外观检验不良品（样本量不等）"] = (
        "appearance.csv",
        ["批次", "检验数", "不良品数"],
        [[f"B{i + 1:02d}", str(n), str(d)] for i, (n, d) in enumerate(zip(sizes, defectives, strict=True))],
    )
    fixed = rng.binomial(100, 0.04, 25)
    out["包装抽检不良品（每批 100 件）"] = (
        "packaging.csv",
        ["批次", "检验数", "不良品数"],
        [[f"P{i + 1:02d}", "100", str(d)] for i, d in enumerate(fixed)],
    )
    boards = rng.poisson(8.0, 26)
    out["电路板焊点缺陷"] = ("boards.csv", ["板号", "缺陷数"], [[str(i + 1), str(c)] for i, c in enumerate(boards)])
    rolls = rng.integers(8, 16, 25) / 10  # units of 100 m² of cloth inspected
    flaws = rng.poisson(3.0 * rolls)
    out["布匹瑕疵（卷长不等）"] = (
        "cloth.csv",
        ["卷号", "检验单位(百平方米)", "瑕疵数"],
        [[f"R{i + 1:02d}", _fmt(u, 1), str(f)] for i, (u, f) in enumerate(zip(rolls, flaws, strict=True))],
    )
    # a filling line whose mean creeps up by a third of a sigma after the 30th bottle: EWMA and CUSUM see it,
    # a Shewhart chart hardly does
    fills = np.concatenate([rng.normal(500.0, 1.2, 30), rng.normal(500.4, 1.2, 30)])
    filling = [[str(i + 1), _fmt(v, 2)] for i, v in enumerate(fills)]
    out["灌装量（缓慢漂移）"] = ("filling.csv", ["序号", "灌装量(ml)"], filling)
    out["不良原因统计"] = ("causes.csv", ["不良原因", "数量"], [[cause, str(count)] for cause, count in DEFECT_CAUSES])
    months = []
    for month in range(1, 13):
        sales = 4_800_000 + 60_000 * month + rng.normal(0, 80_000)
        prevention = 38_000 + 2_500 * month  # more prevention through the year…
        appraisal = 52_000 + rng.normal(0, 2_000)
        internal = 118_000 - 4_500 * month + rng.normal(0, 4_000)  # …less failure
        external = 76_000 - 3_000 * month + rng.normal(0, 3_000)
        months.append([f"2025-{month:02d}", *(_fmt(v, 2) for v in (prevention, appraisal, internal, external, sales))])
    out["2025 年质量成本"] = (
        "quality-cost-2025.xlsx",
        ["月份", "预防成本", "鉴定成本", "内部损失成本", "外部损失成本", "销售额"],
        months,
    )
    return out


STUDIES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        StudyKind.SPC,
        "活塞环内径 X̄-R 控制图",
        "活塞环内径（Montgomery 表 6.3）",
        {
            "chart": "xbar-r",
            "value": "diameter",
            "subgroup": "sample",
            "size": None,
            "phase1": 25,
            "rules": "nelson",
            "exclude_out_of_control": False,
        },
    ),
    (
        StudyKind.SPC,
        "灌装量 EWMA 控制图",
        "灌装量（缓慢漂移）",
        {
            "chart": "ewma",
            "value": "灌装量(ml)",
            "subgroup": None,
            "size": None,
            "phase1": 30,
            "rules": "none",
            "exclude_out_of_control": False,
        },
    ),
    (
        StudyKind.CAPABILITY,
        "活塞环内径过程能力",
        "活塞环内径（Montgomery 表 6.3）",
        {"value": "diameter", "subgroup": "sample", "phase1": 25, "lsl": 73.95, "usl": 74.05, "target": None},
    ),
    (StudyKind.PARETO, "不良原因排列图", "不良原因统计", {"category": "不良原因", "count": "数量"}),
    (
        StudyKind.QUALITY_COST,
        "2025 年质量成本分析",
        "2025 年质量成本",
        {
            "period": "月份",
            "prevention": "预防成本",
            "appraisal": "鉴定成本",
            "internal_failure": "内部损失成本",
            "external_failure": "外部损失成本",
            "sales": "销售额",
        },
    ),
]


def build_toolbox_demo(user: User | None = None, *, seed: int = 2018) -> dict[str, int]:
    """The datasets and studies of `user`'s organization (an ENTERPRISE user; the demo's "enterprise" login by
    default); nothing is added twice."""
    if user is None:
        user = User.objects.get(username="enterprise")
    organization = user.organization
    assert organization is not None, "the demo enterprise user belongs to an organization"
    rng = np.random.default_rng(seed)
    datasets: dict[str, Dataset] = {}
    for name, (filename, columns, rows) in _datasets(rng).items():
        dataset = Dataset.objects.filter(organization=organization, name=name).first()
        if dataset is None:
            dataset = Dataset.objects.create(
                organization=organization,
                name=name,
                filename=filename,
                columns=columns,
                rows=rows,
                row_count=len(rows),
                created_by=user,
            )
        datasets[name] = dataset
    studies = 0
    for kind, title, dataset_name, parameters in STUDIES:
        _, created = Study.objects.get_or_create(
            organization=organization,
            title=title,
            defaults={"kind": kind, "dataset": datasets[dataset_name], "parameters": parameters, "created_by": user},
        )
        studies += created
    return {"datasets": len(datasets), "studies": studies}
