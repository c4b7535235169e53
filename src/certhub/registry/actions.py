"""Registry actions: the only code that changes registry rows (docs/architecture.md, "the flow").

Each action runs in one transaction: permission check → domain rules → rows → audit row.
Bad input raises ValidationFailed with field-level messages before anything is written."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import (
    SALT_BYTES,
    LedgerItem,
    audit_event,
    queue_for_ledger,
    queue_ledger_events,
    record_audit,
    record_batch_audit,
    salted_digest,
    snapshot,
)
from certhub.core.choices import AuditEventType, RegionLevel, Role
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent, Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.registry.choices import (
    CERTIFICATE_TRANSITIONS,
    INDUSTRY_DIVISIONS,
    INDUSTRY_SECTIONS,
    PARTICULARS,
    AuditKind,
    CertificateStatus,
    PersonRole,
    ProductSource,
    ReportConclusion,
)
from certhub.registry.models import (
    Affiliation,
    CccCatalogueVersion,
    CccCategory,
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationAudit,
    CertificationBody,
    Lab,
    LabScope,
    ManufacturedProduct,
    Organization,
    Person,
    Scheme,
    Signatory,
    TestReport,
    TestReportItem,
    certificate_public_id,
)
from certhub.registry.queries import public_document_bytes
from certhub.registry.validation import (
    clean_date,
    clean_gtin,
    clean_uscc,
    compact_uscc,
    optional_text,
    require_text,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# Reasons CertHub itself writes into the public status history: stored as written (in the registry's
# language), whatever language the request that caused them was in.
REASON_ISSUED = gettext_noop("发证")
REASON_DRAFT = gettext_noop("登记草稿")
CERTIFICATE_AUDIT_FIELDS = [
    "number", "status", "status_changed_on", "issue_date", "expiry_date", "original_issue_date",
    "holder", "scheme", "certification_body", "scope", "last_surveillance_date", "standards", "ccc_product",
    "products", "sites", "particulars",
]  # fmt: skip
# What a body may correct or renew on an existing certificate (do_update_certificate). The number, the
# holder and the scheme identify the certificate: changing them is a new certificate.
CERTIFICATE_CONTENT_FIELDS = [
    "scope", "standards", "ccc_product", "products", "sites", "particulars", "original_issue_date", "issue_date",
    "expiry_date", "last_surveillance_date",
]  # fmt: skip


# ---------------------------------------------------------------- reference data


@action
def do_load_regions(path: str | Path, *, actor: Actor) -> int:
    """Load (or refresh) the administrative divisions of one province from its data file.
    Another province is a different file, not different code (C1)."""
    authorize(actor, Permission.LOAD_REFERENCE_DATA)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    divisions = sorted(data["divisions"], key=lambda d: {"province": 0, "prefecture": 1, "county": 2}[d["level"]])
    existing = {r.code: r for r in Region.objects.all()}
    changed = 0
    for division in divisions:
        if division["level"] not in RegionLevel.values:
            raise ValidationFailed({"level": _("未知级别“%(v)s”") % {"v": division["level"]}})
        values = {
            "name": division["name"],
            "name_en": division.get("name_en", ""),
            "level": division["level"],
            "parent_id": division["parent"],
        }
        region = existing.get(division["code"])
        if region and all(getattr(region, k) == v for k, v in values.items()):
            continue
        before = snapshot(region) if region else None
        region = Region(code=division["code"], **values)
        region.save()
        existing[region.code] = region
        record_audit(actor, AuditEventType.REGION_LOADED, region, before=before, after=snapshot(region))
        changed += 1
    return changed


@action
def do_load_reference_data(*, actor: Actor) -> dict[str, int]:
    """Load the certification schemes and the versioned CCC catalogue from registry/data/."""
    authorize(actor, Permission.LOAD_REFERENCE_DATA)
    counts = {"schemes": 0, "ccc_versions": 0, "ccc_categories": 0, "ccc_products": 0}
    for entry in json.loads((DATA_DIR / "schemes.json").read_text(encoding="utf-8")):
        fields = {
            "name": entry["name"],
            "name_en": entry.get("name_en", ""),
            "mandatory": bool(entry.get("mandatory")),
            "kind": entry["kind"],
            "validity_years": entry.get("validity_years"),
            "surveillance_months": entry.get("surveillance_months"),
            "standard": entry.get("standard", "")[:300],
            "authority": entry.get("authority", "")[:200],
            "source": entry.get("source", ""),
        }
        counts["schemes"] += _upsert(actor, Scheme, {"code": entry["code"]}, fields)
    catalogue = json.loads((DATA_DIR / "ccc_catalogue.json").read_text(encoding="utf-8"))
    versions = {}
    for entry in catalogue["versions"]:
        fields = {
            "title": entry["title"],
            "published": datetime.date.fromisoformat(entry["published"]),
            "effective": datetime.date.fromisoformat(entry["effective"]),
            "source": entry.get("source", ""),
        }
        counts["ccc_versions"] += _upsert(actor, CccCatalogueVersion, {"key": entry["id"]}, fields)
        versions[entry["id"]] = CccCatalogueVersion.objects.get(key=entry["id"])
    categories = {}
    for entry in catalogue["categories"]:
        fields = {"name": entry["name"], "name_en": entry.get("name_en", "")}
        counts["ccc_categories"] += _upsert(actor, CccCategory, {"number": entry["number"]}, fields)
        categories[entry["number"]] = CccCategory.objects.get(number=entry["number"])
    for entry in catalogue["products"]:
        fields = {
            "name": entry["name"],
            "name_en": entry.get("name_en", ""),
            "category": categories[entry["category"]],
            "mode": entry["mode"],
            "version": versions[entry["version"]],
            "effective_from": datetime.date.fromisoformat(entry["effective_from"]),
            "effective_to": (datetime.date.fromisoformat(entry["effective_to"]) if entry.get("effective_to") else None),
            "source": entry.get("source", ""),
            "note": entry.get("note", ""),
            "codes": entry.get("codes") or [entry["code"]],
        }
        counts["ccc_products"] += _upsert(actor, CccProduct, {"code": entry["code"]}, fields)
    return counts


def _upsert(actor: Actor, model: type, key: dict[str, Any], fields: dict[str, Any]) -> int:
    """Insert or update one reference row by natural key; audit only real changes. Returns 1 if changed."""
    row = model.objects.filter(**key).first()
    if row is not None and all(getattr(row, k) == v for k, v in fields.items()):
        return 0
    before = snapshot(row) if row is not None else None
    row = row or model(**key)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    record_audit(actor, AuditEventType.REFERENCE_DATA_LOADED, row, before=before, after=snapshot(row))
    return 1


# ---------------------------------------------------------------- organizations


def clean_organization_input(data: dict[str, Any], regions: dict[str, Region] | None = None) -> dict[str, Any]:
    """Validate one organization's fields; raise ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    uscc, error = clean_uscc(data.get("uscc"))
    if error:
        errors["uscc"] = error
    name, error = require_text(data.get("name"), 200)
    if error:
        errors["name"] = error
    region_code = str(data.get("region") or data.get("region_code") or "").strip()
    region = (
        (regions or {}).get(region_code) if regions is not None else Region.objects.filter(code=region_code).first()
    )
    if region is None:
        errors["region"] = _("未知的行政区划代码“%(v)s”") % {"v": region_code[:12]} if region_code else _("必填")
    address, error = optional_text(data.get("address"), 300)
    if error:
        errors["address"] = error
    section = str(data.get("industry_section") or "").strip().upper()
    division = str(data.get("industry_division") or "").strip()
    if section and section not in INDUSTRY_SECTIONS:
        errors["industry_section"] = _("GB/T 4754 门类应为A–T之一")
    if division:
        if not (division.isdigit() and len(division) == 2):
            errors["industry_division"] = _("GB/T 4754 大类应为两位数字")
        elif section in INDUSTRY_DIVISIONS and int(division) not in INDUSTRY_DIVISIONS[section]:
            errors["industry_division"] = _("大类%(d)s不属于门类%(s)s") % {"d": division, "s": section}
    if errors:
        raise ValidationFailed(errors)
    return {
        "uscc": uscc,
        "name": name,
        "region": region,
        "address": address,
        "industry_section": section,
        "industry_division": division,
        "above_designated_size": bool(data.get("above_designated_size")),
    }


@action
def do_create_organization(data: dict[str, Any], *, actor: Actor) -> Organization:
    """Register an organization by its credit code."""
    cleaned = clean_organization_input(data)
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=cleaned["region"].code)
    if Organization.objects.filter(uscc=cleaned["uscc"]).exists():
        raise Conflict(_("统一社会信用代码%(c)s已登记") % {"c": cleaned["uscc"]}, field="uscc")
    organization = Organization(**cleaned)
    organization.save()
    record_audit(actor, AuditEventType.ORGANIZATION_CREATED, organization, before=None, after=snapshot(organization))
    return organization


@action
def do_update_organization(organization: Organization, data: dict[str, Any], *, actor: Actor) -> Organization:
    """Change an organization's registered details (the credit code itself never changes)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    cleaned = clean_organization_input({**data, "uscc": organization.uscc})
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=cleaned["region"].code)
    before = snapshot(organization)
    for name, value in cleaned.items():
        setattr(organization, name, value)
    organization.updated_at = timezone.now()
    organization.save()
    if before["region_id"] != organization.region_id or before["name"] != organization.name:
        # Certificates carry the holder's name and region (search and scope); keep them in step.
        Certificate.objects.filter(holder=organization).update(
            region_code=organization.region_id, holder_name=organization.name
        )
        for certificate in Certificate.objects.filter(holder=organization).select_related(
            "scheme", "certification_body", "holder__region", "ccc_product"
        ):
            store_public_record(certificate)
    after = snapshot(organization)
    if before != {**after, "updated_at": before["updated_at"]}:
        record_audit(actor, AuditEventType.ORGANIZATION_UPDATED, organization, before=before, after=after)
    return organization


@action
def do_bulk_create_organizations(rows: Sequence[dict[str, Any]], *, actor: Actor) -> list[Organization]:
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


# ---------------------------------------------------------------- certification bodies, labs, people


@action
def do_create_certification_body(
    *,
    organization: Organization,
    name: str,
    approval_number: str,
    accreditation: str = "",
    scheme_codes: Iterable[str] = (),
    actor: Actor,
) -> CertificationBody:
    """Register a certification body approved by CNCA, and the schemes it may certify."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors: dict[str, str] = {}
    name, error = require_text(name, 200)
    if error:
        errors["name"] = error
    approval_number, error = require_text(approval_number, 32)
    if error:
        errors["approval_number"] = error
    codes = sorted({c.strip().upper() for c in scheme_codes})
    schemes = list(Scheme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in schemes})
    if unknown:
        errors["schemes"] = _("未知的认证制度：%(c)s") % {"c": ", ".join(unknown)}
    if errors:
        raise ValidationFailed(errors)
    if CertificationBody.objects.filter(approval_number=approval_number).exists():
        raise Conflict(_("批准号%(n)s已登记") % {"n": approval_number}, field="approval_number")
    if CertificationBody.objects.filter(organization=organization).exists():
        raise Conflict(_("该机构已登记为认证机构"), field="organization")
    body = CertificationBody(
        organization=organization, name=name, approval_number=approval_number, accreditation=accreditation.strip()
    )
    body.save()
    body.schemes.set(schemes)
    record_audit(
        actor, AuditEventType.CERTIFICATION_BODY_CREATED, body, before=None, after={**snapshot(body), "schemes": codes}
    )
    return body


@action
def do_create_lab(
    *,
    organization: Organization,
    name: str,
    cma_number: str,
    cma_valid_from: datetime.date,
    cma_valid_until: datetime.date,
    actor: Actor,
) -> Lab:
    """Register an inspection and testing institution with its CMA qualification."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors: dict[str, str] = {}
    name, error = require_text(name, 200)
    if error:
        errors["name"] = error
    cma_number, error = require_text(cma_number, 32)
    if error:
        errors["cma_number"] = error
    if cma_valid_until <= cma_valid_from:
        errors["cma_valid_until"] = _("资质认定有效期须晚于发证日期")
    if errors:
        raise ValidationFailed(errors)
    if Lab.objects.filter(cma_number=cma_number).exists():
        raise Conflict(_("资质认定证书编号%(n)s已登记") % {"n": cma_number}, field="cma_number")
    lab = Lab(
        organization=organization,
        name=name,
        cma_number=cma_number,
        cma_valid_from=cma_valid_from,
        cma_valid_until=cma_valid_until,
    )
    lab.save()
    record_audit(actor, AuditEventType.LAB_CREATED, lab, before=None, after=snapshot(lab))
    return lab


@action
def do_add_lab_scope(
    lab: Lab,
    *,
    field: str,
    object: str,
    parameter: str,
    standard: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    actor: Actor,
) -> LabScope:
    """Add one row to a lab's qualified scope."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    values = {}
    errors = {}
    for key, raw, limit in (
        ("field", field, 100),
        ("object", object, 200),
        ("parameter", parameter, 200),
        ("standard", standard, 200),
    ):
        values[key], error = require_text(raw, limit)
        if error:
            errors[key] = error
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("截止日期不得早于批准日期")
    if errors:
        raise ValidationFailed(errors)
    if LabScope.objects.filter(
        lab=lab, object=values["object"], parameter=values["parameter"], standard=values["standard"]
    ).exists():
        raise Conflict(_("该检测范围已登记"), field="parameter")
    scope = LabScope(lab=lab, valid_from=valid_from, valid_until=valid_until, **values)
    scope.save()
    record_audit(actor, AuditEventType.LAB_SCOPE_ADDED, scope, before=None, after=snapshot(scope))
    return scope


@action
def do_create_person(*, name: str, roles: Iterable[str], id_number: str = "", actor: Actor) -> Person:
    """Register a person. An ID number is kept only as a salted digest (personal data minimized, C14)."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    name, error = require_text(name, 64)
    role_list = sorted(set(roles))
    errors = {}
    if error:
        errors["name"] = error
    unknown = [r for r in role_list if r not in PersonRole.values]
    if unknown:
        errors["roles"] = _("未知角色：%(r)s") % {"r": ", ".join(unknown)}
    if errors:
        raise ValidationFailed(errors)
    digest = ""
    if id_number:
        from django.conf import settings

        digest = hashlib.sha256((settings.SECRET_KEY + ":" + id_number.strip().upper()).encode()).hexdigest()
    person = Person(name=name, roles=role_list, id_digest=digest)
    person.save()
    record_audit(actor, AuditEventType.PERSON_CREATED, person, before=None, after=snapshot(person, ["name", "roles"]))
    return person


@action
def do_add_affiliation(
    person: Person,
    *,
    organization: Organization,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    actor: Actor,
) -> Affiliation:
    """Record that a person worked for an organization in a role (affiliation history, C1)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors = {}
    if role not in PersonRole.values:
        errors["role"] = _("未知角色“%(r)s”") % {"r": role}
    if end is not None and end < start:
        errors["end"] = _("截止日期不得早于起始日期")
    if errors:
        raise ValidationFailed(errors)
    affiliation = Affiliation(person=person, organization=organization, role=role, start=start, end=end)
    affiliation.save()
    record_audit(actor, AuditEventType.AFFILIATION_ADDED, affiliation, before=None, after=snapshot(affiliation))
    return affiliation


@action
def do_authorize_signatory(
    lab: Lab,
    *,
    person: Person,
    scope: Sequence[LabScope],
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    actor: Actor,
) -> Signatory:
    """Authorize a person to sign a lab's reports within part of the lab's scope."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    errors = {}
    foreign = [s.pk for s in scope if s.lab_id != lab.pk]
    if foreign:
        errors["scope"] = _("签字范围须在本机构的资质认定范围内")
    if not scope:
        errors["scope"] = _("必填")
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("截止日期不得早于批准日期")
    if errors:
        raise ValidationFailed(errors)
    if Signatory.objects.filter(lab=lab, person=person).exists():
        raise Conflict(_("该人员已是授权签字人"), field="person")
    signatory = Signatory(lab=lab, person=person, valid_from=valid_from, valid_until=valid_until)
    signatory.save()
    signatory.scope.set(scope)
    if PersonRole.SIGNATORY not in person.roles:
        person.roles = sorted({*person.roles, PersonRole.SIGNATORY})
        person.save(update_fields=["roles"])
    record_audit(
        actor,
        AuditEventType.SIGNATORY_AUTHORIZED,
        signatory,
        before=None,
        after={**snapshot(signatory), "scope": sorted(s.pk for s in scope)},
    )
    return signatory


# ---------------------------------------------------------------- certificates


def store_public_record(certificate: Certificate) -> None:
    """Rebuild the certificate's public record (the read model); called inside the changing action.
    A draft has none: it is not public."""
    document = public_document_bytes(certificate)
    if document is None:
        CertificatePublicRecord.objects.filter(pk=certificate.pk).delete()
        return
    CertificatePublicRecord(certificate=certificate, number=certificate.number, document=document).save()


def transition_message(current: str, target: str) -> str:
    """ "证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）": the words people read, the names the API uses."""
    return _("证书状态不能从%(a)s（%(A)s）变为%(b)s（%(B)s）") % {
        "a": CertificateStatus(current).label,
        "A": current,
        "b": CertificateStatus(target).label,
        "B": target,
    }


class CertificateContext:
    """Lookups a certificate batch needs, fetched once (schemes, holders, CCC products)."""

    def __init__(self, holder_usccs: Iterable[str] = ()) -> None:
        self.schemes = {s.code: s for s in Scheme.objects.all()}
        # A product listed under several codes (熔断体 0205/0207) is found by any of them.
        self.ccc_products = {code: p for p in CccProduct.objects.all() for code in (p.codes or [p.code])}
        self.holders: dict[str, Organization | None] = {}  # None: looked up and not registered
        self.regions = {r.code: r for r in Region.objects.all()}
        self.prefetch(holder_usccs)

    def prefetch(self, holder_usccs: Iterable[str], *, forget: bool = False) -> None:
        """Fetch these holders in a few queries; `forget` drops those fetched before (a long import keeps
        one chunk's holders at a time)."""
        if forget:
            self.holders = {}
        codes = sorted({c for c in holder_usccs if c})
        self.holders.update(dict.fromkeys(codes))
        # Only what a certificate copies and its public record shows: a chunk holds thousands, and their
        # regions come from the few loaded once.
        for condition, params in bulk.matching("uscc", codes):
            query = f"SELECT id, uscc, name, region_id FROM registry_organization WHERE {condition}"  # noqa: S608
            for holder in Organization.objects.raw(query, params):
                holder.region = self.regions[holder.region_id]
                self.holders[holder.uscc] = holder

    def holder(self, uscc: str) -> Organization | None:
        if uscc not in self.holders:
            self.holders[uscc] = Organization.objects.select_related("region").filter(uscc=uscc).first()
        return self.holders[uscc]


def clean_certificate_input(
    data: dict[str, Any], body: CertificationBody, context: CertificateContext, allowed_schemes: set[str]
) -> dict[str, Any]:
    """Validate one certificate's fields; raise ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    number, error = require_text(data.get("number"), 60)
    if error:
        errors["number"] = error
    scheme_code = str(data.get("scheme") or "").strip().upper()
    scheme = context.schemes.get(scheme_code)
    if scheme is None:
        errors["scheme"] = _("未知的认证制度“%(s)s”") % {"s": scheme_code[:32]} if scheme_code else _("必填")
    elif scheme_code not in allowed_schemes:
        errors["scheme"] = _("认证机构未获准开展“%(s)s”认证") % {"s": scheme.name}
    # A registered holder's code was checked when it was registered: look it up first, and run the check
    # digits only for a code the registry does not know (to say precisely what is wrong with it).
    holder = context.holders.get(compact_uscc(data.get("holder_uscc")))
    if holder is None:
        uscc, error = clean_uscc(data.get("holder_uscc"))
        if error:
            errors["holder_uscc"] = error
        else:
            holder = context.holder(uscc)
            if holder is None:
                errors["holder_uscc"] = _("获证组织%(c)s未在登记库中") % {"c": uscc}
    scope, error = optional_text(data.get("scope"), 4000)
    if error:
        errors["scope"] = error
    standards, error = optional_text(data.get("standards"), 300)
    if error:
        errors["standards"] = error
    issue_date, error = clean_date(data.get("issue_date"))
    if error:
        errors["issue_date"] = error
    expiry_date, error = clean_date(data.get("expiry_date"))
    if error:
        errors["expiry_date"] = error
    original_issue_date = issue_date  # when not given: only a bad value given is its own error
    if data.get("original_issue_date"):
        original_issue_date, error = clean_date(data["original_issue_date"])
        if error:
            errors["original_issue_date"] = error
    if issue_date and expiry_date and expiry_date <= issue_date:
        errors["expiry_date"] = _("有效期至（%(e)s）须晚于发证日期（%(i)s）") % {
            "e": expiry_date,
            "i": issue_date,
        }
    if issue_date and original_issue_date and original_issue_date > issue_date:
        errors["original_issue_date"] = _("初次发证日期不得晚于发证日期")
    ccc_code = str(data.get("ccc_product") or "").strip()
    ccc_product = None
    if ccc_code:
        ccc_product = context.ccc_products.get(ccc_code)
        if ccc_product is None:
            errors["ccc_product"] = _("CCC目录中没有产品代码“%(c)s”") % {"c": ccc_code[:8]}
    products, product_errors = _clean_products(data.get("products") or [])
    errors.update(product_errors)
    particulars, particular_errors = clean_particulars(data.get("particulars") or {})
    errors.update(particular_errors)
    sites = data.get("sites") or []
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        errors["sites"] = _("认证场所应为对象列表")
    status = str(data.get("status") or CertificateStatus.ACTIVE).strip().upper()
    if status not in (CertificateStatus.DRAFT, CertificateStatus.ACTIVE):
        errors["status"] = _("新证书的状态只能是DRAFT或ACTIVE，收到“%(s)s”") % {"s": status[:16]}
    last_surveillance = data.get("last_surveillance_date")
    last_surveillance_date = None
    if last_surveillance:
        last_surveillance_date, error = clean_date(last_surveillance)
        if error:
            errors["last_surveillance_date"] = error
    if errors:
        raise ValidationFailed(errors)
    assert holder is not None and scheme is not None and issue_date is not None
    return {
        "number": number,
        "scheme": scheme,
        "holder": holder,
        "holder_name": holder.name,
        "region_code": holder.region_id,
        "scope": scope,
        "standards": standards,
        "ccc_product": ccc_product,
        "products": products,
        "sites": sites,
        "particulars": particulars,
        "issue_date": issue_date,
        "expiry_date": expiry_date,
        "original_issue_date": original_issue_date,
        "last_surveillance_date": last_surveillance_date,
        "status": status,
    }


def _clean_products(raw: Any) -> tuple[list[dict[str, str]], dict[str, str]]:
    if not isinstance(raw, list):
        return [], {"products": _("产品应为对象列表")}
    products, errors = [], {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"products[{index}]"] = _("产品应为对象")
            continue
        name, error = require_text(item.get("name"), 200)
        if error:
            errors[f"products[{index}].name"] = error
        gtin, error = clean_gtin(item.get("gtin"))
        if error:
            errors[f"products[{index}].gtin"] = error
        product = {"name": name}
        for key in ("model", "trademark", "batch"):
            value, error = optional_text(item.get(key), 200)
            if error:
                errors[f"products[{index}].{key}"] = error
            if value:
                product[key] = value
        if gtin:
            product["gtin"] = gtin
        products.append(product)
    return products, errors


def clean_particulars(raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The certificate's other stated contents (choices.PARTICULARS); empty values are left out."""
    if not isinstance(raw, dict):
        return {}, {"particulars": _("证书其他内容应为对象")}
    cleaned, errors = {}, {}
    for key, value in raw.items():
        if key not in PARTICULARS:
            errors[f"particulars.{key}"] = _("未知字段，应为%(keys)s之一") % {"keys": ", ".join(PARTICULARS)}
            continue
        text, error = optional_text(value, 200)
        if error:
            errors[f"particulars.{key}"] = error
        elif text:
            cleaned[key] = text
    return cleaned, errors


def certificate_fields(
    body: CertificationBody, cleaned: dict[str, Any], today: datetime.date, reported_on: datetime.date | None = None
) -> dict[str, Any]:
    """A new certificate's fields as it arrives today (or, for records brought from a body's past, on
    `reported_on`): the reporting lag is counted from its issue date (C2: late reporting is measured)."""
    lag = max(0, ((reported_on or today) - cleaned["issue_date"]).days)
    status_date = today if cleaned["status"] == CertificateStatus.DRAFT else cleaned["issue_date"]
    return {"certification_body": body, "status_changed_on": status_date, "reporting_lag_days": lag, **cleaned}


def new_certificate(
    body: CertificationBody, cleaned: dict[str, Any], today: datetime.date, reported_on: datetime.date | None = None
) -> Certificate:
    return Certificate(**certificate_fields(body, cleaned, today, reported_on))


def new_certificate_draft(body: CertificationBody, cleaned: dict[str, Any], today: datetime.date) -> SimpleNamespace:
    """The same new certificate as a plain object with its foreign keys' ids beside the objects: what
    render_certificates reads, at a fraction of a model instance's cost when a file brings a million."""
    fields = certificate_fields(body, cleaned, today)
    product = fields["ccc_product"]
    return SimpleNamespace(
        id=None,
        created_at=None,
        updated_at=None,
        certification_body_id=body.pk,
        scheme_id=fields["scheme"].pk,
        holder_id=fields["holder"].pk,
        ccc_product_id=product.pk if product is not None else None,
        **fields,
    )


def _first_event(certificate: Certificate) -> CertificateEvent:
    return CertificateEvent(
        certificate=certificate,
        from_status="",
        to_status=certificate.status,
        effective_date=certificate.status_changed_on,
        reason=REASON_ISSUED if certificate.status == CertificateStatus.ACTIVE else REASON_DRAFT,
    )


@action
def do_create_certificate(body: CertificationBody, data: dict[str, Any], *, actor: Actor) -> Certificate:
    """Register a certificate issued by `body` (ACTIVE by default, or DRAFT)."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    context = CertificateContext([str(data.get("holder_uscc") or "").strip().upper()])
    allowed = set(body.schemes.values_list("code", flat=True))
    cleaned = clean_certificate_input(data, body, context, allowed)
    if Certificate.objects.filter(certification_body=body, number=cleaned["number"]).exists():
        raise Conflict(_("该认证机构已有编号为%(n)s的证书") % {"n": cleaned["number"]}, field="number")
    certificate = new_certificate(body, cleaned, timezone.localdate())
    certificate.save()
    event = _first_event(certificate)
    event.save()
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_CREATED,
        certificate,
        before=None,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
    )
    return certificate


def clean_history(
    raw: Any, start: CertificateStatus, issue_date: datetime.date
) -> tuple[list[dict[str, Any]], str | None]:
    """Validate a sequence of past transitions [{status, date, reason}] against the lifecycle table."""
    if not raw:
        return [], None
    if start != CertificateStatus.ACTIVE:
        return [], _("只有状态为ACTIVE的新证书可以附带状态历史")
    if not isinstance(raw, list):
        return [], _("状态历史应为列表")
    current, last_date, steps = str(start), issue_date, []
    for index, step in enumerate(raw):
        status = str(step.get("status") or "").strip().upper() if isinstance(step, dict) else ""
        day, error = clean_date(step.get("date") if isinstance(step, dict) else None)
        reason, reason_error = require_text(step.get("reason") if isinstance(step, dict) else None, 2000)
        if error or reason_error or status not in CertificateStatus.values:
            return [], _("第%(i)d步：状态、日期和原因均为必填") % {"i": index + 1}
        if status not in CERTIFICATE_TRANSITIONS[current]:
            return [], _("第%(i)d步：%(problem)s") % {"i": index + 1, "problem": transition_message(current, status)}
        assert day is not None
        if day < last_date:
            return [], _("第%(i)d步：日期早于上一步") % {"i": index + 1}
        steps.append({"status": status, "date": day, "reason": reason})
        current, last_date = status, day
    return steps, None


@action
def do_bulk_create_certificates(
    body: CertificationBody, rows: Sequence[dict[str, Any]], *, actor: Actor
) -> list[Certificate]:
    """Register many certificates of one body, all or nothing: every row is validated first, and a
    failure names its row. A row may carry its past `history` (transitions after issue, checked against
    the lifecycle table), as a body bringing its existing records does; an administrator bringing records
    from another system may also give `reported_on`, the date each was first reported. One status event
    per step and one audit row per certificate."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    context = CertificateContext(clean_uscc(r.get("holder_uscc"))[0] for r in rows)
    allowed = set(body.schemes.values_list("code", flat=True))
    today = timezone.localdate()
    certificates: list[Certificate] = []
    histories: list[list[dict[str, Any]]] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        try:
            cleaned = clean_certificate_input(row, body, context, allowed)
        except ValidationFailed as failure:
            errors.update({f"rows[{index}].{k}": v for k, v in failure.errors.items()})
            continue
        history, error = clean_history(row.get("history"), cleaned["status"], cleaned["issue_date"])
        if error:
            errors[f"rows[{index}].history"] = [error]
            continue
        reported_on = None
        if row.get("reported_on") and actor.role == Role.ADMINISTRATOR:
            reported_on, error = clean_date(row["reported_on"])
            if error:
                errors[f"rows[{index}].reported_on"] = [error]
        if cleaned["number"] in seen:
            errors[f"rows[{index}].number"] = [_("编号%(n)s在本批中重复") % {"n": cleaned["number"]}]
        seen.add(cleaned["number"])
        certificates.append(new_certificate(body, cleaned, today, reported_on))
        histories.append(history)
    if errors:
        raise ValidationFailed(errors)
    numbers = [c.number for c in certificates]
    for start in range(0, len(numbers), 900):
        clash = Certificate.objects.filter(certification_body=body, number__in=numbers[start : start + 900]).first()
        if clash is not None:
            raise Conflict(_("该认证机构已有编号为%(n)s的证书") % {"n": clash.number}, field="number")
    insert_certificates(certificates, histories, actor=actor)
    return certificates


def insert_certificates(
    certificates: list[Certificate], histories: list[list[dict[str, Any]]], *, actor: Actor
) -> None:
    """Write validated new certificates with their status events, public records and audit rows, in
    bulk. Called only inside an action that has authorized `actor` and checked every row (this one and
    the submission importer, so that a file and a single API call leave the same rows behind)."""
    ids = write_certificates(render_certificates(certificates, histories, actor=actor))
    for certificate, pk in zip(certificates, ids, strict=True):
        certificate.pk = pk
        certificate._state.adding = False


@dataclass
class RenderedCertificates:
    """New certificates as the rows of the four tables they fill, before their primary keys exist: an
    all-or-nothing import renders each chunk while it validates the file, and writes them only once the
    whole file is known good (exchange.pipeline). Each event, record and audit row names the index of
    its certificate."""

    certificates: list[list[Any]] = dataclass_field(default_factory=list)
    events: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    records: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    audits: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    ids: list[int] | None = None  # once assign_certificate_ids has run
    copy_text: dict[str, bytes] | None = None  # once encode_certificates has run (PostgreSQL)
    # Per audit row, what its ledger entry needs that is known while rendering: the certificate's public
    # id and the salted digest of its state (core.audit), taken from the state itself, not its JSON text.
    ledger_parts: list[tuple[str, bytes, str | None]] = dataclass_field(default_factory=list)
    ledger: list[LedgerItem] | None = None  # the audit rows' ledger items, taken with the COPY text


def render_certificates(
    certificates: Sequence[Certificate | SimpleNamespace], histories: list[list[dict[str, Any]]], *, actor: Actor
) -> RenderedCertificates:
    """The rows `certificates` (model instances or new_certificate_draft objects, with their past
    `histories`) become: the certificate, its status events (issue, then each step), its public record
    (unless a draft) and its CERTIFICATE_CREATED audit row (the snapshot core.audit.snapshot would take)."""
    now = timezone.now()
    rendered = RenderedCertificates()
    salts = os.urandom(SALT_BYTES * len(certificates))
    approvals = dict(
        CertificationBody.objects.filter(pk__in={c.certification_body_id for c in certificates}).values_list(
            "pk", "approval_number"
        )
    )
    certificate_table, event_table = bulk.table(Certificate), bulk.table(CertificateEvent)
    record_table, audit_table = bulk.table(CertificatePublicRecord), bulk.table(AuditEvent)
    after_column = audit_table.index("after")
    # The snapshot core.audit.snapshot takes, built without its per-value type checks.
    audited = [f.attname for f in Certificate._meta.concrete_fields if f.name in CERTIFICATE_AUDIT_FIELDS]
    audited_dates = [
        f.attname
        for f in Certificate._meta.concrete_fields
        if f.name in CERTIFICATE_AUDIT_FIELDS and isinstance(f, models.DateField)
    ]
    for index, (certificate, history) in enumerate(zip(certificates, histories, strict=True)):
        certificate.created_at = certificate.updated_at = now
        if history:
            certificate.status = history[-1]["status"]
            certificate.status_changed_on = history[-1]["date"]
        if history:
            first = (CertificateStatus.ACTIVE, certificate.issue_date, REASON_ISSUED)
        else:
            reason = REASON_ISSUED if certificate.status == CertificateStatus.ACTIVE else REASON_DRAFT
            first = (certificate.status, certificate.status_changed_on, reason)
        events = [
            SimpleNamespace(
                id=None,
                certificate_id=None,
                from_status="",
                to_status=first[0],
                effective_date=first[1],
                reason=first[2],
                recorded_at=now,
            )
        ]
        previous = first[0]
        for step in history:
            event = SimpleNamespace(
                id=None,
                certificate_id=None,
                from_status=previous,
                to_status=step["status"],
                effective_date=step["date"],
                reason=step["reason"],
                recorded_at=now,
            )
            events.append(event)
            previous = step["status"]
        rendered.certificates.append(certificate_table.values_of(certificate))
        rendered.events.extend((index, event_table.values_of(event)) for event in events)
        document = public_document_bytes(certificate, events)
        if document is not None:
            record = SimpleNamespace(certificate_id=None, number=certificate.number, document=document)
            rendered.records.append((index, record_table.values_of(record)))
        after = {name: getattr(certificate, name) for name in audited}
        for name in audited_dates:
            if after[name] is not None:
                after[name] = after[name].isoformat()
        audit = SimpleNamespace(
            id=None,
            time=now,
            event_type=AuditEventType.CERTIFICATE_CREATED.value,
            actor_id=actor.user_id,
            actor_label=actor.label,
            actor_role=actor.role,
            subject_type=Certificate._meta.label_lower,
            subject_id=None,
            before=None,
            after=after,
            reason="",
        )
        audit_row = audit_table.values_of(audit)
        rendered.audits.append((index, audit_row))
        # The digest is of the state as the audit row stores it (its JSON read back), as verify reads it.
        salt = salts[index * SALT_BYTES : (index + 1) * SALT_BYTES]
        public_id = certificate_public_id(approvals[certificate.certification_body_id], certificate.number)
        stored = orjson.loads(audit_row[after_column])
        rendered.ledger_parts.append((public_id, salt, salted_digest(salt, stored)))
    return rendered


def _ledger_items(rendered: RenderedCertificates) -> list[LedgerItem]:
    """The ledger items of the rendered audit rows (keys assigned): one per new certificate."""
    audit_table = bulk.table(AuditEvent)
    pk, subject = audit_table.pk_index, audit_table.index("subject_id")
    action, role = AuditEventType.CERTIFICATE_CREATED.value, audit_table.index("actor_role")
    label = Certificate._meta.label_lower
    return [
        LedgerItem(row[pk], action, label, row[subject], row[role], salt, None, digest, public_id)
        for (_index, row), (public_id, salt, digest) in zip(rendered.audits, rendered.ledger_parts, strict=True)
    ]


def assign_certificate_ids(rendered: RenderedCertificates) -> list[int]:
    """Allocate the primary keys from the sequences and point the related rows at their certificates.
    Sequence numbers are not transactional: a submission rejected after this leaves gaps, nothing else."""
    certificate_table = bulk.table(Certificate)
    event_table = bulk.table(CertificateEvent)
    record_table = bulk.table(CertificatePublicRecord)
    audit_table = bulk.table(AuditEvent)
    ids = bulk.allocate_ids(Certificate, len(rendered.certificates))
    for row, pk in zip(rendered.certificates, ids, strict=True):
        row[certificate_table.pk_index] = pk
    event_ids = bulk.allocate_ids(CertificateEvent, len(rendered.events))
    link = event_table.index("certificate_id")
    for (index, row), pk in zip(rendered.events, event_ids, strict=True):
        row[event_table.pk_index], row[link] = pk, ids[index]
    for index, row in rendered.records:
        row[record_table.pk_index] = ids[index]
    audit_ids = bulk.allocate_ids(AuditEvent, len(rendered.audits))
    subject = audit_table.index("subject_id")
    for (index, row), pk in zip(rendered.audits, audit_ids, strict=True):
        row[audit_table.pk_index], row[subject] = pk, str(ids[index])
    rendered.ids = ids
    return ids


def encode_certificates(rendered: RenderedCertificates) -> None:
    """On PostgreSQL, turn the rows (keys assigned) into COPY's text format now, so that writing them later
    is streaming bytes (an import's checking processes do this while the writer waits)."""
    rendered.copy_text = {
        "certificates": bulk.copy_text(Certificate, rendered.certificates),
        "events": bulk.copy_text(CertificateEvent, (row for _index, row in rendered.events)),
        "records": bulk.copy_text(CertificatePublicRecord, (row for _index, row in rendered.records)),
        "audits": bulk.copy_text(AuditEvent, (row for _index, row in rendered.audits)),
    }
    rendered.ledger = _ledger_items(rendered)
    rendered.certificates, rendered.events, rendered.records, rendered.audits = [], [], [], []
    rendered.ledger_parts = []


def write_certificates(rendered: RenderedCertificates) -> list[int]:
    """Insert all four tables (allocating the keys unless done already); return the certificates' ids.
    Inside an action only (core.bulk refuses otherwise)."""
    ids = rendered.ids if rendered.ids is not None else assign_certificate_ids(rendered)
    if rendered.copy_text is not None:
        for model, key in (
            (Certificate, "certificates"),
            (CertificateEvent, "events"),
            (CertificatePublicRecord, "records"),
            (AuditEvent, "audits"),
        ):
            bulk.insert_copy_text(model, rendered.copy_text[key])
        queue_for_ledger(rendered.ledger or ())
        return ids
    bulk.insert_rows(Certificate, rendered.certificates)
    bulk.insert_rows(CertificateEvent, (row for _index, row in rendered.events))
    bulk.insert_rows(CertificatePublicRecord, (row for _index, row in rendered.records))
    bulk.insert_rows(AuditEvent, (row for _index, row in rendered.audits))
    queue_for_ledger(_ledger_items(rendered))
    return ids


@action
def do_change_certificate_status(
    certificate: Certificate,
    *,
    to_status: str,
    effective_date: datetime.date,
    reason: str,
    actor: Actor,
) -> Certificate:
    """Move a certificate along its lifecycle (suspend, restore, withdraw, cancel, expire), with a dated
    reason. Transitions the lifecycle table forbids are refused (choices.CERTIFICATE_TRANSITIONS)."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=certificate.certification_body.organization_id)
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("scheme", "certification_body", "holder", "holder__region", "ccc_product")
        .get(pk=certificate.pk)
    )
    errors = {}
    to_status = str(to_status or "").strip().upper()
    if to_status not in CertificateStatus.values:
        errors["status"] = _("未知状态“%(s)s”，应为%(all)s之一") % {
            "s": to_status[:16],
            "all": ", ".join(CertificateStatus.values),
        }
    reason, error = require_text(reason, 2000)
    if error:
        errors["reason"] = error
    if errors:
        raise ValidationFailed(errors)
    if to_status not in CERTIFICATE_TRANSITIONS[certificate.status]:
        raise Conflict(
            transition_message(certificate.status, to_status),
            field="status",
            code="transition_forbidden",
        )
    if effective_date < certificate.status_changed_on:
        raise ValidationFailed(
            {"effective_date": _("生效日期不得早于上一次状态变更日期（%(d)s）") % {"d": certificate.status_changed_on}}
        )
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    event = CertificateEvent(
        certificate=certificate,
        from_status=certificate.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
    )
    event.save()
    certificate.status = to_status
    certificate.status_changed_on = effective_date
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=["status", "status_changed_on", "updated_at"])
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_STATUS_CHANGED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
        reason=reason,
    )
    return certificate


@action
def do_record_surveillance(certificate: Certificate, *, audit_date: datetime.date, actor: Actor) -> Certificate:
    """Record a completed surveillance audit; it moves the next due date (the overdue flag is derived)."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=certificate.certification_body.organization_id)
    if audit_date < certificate.issue_date or audit_date > timezone.localdate():
        raise ValidationFailed({"audit_date": _("监督审核日期须在发证日期与今天之间")})
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    certificate.last_surveillance_date = audit_date
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=["last_surveillance_date", "updated_at"])
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_SURVEILLANCE_RECORDED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
    )
    return certificate


def certificate_changes(certificate: Certificate, cleaned: dict[str, Any]) -> dict[str, Any]:
    """The content fields (CERTIFICATE_CONTENT_FIELDS) whose cleaned value differs from the row's."""
    changes = {}
    for field in CERTIFICATE_CONTENT_FIELDS:
        value = cleaned[field]
        current = getattr(certificate, field + "_id") if field == "ccc_product" else getattr(certificate, field)
        compare = value.pk if field == "ccc_product" and value is not None else value
        if current != compare:
            changes[field] = value
    return changes


@action
def do_update_certificate(certificate: Certificate, data: dict[str, Any], *, actor: Actor) -> Certificate:
    """Correct or renew an existing certificate's contents (scope, dates, products, …), as its body
    reports them. `data` is a whole certificate as for do_create_certificate; its number, holder and scheme
    must be the certificate's own (they identify it), and its status is left to do_change_certificate_status.
    Nothing changes, and no audit row is written, when the contents are already these."""
    body = certificate.certification_body
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    context = CertificateContext([str(data.get("holder_uscc") or "").strip().upper()])
    cleaned = clean_certificate_input(data, body, context, set(body.schemes.values_list("code", flat=True)))
    return update_certificate(certificate, cleaned, actor=actor)


def identity_errors(certificate: Any, cleaned: dict[str, Any]) -> dict[str, str]:
    """What in `cleaned` would change the fields that identify a registered certificate (its number, holder
    and scheme): changing them is a new certificate. `certificate` may be a model or a plain row."""
    errors = {}
    if cleaned["number"] != certificate.number:
        errors["number"] = _("证书编号不可变更")
    if cleaned["holder"].pk != certificate.holder_id:
        errors["holder_uscc"] = _("证书%(n)s的获证组织不可变更：请注销并登记新证书") % {"n": certificate.number}
    if cleaned["scheme"].pk != certificate.scheme_id:
        errors["scheme"] = _("证书%(n)s的认证制度不可变更") % {"n": certificate.number}
    return errors


def update_certificate(certificate: Certificate, cleaned: dict[str, Any], *, actor: Actor) -> Certificate:
    """Apply cleaned contents to a certificate inside an action (do_update_certificate and the importer)."""
    errors = identity_errors(certificate, cleaned)
    if errors:
        raise ValidationFailed(errors)
    changes = certificate_changes(certificate, cleaned)
    if not changes:
        return certificate
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    for field, value in changes.items():
        setattr(certificate, field, value)
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=[*changes, "updated_at"])
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_UPDATED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
    )
    return certificate


# ---------------------------------------------------------------- test reports


@action
def do_create_test_report(
    lab: Lab,
    *,
    number: str,
    signatory: Signatory,
    issue_date: datetime.date,
    conclusion: str,
    items: Sequence[dict[str, str]],
    client: Organization | None = None,
    product: str = "",
    actor: Actor,
) -> TestReport:
    """Register a test report's metadata (who signed, what was tested to which standard)."""
    authorize(actor, Permission.WRITE_TEST_REPORT, organization_id=lab.organization_id)
    errors: dict[str, str] = {}
    number, error = require_text(number, 64)
    if error:
        errors["number"] = error
    if signatory.lab_id != lab.pk:
        errors["signatory"] = _("签字人不是本机构的授权签字人")
    if conclusion not in ReportConclusion.values:
        errors["conclusion"] = _("结论应为%(v)s之一") % {"v": ", ".join(ReportConclusion.values)}
    if not items:
        errors["items"] = _("至少需要一个检测项目")
    clean_items = []
    for index, item in enumerate(items):
        parameter, error = require_text(item.get("parameter"), 200)
        if error:
            errors[f"items[{index}].parameter"] = error
        standard, error = require_text(item.get("standard"), 200)
        if error:
            errors[f"items[{index}].standard"] = error
        result, _error = optional_text(item.get("result"), 200)
        clean_items.append({"parameter": parameter, "standard": standard, "result": result})
    if errors:
        raise ValidationFailed(errors)
    if TestReport.objects.filter(lab=lab, number=number).exists():
        raise Conflict(_("该机构已有编号为%(n)s的报告") % {"n": number}, field="number")
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
def do_bulk_create_test_reports(lab: Lab, rows: Sequence[dict[str, Any]], *, actor: Actor) -> int:
    """Register many of `lab`'s test reports at once, all or nothing; one audit row each (as
    do_create_test_report). Rows: {"number", "signatory" (a Signatory of the lab), "issue_date",
    "conclusion", "items": [{"parameter", "standard", "result"}], "client" (Organization or None),
    "product"}. A failing row names its index. For the demo generator and bulk loads."""
    authorize(actor, Permission.WRITE_TEST_REPORT, organization_id=lab.organization_id)
    errors: dict[str, str] = {}
    numbers = [str(row.get("number", "")).strip() for row in rows]
    taken = set(TestReport.objects.filter(lab=lab, number__in=numbers).values_list("number", flat=True))
    reports, items = [], []
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        field = f"rows[{index}]"
        if not number or len(number) > 64:
            errors[f"{field}.number"] = _("报告编号必填，至多64个字符")
        elif number in taken or numbers.index(number) != index:
            errors[f"{field}.number"] = _("该机构已有编号为%(n)s的报告") % {"n": number}
        if row["signatory"].lab_id != lab.pk:
            errors[f"{field}.signatory"] = _("签字人不是本机构的授权签字人")
        if row.get("conclusion") not in ReportConclusion.values:
            errors[f"{field}.conclusion"] = _("结论应为%(v)s之一") % {"v": ", ".join(ReportConclusion.values)}
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
                conclusion=row.get("conclusion"),
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


# ---------------------------------------------------------------- what organizations make; audits (C6)


@action
def do_record_manufactured_products(rows: Sequence[dict[str, Any]], *, actor: Actor) -> int:
    """Record CCC-catalogue products organizations make, as licensing, statistics or inspections report
    them: rows of {"uscc", "ccc_product" (catalogue code), "source", "recorded_on"}. All or nothing; a bad
    row names its index and field. A product already recorded for the organization is refused. One audit
    row for the batch (core.audit.record_batch_audit)."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    today = timezone.localdate()
    codes = {str(r.get("uscc", "")).strip().upper() for r in rows}
    holders = {
        uscc: (pk, region)
        for pk, uscc, region in Organization.objects.filter(uscc__in=codes).values_list("id", "uscc", "region_id")
    }
    for region in sorted({region for _pk, region in holders.values()}):  # inside the officer's region (C14)
        authorize(actor, Permission.MANAGE_REGISTRY, region_code=region)
    products = dict(CccProduct.objects.values_list("code", "id"))
    errors: dict[str, list[str]] = {}
    made, seen, position = [], set(), {}
    for index, row in enumerate(rows):
        field = f"rows[{index}]"
        holder = holders.get(str(row.get("uscc", "")).strip().upper())
        product = products.get(str(row.get("ccc_product", "")).strip())
        day, error = clean_date(row.get("recorded_on"))
        if holder is None:
            errors.setdefault(f"{field}.uscc", []).append(
                _("登记库中没有统一社会信用代码为%(v)s的机构") % {"v": row.get("uscc")}
            )
        if product is None:
            errors.setdefault(f"{field}.ccc_product", []).append(
                _("CCC目录中没有产品代码“%(v)s”") % {"v": row.get("ccc_product")}
            )
        if row.get("source") not in ProductSource.values:
            errors.setdefault(f"{field}.source", []).append(_("未知的信息来源“%(v)s”") % {"v": row.get("source")})
        if error or (day and day > today):
            errors.setdefault(f"{field}.recorded_on", []).append(error or _("登记日期不能晚于今天"))
        if holder is None or product is None:
            continue
        if (holder[0], product) in seen:
            errors.setdefault(f"{field}.ccc_product", []).append(_("与前面的行重复"))
        seen.add((holder[0], product))
        position[(holder[0], product)] = index
        made.append(
            ManufacturedProduct(
                organization_id=holder[0],
                ccc_product_id=product,
                region_code=holder[1],
                source=row.get("source"),
                recorded_on=day,
            )
        )
    already = ManufacturedProduct.objects.filter(organization_id__in=[m.organization_id for m in made])
    for pair in already.values_list("organization_id", "ccc_product_id"):
        if pair in position:
            errors.setdefault(f"rows[{position[pair]}].ccc_product", []).append(_("该企业已登记此产品"))
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(ManufacturedProduct, made)
    record_batch_audit(actor, AuditEventType.RISK_SIGNAL_RECORDED, made, "manufactured_products")
    return len(made)


@action
def do_record_certification_audits(body: CertificationBody, rows: Sequence[dict[str, Any]], *, actor: Actor) -> int:
    """Record the audits behind `body`'s certificates, as the body reports them: rows of {"certificate"
    (number), "kind", "stage1_days", "stage2_days", "effective_personnel", "end_date"}. All or nothing."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    today = timezone.localdate()
    numbers = {str(r.get("certificate", "")).strip() for r in rows}
    certificates = dict(
        Certificate.objects.filter(certification_body=body, number__in=numbers).values_list("number", "id")
    )
    errors: dict[str, list[str]] = {}
    audits = []
    for index, row in enumerate(rows):
        field = f"rows[{index}]"
        certificate = certificates.get(str(row.get("certificate", "")).strip())
        if certificate is None:
            errors.setdefault(f"{field}.certificate", []).append(
                _("本机构没有编号为%(v)s的证书") % {"v": row.get("certificate")}
            )
        if row.get("kind") not in AuditKind.values:
            errors.setdefault(f"{field}.kind", []).append(_("未知的审核类型“%(v)s”") % {"v": row.get("kind")})
        days = []
        for name, least in (("stage1_days", 0), ("stage2_days", 0.5)):
            try:
                value = decimal.Decimal(str(row.get(name, "0" if name == "stage1_days" else "")))
            except decimal.InvalidOperation:
                value = None
            if value is None or not value.is_finite() or value < decimal.Decimal(str(least)) or value > 999:
                errors.setdefault(f"{field}.{name}", []).append(_("人日应为%(least)s到999之间的数") % {"least": least})
            days.append(value)
        personnel = row.get("effective_personnel")
        if not isinstance(personnel, int) or isinstance(personnel, bool) or personnel < 1:
            errors.setdefault(f"{field}.effective_personnel", []).append(_("有效人数应为正整数"))
        day, error = clean_date(row.get("end_date"))
        if error or (day and day > today):
            errors.setdefault(f"{field}.end_date", []).append(error or _("审核结束日期不能晚于今天"))
        if not errors:
            audits.append(
                CertificationAudit(
                    certificate_id=certificate,
                    kind=row["kind"],
                    stage1_days=days[0],
                    stage2_days=days[1],
                    effective_personnel=personnel,
                    end_date=day,
                )
            )
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(CertificationAudit, audits)
    record_batch_audit(actor, AuditEventType.RISK_SIGNAL_RECORDED, audits, "certification_audits")
    return len(audits)
