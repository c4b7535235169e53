"""Organization actions: registering organizations by credit code, one or many, and changing their details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import PlainValidator, ValidationInfo

from certhub.core.actors import Actor
from certhub.core.audit import audit_event, queue_ledger_events, record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent, Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Input, Text, Uscc, invalid, validate
from certhub.registry.certificate_writer import store_public_record
from certhub.registry.choices import INDUSTRY_DIVISIONS, INDUSTRY_SECTIONS
from certhub.registry.models import Certificate, Organization


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
    above_designated_size: Annotated[bool, PlainValidator(bool)] = False


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
