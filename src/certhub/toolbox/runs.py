"""One computation of the toolbox (C12) from a table and its parameters, as the calculator pages, saved and
shared studies and the exports run it: the parameters are checked here (one rule for every page), the
computation is toolbox.spc / capability / pareto / quality_cost, and the same InputError names the field at
fault. Study.parameters hold exactly what `clean` answers, so a study is computed again from its dataset
every time it is shown and can never disagree with its data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.toolbox import tables
from certhub.toolbox.capability import Capability, capability
from certhub.toolbox.choices import StudyKind
from certhub.toolbox.errors import InputError
from certhub.toolbox.pareto import Pareto, pareto
from certhub.toolbox.quality_cost import COST_KINDS, QualityCost, quality_cost_from_table
from certhub.toolbox.spc import CHARTS, RULESETS, SpcResult, control_chart

# The calculators by their address (/toolbox/<slug>/) and the study kind each saves.
TOOLS: dict[str, str] = {
    "spc": StudyKind.SPC,
    "capability": StudyKind.CAPABILITY,
    "pareto": StudyKind.PARETO,
    "quality-cost": StudyKind.QUALITY_COST,
}
SLUG = {kind: slug for slug, kind in TOOLS.items()}

CHART_NAMES = {
    "xbar-r": gettext_lazy("均值-极差图 (X̄-R)"),
    "xbar-s": gettext_lazy("均值-标准差图 (X̄-S)"),
    "imr": gettext_lazy("单值-移动极差图 (I-MR)"),
    "p": gettext_lazy("不合格品率图 (p)"),
    "np": gettext_lazy("不合格品数图 (np)"),
    "c": gettext_lazy("缺陷数图 (c)"),
    "u": gettext_lazy("单位缺陷数图 (u)"),
    "ewma": gettext_lazy("指数加权移动平均图 (EWMA)"),
    "cusum": gettext_lazy("累积和图 (CUSUM)"),
}
RULESET_NAMES = {
    "nelson": gettext_lazy("Nelson 八条规则"),
    "western-electric": gettext_lazy("西方电气四条规则"),
    "none": gettext_lazy("只看控制限"),
}
SERIES_NAMES = {
    "xbar": gettext_lazy("均值 X̄"),
    "r": gettext_lazy("极差 R"),
    "s": gettext_lazy("标准差 S"),
    "i": gettext_lazy("单值 I"),
    "mr": gettext_lazy("移动极差 MR"),
    "p": gettext_lazy("不合格品率 p"),
    "np": gettext_lazy("不合格品数 np"),
    "c": gettext_lazy("缺陷数 c"),
    "u": gettext_lazy("单位缺陷数 u"),
    "ewma": gettext_lazy("EWMA"),
    "cusum-upper": gettext_lazy("CUSUM 上侧"),
    "cusum-lower": gettext_lazy("CUSUM 下侧"),
}
# Which parameters name a column of the table, and which of them must be given.
COLUMNS: dict[str, tuple[str, ...]] = {
    StudyKind.SPC: ("value", "subgroup", "size"),
    StudyKind.CAPABILITY: ("value", "subgroup"),
    StudyKind.PARETO: ("category", "count"),
    StudyKind.QUALITY_COST: ("period", *COST_KINDS, "sales"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    StudyKind.SPC: ("value",),
    StudyKind.CAPABILITY: ("value",),
    StudyKind.PARETO: ("category",),
    StudyKind.QUALITY_COST: ("period", *COST_KINDS),
}

Result = SpcResult | Capability | Pareto | QualityCost


@dataclass(frozen=True)
class Run:
    kind: str
    parameters: dict[str, Any]
    result: Result


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _number(raw: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    text = _text(raw, name)
    if not text:
        if required:
            raise InputError(name, _("请填写数值"))
        return None
    try:
        return tables.number(text)
    except (InputError, ValueError):
        raise InputError(name, _("“%(text)s”不是数值") % {"text": text}) from None


def _whole(raw: Mapping[str, Any], name: str) -> int | None:
    text = _text(raw, name)
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(name, _("“%(text)s”不是正整数") % {"text": text}) from None
    if value < 1:
        raise InputError(name, _("“%(text)s”不是正整数") % {"text": text})
    return value


def clean(kind: str, raw: Mapping[str, Any], columns: tuple[str, ...] | list[str] | None = None) -> dict[str, Any]:
    """The study parameters of `kind` from a form's or a study's values; with `columns`, each named column
    must be one of them. Raises InputError naming the parameter."""
    params: dict[str, Any] = {}
    for name in COLUMNS[kind]:
        column = _text(raw, name)
        if not column:
            if name in REQUIRED[kind]:
                raise InputError(name, _("请选择一列"))
            params[name] = None
            continue
        if columns is not None and column not in columns:
            raise InputError(name, _("数据中没有“%(column)s”列") % {"column": column})
        params[name] = column
    if kind == StudyKind.SPC:
        chart = _text(raw, "chart")
        if chart not in CHARTS:
            raise InputError("chart", _("未知的控制图类型“%(chart)s”") % {"chart": chart})
        rules = _text(raw, "rules") or "nelson"
        if rules not in RULESETS:
            raise InputError("rules", _("未知的判异规则“%(rules)s”") % {"rules": rules})
        exclude = raw.get("exclude_out_of_control")
        params.update(
            chart=chart,
            phase1=_whole(raw, "phase1"),
            rules=rules,
            exclude_out_of_control=exclude is True or str(exclude).lower() in {"on", "true", "1", "yes"},
        )
    elif kind == StudyKind.CAPABILITY:
        params.update(
            phase1=_whole(raw, "phase1"),
            lsl=_number(raw, "lsl", required=True),
            usl=_number(raw, "usl", required=True),
            target=_number(raw, "target", required=False),
        )
    return params


def compute(kind: str, table: tables.Table, params: Mapping[str, Any]) -> Run:
    """Run the computation; raises InputError for data or parameters it cannot use."""
    params = clean(kind, params, table.columns)
    result: Result
    if kind == StudyKind.SPC:
        result = control_chart(
            params["chart"],
            tables.numbers(table, params["value"]),
            subgroups=tables.labels(table, params["subgroup"]) if params["subgroup"] else None,
            sizes=list(tables.numbers(table, params["size"])) if params["size"] else None,
            phase1=params["phase1"],
            rules=params["rules"],
            exclude_out_of_control=params["exclude_out_of_control"],
        )
    elif kind == StudyKind.CAPABILITY:
        result = capability(
            tables.numbers(table, params["value"]),
            subgroups=tables.labels(table, params["subgroup"]) if params["subgroup"] else None,
            phase1=params["phase1"],
            lsl=params["lsl"],
            usl=params["usl"],
            target=params["target"],
        )
    elif kind == StudyKind.PARETO:
        counts = list(tables.numbers(table, params["count"])) if params["count"] else None
        result = pareto(tables.labels(table, params["category"]), counts)
    else:
        result = quality_cost_from_table(
            table,
            period=params["period"],
            prevention=params["prevention"],
            appraisal=params["appraisal"],
            internal_failure=params["internal_failure"],
            external_failure=params["external_failure"],
            sales=params["sales"],
        )
    return Run(kind=kind, parameters=params, result=result)


def parameter_rows(run: Run) -> list[tuple[str, str]]:
    """The parameters in words, for the result page and the PDF."""
    p = run.parameters
    names = {
        "value": _("数值列"),
        "subgroup": _("子组列"),
        "size": _("样本量列"),
        "category": _("类别列"),
        "count": _("数量列"),
        "period": _("期间列"),
        "prevention": _("预防成本列"),
        "appraisal": _("鉴定成本列"),
        "internal_failure": _("内部损失成本列"),
        "external_failure": _("外部损失成本列"),
        "sales": _("销售额列"),
        "phase1": _("第一阶段（计算控制限）子组数"),
        "lsl": _("规格下限 LSL"),
        "usl": _("规格上限 USL"),
        "target": _("目标值"),
    }
    rows: list[tuple[str, str]] = []
    if run.kind == StudyKind.SPC:
        rows.append((_("控制图"), str(CHART_NAMES[p["chart"]])))
        rows.append((_("判异规则"), str(RULESET_NAMES[p["rules"]])))
    for key, label in names.items():
        if p.get(key) not in (None, ""):
            rows.append((label, f"{p[key]:g}" if isinstance(p[key], float) else str(p[key])))
    if p.get("exclude_out_of_control"):
        rows.append((_("剔除第一阶段失控点后重算控制限"), _("是")))
    return rows
