"""Certificates, their public records and status history, their product lines, and the audits behind them (C1, C7)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    AuditKind,
    CertificateStatus,
)
from certhub.registry.dates import surveillance_due_date
from certhub.registry.models.bodies import CertificationBody
from certhub.registry.models.organizations import Organization
from certhub.registry.models.reference import CccProduct, Scheme


def certificate_public_id(approval_number: str, number: str) -> str:
    """How the public names one certificate, e.g. in the ledger: numbers are unique per body only."""
    return f"{approval_number}/{number}"


class Certificate(RegulatedModel):
    """A certificate: number unique per certification body, holder, scheme, scope and lifecycle status.
    Its public record, as served, lives beside it in CertificatePublicRecord."""

    certification_body = models.ForeignKey(
        CertificationBody, verbose_name=_("认证机构"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("证书编号"), max_length=60)
    scheme = models.ForeignKey(Scheme, verbose_name=_("认证制度"), on_delete=models.PROTECT, related_name="+")
    # No index of its own: certificate_holder_newest starts with the holder and also covers the search.
    holder = models.ForeignKey(
        Organization,
        verbose_name=_("获证组织"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    holder_name = models.CharField(_("获证组织名称"), max_length=200)
    # The holder's region, copied so that region filters and officers' scope are one index range on this
    # table at national scale; do_update_organization keeps it in step when a holder moves.
    region_code = models.CharField(_("获证组织所在地区"), max_length=6, db_index=True)
    scope = models.TextField(_("认证范围"), blank=True)
    ccc_product = models.ForeignKey(
        CccProduct,
        verbose_name=_("CCC目录产品"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    products = models.JSONField(_("产品及型号"), default=list, blank=True)
    sites = models.JSONField(_("认证场所"), default=list, blank=True)
    standards = models.CharField(_("依据标准"), max_length=300, blank=True)
    # The rest of what a certificate states (认证证书和认证标志管理办法 Art. 7; IAF CertSearch upload fields),
    # keyed by PARTICULARS: applicant, address, manufacturer, factory, certification mode, accreditation body.
    particulars = models.JSONField(_("证书其他内容"), default=dict, blank=True)
    original_issue_date = models.DateField(_("初次发证日期"))
    issue_date = models.DateField(_("发证日期"))
    expiry_date = models.DateField(_("有效期至"))
    last_surveillance_date = models.DateField(_("最近监督审核日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.DRAFT
    )
    status_changed_on = models.DateField(_("状态日期"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    # Days between issue and arrival in CertHub (C2: a genuine certificate "not found" because it was
    # reported late). Internal: shown to officers per body, never public.
    reporting_lag_days = models.PositiveIntegerField(_("报送滞后天数"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        indexes = [
            models.Index(fields=["number"], name="certificate_number"),
            models.Index(fields=["status", "scheme"], name="certificate_status_scheme"),
            # A holder's certificates newest first, with the status the public filter needs: the holder-name
            # search orders and filters its candidates from this index alone.
            models.Index(fields=["holder", "-issue_date", "-id", "status"], name="certificate_holder_newest"),
            models.Index(fields=["holder_name"], name="certificate_holder_name"),
            # Search results are listed newest first (registry.queries.search_certificates).
            models.Index(fields=["-issue_date", "-id"], name="certificate_newest_first"),
            models.Index(fields=["status", "-issue_date", "-id"], name="certificate_status_newest"),
            # Reporting timeliness per body (exchange.queries) is an index-only aggregate.
            models.Index(fields=["certification_body", "reporting_lag_days"], name="certificate_body_lag"),
            # The transfer bar (C9, registry.certificate_rules.suspended_elsewhere): the few suspended
            # certificates of a batch's holders, without reading their other certificates.
            models.Index(
                fields=["holder", "scheme"],
                name="certificate_suspended_holder",
                condition=models.Q(status="SUSPENDED"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certification_body", "number"],
                name="certificate_number_unique_per_body",
                violation_error_message=_("该认证机构已有此编号的证书"),
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_date__gt=models.F("issue_date")),
                name="certificate_expiry_after_issue",
                violation_error_message=_("有效期至须晚于发证日期"),
            ),
            models.CheckConstraint(
                condition=models.Q(original_issue_date__lte=models.F("issue_date")),
                name="certificate_original_issue_first",
                violation_error_message=_("初次发证日期不得晚于发证日期"),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CertificateStatus.values),
                name="certificate_status_known",
                violation_error_message=_("未知的证书状态"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def ledger_public_id(self) -> str | None:
        """Body approval number / certificate number (numbers are unique per body only); None when the body
        is not loaded, so that naming an entry never costs a query inside the action (ledger.subjects
        looks it up then)."""
        if not Certificate.certification_body.is_cached(self):
            return None
        return certificate_public_id(self.certification_body.approval_number, self.number)

    def surveillance_overdue(self, today: datetime.date | None = None) -> bool:
        """Derived, not a state: an active certificate whose next surveillance audit is past due."""
        if self.status != CertificateStatus.ACTIVE:
            return False
        due = surveillance_due_date(self)
        return due is not None and due < (today or timezone.localdate())


class CertificatePublicRecord(RegulatedModel):
    """The public record of a non-draft certificate (fields and status history) as the JSON bytes the
    API serves: the read model behind the lean lookup path (registry.fast_lookup). Rebuilt by every action
    that changes the certificate, in the same transaction, so it is never stale. Kept apart from the
    certificate row so that the registry table stays narrow for searches and counts."""

    certificate = models.OneToOneField(
        Certificate, verbose_name=_("证书"), primary_key=True, on_delete=models.PROTECT, related_name="record"
    )
    number = models.CharField(_("证书编号"), max_length=60, db_index=True)
    document = models.BinaryField(_("公开记录"))

    class Meta:
        verbose_name = _("证书公开记录")
        verbose_name_plural = _("证书公开记录")

    def __str__(self) -> str:
        return self.number


class CertificateEvent(RegulatedModel):
    """The public status history of a certificate: each transition with its date and reason."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=CertificateStatus.choices)
    effective_date = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["certificate_id", "recorded_at", "id"]
        verbose_name = _("证书状态记录")
        verbose_name_plural = _("证书状态记录")
        indexes = [models.Index(fields=["certificate", "recorded_at"], name="certevent_cert_time")]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status}→{self.to_status}"


class CertifiedProduct(RegulatedModel):
    """One product line of a certificate (Certificate.products), kept as a row so that the products certified
    can be found by GTIN, model, name, trademark and factory at national scale (C7: may this product be
    sold?). Written with the certificate, in the same action; never edited on its own."""

    certificate = models.ForeignKey(Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="+")
    line = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("产品名称"), max_length=200)
    model = models.CharField(_("型号"), max_length=200, blank=True)
    # The model folded to one spelling (NFKC, upper case, no spaces, hyphens, dots, slashes or underscores), so
    # that "BCD-218" on a label finds "bcd 218" on a certificate.
    model_key = models.CharField(_("型号（规范化）"), max_length=200, blank=True)
    trademark = models.CharField(_("商标"), max_length=200, blank=True)
    gtin = models.CharField(_("商品条码"), max_length=14, blank=True)
    factory = models.CharField(_("生产企业"), max_length=200, blank=True)

    class Meta:
        ordering = ["certificate_id", "line"]
        verbose_name = _("获证产品")
        verbose_name_plural = _("获证产品")
        indexes = [
            models.Index(fields=["gtin"], name="certified_product_gtin", condition=~models.Q(gtin="")),
            models.Index(fields=["model_key"], name="certified_product_model"),
            models.Index(fields=["name"], name="certified_product_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "line"], name="certified_product_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}/{self.line} {self.name}"


class CertificationAudit(RegulatedModel):
    """One audit behind a management-system certificate, as the body reports it: the auditor days spent and
    the effective personnel they were planned for (IAF MD 5), so that short audits can be found (C6)."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="audits"
    )
    kind = models.CharField(_("审核类型"), max_length=16, choices=AuditKind.choices)
    stage1_days = models.DecimalField(_("第一阶段人日"), max_digits=5, decimal_places=1, default=0)
    stage2_days = models.DecimalField(_("第二阶段（或现场）人日"), max_digits=5, decimal_places=1)
    effective_personnel = models.PositiveIntegerField(_("有效人数"))
    end_date = models.DateField(_("审核结束日期"))

    class Meta:
        ordering = ["certificate_id", "end_date", "id"]
        verbose_name = _("认证审核记录")
        verbose_name_plural = _("认证审核记录")
        indexes = [models.Index(fields=["kind", "certificate"], name="audit_kind_certificate")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage1_days__gte=0, stage2_days__gt=0, effective_personnel__gt=0),
                name="audit_days_positive",
                violation_error_message=_("审核人日和有效人数须为正数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.end_date}"
