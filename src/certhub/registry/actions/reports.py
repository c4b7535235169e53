"""Test report actions: a lab's reports, one or many, with their tested items."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import PlainValidator

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import audit_event, queue_ledger_events, record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.models import AuditEvent
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Identifier, Input, Text, collect, normalize_text
from certhub.registry import bans
from certhub.registry.choices import ReportConclusion
from certhub.registry.models import Lab, Organization, Signatory, TestReport, TestReportItem


def refuse_banned_lab(lab: Lab, *, enabled: bool | None = None) -> None:
    """ValidationFailed naming `lab` when the lab's organization is under permanent exit (C9): one query for
    a report or a whole batch. A batch checks unless the ban checks are off (registry.bans.checks_enabled)."""
    if not (bans.checks_enabled() if enabled is None else enabled):
        return
    ban = bans.organization_ban(lab.organization_id, bans.ISSUING_KINDS)
    if ban is not None:
        raise ValidationFailed({"lab": [bans.ban_refusal(ban)]})


class ReportNumber(Input):
    number: Annotated[str, Identifier(64)]


class ReportItemInput(Input):
    """One tested item; its result is kept as written (normalised), as it always was: never refused."""

    parameter: Annotated[str, Text(200)]
    standard: Annotated[str, Text(200)]
    result: Annotated[str, PlainValidator(normalize_text)] = ""


@action
def do_create_test_report(
    *,
    lab: Lab,
    number: str,
    signatory: Signatory,
    issue_date: datetime.date,
    conclusion: str,
    items: Sequence[dict[str, str]],
    client: Organization | None = None,
    product: str = "",
    actor: Actor,
) -> TestReport:
    """Register a test report's metadata (who signed, what was tested to which standard). A lab whose
    organization is under permanent exit issues no report (C9)."""
    authorize(actor, Permission.WRITE_TEST_REPORT, organization_id=lab.organization_id)
    refuse_banned_lab(lab, enabled=True)
    errors: dict[str, list[str]] = {}
    checked = collect(ReportNumber, {"number": number}, errors)
    if signatory.lab_id != lab.pk:
        errors["signatory"] = [_("签字人不是本机构的授权签字人")]
    if conclusion not in ReportConclusion.values:
        errors["conclusion"] = [_("结论应为%(values)s之一") % {"values": ", ".join(ReportConclusion.values)}]
    if not items:
        errors["items"] = [_("至少需要一个检测项目")]
    clean_items = []
    for index, item in enumerate(items):
        clean_item = collect(ReportItemInput, item, errors, prefix=f"items[{index}]")
        if clean_item is not None:
            clean_items.append(clean_item.model_dump())
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    number = checked.number
    if TestReport.objects.filter(lab=lab, number=number).exists():
        raise Conflict(_("该机构已有编号为%(number)s的报告") % {"number": number}, field="number")
    report = TestReport(
        lab=lab,
        number=number,
        signatory=signatory,
        issue_date=issue_date,
        client=client,
        product=product.strip()[:200],
        conclusion=conclusion,
    )
    report.save()
    TestReportItem.objects.bulk_create([TestReportItem(report=report, **item) for item in clean_items])
    record_audit(
        actor, AuditEventType.TEST_REPORT_CREATED, report, before=None, after={**snapshot(report), "items": clean_items}
    )
    return report


@action
def do_bulk_create_test_reports(*, lab: Lab, rows: Sequence[dict[str, Any]], actor: Actor) -> int:
    """Register many of `lab`'s test reports at once, all or nothing; one audit row each (as
    do_create_test_report). Rows: {"number", "signatory" (a Signatory of the lab), "issue_date",
    "conclusion", "items": [{"parameter", "standard", "result"}], "client" (Organization or None),
    "product"}. A failing row names its index. For the demo generator and bulk loads."""
    authorize(actor, Permission.WRITE_TEST_REPORT, organization_id=lab.organization_id)
    refuse_banned_lab(lab)
    errors: dict[str, str] = {}
    numbers = []
    for index, row in enumerate(rows):
        try:
            numbers.append(clean_identifier(row.get("number"), 64))
        except ValueError as problem:  # the identifier grammar (core/identifiers.py)
            errors[f"rows[{index}].number"] = str(problem)
            numbers.append("")
    taken = set(TestReport.objects.filter(lab=lab, number__in=numbers).values_list("number", flat=True))
    reports: list[TestReport] = []
    items: list[TestReportItem] = []
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        field = f"rows[{index}]"
        if not number:
            pass  # refused above, with the rule it broke
        elif number in taken or numbers.index(number) != index:
            errors[f"{field}.number"] = _("该机构已有编号为%(number)s的报告") % {"number": number}
        if row["signatory"].lab_id != lab.pk:
            errors[f"{field}.signatory"] = _("签字人不是本机构的授权签字人")
        if row.get("conclusion") not in ReportConclusion.values:
            errors[f"{field}.conclusion"] = _("结论应为%(values)s之一") % {"values": ", ".join(ReportConclusion.values)}
        if not row.get("items"):
            errors[f"{field}.items"] = _("至少需要一个检测项目")
        client = row.get("client")
        reports.append(
            TestReport(
                lab=lab,
                number=number,
                signatory=row["signatory"],
                issue_date=row["issue_date"],
                client=client,
                product=str(row.get("product", "")).strip()[:200],
                conclusion=str(row.get("conclusion")),
            )
        )
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(TestReport, reports)
    for report, row in zip(reports, rows, strict=True):
        items.extend(
            TestReportItem(
                report=report,
                parameter=i["parameter"][:200],
                standard=i["standard"][:200],
                result=str(i.get("result", ""))[:200],
            )
            for i in row["items"]
        )
    bulk.insert(TestReportItem, items)
    events = AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor,
                AuditEventType.TEST_REPORT_CREATED,
                report,
                before=None,
                after={**snapshot(report), "items": row["items"]},
            )
            for report, row in zip(reports, rows, strict=True)
        ],
        batch_size=2000,
    )
    queue_ledger_events(events, reports)
    return len(reports)
