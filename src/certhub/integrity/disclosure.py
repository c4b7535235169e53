"""The public disclosure lists (公示名单, C3, C9): suspended and revoked certification bodies and labs,
administrative penalties within their publicity period, institutions under a ban in force, and persons under
a lifetime ban — by name and decision only, nothing more (integrity/data/publicity.json persons_public_kinds).
Each row carries its decision and date. The same rows serve the portal page, the public API, the CSV and
XLSX downloads, the officers' export by region and the open-data dataset (docs/architecture.md convention 5)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.core.actors import Actor
from certhub.core.errors import NotPermitted
from certhub.core.permissions import Permission, is_permitted
from certhub.core.spreadsheets import CsvWriter, append_row
from certhub.integrity.choices import EntryKind
from certhub.integrity.models import CreditRepair
from certhub.integrity.publicity import rule, window
from certhub.licensing.choices import LicenceStatus
from certhub.licensing.models import Licence
from certhub.opendata.queries import Column, Dataset
from certhub.registry.choices import BanKind, BodyStatus
from certhub.registry.dates import add_months
from certhub.registry.models import Ban, CertificationBody, CertificationBodyStatusEvent, Lab, ban_in_force
from certhub.risk.models import Penalty

CATEGORIES: dict[str, Any] = {
    "BODY_SUSPENDED": gettext_lazy("认证机构暂停"),
    "BODY_REVOKED": gettext_lazy("认证机构撤销"),
    "LAB_SUSPENDED": gettext_lazy("检验检测机构资质暂停"),
    "LAB_REVOKED": gettext_lazy("检验检测机构资质撤销"),
    "PENALTY": gettext_lazy("行政处罚"),
    "INSTITUTION_BAN": gettext_lazy("机构限制措施"),
    "PERSON_BAN": gettext_lazy("人员终身禁入"),
}
# The columns of every download, with their English snake_case names (the API's field names).
COLUMNS = (
    ("category", gettext_lazy("类别代码")),
    ("category_label", gettext_lazy("类别")),
    ("name", gettext_lazy("名称或姓名")),
    ("uscc", gettext_lazy("统一社会信用代码")),
    ("decision_number", gettext_lazy("决定文号")),
    ("decided_on", gettext_lazy("决定日期")),
    ("authority", gettext_lazy("决定机关")),
    ("until", gettext_lazy("公示或限制截止（空为长期）")),
    ("detail", gettext_lazy("事由")),
    ("region_code", gettext_lazy("地区代码")),
)


def _row(category: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(name for name, _label in COLUMNS)
    row.update(values, category=category, category_label=str(CATEGORIES[category]))
    for key in ("decided_on", "until"):
        day = row[key]
        if isinstance(day, datetime.date):
            row[key] = day.isoformat()
    return row


def _bodies() -> Iterator[dict[str, Any]]:
    latest = CertificationBodyStatusEvent.objects.order_by("-effective_date", "-recorded_at", "-id")
    bodies = (
        CertificationBody.objects.filter(status__in=(BodyStatus.SUSPENDED, BodyStatus.REVOKED))
        .select_related("organization")
        .prefetch_related(Prefetch("status_events", queryset=latest, to_attr="latest_events"))
    )
    for body in bodies:
        event = next((e for e in body.latest_events if e.to_status == body.status), None)
        yield _row(
            "BODY_SUSPENDED" if body.status == BodyStatus.SUSPENDED else "BODY_REVOKED",
            name=body.name,
            uscc=body.organization.uscc,
            decision_number=event.decision if event else "",
            decided_on=event.effective_date if event else None,
            authority=str(_("国家认证认可监督管理委员会")),
            detail=event.reason if event else "",
            region_code=body.organization.region_id,
        )


def _labs() -> Iterator[dict[str, Any]]:
    licences = {
        licence.lab_id: licence
        for licence in Licence.objects.filter(
            lab__isnull=False, status__in=(LicenceStatus.SUSPENDED, LicenceStatus.REVOKED)
        ).order_by("status_changed_on", "id")
    }
    for lab in Lab.objects.filter(status__in=(BodyStatus.SUSPENDED, BodyStatus.REVOKED)).select_related("organization"):
        licence = licences.get(lab.pk)
        yield _row(
            "LAB_SUSPENDED" if lab.status == BodyStatus.SUSPENDED else "LAB_REVOKED",
            name=lab.name,
            uscc=lab.organization.uscc,
            decision_number=licence.decision_number if licence else lab.decision,
            decided_on=licence.status_changed_on if licence else None,
            authority="",
            detail=licence.status_reason if licence else "",
            region_code=lab.organization.region_id,
        )


def _penalties(day: datetime.date) -> Iterator[dict[str, Any]]:
    earliest = add_months(day, -int(rule(EntryKind.PENALTY)["public_for_months"]))
    repaired = dict(
        CreditRepair.objects.filter(entry_kind=EntryKind.PENALTY).values_list("source", "ends_publicity_on")
    )
    for penalty in Penalty.objects.filter(decided_on__gt=earliest, decided_on__lte=day).select_related("organization"):
        _public_from, public_until = window(EntryKind.PENALTY, penalty.decided_on)
        repair_day = repaired.get(f"risk.Penalty:{penalty.pk}")
        if repair_day is not None and public_until is not None:
            public_until = min(public_until, repair_day)
        if public_until is not None and day >= public_until:
            continue
        yield _row(
            "PENALTY",
            name=penalty.organization.name,
            uscc=penalty.organization.uscc,
            decision_number=penalty.decision_number,
            decided_on=penalty.decided_on,
            authority=penalty.authority,
            until=public_until,
            detail=penalty.reason,
            region_code=penalty.organization.region_id,
        )


def _bans(day: datetime.date) -> Iterator[dict[str, Any]]:
    for ban in Ban.objects.filter(ban_in_force(day)).select_related("organization", "person").order_by("-starts", "id"):
        if ban.organization_id is not None:
            yield _row(
                "INSTITUTION_BAN",
                name=ban.organization.name,
                uscc=ban.organization.uscc,
                decision_number=ban.decision_number,
                decided_on=ban.decided_on,
                authority=ban.authority,
                until=ban.ends,
                detail=str(BanKind(ban.kind).label),
                region_code=ban.organization.region_id,
            )
        elif ban.kind == BanKind.LIFETIME_BAN:
            # A person by name and decision only: no identity number, no employer, no reason (PIPL 第十三条).
            yield _row(
                "PERSON_BAN",
                name=ban.person.name,
                decision_number=ban.decision_number,
                decided_on=ban.decided_on,
                authority=ban.authority,
                detail=str(BanKind(ban.kind).label),
                region_code=ban.region_code,
            )


def disclosure_rows(
    day: datetime.date, *, search: str = "", category: str = "", region_prefix: str = ""
) -> list[dict[str, Any]]:
    """Every row public on `day`, newest decision first, narrowed by a search text (name, credit code or
    decision number), a category and a region code prefix."""
    rows = [*_bodies(), *_labs(), *_penalties(day), *_bans(day)]
    text = search.strip().lower()
    if text:
        rows = [
            row
            for row in rows
            if text in (row["name"] or "").lower()
            or text in (row["uscc"] or "").lower()
            or text in (row["decision_number"] or "").lower()
        ]
    if category:
        rows = [row for row in rows if row["category"] == category]
    if region_prefix:
        rows = [row for row in rows if (row["region_code"] or "").startswith(region_prefix)]
    rows.sort(key=lambda row: (row["decided_on"] or "", row["name"] or ""), reverse=True)
    return rows


def check_export_region(actor: Actor, region_code: str) -> str:
    """The region prefix an officer's export covers: their own region when none is asked, or a region
    within it. A region outside their scope is refused (403, nothing produced)."""
    if not is_permitted(actor, Permission.EXPORT_DISCLOSURE):
        raise NotPermitted(_("仅监管人员可导出公示名单"))
    if not region_code:
        return actor.region_prefix or ""
    code = region_code.strip()
    if not is_permitted(actor, Permission.EXPORT_DISCLOSURE, region_code=code):
        raise NotPermitted(_("地区%(region)s不在您的辖区内，不能导出其公示名单") % {"region": code})
    prefix = code.rstrip("0")
    # GB/T 2260 codes: a province ends 0000, a prefecture 00; keep the prefix at a level boundary.
    if code.endswith("0000"):
        prefix = code[:2]
    elif code.endswith("00"):
        prefix = code[:4]
    else:
        prefix = code
    return prefix


def header() -> list[str]:
    return [name for name, _label in COLUMNS]


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The rows as UTF-8 CSV with a byte-order mark (spreadsheet programs then read the Chinese right)."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(header())
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in header()])
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    import openpyxl  # lazy: a heavy library only XLSX downloads need
    from openpyxl.writer.excel import save_workbook

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("公示名单")))
    append_row(sheet, [str(label) for _name, label in COLUMNS])
    for row in rows:
        append_row(sheet, ["" if row[name] is None else row[name] for name in header()])
    out = io.BytesIO()
    save_workbook(workbook, out)  # openpyxl's writer (not a model save)
    return out.getvalue()


def open_data_records(as_of: datetime.date) -> Iterator[dict[str, Any]]:
    """The disclosure list as the open-data export writes it (opendata.queries.register_dataset)."""
    yield from disclosure_rows(as_of)


def _column(name: str, label: Any) -> Column:
    return Column(name, label, lambda record: record[name])


OPEN_DATA = Dataset(
    "disclosure",
    gettext_lazy("公示名单：暂停和撤销的机构、公示期内的行政处罚、限制措施"),
    tuple(_column(name, label) for name, label in COLUMNS),
    open_data_records,
    lambda: len(disclosure_rows(timezone.localdate())),
)
