"""Planning a body's certificate rows (kind `certificates`) and status rows (kind `status`): validated with
the registry's own rules (registry.certificate_rules), compared with what is registered, and decided per
row: create, update, change status, unchanged or reject (C2)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certhub.core import bulk
from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import identifier_problem
from certhub.core.validation import DATE, compact_uscc, validate_value
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind
from certhub.exchange.fields import COLUMNS
from certhub.exchange.readers import RawRow
from certhub.exchange.rows.normaliser import (
    FIELD_NAMES,
    LIST_SEPARATOR,
    TYPE_WORDS,
    ChunkPlan,
    Normaliser,
    PlannedRow,
    Problem,
    missing_required,
    parse_status,
    prepare_row,
)
from certhub.registry.certificate_rules import (
    CERTIFICATE_CONTENT_FIELDS,
    CertificateBans,
    CertificateContext,
    body_change_problem,
    body_issuing_problem,
    certificate_changes,
    clean_certificate_input,
    clean_history,
    holder_issuing_problem,
    identity_errors,
    transition_message,
)
from certhub.registry.choices import CERTIFICATE_TRANSITIONS, PARTICULARS, CertificateStatus, SchemeKind
from certhub.registry.models import Certificate, CertificationBody

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
        # The bans new certificates meet (C9): read once for the whole file (certificate_rules.CertificateBans).
        self.bans = CertificateBans(body) if kind == SubmissionKind.CERTIFICATES else None
        if self.bans is not None:
            self.bans.preload()

    def plan(self, chunk: list[RawRow], rejected: dict[int, list[Problem]] | None = None) -> ChunkPlan:
        """Plan a chunk. `rejected` holds problems found before planning (duplicates in the file)."""
        plan = ChunkPlan()
        prepared = []
        for raw in chunk:
            values, problems = prepare_row(self.normalise, raw, rejected)
            prepared.append((raw.number, values, problems))
        # Only numbers in the identifier grammar are looked up (the others are refused by CertificateInput;
        # a NUL cannot even be sent to PostgreSQL).
        numbers = [n for _n, v, _p in prepared if (n := str(v.get("number") or "")) and not identifier_problem(n, 60)]
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
                _("本行属于认证机构“%(named_body)s”，报送机构为“%(me)s”：只能报送本机构的证书")
                % {"named_body": named_body[:60], "me": self.body.name},
            )
        other = others.get(number)
        if other is not None and other[1] == compact_uscc(values.get("entity_id")):
            # The same number for the same holder at another body: that body's certificate, not ours.
            return self._reject(
                row,
                problems,
                "number",
                number,
                _("证书编号%(number)s（%(holder)s）已由认证机构“%(body)s”登记：只能报送本机构的证书")
                % {"number": number, "holder": other[1], "body": other[0]},
            )
        status_word = values.get("status")
        status, error = parse_status(status_word) if status_word else (None, None)
        if error:
            return self._reject(row, problems, "status", status_word, error)
        if any(p[4] == Severity.ERROR for p in problems):
            return PlannedRow(row, RowOutcome.REJECTED)
        certificate = existing.get(number)
        ended = body_change_problem(self.body) if certificate is not None else None
        if ended:  # the registry's rule for a body whose approval ended (registry.certificate_rules)
            key = "status" if status else "certification_body"
            return self._reject(row, problems, key, values.get(key) or self.body.name, ended)
        if self.kind == SubmissionKind.STATUS:
            if certificate is None:
                return self._reject(
                    row, problems, "number", number, _("本机构没有编号为%(number)s的证书") % {"number": number}
                )
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
                    _("证书类型与认证制度“%(name)s”（%(label)s）不符")
                    % {"name": cleaned["scheme"].name, "label": SchemeKind(cleaned["scheme"].kind).label},
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
                    _("与登记库中的名称“%(name)s”不一致，按统一社会信用代码受理") % {"name": cleaned["holder"].name},
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
                (row, "status_date", "", _("未填写，按今天（%(today)s）生效") % {"today": self.today}, Severity.NOTE)
            )
            return self.today
        try:
            day = validate_value(DATE, raw, field="status_date")
        except ValidationFailed as failure:
            problems.append((row, "status_date", str(raw)[:200], failure.errors["status_date"][0], Severity.ERROR))
            return None
        if day > self.today:
            problems.append((row, "status_date", str(raw), _("状态日期不得晚于今天"), Severity.ERROR))
            return None
        return day

    def _reason(self, row: int, values: dict[str, Any]) -> str:
        return str(values.get("status_reason") or "") or gettext_noop(
            "认证机构报送（第%(submission)s号报送第%(row)d行）"
        ) % {
            "submission": self.submission_id or "-",
            "row": row,
        }

    def _plan_new(
        self, row: int, values: dict[str, Any], problems: list[Problem], cleaned: dict[str, Any], status: str | None
    ) -> PlannedRow:
        # The registry's issuing rules (registry.certificate_rules), as do_create_certificate applies them.
        problem = body_issuing_problem(self.body)
        if problem:
            return self._reject(
                row, problems, "certification_body", values.get("certification_body") or self.body.name, problem
            )
        if self.bans is not None:
            problem = self.bans.issuer_problem()
            if problem:
                return self._reject(
                    row, problems, "certification_body", values.get("certification_body") or self.body.name, problem
                )
        problem = holder_issuing_problem(cleaned["holder"]) or (
            self.bans.holder_problem(cleaned) if self.bans is not None else None
        )
        if problem:
            return self._reject(row, problems, "entity_id", values.get("entity_id"), problem)
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
                _("生效日期不得早于上一次状态变更日期（%(status_changed_on)s）")
                % {"status_changed_on": certificate.status_changed_on},
            )
        planned.outcome = RowOutcome.UPDATED
        planned.certificate = certificate
        planned.status = (status, day, self._reason(row, values))
        return planned
