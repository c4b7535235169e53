"""Credit-risk grades (分类监管, 国市监信发〔2022〕6号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskGrade(models.TextChoices):
    """A low, B general, C higher, D high. Internal: never on public pages or the public API (C6)."""

    A = "A", _("A 低风险")
    B = "B", _("B 一般风险")
    C = "C", _("C 较高风险")
    D = "D", _("D 高风险")


# An organization, body or lab never graded counts as general risk (B), as 国市监信发〔2022〕6号 treats
# subjects not yet classified.
UNGRADED = RiskGrade.B


class GradedSubject(models.TextChoices):
    ORGANIZATION = "organization", _("企业")
    CERTIFICATION_BODY = "certification_body", _("认证机构")
    LAB = "lab", _("检验检测机构")


class UseChannel(models.TextChoices):
    """Where a certificate was seen in use: the evidence behind "used while suspended" (C6)."""

    PROCUREMENT = "procurement", _("政府采购和招投标")
    MARKET = "market", _("市场检查和网络交易")
    CUSTOMS = "customs", _("进出口通关")
    SEAL_SCAN = "seal_scan", _("防伪二维码扫描")
    REPORTED = "reported", _("部门通报")


class WarningStatus(models.TextChoices):
    OPEN = "OPEN", _("待处置")
    CASE_OPENED = "CASE_OPENED", _("已立案处置")
    DISMISSED = "DISMISSED", _("已排除")
