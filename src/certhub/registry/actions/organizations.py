"""Organization actions (C1): registering organizations by credit code, one or many; the officer's
correction of one record; market registration's bulk file, set-based and idempotent by credit code
(do_import_organizations); a changed name kept as a former name (曾用名); the enterprise's own contact
details and declared products (the CCC coverage denominator, C6)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Annotated, Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import PlainValidator, ValidationInfo

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import (
    SALT_BYTES,
    LedgerItem,
    audit_event,
    queue_for_ledger,
    queue_ledger_events,
    record_audit,
    snapshot,
    to_json_value,
)
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent, Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.validation import Input, Text, Uscc, invalid, validate
from certhub.registry.certificate_writer import store_public_record
from certhub.registry.choices import INDUSTRY_DIVISIONS, INDUSTRY_SECTIONS, ProductSource, RegistrationStatus
from certhub.registry.models import CccProduct, Certificate, ManufacturedProduct, Organization, OrganizationName


def _region(value: Any, info: ValidationInfo) -> Region:
    """The region by its code: from the batch's table (context "regions") or, for one organization, read."""
    code = str(value or "").strip()
    regions = info.context.get("regions") if info.context else None
    region = (regions or {}).get(code) if regions is not None else Region.objects.filter(code=code).first()
    if region is None:
        invalid(_("未知的行政区划代码“%(code)s”") % {"code": code[:12]} if code else _("必填"))
    return region


def _industry_section(value: Any) -> str:
    section = str(value or "").strip().upper()
    if section and section not in INDUSTRY_SECTIONS:
        invalid(_("GB/T 4754 门类应为A–T之一"))
    return section


def _industry_division(value: Any, info: ValidationInfo) -> str:
    """Two digits, of the section given (when that one is valid)."""
    division = str(value or "").strip()
    section = info.data.get("industry_section", "")
    if division:
        if not (division.isdigit() and len(division) == 2):
            invalid(_("GB/T 4754 大类应为两位数字"))
        if section in INDUSTRY_DIVISIONS and int(division) not in INDUSTRY_DIVISIONS[section]:
            invalid(_("大类%(division)s不属于门类%(section)s") % {"division": division, "section": section})
    return division


# Registration status as market registration writes it (登记状态): CertHub's codes or the Chinese words, with
# the variants registration extracts use (在业 and 开业 are 存续; 吊销，未注销 is 吊销).
REGISTRATION_STATUS_WORDS = {
    **{s.value: s.value for s in RegistrationStatus},
    **{str(s.label): s.value for s in RegistrationStatus},
    "在业": RegistrationStatus.IN_BUSINESS.value,
    "开业": RegistrationStatus.IN_BUSINESS.value,
    "存续（在营、开业、在册）": RegistrationStatus.IN_BUSINESS.value,
    "吊销，未注销": RegistrationStatus.LICENCE_REVOKED.value,
    "吊销未注销": RegistrationStatus.LICENCE_REVOKED.value,
}


def _registration_status(value: Any) -> str:
    """存续/吊销/注销 or IN_BUSINESS/LICENCE_REVOKED/DEREGISTERED (any case); empty is 存续."""
    text = str(value or "").strip()
    if not text:
        return RegistrationStatus.IN_BUSINESS.value
    status = REGISTRATION_STATUS_WORDS.get(text.upper()) or REGISTRATION_STATUS_WORDS.get(text)
    if status is None:
        invalid(
            _("未知的登记状态“%(status)s”，应为存续、吊销、注销或IN_BUSINESS、LICENCE_REVOKED、DEREGISTERED")
            % {"status": text[:40]}
        )
    return status


FLAG_WORDS = {
    "": False, "0": False, "FALSE": False, "NO": False, "N": False, "否": False,
    "1": True, "TRUE": True, "YES": True, "Y": True, "是": True,
}  # fmt: skip


def _flag(value: Any) -> bool:
    """A yes/no cell: a boolean, 1/0, true/false, yes/no, Y/N or 是/否 (a text is never just "truthy")."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().upper()
    if text not in FLAG_WORDS:
        invalid(_("应为是或否（1/0、true/false、Y/N）"))
    return FLAG_WORDS[text]


# An alias, not inline: django-stubs reads Annotated[<Model>, …] inline as its WithAnnotations form.
RegionField = Annotated[Region, PlainValidator(_region)]


class OrganizationInput(Input):
    """One organization's fields. The region is read as `region` or `region_code`; validate with the
    context {"regions": {code: Region}} for a batch (else each region is read)."""

    uscc: Uscc
    name: Annotated[str, Text(200)]
    region: RegionField
    address: Annotated[str, Text(300, required=False)] = ""
    industry_section: Annotated[str, PlainValidator(_industry_section)] = ""
    industry_division: Annotated[str, PlainValidator(_industry_division)] = ""
    above_designated_size: Annotated[bool, PlainValidator(_flag)] = False
    registration_status: Annotated[str, PlainValidator(_registration_status)] = RegistrationStatus.IN_BUSINESS.value


# The fields market registration's file and the officer's form set; the contact details are the enterprise's.
REGISTERED_FIELDS = [
    "uscc",
    "name",
    "region_id",
    "address",
    "industry_section",
    "industry_division",
    "above_designated_size",
    "registration_status",
]


def clean_organization_input(data: dict[str, Any], regions: dict[str, Region] | None = None) -> dict[str, Any]:
    """Validate one organization's fields (OrganizationInput); raise ValidationFailed naming every bad field."""
    values = {**data, "region": data.get("region") or data.get("region_code")}
    return validate(OrganizationInput, values, context={"regions": regions}).model_dump()


@action
def do_create_organization(*, data: dict[str, Any], actor: Actor) -> Organization:
    """Register an organization by its credit code."""
    cleaned = clean_organization_input(data)
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=cleaned["region"].code)
    if Organization.objects.filter(uscc=cleaned["uscc"]).exists():
        raise Conflict(_("统一社会信用代码%(uscc)s已登记") % {"uscc": cleaned["uscc"]}, field="uscc")
    organization = Organization(**cleaned)
    organization.save()
    record_audit(actor, AuditEventType.ORGANIZATION_CREATED, organization, before=None, after=snapshot(organization))
    return organization


@action
def do_update_organization(*, organization: Organization, data: dict[str, Any], actor: Actor) -> Organization:
    """Change an organization's registered details (the credit code itself never changes)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    cleaned = clean_organization_input({**data, "uscc": organization.uscc})
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=cleaned["region"].code)
    before = snapshot(organization)
    for name, value in cleaned.items():
        setattr(organization, name, value)
    after = snapshot(organization)
    if before == after:
        return organization  # nothing changed: no write, no audit row
    organization.updated_at = timezone.now()
    organization.save()
    today = timezone.localdate()
    if before["name"] != organization.name:
        _keep_former_names([(organization.pk, before["name"])], today)
    _keep_holders_in_step([organization])
    record_audit(actor, AuditEventType.ORGANIZATION_UPDATED, organization, before=before, after=snapshot(organization))
    return organization


@action_step
def _keep_former_names(renamed: Sequence[tuple[int, str]], today: datetime.date) -> None:
    """Keep each (organization id, old name) as a former name used until `today`, from the day the name
    before it ended (unknown for the first name: CertHub did not see it begin)."""
    if not renamed:
        return
    started: dict[int, datetime.date] = {}
    for organization_id, until in OrganizationName.objects.filter(
        organization_id__in=[pk for pk, _old in renamed]
    ).values_list("organization_id", "used_until"):
        started[organization_id] = max(until, started.get(organization_id, until))
    bulk.insert(
        OrganizationName,
        [
            OrganizationName(organization_id=pk, name=old, used_from=started.get(pk), used_until=today)
            for pk, old in renamed
        ],
    )


@action_step
def _keep_holders_in_step(organizations: Sequence[Organization | SimpleNamespace]) -> None:
    """Certificates carry their holder's name and region (search and scope), declared and reported products
    its region (coverage per county): keep them in step with the organizations just changed. Organizations
    without certificates (nearly all of a registration file) cost one query per batch."""
    by_id = {o.id: o for o in organizations}
    holders = set(Certificate.objects.filter(holder_id__in=list(by_id)).values_list("holder_id", flat=True).distinct())
    for holder_id in sorted(holders):
        organization = by_id[holder_id]
        changed = Certificate.objects.filter(holder_id=holder_id).exclude(
            region_code=organization.region_id, holder_name=organization.name
        )
        if not changed.exists():
            continue
        Certificate.objects.filter(holder_id=holder_id).update(
            region_code=organization.region_id, holder_name=organization.name
        )
        for certificate in Certificate.objects.filter(holder_id=holder_id).select_related(
            "scheme", "certification_body", "holder__region", "ccc_product"
        ):
            store_public_record(certificate)
    made = ManufacturedProduct.objects.filter(organization_id__in=list(by_id)).values_list(
        "organization_id", "region_code"
    )
    for organization_id in sorted({pk for pk, region in made if region != by_id[pk].region_id}):
        ManufacturedProduct.objects.filter(organization_id=organization_id).update(
            region_code=by_id[organization_id].region_id
        )


@action
def do_bulk_create_organizations(*, rows: Sequence[dict[str, Any]], actor: Actor) -> list[Organization]:
    """Register many organizations at once, all or nothing; one audit row each. For the demo
    generator and bulk loads: a failing row names its index."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    regions = {r.code: r for r in Region.objects.all()}
    organizations = []
    for index, row in enumerate(rows):
        try:
            cleaned = clean_organization_input(row, regions)
        except ValidationFailed as failure:
            raise ValidationFailed({f"rows[{index}].{k}": v for k, v in failure.errors.items()}) from None
        authorize(actor, Permission.MANAGE_REGISTRY, region_code=cleaned["region"].code)
        organizations.append(Organization(**cleaned))
    try:
        Organization.objects.bulk_create(organizations, batch_size=2000)
    except IntegrityError as error:
        raise Conflict(_("批量登记中有重复的统一社会信用代码"), field="uscc") from error
    if organizations[:1] and organizations[0].pk is None:  # backends without RETURNING (none today)
        by_code = dict(Organization.objects.filter(uscc__in=[o.uscc for o in organizations]).values_list("uscc", "id"))
        for organization in organizations:
            organization.pk = by_code[organization.uscc]
    events = AuditEvent.objects.bulk_create(
        [
            audit_event(actor, AuditEventType.ORGANIZATION_CREATED, o, before=None, after=snapshot(o))
            for o in organizations
        ],
        batch_size=2000,
    )
    queue_ledger_events(events, organizations)
    return organizations


# ---------------------------------------------------------------- market registration's bulk file


@dataclass
class ImportOutcome:
    """What do_import_organizations did with each credit code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


_READ = ["id", *REGISTERED_FIELDS, "contact_email", "contact_phone", "created_at", "updated_at"]
_SELECT_REGISTERED = ", ".join(_READ)


def registered_states(codes: list[str]) -> dict[str, SimpleNamespace]:
    """The organizations registered under these credit codes, as plain rows (no model instances)."""
    found: dict[str, SimpleNamespace] = {}
    names = _READ
    with connection.cursor() as cursor:
        for condition, parameters in bulk.matching("uscc", codes):
            cursor.execute(f"SELECT {_SELECT_REGISTERED} FROM registry_organization WHERE {condition}", parameters)  # noqa: S608
            for row in cursor.fetchall():
                item = SimpleNamespace(**dict(zip(names, row, strict=True)))
                item.above_designated_size = bool(item.above_designated_size)
                found[item.uscc] = item
    return found


def _state(row: SimpleNamespace, names: list[str]) -> dict[str, Any]:
    """An organization's audited state, as core.audit.snapshot takes it (JSON values): its values are text,
    booleans and ids but for the two timestamps."""
    state = {name: getattr(row, name) for name in names}
    state["created_at"] = to_json_value(state["created_at"])
    state["updated_at"] = to_json_value(state["updated_at"])
    return state


@action
def do_import_organizations(*, rows: Sequence[dict[str, Any]], actor: Actor) -> ImportOutcome:
    """Register or correct organizations from market registration's data, idempotent by credit code:
    a code not registered is created, one registered with other values is updated (its old name kept as a
    former name), one registered with the same values is left alone. `rows` are cleaned by
    clean_organization_input (each once: the caller refuses repeated codes). Set-based: one lookup, COPY of
    the new rows, one UPDATE for the changed ones; an audit row and its ledger entry per created or changed
    organization; contact details (the enterprise's own) are never touched."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    now = timezone.now()
    today = timezone.localdate()
    codes = []
    for row in rows:
        authorize(actor, Permission.MANAGE_REGISTRY, region_code=row["region"].code)
        codes.append(row["uscc"])
    if len(set(codes)) != len(codes):
        raise Conflict(_("批量登记中有重复的统一社会信用代码"), field="uscc")
    registered = registered_states(codes)
    org_table = bulk.table(Organization)
    attnames = org_table.names
    outcome = ImportOutcome()
    new_rows: list[SimpleNamespace] = []
    changed: list[tuple[SimpleNamespace, dict[str, Any]]] = []
    for row in rows:
        values = {
            "uscc": row["uscc"],
            "name": row["name"],
            "region_id": row["region"].code,
            "address": row["address"],
            "industry_section": row["industry_section"],
            "industry_division": row["industry_division"],
            "above_designated_size": row["above_designated_size"],
            "registration_status": row["registration_status"],
        }
        old = registered.get(row["uscc"])
        if old is None:
            new_rows.append(SimpleNamespace(id=None, **values, contact_email="", contact_phone="",
                                            created_at=now, updated_at=now))  # fmt: skip
            outcome.created.append(row["uscc"])
        elif any(getattr(old, name) != value for name, value in values.items()):
            changed.append((old, values))
            outcome.updated.append(row["uscc"])
        else:
            outcome.unchanged.append(row["uscc"])
    audits: list[tuple[SimpleNamespace, str, dict[str, Any] | None, dict[str, Any]]] = []
    if new_rows:
        for item, pk in zip(new_rows, bulk.allocate_ids(Organization, len(new_rows)), strict=True):
            item.id = pk
        bulk.insert_rows(Organization, [org_table.values_of(item) for item in new_rows])
        audits += [(item, AuditEventType.ORGANIZATION_CREATED, None, _state(item, attnames)) for item in new_rows]
    if changed:
        updated = []
        for old, values in changed:
            before = _state(old, attnames)
            new = SimpleNamespace(**{**vars(old), **values, "updated_at": now})
            after = _state(new, attnames)
            updated.append(new)
            audits.append((new, AuditEventType.ORGANIZATION_UPDATED, before, after))
        _update_registered(updated)
        _keep_former_names([(old.id, old.name) for old, values in changed if old.name != values["name"]], today)
        _keep_holders_in_step(
            [new for (old, values), new in zip(changed, updated, strict=True)
             if old.name != values["name"] or old.region_id != values["region_id"]]
        )  # fmt: skip
    _write_audits(audits, actor, now)
    return outcome


def _update_registered(rows: list[SimpleNamespace]) -> None:
    """One UPDATE for many organizations (PostgreSQL: from unnested arrays; SQLite: executemany)."""
    columns = [name for name in REGISTERED_FIELDS if name != "uscc"] + ["updated_at"]
    if connection.vendor == "postgresql":
        types = {"above_designated_size": "boolean", "updated_at": "timestamptz"}
        unnest = ", ".join(f"unnest(%s::{types.get(c, 'text')}[]) AS {c}" for c in ["id", *columns]).replace(
            "unnest(%s::text[]) AS id", "unnest(%s::bigint[]) AS id"
        )
        assignments = ", ".join(f"{c} = v.{c}" for c in columns)
        parameters = [[r.id for r in rows]] + [[getattr(r, c) for r in rows] for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE registry_organization o SET {assignments} FROM (SELECT {unnest}) v WHERE o.id = v.id",  # noqa: S608
                parameters,
            )
        return
    assignments = ", ".join(f"{c} = %s" for c in columns)
    table = bulk.table(Organization)
    adapt = dict(table.adapted)
    updated_at = table.index("updated_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE registry_organization SET {assignments} WHERE id = %s",  # noqa: S608
            [
                [*(getattr(r, c) for c in columns[:-1]), adapt[updated_at](r.updated_at) if updated_at in adapt
                 else r.updated_at, r.id]
                for r in rows
            ],
        )  # fmt: skip


def _digest(salt: bytes, state: dict[str, Any] | None) -> str | None:
    """core.audit.salted_digest of an organization's state. The state is plain JSON (text, booleans, null,
    small integers, ASCII keys), for which orjson with sorted keys writes the RFC 8785 bytes
    (core.canonical): the per-value walk that establishes it is skipped, a million times."""
    if state is None:
        return None
    return base64.b64encode(hashlib.sha256(salt + orjson.dumps(state, option=orjson.OPT_SORT_KEYS)).digest()).decode()


@action_step
def _write_audits(
    audits: list[tuple[SimpleNamespace, str, dict[str, Any] | None, dict[str, Any]]],
    actor: Actor,
    now: datetime.datetime,
) -> None:
    """The audit rows of a bulk import, by COPY, each queued for its ledger entry (digests of the states as
    stored)."""
    if not audits:
        return
    audit_table = bulk.table(AuditEvent)
    ids = bulk.allocate_ids(AuditEvent, len(audits))
    salts = os.urandom(SALT_BYTES * len(audits))
    label = Organization._meta.label_lower
    rows, items = [], []
    for index, ((subject, event_type, before, after), pk) in enumerate(zip(audits, ids, strict=True)):
        event = SimpleNamespace(
            id=pk,
            time=now,
            event_type=str(event_type),
            actor_id=actor.user_id,
            actor_label=actor.label,
            actor_role=actor.role,
            subject_type=label,
            subject_id=str(subject.id),
            before=before,
            after=after,
            reason="",
        )
        rows.append(audit_table.values_of(event))
        salt = salts[index * SALT_BYTES : (index + 1) * SALT_BYTES]
        items.append(
            LedgerItem(
                pk,
                str(event_type),
                label,
                str(subject.id),
                actor.role,
                salt,
                _digest(salt, before),
                _digest(salt, after),
                subject.uscc,
            )
        )
    bulk.insert_rows(AuditEvent, rows)
    queue_for_ledger(items)


# ---------------------------------------------------------------- the enterprise's own details

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,30}$")


def _email(value: Any) -> str:
    text = str(value or "").strip()
    if text:
        try:
            validate_email(text)
        except DjangoValidationError:
            invalid(_("电子邮箱格式不正确"))
    if len(text) > 254:
        invalid(_("长度不得超过%(max_length)d个字符") % {"max_length": 254})
    return text


def _phone(value: Any) -> str:
    text = str(value or "").strip()
    if text and not PHONE.match(text):
        invalid(_("电话号码只能含数字、空格、连字符和开头的+，6至32位"))
    return text


class ContactInput(Input):
    """The contact an enterprise keeps for itself (never public): where sign-up codes are sent."""

    contact_email: Annotated[str, PlainValidator(_email)] = ""
    contact_phone: Annotated[str, PlainValidator(_phone)] = ""


@action
def do_update_organization_contact(*, organization: Organization, data: dict[str, Any], actor: Actor) -> Organization:
    """The enterprise changes its own registered contact (C8: the code confirming an account's link goes
    there). Audited; the ledger entry carries digests only, never the address itself."""
    authorize(actor, Permission.KEEP_OWN_ORGANIZATION, organization_id=organization.pk)
    cleaned = validate(ContactInput, data).model_dump()
    before = snapshot(organization, ["contact_email", "contact_phone"])
    if before == cleaned:
        return organization
    organization.contact_email = cleaned["contact_email"]
    organization.contact_phone = cleaned["contact_phone"]
    organization.updated_at = timezone.now()
    organization.save(update_fields=["contact_email", "contact_phone", "updated_at"])
    record_audit(actor, AuditEventType.ORGANIZATION_CONTACT_CHANGED, organization, before=before, after=cleaned)
    return organization


def _ccc_product(value: Any) -> CccProduct:
    code = str(value or "").strip()
    product = CccProduct.objects.filter(code=code).first() if code else None
    if product is None:
        invalid(_("CCC目录中没有产品代码“%(code)s”") % {"code": code[:16]} if code else _("必填"))
    return product


CccProductField = Annotated[CccProduct, PlainValidator(_ccc_product)]


class DeclaredProductInput(Input):
    ccc_product: CccProductField


@action
def do_declare_product(*, organization: Organization, data: dict[str, Any], actor: Actor) -> ManufacturedProduct:
    """The enterprise declares a CCC-catalogue product it makes (source DECLARED): part of the coverage
    denominator (C6)."""
    authorize(actor, Permission.KEEP_OWN_ORGANIZATION, organization_id=organization.pk)
    product = validate(DeclaredProductInput, data).ccc_product
    if ManufacturedProduct.objects.filter(organization=organization, ccc_product=product).exists():
        raise Conflict(_("已登记生产此产品"), field="ccc_product")
    made = ManufacturedProduct(
        organization=organization,
        ccc_product=product,
        region_code=organization.region_id,
        source=ProductSource.DECLARED,
        recorded_on=timezone.localdate(),
    )
    made.save()
    record_audit(actor, AuditEventType.PRODUCT_DECLARED, made, before=None, after=snapshot(made))
    return made


@action
def do_withdraw_declared_product(*, organization: Organization, ccc_product: str, actor: Actor) -> None:
    """The enterprise withdraws a product it declared itself; what licensing, statistics or inspections
    recorded is not its to remove."""
    authorize(actor, Permission.KEEP_OWN_ORGANIZATION, organization_id=organization.pk)
    made = ManufacturedProduct.objects.filter(organization=organization, ccc_product__code=ccc_product).first()
    if made is None:
        raise ValidationFailed({"ccc_product": _("未登记生产此产品")})
    if made.source != ProductSource.DECLARED:
        raise ValidationFailed(
            {"ccc_product": _("此产品来自%(source)s，企业不能删除") % {"source": made.get_source_display()}}
        )
    before = snapshot(made)
    record_audit(actor, AuditEventType.PRODUCT_WITHDRAWN, made, before=before, after=None)
    made.delete()
