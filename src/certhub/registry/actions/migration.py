"""The administrator's data migration of labs, scope rows, signatories and key people (C1, C8;
registry.lab_migration describes the file).

All or nothing: the whole file is one action and one transaction. Each row goes through the action licensing
uses for it — do_create_lab, do_add_lab_scope, do_authorize_signatory, do_start_affiliation — so the rules are
the same ones (docs/architecture.md convention 6), each row's decision is recorded with it, and every row
written has its audit row and ledger entry. A row that is refused is rolled back to its savepoint and the
next row is tried, so that every problem in the file is listed at once; one problem and the whole file is
rolled back (docs/architecture.md invariant 6). A dry run does everything and then rolls back."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import TypeAdapter

from certhub.core.actors import Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import USCC, OptionalDate, RequiredDate, normalize_text, validate_value
from certhub.registry.actions.labs import do_add_lab_scope, do_authorize_signatory, do_create_lab
from certhub.registry.actions.people import do_identify_person, do_start_affiliation
from certhub.registry.choices import PersonRole
from certhub.registry.lab_migration import (
    KEY_PEOPLE,
    LABS,
    SCOPE,
    SIGNATORIES,
    LabMigration,
    MigrationRefused,
    MigrationSummary,
    Problem,
    Row,
    Sheet,
)
from certhub.registry.models import Lab, LabScope, Organization, Person
from certhub.registry.queries.people import id_number_problem
from certhub.registry.standards import StandardCodeError, parse_standard_code

DATE: TypeAdapter[datetime.date] = TypeAdapter(RequiredDate)
OPTIONAL_DATE: TypeAdapter[datetime.date | None] = TypeAdapter(OptionalDate)
# Key people of a lab are its legal representative and technical manager (CMA change applications name
# these two); the file may name the role by its code or its Chinese name.
KEY_ROLES = {
    PersonRole.LEGAL_REPRESENTATIVE.value: PersonRole.LEGAL_REPRESENTATIVE,
    "法定代表人": PersonRole.LEGAL_REPRESENTATIVE,
    PersonRole.TECHNICAL_MANAGER.value: PersonRole.TECHNICAL_MANAGER,
    "技术负责人": PersonRole.TECHNICAL_MANAGER,
}
# The actions' argument names, as the file's columns.
LAB_FIELDS = {"cma_valid_from": "valid_from", "cma_valid_until": "valid_until", "organization": "uscc"}
SIGNATORY_FIELDS = {"scope": "parameter", "person": "name"}


class _DryRun(Exception):
    """Raised at the end of a dry run so that the action's transaction rolls back."""

    def __init__(self, summary: MigrationSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


def migrate_labs(
    *, migration: LabMigration, actor: Actor, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> MigrationSummary:
    """Run the migration (do_migrate_labs); on a dry run, what it would write, with nothing written.
    Raises MigrationRefused listing every problem."""
    try:
        return do_migrate_labs(migration=migration, dry_run=dry_run, progress=progress, actor=actor)
    except _DryRun as done:
        return done.summary


@action
def do_migrate_labs(
    *,
    migration: LabMigration,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: Actor,
) -> MigrationSummary:
    """Bring a migration file's labs, scope rows, signatories and key people into the registry, all or
    nothing (administrators only: it stands in for licensing, C1, C8)."""
    authorize(actor, Permission.MIGRATE_LAB_DATA)
    run = _Run(actor, progress or (lambda n: None))
    people_before = Person.objects.count()
    if not migration.rows:
        run.problems.append(Problem("", 0, "", _("文件没有数据行")))
    run.labs(migration.of(LABS))
    run.scope(migration.of(SCOPE))
    run.signatories(migration.of(SIGNATORIES))
    run.key_people(migration.of(KEY_PEOPLE))
    if run.problems:
        raise MigrationRefused(sorted(run.problems, key=lambda p: (_SHEET_ORDER.get(p.sheet, -1), p.row)))
    summary = run.summary
    summary.people_created = Person.objects.count() - people_before
    summary.dry_run = dry_run
    record_audit(
        actor,
        AuditEventType.LAB_DATA_MIGRATED,
        run.touched[0],
        before=None,
        after={
            "file": migration.name[:200],
            "sha256": migration.sha256,
            "labs": summary.labs,
            "scope": summary.scope,
            "signatories": summary.signatories,
            "key_people": summary.key_people,
            "people_created": summary.people_created,
        },
    )
    if dry_run:
        raise _DryRun(summary)
    return summary


_SHEET_ORDER = {"": -1, LABS.key: 0, SCOPE.key: 1, SIGNATORIES.key: 2, KEY_PEOPLE.key: 3}


def _authorize_signatory(
    *,
    lab: Lab,
    name: str,
    id_number: str,
    scope: list[LabScope],
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    decision: str,
    actor: Actor,
) -> Any:
    """One signatory row group: the person (found by name and ID-document number, or registered), then the
    authorization."""
    person = do_identify_person(name=name, id_number=id_number, role=PersonRole.SIGNATORY, actor=actor)
    return do_authorize_signatory(
        lab=lab,
        person=person,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        decision=decision,
        actor=actor,
    )


class _Run:
    """One migration's state: the labs found or created by CMA number, and every problem so far."""

    def __init__(self, actor: Actor, progress: Callable[[int], None]) -> None:
        self.actor = actor
        self.progress = progress
        self.problems: list[Problem] = []
        self.summary = MigrationSummary()
        self.labs_by_cma: dict[str, Lab] = {}
        self.lab_rows: dict[str, int] = {}  # CMA number → its row in the labs sheet
        self.touched: list[Lab] = []

    # ------------------------------------------------------------ shared steps

    def problem(self, sheet: Sheet, row: Row, field: str, reason: str) -> None:
        self.problems.append(Problem(sheet.key, row.number, field, reason))

    def attempt(
        self, sheet: Sheet, row: Row, fields: dict[str, str], call: Callable[..., Any], **arguments: Any
    ) -> Any:
        """Run one row's action in a savepoint; a refusal becomes the row's problems (its argument names
        read as the file's columns through `fields`) and changes nothing."""
        try:
            with transaction.atomic():
                return call(**arguments, actor=self.actor)
        except (ValidationFailed, Conflict) as error:
            named = error.errors or {"": [error.message]}
            for field, messages in named.items():
                for message in messages:
                    self.problem(sheet, row, fields.get(field, field), message)
            return None

    def values(self, sheet: Sheet, row: Row) -> dict[str, Any] | None:
        """The row's text cells normalized and its dates parsed; None (with its problems) if any is bad."""
        out: dict[str, Any] = {}
        bad = False
        for column in sheet.columns:
            raw = row.values.get(column.key, "")
            if column.key in ("valid_from", "valid_until", "start"):
                adapter: TypeAdapter[Any] = DATE if column.required else OPTIONAL_DATE
                try:
                    out[column.key] = validate_value(adapter, raw if raw is not None else "", field=column.key)
                except ValidationFailed as error:
                    self.problem(sheet, row, column.key, error.errors[column.key][0])
                    bad = True
            else:
                out[column.key] = normalize_text(raw if raw is not None else "")
                if column.required and not out[column.key]:
                    self.problem(sheet, row, column.key, _("必填"))
                    bad = True
        return None if bad else out

    def lab(self, sheet: Sheet, row: Row, cma_number: str) -> Lab | None:
        """The lab a row names by CMA number: created from this file, or registered before."""
        if not cma_number:
            return None
        lab = self.labs_by_cma.get(cma_number)
        if lab is not None:
            return lab
        if cma_number in self.lab_rows:
            self.problem(
                sheet,
                row,
                "cma_number",
                _("所属机构（机构表第%(row)d行）未能导入") % {"row": self.lab_rows[cma_number]},
            )
            return None
        lab = Lab.objects.select_related("organization").filter(cma_number=cma_number).first()
        if lab is None:
            self.problem(
                sheet,
                row,
                "cma_number",
                _("资质认定证书编号%(cma_number)s未登记，本文件的机构表也没有") % {"cma_number": cma_number},
            )
            return None
        self.labs_by_cma[cma_number] = lab
        self._touch(lab)
        return lab

    def _touch(self, lab: Lab) -> None:
        if lab not in self.touched:
            self.touched.append(lab)

    def standard(self, sheet: Sheet, row: Row, text: str) -> str | None:
        try:
            return parse_standard_code(text)[1]
        except StandardCodeError as error:
            self.problem(sheet, row, "standard", str(error))
            return None

    # ------------------------------------------------------------ the sheets

    def labs(self, rows: list[Row]) -> None:
        organizations_seen: dict[int, int] = {}
        for row in rows:
            self.progress(1)
            cma_number = normalize_text(row.values.get("cma_number", ""))
            if cma_number in self.lab_rows:
                self.problem(
                    LABS,
                    row,
                    "cma_number",
                    _("资质认定证书编号与第%(row)d行重复") % {"row": self.lab_rows[cma_number]},
                )
                continue
            if cma_number:
                self.lab_rows[cma_number] = row.number
            values = self.values(LABS, row)
            if values is None:
                continue
            try:
                uscc = validate_value(USCC, values["uscc"], field="uscc")
            except ValidationFailed as error:
                self.problem(LABS, row, "uscc", error.errors["uscc"][0])
                continue
            organization = Organization.objects.filter(uscc=uscc).first()
            if organization is None:
                self.problem(LABS, row, "uscc", _("没有统一社会信用代码为%(uscc)s的机构") % {"uscc": uscc})
                continue
            if organization.pk in organizations_seen:
                self.problem(
                    LABS, row, "uscc", _("该机构已在第%(row)d行登记") % {"row": organizations_seen[organization.pk]}
                )
                continue
            organizations_seen[organization.pk] = row.number
            existing = Lab.objects.filter(organization=organization).values_list("cma_number", flat=True).first()
            if existing is not None:
                self.problem(
                    LABS,
                    row,
                    "uscc",
                    _("该机构已登记为检验检测机构（资质认定证书编号%(cma_number)s）") % {"cma_number": existing},
                )
                continue
            lab = self.attempt(
                LABS,
                row,
                LAB_FIELDS,
                do_create_lab,
                organization=organization,
                name=values["name"],
                cma_number=cma_number,
                cma_valid_from=values["valid_from"],
                cma_valid_until=values["valid_until"],
                decision=values["decision"],
            )
            if lab is not None:
                self.labs_by_cma[lab.cma_number] = lab
                self._touch(lab)
                self.summary.labs += 1

    def scope(self, rows: list[Row]) -> None:
        for row in rows:
            self.progress(1)
            values = self.values(SCOPE, row)
            lab = self.lab(SCOPE, row, normalize_text(row.values.get("cma_number", "")))
            if values is None or lab is None:
                continue
            added = self.attempt(
                SCOPE,
                row,
                {},
                do_add_lab_scope,
                lab=lab,
                field=values["field"],
                object=values["object"],
                parameter=values["parameter"],
                standard=values["standard"],
                limits=values["limits"],
                valid_from=values["valid_from"],
                valid_until=values["valid_until"],
                decision=values["decision"],
            )
            if added is not None:
                self.summary.scope += 1

    def signatories(self, rows: list[Row]) -> None:
        """Rows of one person at one lab (same CMA number, name and ID-document number) are one signatory,
        authorized for the scope rows they list by parameter and standard; their dates and decision agree."""
        groups: dict[tuple[str, str, str], list[tuple[Row, dict[str, Any]]]] = {}
        for row in rows:
            self.progress(1)
            values = self.values(SIGNATORIES, row)
            if values is None:
                continue
            problem = id_number_problem(str(row.values.get("id_number") or ""))
            if problem:
                self.problem(SIGNATORIES, row, "id_number", problem)
                continue
            key = (values["cma_number"], values["name"], values["id_number"].upper())
            groups.setdefault(key, []).append((row, values))
        for (cma_number, name, id_number), members in groups.items():
            head, first = members[0]
            lab = self.lab(SIGNATORIES, head, cma_number)
            if lab is None:
                continue
            scope: list[LabScope] = []
            complete = True
            for row, values in members:
                for column in ("valid_from", "valid_until", "decision"):
                    if values[column] != first[column]:
                        self.problem(
                            SIGNATORIES,
                            row,
                            column,
                            _("同一签字人的各行须一致（与第%(row)d行不同）") % {"row": head.number},
                        )
                        complete = False
                standard = self.standard(SIGNATORIES, row, values["standard"])
                if standard is None:
                    complete = False
                    continue
                matching = list(LabScope.objects.filter(lab=lab, parameter=values["parameter"], standard=standard))
                if not matching:
                    self.problem(
                        SIGNATORIES,
                        row,
                        "parameter",
                        _("签字范围“%(parameter)s / %(standard)s”不在该机构的资质认定范围内")
                        % {"parameter": values["parameter"], "standard": standard},
                    )
                    complete = False
                scope += [s for s in matching if s not in scope]
            if not complete:
                continue

            authorized = self.attempt(
                SIGNATORIES,
                head,
                SIGNATORY_FIELDS,
                _authorize_signatory,
                lab=lab,
                name=name,
                id_number=id_number,
                scope=scope,
                valid_from=first["valid_from"],
                valid_until=first["valid_until"],
                decision=first["decision"],
            )
            if authorized is not None:
                self.summary.signatories += 1

    def key_people(self, rows: list[Row]) -> None:
        for row in rows:
            self.progress(1)
            values = self.values(KEY_PEOPLE, row)
            lab = self.lab(KEY_PEOPLE, row, normalize_text(row.values.get("cma_number", "")))
            if values is None or lab is None:
                continue
            role = KEY_ROLES.get(values["role"].upper()) or KEY_ROLES.get(values["role"])
            if role is None:
                self.problem(
                    KEY_PEOPLE,
                    row,
                    "role",
                    _("角色应为LEGAL_REPRESENTATIVE（法定代表人）或TECHNICAL_MANAGER（技术负责人）"),
                )
                continue
            started = self.attempt(
                KEY_PEOPLE,
                row,
                {},
                do_start_affiliation,
                organization=lab.organization,
                role=role,
                start=values["start"],
                name=values["name"],
                id_number=str(row.values.get("id_number") or ""),
                decision=values["decision"],
            )
            if started is not None:
                self.summary.key_people += 1
