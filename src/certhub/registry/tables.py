"""The back office's registry lists, declared once each: the scoped query, the filters it offers and
the columns it shows. One generic list view and one history view serve them all (docs/architecture.md convention 13: a
registry supplies data, not code)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certhub.core.display import localized_name
from certhub.registry.choices import BodyStatus, CertificateStatus, ReportConclusion
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization, Person, TestReport
from certhub.registry.queries import pages as page_queries


@dataclass(frozen=True)
class Column:
    """One column: its heading, how to read the value from a row, and how to show it."""

    label: Any
    value: Callable[[Any], Any]
    kind: str = "text"  # text | date | code | link (to the row's history) | status (a (value, label) pair)


@dataclass(frozen=True)
class OfficeRegistry:
    key: str  # the URL segment; the URL names are registry:office_<name>_list and registry:office_<name>_history
    name: str
    title: Any
    model: type[models.Model]
    rows: Callable[..., models.QuerySet]  # (actor, **filters) → the actor's scoped, filtered rows
    columns: list[Column]
    search_help: Any = ""
    statuses: list[tuple[str, Any]] = field(default_factory=list)
    status_label: Any = None
    schemes: bool = False


def _region(row: Any) -> str:
    return localized_name(row.region)


def _org_region(row: Any) -> str:
    return localized_name(row.organization.region)


def _affiliations(person: Person) -> str:
    return "；".join(
        f"{a.organization.name}（{a.get_role_display()}，{a.start:%Y-%m-%d}–{a.end:%Y-%m-%d}）"
        if a.end
        else f"{a.organization.name}（{a.get_role_display()}，{a.start:%Y-%m-%d}–）"
        for a in person.affiliations.all()
    )


REGISTRIES: list[OfficeRegistry] = [
    OfficeRegistry(
        key="organizations",
        name="organization",
        title=pgettext_lazy("list", "机构"),
        model=Organization,
        rows=page_queries.office_organizations,
        search_help=_("名称的一部分，或完整的统一社会信用代码"),
        columns=[
            Column(_("名称"), lambda o: o.name, "link"),
            Column(_("统一社会信用代码"), lambda o: o.uscc, "code"),
            Column(_("所在地区"), _region),
            Column(_("行业门类"), lambda o: o.industry_section),
            Column(_("规模以上工业企业"), lambda o: _("是") if o.above_designated_size else _("否")),
        ],
    ),
    OfficeRegistry(
        key="certification-bodies",
        name="certification_body",
        title=pgettext_lazy("list", "认证机构"),
        model=CertificationBody,
        rows=page_queries.office_certification_bodies,
        search_help=_("名称的一部分，或完整的批准号"),
        statuses=list(BodyStatus.choices),
        schemes=True,
        columns=[
            Column(_("名称"), lambda b: b.name, "link"),
            Column(_("批准号"), lambda b: b.approval_number, "code"),
            Column(_("认可证书"), lambda b: b.accreditation),
            Column(_("状态"), lambda b: (b.status, b.get_status_display()), "status"),
            Column(_("所在地区"), _org_region),
        ],
    ),
    OfficeRegistry(
        key="labs",
        name="lab",
        title=pgettext_lazy("list", "检验检测机构"),
        model=Lab,
        rows=page_queries.office_labs,
        search_help=_("名称的一部分，或完整的资质认定证书编号"),
        statuses=list(BodyStatus.choices),
        columns=[
            Column(_("名称"), lambda lab: lab.name, "link"),
            Column(_("资质认定证书编号"), lambda lab: lab.cma_number, "code"),
            Column(_("资质认定有效期至"), lambda lab: lab.cma_valid_until, "date"),
            Column(_("状态"), lambda lab: (lab.status, lab.get_status_display()), "status"),
            Column(_("所在地区"), _org_region),
        ],
    ),
    OfficeRegistry(
        key="people",
        name="person",
        title=pgettext_lazy("list", "人员"),
        model=Person,
        rows=page_queries.office_people,
        search_help=_("姓名的一部分"),
        columns=[
            Column(_("姓名"), lambda p: p.name, "link"),
            Column(_("角色"), lambda p: "、".join(p.role_labels())),
            Column(_("任职经历"), _affiliations),
        ],
    ),
    OfficeRegistry(
        key="certificates",
        name="certificate",
        title=pgettext_lazy("list", "证书"),
        model=Certificate,
        rows=page_queries.office_certificates,
        search_help=_("完整的证书编号或统一社会信用代码，或组织名称的一部分"),
        statuses=list(CertificateStatus.choices),
        schemes=True,
        columns=[
            Column(_("证书编号"), lambda c: c.number, "link"),
            Column(_("获证组织"), lambda c: c.holder_name),
            Column(_("认证制度"), lambda c: localized_name(c.scheme)),
            Column(_("认证机构"), lambda c: c.certification_body.name),
            Column(_("状态"), lambda c: (c.status, c.get_status_display()), "status"),
            Column(_("有效期至"), lambda c: c.expiry_date, "date"),
        ],
    ),
    OfficeRegistry(
        key="test-reports",
        name="test_report",
        title=pgettext_lazy("list", "检验检测报告"),
        model=TestReport,
        rows=page_queries.office_test_reports,
        search_help=_("完整的报告编号，或样品名称的一部分"),
        statuses=list(ReportConclusion.choices),
        status_label=_("结论"),
        columns=[
            Column(_("报告编号"), lambda r: r.number, "link"),
            Column(_("检验检测机构"), lambda r: r.lab.name),
            Column(_("授权签字人"), lambda r: r.signatory.person.name),
            Column(_("签发日期"), lambda r: r.issue_date, "date"),
            Column(_("样品名称"), lambda r: r.product),
            Column(_("结论"), lambda r: (r.conclusion, r.get_conclusion_display()), "status"),
        ],
    ),
]
REGISTRY_BY_KEY = {registry.key: registry for registry in REGISTRIES}
