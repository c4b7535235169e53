"""Risk signal actions (C6): the CCC products organizations make, and the audits behind certificates."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Annotated, Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import PlainValidator, ValidationInfo

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import record_batch_audit
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Input, check_date, collect, context_of, invalid
from certhub.registry.choices import AuditKind, ProductSource
from certhub.registry.models import (
    CccProduct,
    Certificate,
    CertificationAudit,
    CertificationBody,
    ManufacturedProduct,
    Organization,
)


def _recorded_on(value: Any, info: ValidationInfo) -> datetime.date:
    day = check_date(value)
    if day > context_of(info)["today"]:
        invalid(_("登记日期不能晚于今天"))
    return day


def _end_date(value: Any, info: ValidationInfo) -> datetime.date:
    day = check_date(value)
    if day > context_of(info)["today"]:
        invalid(_("审核结束日期不能晚于今天"))
    return day


class ManufacturedRow(Input):
    """What a manufactured-product row states beside its lookups (validate with the context {"today"})."""

    recorded_on: Annotated[datetime.date, PlainValidator(_recorded_on)]


class AuditRow(Input):
    """What a certification-audit row states beside its lookups (validate with the context {"today"})."""

    end_date: Annotated[datetime.date, PlainValidator(_end_date)]


@action
def do_record_manufactured_products(*, rows: Sequence[dict[str, Any]], actor: Actor) -> int:
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
        if holder is None:
            errors.setdefault(f"{field}.uscc", []).append(
                _("登记库中没有统一社会信用代码为%(uscc)s的机构") % {"uscc": row.get("uscc")}
            )
        if product is None:
            errors.setdefault(f"{field}.ccc_product", []).append(
                _("CCC目录中没有产品代码“%(ccc_product)s”") % {"ccc_product": row.get("ccc_product")}
            )
        if row.get("source") not in ProductSource.values:
            errors.setdefault(f"{field}.source", []).append(
                _("未知的信息来源“%(source)s”") % {"source": row.get("source")}
            )
        checked = collect(ManufacturedRow, row, errors, prefix=field, context={"today": today})
        day = checked.recorded_on if checked is not None else None
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
                source=str(row.get("source")),
                # None only with an error recorded for the row, and then nothing is written
                recorded_on=cast(datetime.date, day),
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
def do_record_certification_audits(*, body: CertificationBody, rows: Sequence[dict[str, Any]], actor: Actor) -> int:
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
                _("本机构没有编号为%(certificate)s的证书") % {"certificate": row.get("certificate")}
            )
        if row.get("kind") not in AuditKind.values:
            errors.setdefault(f"{field}.kind", []).append(_("未知的审核类型“%(kind)s”") % {"kind": row.get("kind")})
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
        audit_row = collect(AuditRow, row, errors, prefix=field, context={"today": today})
        if not errors and audit_row is not None:
            audits.append(
                CertificationAudit(
                    # every None below has an error recorded for its row: with none, these are set
                    certificate_id=cast(int, certificate),
                    kind=row["kind"],
                    stage1_days=cast(decimal.Decimal, days[0]),
                    stage2_days=cast(decimal.Decimal, days[1]),
                    effective_personnel=cast(int, personnel),
                    end_date=audit_row.end_date,
                )
            )
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(CertificationAudit, audits)
    record_batch_audit(actor, AuditEventType.RISK_SIGNAL_RECORDED, audits, "certification_audits")
    return len(audits)
