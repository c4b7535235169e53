"""Planning a lab's test report rows (kind `test_reports`): one report per number, its items on the rows
that share it."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import identifier_problem
from certhub.core.validation import Identifier, Input, OptionalDate, OptionalUscc, compact_uscc, validate
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind
from certhub.exchange.fields import COLUMNS
from certhub.exchange.readers import RawRow
from certhub.exchange.rows.normaliser import ChunkPlan, Normaliser, PlannedRow, Problem, missing_required, prepare_row
from certhub.registry import bans
from certhub.registry.choices import ReportConclusion
from certhub.registry.models import Lab, Organization, Signatory, TestReport

CONCLUSION_WORDS = {
    **{c.value: c.value for c in ReportConclusion},
    **{str(c.label): c.value for c in ReportConclusion},
    "符合": ReportConclusion.PASS,
    "不符合": ReportConclusion.FAIL,
    "QUALIFIED": ReportConclusion.PASS,
}
REPORT_HEAD = ["issue_date", "signatory", "conclusion", "client_uscc", "product"]


class ReportHead(Input):
    """What a report's first row states that is checked by its form alone (a missing one is reported by
    missing_required): the issue date, the client's credit code."""

    issue_date: OptionalDate = None
    client_uscc: OptionalUscc = ""
    # The identifier grammar (core/identifiers.py), as do_create_test_report checks it; a missing number
    # is reported by missing_required.
    report_number: Annotated[str, Identifier(64, required=False)] = ""


def report_key(raw: RawRow) -> str:
    return str(raw.values.get("report_number") or "").strip().upper()


class ReportPlanner:
    """Plans a lab's test report rows (kind `reports`): one row per tested item, the rows of a report
    adjacent; a report already registered with the same contents is unchanged, with other contents it is
    refused (a report is not amended: a corrected report is a new report with its own number)."""

    kind = SubmissionKind.REPORTS

    def __init__(self, lab: Lab, submission_id: int | None = None) -> None:
        self.lab = lab
        self.submission_id = submission_id
        self.normalise = Normaliser(COLUMNS[SubmissionKind.REPORTS])
        self.required = [c for c in COLUMNS[SubmissionKind.REPORTS] if c.required]
        # A lab whose organization is under permanent exit issues no report (C9): read once per file.
        exit_ban = bans.organization_ban(lab.organization_id, bans.ISSUING_KINDS) if bans.checks_enabled() else None
        self.exit_refusal = bans.ban_refusal(exit_ban) if exit_ban is not None else None
        self.signatories: dict[str, list[Signatory]] = {}
        for signatory in Signatory.objects.filter(lab=lab).select_related("person"):
            self.signatories.setdefault(signatory.person.name, []).append(signatory)

    def plan(self, chunk: list[RawRow], rejected: dict[int, list[Problem]] | None = None) -> ChunkPlan:
        plan = ChunkPlan()
        groups: list[list[tuple[int, dict[str, Any], list[Problem]]]] = []
        for raw in chunk:
            values, problems = prepare_row(self.normalise, raw, rejected)
            if groups and groups[-1][0][1].get("report_number") == values.get("report_number"):
                groups[-1].append((raw.number, values, problems))
            else:
                groups.append([(raw.number, values, problems)])
        # Only numbers in the identifier grammar are looked up (the others are refused; a NUL cannot even
        # be sent to PostgreSQL).
        numbers = [n for g in groups if not identifier_problem(n := str(g[0][1].get("report_number") or ""), 64)]
        existing = {
            r.number: r for r in TestReport.objects.filter(lab=self.lab, number__in=numbers).prefetch_related("items")
        }
        clients = {
            o.uscc: o
            for o in Organization.objects.filter(
                uscc__in=[compact_uscc(g[0][1].get("client_uscc")) for g in groups if g[0][1].get("client_uscc")]
            )
        }
        for group in groups:
            self._plan_report(group, existing, clients, plan)
        return plan

    def _plan_report(
        self,
        group: list[tuple[int, dict[str, Any], list[Problem]]],
        existing: dict[str, TestReport],
        clients: dict[str, Organization],
        plan: ChunkPlan,
    ) -> None:
        first_row, head, _first_problems = group[0]
        for row, values, problems in group:
            problems.extend(missing_required(row, values, self.required))
            for key in REPORT_HEAD:
                if row != first_row and values.get(key, "") != head.get(key, ""):
                    problems.append(
                        (
                            row,
                            key,
                            str(values.get(key, ""))[:200],
                            _("与本报告第%(first_row)d行的“%(key)s”不一致") % {"first_row": first_row, "key": key},
                            Severity.ERROR,
                        )
                    )
        number = str(head.get("report_number") or "")
        first_problems = group[0][2]
        try:
            checked: ReportHead | None = validate(ReportHead, head)
            head_errors: dict[str, list[str]] = {}
        except ValidationFailed as failure:
            checked, head_errors = None, failure.errors
        issue_date = checked.issue_date if checked is not None else None
        if "report_number" in head_errors:
            first_problems.append(
                (first_row, "report_number", number[:200], head_errors["report_number"][0], Severity.ERROR)
            )
        if "issue_date" in head_errors:
            first_problems.append(
                (
                    first_row,
                    "issue_date",
                    str(head.get("issue_date"))[:200],
                    head_errors["issue_date"][0],
                    Severity.ERROR,
                )
            )
        conclusion = CONCLUSION_WORDS.get(str(head.get("conclusion") or "").upper()) or CONCLUSION_WORDS.get(
            str(head.get("conclusion") or "")
        )
        if head.get("conclusion") and conclusion is None:
            first_problems.append(
                (
                    first_row,
                    "conclusion",
                    str(head.get("conclusion"))[:200],
                    _("结论应为PASS/FAIL/INFORMATIVE或合格/不合格/仅提供数据"),
                    Severity.ERROR,
                )
            )
        signatory = None
        name = str(head.get("signatory") or "")
        found = self.signatories.get(name, [])
        if name and len(found) != 1:
            first_problems.append(
                (
                    first_row,
                    "signatory",
                    name[:200],
                    _("“%(name)s”不是本机构的授权签字人") % {"name": name}
                    if not found
                    else _("本机构有多位授权签字人名为“%(name)s”") % {"name": name},
                    Severity.ERROR,
                )
            )
        elif found:
            signatory = found[0]
        client = None
        if head.get("client_uscc"):
            code = compact_uscc(head.get("client_uscc"))
            error = head_errors["client_uscc"][0] if "client_uscc" in head_errors else None
            client = None if error else clients.get(code)
            if error or client is None:
                first_problems.append(
                    (
                        first_row,
                        "client_uscc",
                        code,
                        error or _("委托单位%(code)s未在登记库中") % {"code": code},
                        Severity.ERROR,
                    )
                )
        items = [
            {"parameter": v.get("parameter", ""), "standard": v.get("standard", ""), "result": v.get("result", "")}
            for _r, v, _p in group
        ]
        payload = {
            "number": number,
            "signatory": signatory,
            "issue_date": issue_date,
            "conclusion": conclusion,
            "items": items,
            "client": client,
            "product": str(head.get("product") or ""),
        }
        registered = existing.get(number)
        if self.exit_refusal and registered is None:
            first_problems.append((first_row, "report_number", number[:200], self.exit_refusal, Severity.ERROR))
        has_errors = any(p[4] == Severity.ERROR for _r, _v, problems in group for p in problems)
        if not has_errors and registered is not None and not self._same(registered, payload):
            first_problems.append(
                (
                    first_row,
                    "report_number",
                    number,
                    _("报告%(number)s已登记且内容不同：报告不可修改，更正后的报告请使用新编号") % {"number": number},
                    Severity.ERROR,
                )
            )
            has_errors = True
        for index, (row, _values, problems) in enumerate(group):
            plan.problems.extend(problems)
            if has_errors:
                plan.rows.append(PlannedRow(row, RowOutcome.REJECTED))
            elif registered is not None:
                plan.rows.append(PlannedRow(row, RowOutcome.UNCHANGED))
            else:
                plan.rows.append(PlannedRow(row, RowOutcome.CREATED, cleaned=payload if index == 0 else None))

    @staticmethod
    def _same(report: TestReport, payload: dict[str, Any]) -> bool:
        items = [{"parameter": i.parameter, "standard": i.standard, "result": i.result} for i in report.items.all()]
        return (
            report.signatory_id == getattr(payload["signatory"], "pk", None)
            and report.issue_date == payload["issue_date"]
            and report.conclusion == payload["conclusion"]
            and report.client_id == getattr(payload["client"], "pk", None)
            and report.product == payload["product"]
            and items == payload["items"]
        )
