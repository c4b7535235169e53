"""From raw rows to a plan: normalise each value (and say so), validate it with the registry's own rules,
compare it with what is registered, and decide per row: create, update, change status, unchanged, or
reject with row, field, value and reason (C2). Nothing here writes; exchange.actions applies a plan."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certhub.core import bulk
from certhub.core.errors import ValidationFailed
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind
from certhub.exchange.fields import COLUMNS, Column
from certhub.exchange.readers import RawRow
from certhub.registry.actions import (
    CERTIFICATE_CONTENT_FIELDS,
    CertificateContext,
    certificate_changes,
    clean_certificate_input,
    clean_history,
    identity_errors,
    transition_message,
)
from certhub.registry.choices import (
    CERTIFICATE_TRANSITIONS,
    PARTICULARS,
    CertificateStatus,
    ReportConclusion,
    SchemeKind,
)
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization, Signatory, TestReport
from certhub.registry.validation import clean_date, clean_uscc, compact_uscc

# What a plan compares of a registered certificate (rows, not model instances: see _existing).
EXISTING_JSON = ["products", "sites", "particulars"]
EXISTING_DATES = ["status_changed_on", "original_issue_date", "issue_date", "expiry_date", "last_surveillance_date"]
EXISTING_FIELDS = [
    "id",
    "number",
    "holder_id",
    "scheme_id",
    "status",
    "status_changed_on",
    "ccc_product_id",
    *(f for f in CERTIFICATE_CONTENT_FIELDS if f != "ccc_product"),
]
# (row, field, value, message, severity): one line of a submission's report.
Problem = tuple[int, str, str, str, str]

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
EXCEL_SERIAL = re.compile(r"^\d{5}(\.0+)?$")
CHINESE_DATE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
SPACES = re.compile(r"\s{2,}")
ISO_LIKE = re.compile(r"^\d{4}([-/])\d{2}\1\d{2}$")  # already a date format clean_date reads: no note
LIST_SEPARATOR = re.compile(r"\s*[;；\n]\s*")

# Status words a body may use: CertHub's names, the Chinese labels, IAF CertSearch's terms (domain-facts
# §2.2). IAF's Hidden is its Draft.
STATUS_WORDS = {
    **{s.value: s.value for s in CertificateStatus},
    **{str(s.label): s.value for s in CertificateStatus},
    "VALID": "ACTIVE",
    "过期": "EXPIRED",
    "失效": "EXPIRED",
    "CANCELED": "CANCELLED",
    "REVOKED": "WITHDRAWN",
    "HIDDEN": "DRAFT",
    "暂停使用": "SUSPENDED",
    "撤消": "WITHDRAWN",
}
UNSUPPORTED_STATUS = {"INACTIVE", "PENDING", "DELETED", "CB WITHDRAWN"}
TYPE_WORDS = {
    **{k.value: k.value for k in SchemeKind},
    **{str(k.label): k.value for k in SchemeKind},
    "PRODUCT CERTIFICATION": SchemeKind.PRODUCT,
    "MANAGEMENT SYSTEM": SchemeKind.MANAGEMENT_SYSTEM,
    "MANAGEMENT SYSTEM CERTIFICATION": SchemeKind.MANAGEMENT_SYSTEM,
    "SERVICE CERTIFICATION": SchemeKind.SERVICE,
    "体系认证": SchemeKind.MANAGEMENT_SYSTEM,
    "两型": SchemeKind.TWO_ORIENTED,
}
TYPE_WORDS = {key.upper(): value for key, value in TYPE_WORDS.items()}
# Registry field names back to the submission's column names, for reports.
FIELD_NAMES = {
    "holder_uscc": "entity_id",
    "products[0].name": "product_name",
    "products[0].model": "product_model",
    "products[0].trademark": "trademark",
    "products[0].gtin": "gtin",
    **{f"particulars.{key}": key for key in PARTICULARS},
}


def excel_serial(number: float) -> datetime.date | None:
    if 1 <= number < 2958466 and float(number).is_integer():
        return EXCEL_EPOCH + datetime.timedelta(days=int(number))
    return None


class Normaliser:
    """Turns a raw row's values into clean text and dates, noting each change it makes: full-width
    characters to half-width (NFKC), stray spaces, Excel date serials, Chinese-style dates."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = {c.key: c for c in columns}

    def __call__(self, raw: RawRow) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        row = raw.number
        for key, value in raw.values.items():
            column = self.columns.get(key)
            if column is None:  # JSON's `products` list: checked by the registry's rules
                values[key] = value
                continue
            if (
                column.kind != "date"
                and type(value) is str
                and value.isascii()
                and len(value) <= column.max_length
                and not value[:1].isspace()
                and not value[-1:].isspace()
                and "  " not in value
                and "\t" not in value
                and "\n" not in value
            ):
                values[key] = value  # already clean: nothing to normalise (the common case, kept cheap)
            elif column.kind == "date":
                values[key] = self._date(row, column, value, problems)
            elif column.kind == "list" and isinstance(value, list):
                values[key] = [self._text(row, column, item, problems) for item in value]
            else:
                values[key] = self._text(row, column, value, problems)
        return values, problems

    def _text(self, row: int, column: Column, value: Any, problems: list[Problem]) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an XLSX number cell holding a code: 6901234567892.0 → "6901234567892"
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()[:10]
        text = value if isinstance(value, str) else str(value)
        if text.isascii():
            cleaned = text
        else:
            cleaned = unicodedata.normalize("NFKC", text)
            if cleaned != text:
                problems.append((row, column.key, text[:200], _("全角字符已转为半角"), Severity.NOTE))
        stripped = cleaned.strip()
        if "  " in stripped or "\t" in stripped or "\n" in stripped or "\u3000" in stripped:
            stripped = SPACES.sub(" ", stripped)
        if stripped != cleaned:
            problems.append((row, column.key, cleaned[:200], _("已去除多余空格"), Severity.NOTE))
        if len(stripped) > column.max_length:
            problems.append(
                (
                    row,
                    column.key,
                    stripped[:200],
                    _("长度不得超过%(n)d个字符") % {"n": column.max_length},
                    Severity.ERROR,
                )
            )
        return stripped

    def _date(self, row: int, column: Column, value: Any, problems: list[Problem]) -> Any:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            day = excel_serial(value)
            if day is None:
                problems.append((row, column.key, str(value)[:200], _("不是有效的日期"), Severity.ERROR))
                return None
            problems.append(
                (row, column.key, str(value), _("Excel日期序列号已转换为%(d)s") % {"d": day}, Severity.NOTE)
            )
            return day
        text = self._text(row, column, value, problems)
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return text  # YYYY-MM-DD, the registry's own format: clean_date checks it
        if EXCEL_SERIAL.match(text):
            day = excel_serial(float(text))
            if day is not None:
                problems.append((row, column.key, text, _("Excel日期序列号已转换为%(d)s") % {"d": day}, Severity.NOTE))
                return day
        match = CHINESE_DATE.match(text)
        if match and not ISO_LIKE.match(text):
            try:
                day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return text
            problems.append((row, column.key, text, _("日期已规范为%(d)s") % {"d": day}, Severity.NOTE))
            return day
        return text


def prepare_row(
    normalise: Normaliser, raw: RawRow, rejected: dict[int, list[Problem]] | None
) -> tuple[dict[str, Any], list[Problem]]:
    """A raw row's normalised values, with the problems the reader and the file-wide checks found."""
    values, problems = normalise(raw)
    if raw.problem:
        problems.append((raw.number, raw.problem[0], raw.problem[1], raw.problem[2], Severity.ERROR))
    if rejected and raw.number in rejected:
        problems.extend(rejected[raw.number])
    return values, problems


def missing_required(row: int, values: dict[str, Any], required: list[Column]) -> list[Problem]:
    return [
        (row, c.key, "", _("必填（%(zh)s）") % {"zh": c.zh}, Severity.ERROR)
        for c in required
        if values.get(c.key) in (None, "")
    ]


@dataclass
class PlannedRow:
    """What one row will do. `certificate` is the registered one, if any; `cleaned` the validated contents."""

    number: int
    outcome: str
    cleaned: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    certificate: Any = None  # the registered certificate's compared fields (SimpleNamespace), if any
    changes: dict[str, Any] = field(default_factory=dict)
    status: tuple[str, datetime.date, str] | None = None  # (to_status, effective date, reason)


@dataclass
class ChunkPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def parse_status(word: Any) -> tuple[str | None, str | None]:
    """(status, None) or (None, the reason it is not one)."""
    text = str(word or "").strip()
    status = STATUS_WORDS.get(text.upper()) or STATUS_WORDS.get(text)
    if status:
        return status, None
    if text.upper() in UNSUPPORTED_STATUS:
        return None, _("状态“%(s)s”在本平台没有对应：草稿用DRAFT，暂停用SUSPENDED，终止用CANCELLED") % {"s": text[:45]}
    return None, _("未知状态“%(s)s”，应为%(all)s之一或其中文名称") % {
        "s": text[:45],
        "all": ", ".join(CertificateStatus.values),
    }


class CertificatePlanner:
    """Plans certificate rows (kind `certificates`) or status rows (kind `status`) of one body."""

    def __init__(self, body: CertificationBody, kind: str, submission_id: int | None = None) -> None:
        self.body = body
        self.kind = kind
        self.submission_id = submission_id
        self.context = CertificateContext()
        self.allowed = set(body.schemes.values_list("code", flat=True))
        self.scheme_names = {s.name: code for code, s in self.context.schemes.items()}
        self.scheme_names.update({s.name_en.upper(): code for code, s in self.context.schemes.items() if s.name_en})
        self.body_names = {body.name, body.approval_number, body.organization.uscc, body.organization.name}
        self.normalise = Normaliser(COLUMNS[kind])
        self.required = [c for c in COLUMNS[kind] if c.required]
        self.today = timezone.localdate()

    def plan(self, chunk: list[RawRow], rejected: dict[int, list[Problem]] | None = None) -> ChunkPlan:
        """Plan a chunk. `rejected` holds problems found before planning (duplicates in the file)."""
        plan = ChunkPlan()
        prepared = []
        for raw in chunk:
            values, problems = prepare_row(self.normalise, raw, rejected)
            prepared.append((raw.number, values, problems))
        numbers = [str(values.get("number") or "") for _n, values, _p in prepared]
        existing = self._existing(numbers)
        others = self._held_by_others([n for n in numbers if n and n not in existing])
        if self.kind == SubmissionKind.CERTIFICATES:
            self.context.prefetch((compact_uscc(v.get("entity_id")) for _n, v, _p in prepared), forget=True)
        for row, values, problems in prepared:
            planned = self._plan_row(row, values, problems, existing, others)
            plan.rows.append(planned)
            plan.problems.extend(problems)
        return plan

    def _existing(self, numbers: list[str]) -> dict[str, Any]:
        """The body's registered certificates with these numbers, as plain rows of the fields a plan
        compares (one SQL query per 900 numbers, no model instances: a file may bring a million);
        exchange.actions fetches the instances of the few that change."""
        wanted = sorted({n for n in numbers if n})
        found: dict[str, Any] = {}
        columns = ", ".join(f'"{name}"' for name in EXISTING_FIELDS)
        with connection.cursor() as cursor:
            for condition, params in bulk.matching("number", wanted):
                cursor.execute(
                    f"SELECT {columns} FROM registry_certificate "  # noqa: S608 - names are ours, values bound
                    f"WHERE certification_body_id = %s AND {condition}",
                    [self.body.pk, *params],
                )
                for values in cursor.fetchall():
                    row = SimpleNamespace(**dict(zip(EXISTING_FIELDS, values, strict=True)))
                    for name in EXISTING_JSON:
                        value = getattr(row, name)
                        setattr(row, name, orjson.loads(value) if isinstance(value, str | bytes) else value)
                    for name in EXISTING_DATES:
                        value = getattr(row, name)
                        if isinstance(value, str):
                            setattr(row, name, datetime.date.fromisoformat(value))
                    found[row.number] = row
        return found

    def _held_by_others(self, numbers: list[str]) -> dict[str, tuple[str, str]]:
        """number → (body name, holder's credit code) for numbers registered by other bodies."""
        found: dict[str, tuple[str, str]] = {}
        with connection.cursor() as cursor:
            for condition, params in bulk.matching("c.number", sorted(set(numbers))):
                cursor.execute(
                    "SELECT c.number, b.name, o.uscc FROM registry_certificate c "  # noqa: S608 - bound values
                    "JOIN registry_certificationbody b ON b.id = c.certification_body_id "
                    "JOIN registry_organization o ON o.id = c.holder_id "
                    f"WHERE c.certification_body_id <> %s AND {condition}",
                    [self.body.pk, *params],
                )
                found.update((number, (body, uscc)) for number, body, uscc in cursor.fetchall())
        return found

    def _reject(self, row: int, problems: list[Problem], key: str, value: Any, message: str) -> PlannedRow:
        problems.append((row, key, str(value or "")[:200], message, Severity.ERROR))
        return PlannedRow(row, RowOutcome.REJECTED)

    def _plan_row(
        self,
        row: int,
        values: dict[str, Any],
        problems: list[Problem],
        existing: dict[str, Certificate],
        others: dict[str, tuple[str, str]],
    ) -> PlannedRow:
        missing = missing_required(row, values, self.required)
        if missing:
            problems.extend(missing)
            return PlannedRow(row, RowOutcome.REJECTED)
        number = str(values.get("number") or "")
        named_body = str(values.get("certification_body") or "")
        if named_body and named_body not in self.body_names:
            return self._reject(
                row,
                problems,
                "certification_body",
                named_body,
                _("本行属于认证机构“%(b)s”，报送机构为“%(me)s”：只能报送本机构的证书")
                % {"b": named_body[:60], "me": self.body.name},
            )
        other = others.get(number)
        if other is not None and other[1] == clean_uscc(values.get("entity_id"))[0]:
            # The same number for the same holder at another body: that body's certificate, not ours.
            return self._reject(
                row,
                problems,
                "number",
                number,
                _("证书编号%(n)s（%(h)s）已由认证机构“%(b)s”登记：只能报送本机构的证书")
                % {"n": number, "h": other[1], "b": other[0]},
            )
        status_word = values.get("status")
        status, error = parse_status(status_word) if status_word else (None, None)
        if error:
            return self._reject(row, problems, "status", status_word, error)
        if any(p[4] == Severity.ERROR for p in problems):
            return PlannedRow(row, RowOutcome.REJECTED)
        certificate = existing.get(number)
        if self.kind == SubmissionKind.STATUS:
            if certificate is None:
                return self._reject(row, problems, "number", number, _("本机构没有编号为%(n)s的证书") % {"n": number})
            return self._plan_status(row, values, problems, certificate, status, PlannedRow(row, RowOutcome.UNCHANGED))
        data = self._registry_input(values, status)
        try:
            cleaned = clean_certificate_input(data, self.body, self.context, self.allowed)
        except ValidationFailed as failure:
            for key, messages in failure.errors.items():
                column = FIELD_NAMES.get(key, key)
                for message in messages if isinstance(messages, list) else [messages]:
                    problems.append((row, column, str(values.get(column, ""))[:200], message, Severity.ERROR))
            return PlannedRow(row, RowOutcome.REJECTED)
        type_word = str(values.get("certificate_type") or "").upper()
        if type_word:
            kind = TYPE_WORDS.get(type_word)
            if kind != cleaned["scheme"].kind:
                return self._reject(
                    row,
                    problems,
                    "certificate_type",
                    values.get("certificate_type"),
                    _("证书类型与认证制度“%(s)s”（%(k)s）不符")
                    % {"s": cleaned["scheme"].name, "k": SchemeKind(cleaned["scheme"].kind).label},
                )
        entity_name = str(values.get("entity_name") or "")
        if not entity_name:
            return self._reject(row, problems, "entity_name", "", _("必填"))
        if entity_name != cleaned["holder"].name:
            problems.append(
                (
                    row,
                    "entity_name",
                    entity_name[:200],
                    _("与登记库中的名称“%(n)s”不一致，按统一社会信用代码受理") % {"n": cleaned["holder"].name},
                    Severity.NOTE,
                )
            )
        if certificate is None:
            return self._plan_new(row, values, problems, cleaned, status)
        return self._plan_existing(row, values, problems, cleaned, certificate, status)

    def _registry_input(self, values: dict[str, Any], status: str | None) -> dict[str, Any]:
        scheme = str(values.get("scheme") or "")
        scheme = self.scheme_names.get(scheme) or self.scheme_names.get(scheme.upper()) or scheme
        product = {
            key: values.get(column) or ""
            for key, column in (
                ("name", "product_name"),
                ("model", "product_model"),
                ("trademark", "trademark"),
                ("gtin", "gtin"),
            )
        }
        products = [product] if any(product.values()) else values.get("products") or []
        sites = values.get("sites") or []
        if isinstance(sites, str):
            sites = [s for s in LIST_SEPARATOR.split(sites) if s]
        if isinstance(sites, list):
            sites = [{"address": s} if isinstance(s, str) else s for s in sites]
        return {
            "number": values.get("number"),
            "scheme": scheme,
            "holder_uscc": values.get("entity_id"),
            "scope": values.get("scope"),
            "standards": values.get("standards"),
            "issue_date": values.get("issue_date"),
            "expiry_date": values.get("expiry_date"),
            "original_issue_date": values.get("original_issue_date") or None,
            "last_surveillance_date": values.get("last_surveillance_date") or None,
            "ccc_product": values.get("ccc_product"),
            "products": products,
            "sites": sites,
            "particulars": {key: values[key] for key in PARTICULARS if values.get(key)},
            "status": CertificateStatus.DRAFT if status == CertificateStatus.DRAFT else CertificateStatus.ACTIVE,
        }

    def _status_date(self, row: int, values: dict[str, Any], problems: list[Problem]) -> datetime.date | None:
        raw = values.get("status_date")
        if not raw:
            problems.append(
                (row, "status_date", "", _("未填写，按今天（%(d)s）生效") % {"d": self.today}, Severity.NOTE)
            )
            return self.today
        day, error = clean_date(raw)
        if error:
            problems.append((row, "status_date", str(raw)[:200], error, Severity.ERROR))
            return None
        if day > self.today:
            problems.append((row, "status_date", str(raw), _("状态日期不得晚于今天"), Severity.ERROR))
            return None
        return day

    def _reason(self, row: int, values: dict[str, Any]) -> str:
        return str(values.get("status_reason") or "") or gettext_noop("认证机构报送（第%(s)s号报送第%(r)d行）") % {
            "s": self.submission_id or "-",
            "r": row,
        }

    def _plan_new(
        self, row: int, values: dict[str, Any], problems: list[Problem], cleaned: dict[str, Any], status: str | None
    ) -> PlannedRow:
        history: list[dict[str, Any]] = []
        if status and status not in (CertificateStatus.ACTIVE, CertificateStatus.DRAFT):
            day = self._status_date(row, values, problems)
            if day is None:
                return PlannedRow(row, RowOutcome.REJECTED)
            history, error = clean_history(
                [{"status": status, "date": day, "reason": self._reason(row, values)}],
                CertificateStatus(cleaned["status"]),
                cleaned["issue_date"],
            )
            if error:
                return self._reject(row, problems, "status", status, error)
        return PlannedRow(row, RowOutcome.CREATED, cleaned=cleaned, history=history)

    def _plan_existing(
        self,
        row: int,
        values: dict[str, Any],
        problems: list[Problem],
        cleaned: dict[str, Any],
        certificate: Certificate,
        status: str | None,
    ) -> PlannedRow:
        for key, message in identity_errors(certificate, cleaned).items():
            column = FIELD_NAMES.get(key, key)
            return self._reject(row, problems, column, values.get(column), message)
        if status == CertificateStatus.DRAFT and certificate.status != CertificateStatus.DRAFT:
            return self._reject(
                row, problems, "status", values.get("status"), transition_message(certificate.status, status)
            )
        changes = certificate_changes(certificate, cleaned)
        planned = PlannedRow(
            row,
            RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED,
            cleaned=cleaned,
            certificate=certificate,
            changes=changes,
        )
        return self._plan_status(row, values, problems, certificate, status, planned)

    def _plan_status(
        self,
        row: int,
        values: dict[str, Any],
        problems: list[Problem],
        certificate: Certificate,
        status: str | None,
        planned: PlannedRow,
    ) -> PlannedRow:
        if not status or status == certificate.status:
            return planned
        if status not in CERTIFICATE_TRANSITIONS[certificate.status]:
            return self._reject(
                row, problems, "status", values.get("status"), transition_message(certificate.status, status)
            )
        day = self._status_date(row, values, problems)
        if day is None:
            return PlannedRow(row, RowOutcome.REJECTED)
        if day < certificate.status_changed_on:
            return self._reject(
                row,
                problems,
                "status_date",
                day,
                _("生效日期不得早于上一次状态变更日期（%(d)s）") % {"d": certificate.status_changed_on},
            )
        planned.outcome = RowOutcome.UPDATED
        planned.certificate = certificate
        planned.status = (status, day, self._reason(row, values))
        return planned


# ---------------------------------------------------------------- labs' test reports

CONCLUSION_WORDS = {
    **{c.value: c.value for c in ReportConclusion},
    **{str(c.label): c.value for c in ReportConclusion},
    "符合": ReportConclusion.PASS,
    "不符合": ReportConclusion.FAIL,
    "QUALIFIED": ReportConclusion.PASS,
}
REPORT_HEAD = ["issue_date", "signatory", "conclusion", "client_uscc", "product"]


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
        numbers = [str(g[0][1].get("report_number") or "") for g in groups]
        existing = {
            r.number: r for r in TestReport.objects.filter(lab=self.lab, number__in=numbers).prefetch_related("items")
        }
        clients = {
            o.uscc: o
            for o in Organization.objects.filter(
                uscc__in=[clean_uscc(g[0][1].get("client_uscc"))[0] for g in groups if g[0][1].get("client_uscc")]
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
                            _("与本报告第%(r)d行的“%(f)s”不一致") % {"r": first_row, "f": key},
                            Severity.ERROR,
                        )
                    )
        number = str(head.get("report_number") or "")
        first_problems = group[0][2]
        issue_date, error = clean_date(head.get("issue_date"))
        if error and head.get("issue_date"):
            first_problems.append((first_row, "issue_date", str(head.get("issue_date"))[:200], error, Severity.ERROR))
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
                    _("“%(n)s”不是本机构的授权签字人") % {"n": name}
                    if not found
                    else _("本机构有多位授权签字人名为“%(n)s”") % {"n": name},
                    Severity.ERROR,
                )
            )
        elif found:
            signatory = found[0]
        client = None
        if head.get("client_uscc"):
            code, error = clean_uscc(head.get("client_uscc"))
            client = clients.get(code)
            if error or client is None:
                first_problems.append(
                    (
                        first_row,
                        "client_uscc",
                        code,
                        error or _("委托单位%(c)s未在登记库中") % {"c": code},
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
        has_errors = any(p[4] == Severity.ERROR for _r, _v, problems in group for p in problems)
        if not has_errors and registered is not None and not self._same(registered, payload):
            first_problems.append(
                (
                    first_row,
                    "report_number",
                    number,
                    _("报告%(n)s已登记且内容不同：报告不可修改，更正后的报告请使用新编号") % {"n": number},
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
