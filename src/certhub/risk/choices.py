"""Risk vocabularies: where a certificate was seen in use, what became of a warning (C6). The grades
themselves (RiskGrade, GradedSubject, UNGRADED) are how the registry classifies its subjects: registry.choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
