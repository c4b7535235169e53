"""What the open data contains (C2: "open-data exports of what the policy says is public").

One `Dataset` per pair of files. Each reads the registry in primary-key order by keyset pagination, one
short indexed query per chunk, so that a national registry (millions of certificates) streams in
bounded memory and no transaction or server-side cursor stays open for the length of an export.

Only public fields leave (docs/architecture.md invariant 3, C3):
- certificates are their stored public records, the very documents the public API serves, plus the
  `surveillance_overdue` flag as of the export date; drafts have no public record, and a record whose
  status is not public is skipped all the same;
- certification bodies and labs carry the fields of the public API's schemas (registry/schemas.py);
- lab scope rows carry the qualified scope the lab pages show;
- organizations carry only credit code, name and region, and only those holding a public certificate.
No person is named (signatories are left out), no risk field, no internal note, no user account."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certhub.core.models import Region
from certhub.core.spreadsheets import csv_text
from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES, CertificateStatus
from certhub.registry.models import (
    Certificate,
    CertificatePublicRecord,
    CertificationBody,
    Lab,
    LabScope,
    Organization,
    Scheme,
)
from certhub.registry.queries import with_live_flags

CHUNK_SIZE = 2_000

Record = dict[str, Any]


def chunks_by_primary_key(
    queryset: QuerySet[Any], *, key: Callable[[Any], Any] = lambda row: row.pk, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[Any]]:
    """The rows of `queryset` in primary-key order, in chunks of `chunk_size`, by keyset pagination
    (`pk > last` … `LIMIT n`): each chunk is one index range scan whatever the table's size, where OFFSET
    would rescan and a single cursor would hold a transaction open for the whole export.

    The chunk query should read one table: related rows come by primary key, one query per chunk
    (prefetch_related) or from a small dictionary. A join in the chunk query lets PostgreSQL choose a
    merge join that reads the other table from its start for every chunk — quadratic at national size."""
    ordered = queryset.order_by("pk")
    last = None
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        rows = list(page[:chunk_size])
        if rows:
            yield rows
        if len(rows) < chunk_size:
            return
        last = key(rows[-1])


def by_primary_key(queryset: QuerySet[Any], **options: Any) -> Iterator[Any]:
    for chunk in chunks_by_primary_key(queryset, **options):
        yield from chunk


def region_names() -> dict[str, str]:
    """GB/T 2260 code → name: a few thousand rows even for the whole country."""
    return dict(Region.objects.values_list("code", "name"))


def _region(code: str, regions: dict[str, str]) -> Record:
    return {"code": code, "name": regions.get(code, "")}


# ---------------------------------------------------------------- certificates


def certificate_records(as_of: datetime.date) -> Iterator[Record]:
    """The stored public documents, each with the derived flag the public API adds on `as_of`."""
    rows = CertificatePublicRecord.objects.values_list("certificate_id", "document")
    for _id, stored in by_primary_key(rows, key=lambda row: row[0]):
        document = orjson.loads(stored)
        # A draft has no public record (registry.queries.public_document_bytes); the status the record
        # states is checked again, so that a stray record could never publish a draft (C3).
        if document["status"] not in PUBLIC_CERTIFICATE_STATUSES:
            continue
        yield with_live_flags(document, as_of)


def count_certificates() -> int:
    return CertificatePublicRecord.objects.count()


def _status_reason(record: Record) -> str:
    history = record["history"]
    return history[-1]["reason"] if history else ""


# ---------------------------------------------------------------- certification bodies, labs, scope


def certification_body_records(as_of: datetime.date) -> Iterator[Record]:
    """Every certification body, as GET /api/v1/certification-bodies lists it."""
    regions = region_names()
    queryset = CertificationBody.objects.prefetch_related(
        Prefetch("organization", queryset=Organization.objects.only("id", "uscc", "region_id")),
        Prefetch("schemes", queryset=Scheme.objects.order_by("code").only("id", "code")),
    )
    for body in by_primary_key(queryset):
        organization = body.organization
        yield {
            "name": body.name,
            "approval_number": body.approval_number,
            "accreditation": body.accreditation,
            "status": body.status,
            "uscc": organization.uscc,
            "region": _region(organization.region_id, regions),
            "schemes": sorted(scheme.code for scheme in body.schemes.all()),
            "valid_from": body.valid_from.isoformat() if body.valid_from else None,
            "valid_until": body.valid_until.isoformat() if body.valid_until else None,
        }


def lab_records(as_of: datetime.date) -> Iterator[Record]:
    """Every lab with its CMA qualification, as GET /api/v1/labs lists it."""
    regions = region_names()
    queryset = Lab.objects.prefetch_related(
        Prefetch("organization", queryset=Organization.objects.only("id", "uscc", "region_id"))
    )
    for lab in by_primary_key(queryset):
        organization = lab.organization
        yield {
            "name": lab.name,
            "cma_number": lab.cma_number,
            "cma_valid_from": lab.cma_valid_from.isoformat(),
            "cma_valid_until": lab.cma_valid_until.isoformat(),
            "status": lab.status,
            "uscc": organization.uscc,
            "region": _region(organization.region_id, regions),
        }


def lab_scope_records(as_of: datetime.date) -> Iterator[Record]:
    """Every row of every lab's qualified scope (the lab finder's data), keyed by the CMA number."""
    queryset = LabScope.objects.only(
        "id", "lab_id", "field", "object", "parameter", "standard", "limits", "valid_from", "valid_until"
    ).prefetch_related(Prefetch("lab", queryset=Lab.objects.only("id", "cma_number")))
    for row in by_primary_key(queryset):
        yield {
            "cma_number": row.lab.cma_number,
            "field": row.field,
            "object": row.object,
            "parameter": row.parameter,
            "standard": row.standard,
            "limits": row.limits,
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        }


# ---------------------------------------------------------------- organizations


def public_holders() -> QuerySet[Organization]:
    """Organizations holding at least one public (non-draft) certificate: an organization known only from
    a draft, or from the registry alone, is not published by this export."""
    public = Certificate.objects.filter(holder_id=OuterRef("pk")).exclude(status=CertificateStatus.DRAFT)
    return Organization.objects.filter(Exists(public))


def organization_records(as_of: datetime.date) -> Iterator[Record]:
    regions = region_names()
    for chunk in chunks_by_primary_key(Organization.objects.only("id", "uscc", "name", "region_id")):
        # Which of this chunk's organizations hold a public certificate: one range scan of the holder index.
        holders = set(
            Certificate.objects.filter(holder_id__gte=chunk[0].pk, holder_id__lte=chunk[-1].pk)
            .exclude(status=CertificateStatus.DRAFT)
            .order_by()
            .values_list("holder_id", flat=True)
            .distinct()
        )
        for organization in chunk:
            if organization.pk in holders:
                yield {
                    "uscc": organization.uscc,
                    "name": organization.name,
                    "region": _region(organization.region_id, regions),
                }


# ---------------------------------------------------------------- the datasets and their CSV columns


@dataclass(frozen=True)
class Column:
    """One CSV column: its English snake_case header, what it means, and where its value comes from."""

    name: str
    label: Promise
    value: Callable[[Record], Any]


@dataclass(frozen=True)
class Dataset:
    name: str
    label: Promise
    columns: tuple[Column, ...]
    records: Callable[[datetime.date], Iterator[Record]]
    # Rows expected, for the progress bar and the page (the files' own counts are in the manifest).
    count: Callable[[], int]


def _field(*path: str) -> Callable[[Record], Any]:
    if len(path) == 1:
        (name,) = path
        return lambda record: record.get(name)

    def value(record: Record) -> Any:
        current: Any = record
        for step in path:
            current = current.get(step) if current is not None else None
        return current

    return value


CERTIFICATE_COLUMNS = (
    Column("number", _("证书编号"), _field("number")),
    Column("certification_body_approval_number", _("认证机构批准号"), _field("certification_body", "approval_number")),
    Column("certification_body_name", _("认证机构名称"), _field("certification_body", "name")),
    Column("scheme_code", _("认证制度代码"), _field("scheme", "code")),
    Column("scheme_name", _("认证制度名称"), _field("scheme", "name")),
    Column("scheme_name_en", _("认证制度英文名称"), _field("scheme", "name_en")),
    Column("status", _("证书状态（ACTIVE、SUSPENDED、WITHDRAWN、CANCELLED、EXPIRED）"), _field("status")),
    Column("status_label", _("证书状态（中文）"), _field("status_label")),
    Column("status_date", _("状态日期"), _field("status_date")),
    Column("status_reason", _("最近一次状态变更的原因"), _status_reason),
    Column("holder_name", _("获证组织名称"), _field("holder", "name")),
    Column("holder_uscc", _("获证组织统一社会信用代码"), _field("holder", "uscc")),
    Column("holder_region_code", _("获证组织所在地区代码（GB/T 2260）"), _field("holder", "region", "code")),
    Column("holder_region_name", _("获证组织所在地区"), _field("holder", "region", "name")),
    Column("scope", _("认证范围"), _field("scope")),
    Column("ccc_product_code", _("CCC目录产品代码"), _field("ccc_product", "code")),
    Column("ccc_product_name", _("CCC目录产品名称"), _field("ccc_product", "name")),
    Column("products", _("产品及型号（JSON数组）"), _field("products")),
    Column("sites", _("认证场所（JSON数组）"), _field("sites")),
    Column("standards", _("依据标准"), _field("standards")),
    Column("particulars", _("证书其他内容：认证委托人、地址、生产者、生产企业等（JSON对象）"), _field("particulars")),
    Column("original_issue_date", _("初次发证日期"), _field("original_issue_date")),
    Column("issue_date", _("发证日期"), _field("issue_date")),
    Column("expiry_date", _("有效期至"), _field("expiry_date")),
    Column("surveillance_due", _("下次监督审核应在此日期前"), _field("surveillance_due")),
    Column("surveillance_overdue", _("导出日监督审核是否逾期（true/false）"), _field("surveillance_overdue")),
)

CERTIFICATION_BODY_COLUMNS = (
    Column("approval_number", _("批准号"), _field("approval_number")),
    Column("name", _("名称"), _field("name")),
    Column("accreditation", _("认可证书"), _field("accreditation")),
    Column("status", _("状态（ACTIVE、SUSPENDED、REVOKED、CLOSED）"), _field("status")),
    Column("uscc", _("统一社会信用代码"), _field("uscc")),
    Column("region_code", _("所在地区代码（GB/T 2260）"), _field("region", "code")),
    Column("region_name", _("所在地区"), _field("region", "name")),
    Column("schemes", _("可认证制度代码（以分号分隔）"), lambda record: ";".join(record["schemes"])),
    Column("valid_from", _("批准日期（空为未登记）"), _field("valid_from")),
    Column("valid_until", _("批准有效期至（空为未登记）"), _field("valid_until")),
)

LAB_COLUMNS = (
    Column("cma_number", _("资质认定证书编号"), _field("cma_number")),
    Column("name", _("名称"), _field("name")),
    Column("cma_valid_from", _("资质认定发证日期"), _field("cma_valid_from")),
    Column("cma_valid_until", _("资质认定有效期至"), _field("cma_valid_until")),
    Column("status", _("状态（ACTIVE、SUSPENDED、REVOKED、CLOSED）"), _field("status")),
    Column("uscc", _("统一社会信用代码"), _field("uscc")),
    Column("region_code", _("所在地区代码（GB/T 2260）"), _field("region", "code")),
    Column("region_name", _("所在地区"), _field("region", "name")),
)

LAB_SCOPE_COLUMNS = (
    Column("cma_number", _("检验检测机构的资质认定证书编号"), _field("cma_number")),
    Column("field", _("领域"), _field("field")),
    Column("object", _("检测对象"), _field("object")),
    Column("parameter", _("项目/参数"), _field("parameter")),
    Column("standard", _("依据标准/方法"), _field("standard")),
    Column("limits", _("限制范围"), _field("limits")),
    Column("valid_from", _("批准日期"), _field("valid_from")),
    Column("valid_until", _("截止日期（空为长期）"), _field("valid_until")),
)

ORGANIZATION_COLUMNS = (
    Column("uscc", _("统一社会信用代码"), _field("uscc")),
    Column("name", _("名称"), _field("name")),
    Column("region_code", _("所在地区代码（GB/T 2260）"), _field("region", "code")),
    Column("region_name", _("所在地区"), _field("region", "name")),
)

DATASETS: list[Dataset] = [
    Dataset("certificates", _("证书"), CERTIFICATE_COLUMNS, certificate_records, count_certificates),
    Dataset(
        "certification_bodies",
        _("认证机构"),
        CERTIFICATION_BODY_COLUMNS,
        certification_body_records,
        CertificationBody.objects.count,
    ),
    Dataset("labs", _("检验检测机构"), LAB_COLUMNS, lab_records, Lab.objects.count),
    Dataset("lab_scope", _("检验检测机构资质认定范围"), LAB_SCOPE_COLUMNS, lab_scope_records, LabScope.objects.count),
    Dataset(
        "organizations",
        _("持有公开证书的机构"),
        ORGANIZATION_COLUMNS,
        organization_records,
        lambda: public_holders().count(),
    ),
]
DATASET_BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def register_dataset(dataset: Dataset) -> None:
    """Publish a dataset of an app above opendata (called from its AppConfig.ready, as apps register with
    ledger.subjects): the export writes it after the registry's own. The app keeps to the rule of this
    module, public fields only. Registering a name again replaces the dataset of that name."""
    DATASETS[:] = [existing for existing in DATASETS if existing.name != dataset.name] + [dataset]
    DATASET_BY_NAME[dataset.name] = dataset


# The registry holds free text written by certification bodies: a cell that a spreadsheet would run as a
# formula is written as text (core.spreadsheets). The JSON Lines files carry every value unchanged.


def csv_cell(value: Any) -> str:
    """A record value as CSV text: empty for null, true/false, compact JSON for lists and objects."""
    if type(value) is not str:  # text is most cells: it takes the one test below
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list | dict):
            return orjson.dumps(value).decode()
        value = str(value)
    return csv_text(value)


def csv_row(dataset: Dataset, record: Record) -> list[str]:
    return [csv_cell(column.value(record)) for column in dataset.columns]
