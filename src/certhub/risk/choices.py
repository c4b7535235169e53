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
