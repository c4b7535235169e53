"""CCC market control (C7, 湘政发〔2018〕28号 五 严禁未获证产品进入市场): producers' self-declarations for the
catalogue products that allow them, officers' campaigns (专项整治), and market checks — a listing on an
e-commerce platform, a label in a shop, a sample sent for testing — each with its verdict and the reason.
A claimed number that is not in the registry is kept as written (a forged number has no certificate to point
at). Rows change only through market.actions."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.market.choices import BatchSource, BatchState, CheckChannel, DeclarationStatus, Placement, Verdict
from certhub.registry.models import CccProduct, Certificate, Organization, TestReport


class SelfDeclaration(RegulatedModel):
    """A producer's self-declaration of conformity (自我声明) for a catalogue product whose mode is `*` or `**`
    on the day it was declared: the models it covers, the standards, and the type-test report behind it (a
    report in CertHub, or the reason it cannot be checked here). Published at once; withdrawn, never deleted."""

    number = models.CharField(_("自我声明编号"), max_length=32, unique=True)
    organization = models.ForeignKey(Organization, verbose_name=_("生产者"), on_delete=models.PROTECT, related_name="+")
    # The producer's region, copied so that officers' scope is one index range (as on certificates).
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    ccc_product = models.ForeignKey(
        CccProduct, verbose_name=_("CCC目录产品"), on_delete=models.PROTECT, related_name="+"
    )
    product_name = models.CharField(_("产品名称"), max_length=200)
    product_models = models.JSONField(_("型号"), default=list)
    # The models folded to one spelling (market.actions.declarations.model_key), between bars: "|BCD218|KX5|",
    # so that the public search finds "bcd 218" by "BCD-218" with one portable LIKE.
    model_keys = models.TextField(_("型号（规范化）"), blank=True, default="")
    trademark = models.CharField(_("商标"), max_length=100, blank=True)
    gtins = models.JSONField(_("商品条码"), default=list, blank=True)
    standards = models.JSONField(_("依据标准"), default=list)
    test_report = models.ForeignKey(
        TestReport, verbose_name=_("型式试验报告"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the report is not in CertHub (a lab outside the province, a report from before CertHub): why, as the
    # producer states it; such a declaration is published with that note, never silently treated as checked.
    report_note = models.TextField(_("报告无法核验的原因"), blank=True)
    declared_on = models.DateField(_("声明日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeclarationStatus.choices, default=DeclarationStatus.PUBLISHED
    )
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-declared_on", "id"]
        verbose_name = _("自我声明")
        verbose_name_plural = _("自我声明")
        indexes = [
            # Coverage (the KPI, the ccc_uncovered detector): a maker's declarations of a product.
            models.Index(fields=["organization", "ccc_product", "status"], name="declaration_maker_product"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeclarationStatus.values),
                name="declaration_status_known",
                violation_error_message=_("未知的自我声明状态"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def ledger_public_id(self) -> str:
        """How a ledger entry names this declaration: its number, published anyway (C4)."""
        return self.number

    def in_force_on(self, day: datetime.date) -> bool:
        """Published on `day`: declared on or before it and not withdrawn by then (market.declarations)."""
        return self.declared_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)


class Campaign(RegulatedModel):
    """A market-wide campaign (专项整治) an officer defines: which catalogue products, where, when. Checks
    recorded under it are tallied on the statistics page."""

    name = models.CharField(_("专项整治名称"), max_length=200)
    region_code = models.CharField(_("地区"), max_length=6, db_index=True)
    # Catalogue product codes (CccProduct.code) the campaign covers; empty means the whole catalogue.
    product_codes = models.JSONField(_("目录产品"), default=list, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("专项整治")
        verbose_name_plural = _("专项整治")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("结束日期不得早于开始日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CheckBatch(RegulatedModel):
    """One submission of listings — a page's on-site check, an API call, a file — with its progress, so that a
    file of a million listings resumes where it stopped."""

    source = models.CharField(_("来源"), max_length=8, choices=BatchSource.choices)
    channel = models.CharField(_("发现渠道"), max_length=8, choices=CheckChannel.choices)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项整治"), null=True, blank=True, on_delete=models.PROTECT, related_name="batches"
    )
    region_code = models.CharField(_("地区"), max_length=6, db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=BatchState.choices, default=BatchState.CHECKING)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    stored_path = models.CharField(_("存档路径"), max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已核查行数"), default=0)
    submitted_by = models.CharField(_("提交人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("市场检查批次")
        verbose_name_plural = _("市场检查批次")

    def __str__(self) -> str:
        return f"{self.source} {self.pk}"


class MarketCheck(RegulatedModel):
    """One listing, label or sample checked against the catalogue and the registries, as it was seen and as
    it was judged. `claimed_number` is kept as written (folded to one spelling) even when no certificate or
    declaration has it: repeated forged numbers are grouped on it.

    A million-listing campaign file adds a million rows: the foreign keys carry no index of their own (the
    composite indexes below lead with the ones that are read by; the others are never looked up from this
    side), so that each insert updates six indexes, not fourteen."""

    batch = models.ForeignKey(
        CheckBatch,
        db_index=False,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
    )
    row = models.PositiveIntegerField(_("行号"), default=0)
    campaign = models.ForeignKey(
        Campaign,
        db_index=False,
        verbose_name=_("专项整治"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
    )
    channel = models.CharField(_("发现渠道"), max_length=8, choices=CheckChannel.choices)
    checked_on = models.DateField(_("检查日期"))
    region_code = models.CharField(_("地区"), max_length=6)
    platform = models.CharField(_("平台"), max_length=64, blank=True)
    shop = models.CharField(_("店铺或经营者"), max_length=200, blank=True)
    shop_organization = models.ForeignKey(
        Organization,
        db_index=False,
        verbose_name=_("经营者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    url = models.CharField(_("链接"), max_length=500, blank=True)
    product_name = models.CharField(_("产品名称"), max_length=200)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    trademark = models.CharField(_("商标"), max_length=100, blank=True)
    catalogue_code = models.CharField(_("填报的目录代码"), max_length=4, blank=True)
    claimed_number = models.CharField(_("所称证书或声明编号"), max_length=64, blank=True)
    gtin = models.CharField(_("商品条码"), max_length=14, blank=True)
    ccc_product = models.ForeignKey(
        CccProduct,
        db_index=False,
        verbose_name=_("CCC目录产品"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    placement = models.CharField(_("目录归类方式"), max_length=12, choices=Placement.choices)
    verdict = models.CharField(_("结论"), max_length=20, choices=Verdict.choices)
    reason = models.TextField(_("理由"))
    certificate = models.ForeignKey(
        Certificate,
        db_index=False,
        verbose_name=_("证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declaration = models.ForeignKey(
        SelfDeclaration,
        db_index=False,
        verbose_name=_("自我声明"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whom the product is traced to: the certificate's holder or the declaration's producer when one is named.
    producer = models.ForeignKey(
        Organization,
        db_index=False,
        verbose_name=_("生产者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample_number = models.CharField(_("抽样单编号"), max_length=64, blank=True)
    test_report = models.ForeignKey(
        TestReport,
        db_index=False,
        verbose_name=_("检验报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "id"]
        verbose_name = _("市场检查")
        verbose_name_plural = _("市场检查")
        indexes = [
            models.Index(fields=["batch", "row"], name="market_check_batch_row"),
            models.Index(fields=["campaign", "verdict"], name="market_check_campaign"),
            # Forged numbers grouped; the detectors' and the trace's reads by subject.
            models.Index(fields=["verdict", "claimed_number"], name="market_check_verdict_number"),
            models.Index(fields=["producer", "checked_on"], name="market_check_producer"),
            models.Index(fields=["shop_organization", "checked_on"], name="market_check_shop"),
            models.Index(fields=["region_code", "-checked_on"], name="market_check_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values),
                name="market_check_verdict_known",
                violation_error_message=_("未知的检查结论"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.verdict}"
