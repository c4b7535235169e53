"""Organizations as market registration knows them, their former names, and the CCC-catalogue products they make (C1,
C6)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.models import Region
from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import (
    ProductSource,
    RegistrationStatus,
)
from certhub.registry.models.reference import CccProduct


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
