"""The registries of C1: organizations, certification bodies, labs, people, schemes, certificates,
test reports and the CCC catalogue. Rows change only through registry.actions."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.models import Region
from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    AuditKind,
    BanKind,
    BodyStatus,
    CccMode,
    CertificateStatus,
    PersonRole,
    ProductSource,
    RegistrationStatus,
    ReportConclusion,
    SchemeKind,
)
from certhub.registry.dates import surveillance_due_date


class Organization(RegulatedModel):
    """A legal entity identified by its Unified Social Credit Code (GB 32100-2015)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=300, blank=True)
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, blank=True)
    above_designated_size = models.BooleanField(_("规模以上工业企业"), default=False)
    registration_status = models.CharField(
        _("登记状态"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.IN_BUSINESS
    )
    # The contact registered for the credit code: where a code confirming an account's link to this
    # organization is sent (C8, 一网通办 sign-up). Kept by the enterprise itself; never public.
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc=Upper("uscc")),
                name="organization_uscc_upper",
                violation_error_message=_("统一社会信用代码须为大写"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_public_id(self) -> str:
        """How a ledger entry names this organization (ledger.subjects): its credit code, public anyway."""
        return self.uscc


class OrganizationName(RegulatedModel):
    """A name the organization went by before (曾用名), with the dates it was used (C1): kept when the name
    changes, shown on the organization's pages, and still found by search."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="former_names"
    )
    name = models.CharField(_("曾用名"), max_length=200, db_index=True)
    used_from = models.DateField(_("启用日期"), null=True, blank=True)
    used_until = models.DateField(_("停用日期"))

    class Meta:
        ordering = ["organization_id", "-used_until", "-id"]
        verbose_name = _("曾用名")
        verbose_name_plural = _("曾用名")

    def __str__(self) -> str:
        return self.name


class Scheme(RegulatedModel):
    """A certification scheme, defined as data (registry/data/schemes.json)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("强制性"), default=False)
    kind = models.CharField(_("类别"), max_length=24, choices=SchemeKind.choices)
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), null=True, blank=True)
    surveillance_months = models.PositiveSmallIntegerField(_("监督周期（月）"), null=True, blank=True)
    standard = models.CharField(_("依据标准"), max_length=300, blank=True)
    authority = models.CharField(_("主管部门"), max_length=200, blank=True)
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("认证制度")
        verbose_name_plural = _("认证制度")

    def __str__(self) -> str:
        return self.name


class CccCatalogueVersion(RegulatedModel):
    """One announcement that set or changed the CCC catalogue."""

    key = models.CharField(_("版本"), max_length=32, unique=True)
    title = models.CharField(_("公告"), max_length=300)
    published = models.DateField(_("发布日期"))
    effective = models.DateField(_("实施日期"))
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["effective"]
        verbose_name = _("CCC目录版本")
        verbose_name_plural = _("CCC目录版本")

    def __str__(self) -> str:
        return self.title


class CccCategory(RegulatedModel):
    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("CCC产品大类")
        verbose_name_plural = _("CCC产品大类")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class CccProduct(RegulatedModel):
    """A product in the CCC catalogue, with the dates it is in force (versioned reference data)."""

    code = models.CharField(_("产品代码"), max_length=4, unique=True)
    codes = models.JSONField(_("全部代码"), default=list, help_text=_("目录中并列的代码，如 0205/0207"))
    name = models.CharField(_("产品名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    category = models.ForeignKey(CccCategory, verbose_name=_("大类"), on_delete=models.PROTECT)
    mode = models.CharField(_("评价方式"), max_length=24, choices=CccMode.choices)
    version = models.ForeignKey(CccCatalogueVersion, verbose_name=_("版本"), on_delete=models.PROTECT)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CCC目录产品")
        verbose_name_plural = _("CCC目录产品")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class CertificationBody(RegulatedModel):
    """A certification body approved by CNCA (批准书号), with its accreditation and schemes."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("法人机构"), on_delete=models.PROTECT, related_name="certification_body"
    )
    name = models.CharField(_("名称"), max_length=200)
    approval_number = models.CharField(_("批准号"), max_length=32, unique=True)
    accreditation = models.CharField(_("认可证书"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=BodyStatus.choices, default=BodyStatus.ACTIVE)
    schemes = models.ManyToManyField(Scheme, verbose_name=_("可认证制度"), related_name="certification_bodies")
    # The approval's validity as CNCA's announcement states it (认证机构批准书); unknown for bodies recorded
    # before CertHub kept it.
    valid_from = models.DateField(_("批准日期"), null=True, blank=True)
    valid_until = models.DateField(_("批准有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("认证机构")
        verbose_name_plural = _("认证机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="body_approval_validity_order",
                violation_error_message=_("批准有效期须晚于批准日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_public_id(self) -> str:
        return self.approval_number


class CertificationBodyStatusEvent(RegulatedModel):
    """The public status history of a certification body: each change of its approval (暂停, 恢复, 撤销, 注销)
    with its date, reason and the decision or announcement it follows (C1)."""

    body = models.ForeignKey(
        CertificationBody, verbose_name=_("认证机构"), on_delete=models.PROTECT, related_name="status_events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=BodyStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=BodyStatus.choices)
    effective_date = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"))
    decision = models.CharField(_("决定或公告文号"), max_length=200)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["body_id", "recorded_at", "id"]
        verbose_name = _("认证机构状态记录")
        verbose_name_plural = _("认证机构状态记录")
        indexes = [models.Index(fields=["body", "recorded_at"], name="bodyevent_body_time")]

    def __str__(self) -> str:
        return f"{self.body_id}: {self.from_status}→{self.to_status}"


class Lab(RegulatedModel):
    """An inspection and testing institution with its CMA qualification (资质认定)."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("法人机构"), on_delete=models.PROTECT, related_name="lab"
    )
    name = models.CharField(_("名称"), max_length=200)
    cma_number = models.CharField(_("资质认定证书编号"), max_length=32, unique=True)
    cma_valid_from = models.DateField(_("资质认定发证日期"))
    cma_valid_until = models.DateField(_("资质认定有效期至"))
    status = models.CharField(_("状态"), max_length=12, choices=BodyStatus.choices, default=BodyStatus.ACTIVE)
    # The licensing decision (资质认定决定书) behind the qualification as it stands, or the administrator's data
    # migration it came from: a lab's facts change only through licensing (C1, C8).
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("检验检测机构")
        verbose_name_plural = _("检验检测机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cma_valid_until__gt=models.F("cma_valid_from")),
                name="lab_cma_validity_order",
                violation_error_message=_("资质认定有效期须晚于发证日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_public_id(self) -> str:
        return self.cma_number

    def qualified_on(self, day: datetime.date) -> bool:
        return self.status == BodyStatus.ACTIVE and self.cma_valid_from <= day <= self.cma_valid_until


class LabScope(RegulatedModel):
    """One row of a lab's qualified scope: field × object × parameter × standard, with its dates."""

    lab = models.ForeignKey(Lab, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="scope")
    field = models.CharField(_("领域"), max_length=100)
    object = models.CharField(_("检测对象"), max_length=200)
    parameter = models.CharField(_("项目/参数"), max_length=200)
    standard = models.CharField(_("依据标准/方法"), max_length=200)
    limits = models.CharField(_("限制范围"), max_length=200, blank=True)
    valid_from = models.DateField(_("批准日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["lab_id", "field", "object", "parameter"]
        verbose_name = _("资质认定范围")
        verbose_name_plural = _("资质认定范围")
        indexes = [models.Index(fields=["parameter"], name="labscope_parameter")]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "object", "parameter", "standard"],
                name="labscope_unique_row",
                violation_error_message=_("该检测范围已登记"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object} / {self.parameter} / {self.standard}"


class Person(RegulatedModel):
    """An auditor, enforcement inspector or signatory. Only a digest of any ID number is kept."""

    name = models.CharField(_("姓名"), max_length=64)
    roles = models.JSONField(_("角色"), default=list)
    id_digest = models.CharField(_("身份证件摘要"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name

    def role_labels(self) -> list[str]:
        return [str(PersonRole(r).label) for r in self.roles]


class Affiliation(RegulatedModel):
    """A person's employment at an organization in a role, from a date until a date (or now)."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(_("角色"), max_length=24, choices=PersonRole.choices)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"), null=True, blank=True)
    # What the affiliation was recorded on: for a lab's key people the licensing decision (or the
    # administrator's data migration), since they change only through licensing (C1, C8).
    decision = models.CharField(_("依据"), max_length=64, blank=True)

    class Meta:
        ordering = ["person_id", "start"]
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="affiliation_dates_order",
                violation_error_message=_("截止日期不得早于起始日期"),
            ),
            # One open affiliation per person, organization and role: a second start without an end
            # would make "who is the technical manager now" ambiguous (C1).
            models.UniqueConstraint(
                fields=["person", "organization", "role"],
                condition=models.Q(end__isnull=True),
                name="affiliation_one_open",
                violation_error_message=_("该人员在本机构已有同一角色的在任记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization} ({self.role})"


class Signatory(RegulatedModel):
    """An authorized signatory (授权签字人) of a lab, with their own scope and dates."""

    lab = models.ForeignKey(Lab, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="signatories")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="signatures")
    scope = models.ManyToManyField(LabScope, verbose_name=_("授权签字范围"), related_name="signatories")
    valid_from = models.DateField(_("批准日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    decision = models.CharField(_("许可决定"), max_length=64, blank=True)

    class Meta:
        ordering = ["lab_id", "person__name"]
        verbose_name = _("授权签字人")
        verbose_name_plural = _("授权签字人")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "person"],
                name="signatory_unique",
                violation_error_message=_("该人员已是授权签字人"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.lab})"


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


class TestReport(RegulatedModel):
    """Metadata of a lab's test report, enough to check it against the lab's scope on its date."""

    __test__ = False  # not a pytest test class

    lab = models.ForeignKey(Lab, verbose_name=_("检验检测机构"), on_delete=models.PROTECT, related_name="reports")
    number = models.CharField(_("报告编号"), max_length=64)
    signatory = models.ForeignKey(
        Signatory, verbose_name=_("授权签字人"), on_delete=models.PROTECT, related_name="reports"
    )
    issue_date = models.DateField(_("签发日期"))
    client = models.ForeignKey(
        Organization,
        verbose_name=_("委托单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.CharField(_("样品名称"), max_length=200, blank=True)
    conclusion = models.CharField(_("结论"), max_length=12, choices=ReportConclusion.choices)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "number"]
        verbose_name = _("检验检测报告")
        verbose_name_plural = _("检验检测报告")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "number"],
                name="report_number_unique_per_lab",
                violation_error_message=_("该机构已有此编号的报告"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TestReportItem(RegulatedModel):
    """One tested item of a report: parameter and standard (and the result as text)."""

    __test__ = False

    report = models.ForeignKey(TestReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="items")
    parameter = models.CharField(_("项目/参数"), max_length=200)
    standard = models.CharField(_("依据标准/方法"), max_length=200)
    result = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["report_id", "id"]
        verbose_name = _("报告检测项目")
        verbose_name_plural = _("报告检测项目")

    def __str__(self) -> str:
        return f"{self.parameter} ({self.standard})"


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


class ManufacturedProduct(RegulatedModel):
    """A CCC-catalogue product an organization makes, as licensing, statistics or inspections report it:
    what CCC coverage (C6) is measured against. Certificates say what is certified; this says what is made."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="manufactured_products"
    )
    ccc_product = models.ForeignKey(
        CccProduct, verbose_name=_("CCC目录产品"), on_delete=models.PROTECT, related_name="+"
    )
    # The maker's region, copied so that coverage per prefecture and county is one index range (as on
    # Certificate).
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    source = models.CharField(_("信息来源"), max_length=12, choices=ProductSource.choices)
    recorded_on = models.DateField(_("登记日期"))

    class Meta:
        ordering = ["organization_id", "ccc_product_id"]
        verbose_name = _("生产产品")
        verbose_name_plural = _("生产产品")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ccc_product"],
                name="manufactured_product_once",
                violation_error_message=_("该企业已登记此产品"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.ccc_product_id}"


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


def ban_in_force(on: datetime.date) -> models.Q:
    """The condition a Ban meets when it binds on `on`: started, not ended, not lifted (a lift takes
    effect on its date). Filter with `Ban.objects.filter(ban_in_force(day), …)`."""
    return (
        models.Q(starts__lte=on)
        & (models.Q(ends__isnull=True) | models.Q(ends__gt=on))
        & (models.Q(lifted_on__isnull=True) | models.Q(lifted_on__gt=on))
    )


class Ban(RegulatedModel):
    """A bar imposed by a decision (C9): on an organization (permanent exit, application bar, certification
    bar, serious-violation listing) or on a person (lifetime ban). Imposed and lifted only by actions that
    carry a decision number (registry.actions.bans), each with its audit row and ledger entry. `ends` is
    empty for a permanent exit and a lifetime ban. A lift keeps the row: the integrity archive shows both."""

    kind = models.CharField(_("限制类型"), max_length=20, choices=BanKind.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("被限制机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="bans"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("被限制人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="bans"
    )
    # An application bar may name one licence type (licensing.choices.LicenceType values); empty = any.
    licence_type = models.CharField(_("限制的许可类型"), max_length=16, blank=True)
    decision_number = models.CharField(_("决定文号"), max_length=64)
    decided_on = models.DateField(_("决定日期"))
    authority = models.CharField(_("决定机关"), max_length=100)
    # The region of the deciding authority: only officers of this region (or above it) may lift the ban.
    region_code = models.CharField(_("决定机关所在地区"), max_length=6, db_index=True)
    starts = models.DateField(_("起始日期"))
    ends = models.DateField(_("截止日期"), null=True, blank=True)
    reason = models.TextField(_("事由"))
    legal_basis = models.TextField(_("法律依据"))
    # What the ban came from (e.g. "licensing.Licence:CMA-2025-0001"), for the integrity archive's link.
    source = models.CharField(_("来源记录"), max_length=120, blank=True)
    # For an application bar: the digest of the legal representative's ID number at the time, so that the
    # same person's new organization is barred too (a keyed digest, registry.person_ids).
    legal_representative_digest = models.CharField(_("法定代表人身份证件摘要"), max_length=64, blank=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lift_decision_number = models.CharField(_("解除决定文号"), max_length=64, blank=True)
    lift_reason = models.TextField(_("解除原因"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-starts", "id"]
        verbose_name = _("限制措施")
        verbose_name_plural = _("限制措施")
        indexes = [
            models.Index(fields=["organization", "kind", "starts"], name="ban_organization"),
            models.Index(fields=["person", "kind", "starts"], name="ban_person"),
            models.Index(fields=["legal_representative_digest"], name="ban_representative"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organization__isnull=False) & models.Q(person__isnull=True))
                | (models.Q(organization__isnull=True) & models.Q(person__isnull=False)),
                name="ban_one_subject",
                violation_error_message=_("限制措施应针对一个机构或一名人员"),
            ),
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gt=models.F("starts")),
                name="ban_ends_after_start",
                violation_error_message=_("截止日期须晚于起始日期"),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=BanKind.values),
                name="ban_kind_known",
                violation_error_message=_("未知的限制类型"),
            ),
            models.UniqueConstraint(
                fields=["decision_number", "kind", "organization", "person"],
                name="ban_unique_decision",
                violation_error_message=_("该决定已登记此限制"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.kind}"
