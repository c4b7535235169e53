"""Pages of the quality toolbox (C12), phone first. The calculators are public: step 1 upload a CSV/XLSX
file or type/paste the data, step 2 pick the columns and parameters, then the result with its charts,
violations or indices, and CSV/XLSX/PDF downloads. For anyone not signed in as an enterprise nothing is
stored: the table travels between the steps inside the form (signed and compressed, never in the
database). An enterprise user's upload is kept as a dataset of the organization, and the studies saved from
it can be opened again, deleted and shared by link; nobody else — officers included — sees them (404).
Views parse, call runs/actions/queries and render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.uploads import size_text
from certhub.core.web import permitted, request_actor
from certhub.toolbox import actions, exports, queries, runs, tables
from certhub.toolbox import render as pictures
from certhub.toolbox.capability import Capability
from certhub.toolbox.choices import StudyKind
from certhub.toolbox.errors import InputError
from certhub.toolbox.models import Dataset, Study
from certhub.toolbox.quality_cost import COST_KINDS

MAX_UPLOAD = 5 * 1024 * 1024  # issue 18: the calculators take files up to 5 MB
DATA_SALT = "certhub.toolbox.data"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
}
TOOL_TITLES: dict[str, tuple[Any, Any]] = {
    "spc": (
        gettext_lazy("控制图"),
        gettext_lazy("X̄-R、X̄-S、单值、p、np、c、u、EWMA、CUSUM 控制图，按 Nelson 或西方电气规则判异。"),
    ),
    "capability": (
        gettext_lazy("过程能力分析"),
        gettext_lazy("Cp、Cpk、Cpm、Pp、Ppk 及其置信区间，正态性检验和直方图。"),
    ),
    "pareto": (gettext_lazy("排列图"), gettext_lazy("按类别统计缺陷或原因，找出累计占 80% 的关键少数。")),
    "quality-cost": (
        gettext_lazy("质量成本分析"),
        gettext_lazy("预防、鉴定、内部损失、外部损失成本按期间汇总，占销售额比例及趋势。"),
    ),
}
# The parameters each form names, so that an error about one of them is shown next to it.
FIELDS: dict[str, tuple[str, ...]] = {
    StudyKind.SPC: ("chart", "value", "subgroup", "size", "phase1", "rules"),
    StudyKind.CAPABILITY: ("value", "subgroup", "phase1", "lsl", "usl", "target"),
    StudyKind.PARETO: ("category", "count"),
    StudyKind.QUALITY_COST: ("period", *COST_KINDS, "sales"),
}


def _kind(tool: str) -> str:
    if tool not in runs.TOOLS:
        raise Http404(_("没有这个工具"))
    return runs.TOOLS[tool]


def _title(tool: str) -> str:
    return str(TOOL_TITLES[tool][0])


def _table_text(table: tables.Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue()


def _carry(table: tables.Table) -> str:
    """The table as the form carries it between the steps: signed (only our own text is ever decompressed)
    and compressed."""
    return signing.dumps(_table_text(table), salt=DATA_SALT, compress=True)


def _carried(token: str) -> tables.Table:
    try:
        text = signing.loads(token, salt=DATA_SALT)
    except signing.BadSignature:
        raise InputError("data", _("数据已失效，请重新上传或录入")) from None
    return tables.read_table(text.encode("utf-8"), "data.csv")


def _source(request: HttpRequest) -> tuple[tables.Table, Dataset | None, str]:
    """The table a step-2 or result form refers to: a dataset of the organization, or the carried data."""
    pk = request.POST.get("dataset") or request.GET.get("dataset")
    if pk:
        try:
            dataset = permitted(lambda: queries.dataset_for(request_actor(request), int(pk)))
        except ValueError:
            raise Http404(_("没有这个数据集")) from None
        return actions.table_of(dataset), dataset, ""
    token = request.POST.get("data", "")
    return _carried(token), None, token


# The computations name their arguments; the forms name the parameters (Study.parameters).
ALIASES = {"values": "value", "subgroups": "subgroup", "sizes": "size", "categories": "category", "counts": "count"}


def _errors(kind: str, error: InputError, values: Any) -> dict[str, str]:
    """The error under its field when the form has one — a bad cell under the select that chose its
    column — else under "" (shown above the form)."""
    field = ALIASES.get(error.field, error.field)
    if field not in FIELDS[kind] and error.column is not None:
        field = next((name for name in FIELDS[kind] if values.get(name) == error.column), "")
    return {field if field in FIELDS[kind] else "": error.text()}


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    tools = [(slug, str(title), str(line)) for slug, (title, line) in TOOL_TITLES.items()]
    return render(request, "toolbox/index.html", {"tools": tools, "keeps": queries.keeps_papers(actor)})


def _step2(
    request: HttpRequest,
    tool: str,
    table: tables.Table,
    *,
    dataset: Dataset | None,
    token: str,
    errors: dict[str, str] | None = None,
    values: Any = None,
    status: int = 200,
) -> HttpResponse:
    kind = _kind(tool)
    context = {
        "tool": tool,
        "kind": kind,
        "title": _title(tool),
        "columns": table.columns,
        "preview": table.rows[:5],
        "row_count": len(table.rows),
        "dataset": dataset,
        "data": token,
        "errors": errors or {},
        "values": values if values is not None else {},
        "charts": list(runs.CHART_NAMES.items()),
        "rulesets": list(runs.RULESET_NAMES.items()),
        "cost_fields": [(k, str(exports.COST_NAMES[k])) for k in COST_KINDS],
    }
    return render(request, "toolbox/columns.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def calculator(request: HttpRequest, tool: str) -> HttpResponse:
    """Step 1 (upload or type the data); with ?dataset= of the organization, step 2 for that dataset."""
    _kind(tool)
    actor = request_actor(request)
    keeps = queries.keeps_papers(actor)
    if request.method != "POST":
        if request.GET.get("dataset"):
            table, dataset, _token = _source(request)
            return _step2(request, tool, table, dataset=dataset, token="")
        return render(request, "toolbox/upload.html", {"tool": tool, "title": _title(tool), "keeps": keeps})
    upload = request.FILES.get("file")
    text = request.POST.get("text", "")
    try:
        if upload is not None:
            if (upload.size or 0) > MAX_UPLOAD:
                raise InputError(
                    "file",
                    _("文件大小为%(size)s，超过上限%(limit)s")
                    % {"size": size_text(upload.size or 0), "limit": size_text(MAX_UPLOAD)},
                )
            filename = upload.name or ""
            table = tables.read_table(upload.read(), filename)
        elif text.strip():
            filename = ""
            table = tables.parse_text(text)
        else:
            raise InputError("file", _("请选择文件，或者在下面录入数据"))
    except InputError as error:
        field = error.field if error.field in ("file", "text") else ("file" if upload is not None else "text")
        return _upload_refused(request, tool, keeps, {field: error.text()}, text)
    if keeps:
        dataset = actions.save_dataset(actor=actor, table=table, name=request.POST.get("name", ""), filename=filename)
        location = reverse("toolbox:calculator", args=[tool]) + f"?dataset={dataset.pk}"
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return JsonResponse({"location": location})
        return redirect(location)
    return _step2(request, tool, table, dataset=None, token=_carry(table))


def _upload_refused(request: HttpRequest, tool: str, keeps: bool, errors: dict[str, str], text: str) -> HttpResponse:
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"errors": {k: [v] for k, v in errors.items()}}, status=422)
    context = {"tool": tool, "title": _title(tool), "keeps": keeps, "errors": errors, "text": text}
    return render(request, "toolbox/upload.html", context, status=422)


PAGE_ROWS = 500  # a control chart's point table is shown on the page up to this many points (all in the downloads)


def _page_sheets(run: runs.Run) -> list[exports.Sheet]:
    sheets = exports.tables_of(run)
    if run.kind == StudyKind.SPC:
        sheets = sheets[:-1]  # the violations are listed above the tables
    return [s for s in sheets if s.rows and len(s.rows) <= PAGE_ROWS]


def _result_context(run: runs.Run, title: str) -> dict[str, Any]:
    result = run.result
    return {
        "run": run,
        "result_title": title,
        "parameters": runs.parameter_rows(run),
        "svgs": pictures.svgs(run),
        "violations": exports.violations(result) if run.kind == StudyKind.SPC else None,  # type: ignore[arg-type]
        "page_sheets": _page_sheets(run),
        "capability": result if isinstance(result, Capability) else None,
    }


@require_POST
def result(request: HttpRequest, tool: str) -> HttpResponse:
    """Compute from the step-2 form; with `format`, the download instead of the page."""
    kind = _kind(tool)
    try:
        table, dataset, token = _source(request)
    except InputError as error:
        return _upload_refused(request, tool, queries.keeps_papers(request_actor(request)), {"": error.text()}, "")
    try:
        run = runs.compute(kind, table, request.POST)
    except InputError as error:
        return _step2(
            request,
            tool,
            table,
            dataset=dataset,
            token=token,
            errors=_errors(kind, error, request.POST),
            values=request.POST,
            status=422,
        )
    title = _title(tool)
    fmt = request.POST.get("format", "")
    if fmt:
        return _download(run, title, fmt, tool)
    context = _result_context(run, title)
    context.update(
        tool=tool,
        dataset=dataset,
        data=token,
        hidden=[(k, v) for k, v in run.parameters.items() if v not in (None, False)],
        keeps=queries.keeps_papers(request_actor(request)),
    )
    return render(request, "toolbox/result.html", context)


def _download(run: runs.Run, title: str, fmt: str, name: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(_("没有这种下载格式"))
    content_type, write = FORMATS[fmt]
    response = HttpResponse(write(run, title), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="toolbox-{name}.{fmt}"'
    return response


@require_safe
def datasets(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not queries.keeps_papers(actor):
        raise Http404(_("只有企业用户有自己的数据集"))
    tools = [(slug, str(title)) for slug, (title, _line) in TOOL_TITLES.items()]
    return render(request, "toolbox/datasets.html", {"datasets": queries.datasets_of(actor), "tools": tools})


@require_POST
def dataset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permitted(lambda: actions.delete_dataset(actor=request_actor(request), pk=pk))
    messages.success(request, _("数据集已删除"))
    return redirect("toolbox:datasets")


@require_safe
def studies(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not queries.keeps_papers(actor):
        raise Http404(_("只有企业用户有自己的分析"))
    return render(request, "toolbox/studies.html", {"studies": queries.studies_of(actor)})


@require_POST
def study_save(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    tool = request.POST.get("tool", "")
    kind = _kind(tool)
    try:
        pk = int(request.POST.get("dataset", ""))
    except ValueError:
        raise Http404(_("没有这个数据集")) from None
    try:
        study = permitted(
            lambda: actions.save_study(
                actor=actor, dataset_pk=pk, kind=kind, title=request.POST.get("title", ""), parameters=request.POST
            )
        )
    except InputError as error:
        dataset = permitted(lambda: queries.dataset_for(actor, pk))
        run = runs.compute(kind, actions.table_of(dataset), request.POST)
        context = _result_context(run, _title(tool))
        context.update(
            tool=tool,
            dataset=dataset,
            data="",
            keeps=True,
            save_error=error.text(),
            title_value=request.POST.get("title", ""),
            hidden=[(k, v) for k, v in run.parameters.items() if v not in (None, False)],
        )
        return render(request, "toolbox/result.html", context, status=422)
    messages.success(request, _("分析已保存"))
    return redirect("toolbox:study", pk=study.pk)


def _study_page(request: HttpRequest, study: Study, *, owner: bool) -> HttpResponse:
    assert study.dataset is not None
    error = ""
    context: dict[str, Any] = {"study": study, "owner": owner, "tool": runs.SLUG[study.kind]}
    try:
        run = runs.compute(study.kind, actions.table_of(study.dataset), study.parameters)
        context.update(_result_context(run, study.title))
    except InputError as failure:
        error = failure.text()
    context["error"] = error
    if owner and study.share_token:
        context["share_url"] = request.build_absolute_uri(reverse("toolbox:shared", args=[study.share_token]))
    return render(request, "toolbox/study.html", context)


@require_safe
def study(request: HttpRequest, pk: int) -> HttpResponse:
    found = permitted(lambda: queries.study_for(request_actor(request), pk))
    return _study_page(request, found, owner=True)


def _study_download(study: Study, fmt: str) -> HttpResponse:
    assert study.dataset is not None
    try:
        run = runs.compute(study.kind, actions.table_of(study.dataset), study.parameters)
    except InputError as error:
        raise Http404(error.text()) from error
    return _download(run, study.title, fmt, runs.SLUG[study.kind])


@require_safe
def study_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _study_download(permitted(lambda: queries.study_for(request_actor(request), pk)), fmt)


@require_POST
def study_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permitted(lambda: actions.delete_study(actor=request_actor(request), pk=pk))
    messages.success(request, _("分析已删除"))
    return redirect("toolbox:studies")


@require_POST
def study_share(request: HttpRequest, pk: int) -> HttpResponse:
    permitted(lambda: actions.share_study(actor=request_actor(request), pk=pk))
    messages.success(request, _("已生成分享链接：任何拿到链接的人都能查看这个分析"))
    return redirect("toolbox:study", pk=pk)


@require_POST
def study_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    permitted(lambda: actions.unshare_study(actor=request_actor(request), pk=pk))
    messages.success(request, _("已取消分享，原链接不再能打开"))
    return redirect("toolbox:study", pk=pk)


@require_safe
def shared(request: HttpRequest, token: str) -> HttpResponse:
    return _study_page(request, permitted(lambda: queries.shared_study(token)), owner=False)


@require_safe
def shared_download(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    return _study_download(permitted(lambda: queries.shared_study(token)), fmt)
