"""Vocabularies of CCC market control (C7): what a market check concludes about a listing, how it reached
CertHub, how the listing was placed in the catalogue, and a self-declaration's state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """What one listing, label or sample is found to be (强制性产品认证管理规定 Art. 2: no certificate, no
    sale). COVERED is the only verdict that lets the product be sold; NOT_IN_CATALOGUE needs nothing;
    NEEDS_PERSON means CertHub could not place the product in the catalogue and will not guess."""

    COVERED = "covered", _("已覆盖（证书或自我声明有效）")
    NOT_IN_CATALOGUE = "not_in_catalogue", _("不属于CCC目录")
    MODEL_NOT_COVERED = "model_not_covered", _("证书未覆盖该型号")
    CERTIFICATE_INVALID = "certificate_invalid", _("证书已暂停、撤销、注销或过期")
    DECLARATION_INVALID = "declaration_invalid", _("自我声明已撤回或不适用")
    FORGED_NUMBER = "forged_number", _("编号不在登记库中（疑似伪造）")
    NO_CLAIM = "no_claim", _("目录内产品无认证证书或自我声明")
    NEEDS_PERSON = "needs_person", _("需人工判定")


# The verdicts that are a violation (a signal, a case to open, a line in the campaign's tally).
NEGATIVE = (
    Verdict.MODEL_NOT_COVERED,
    Verdict.CERTIFICATE_INVALID,
    Verdict.DECLARATION_INVALID,
    Verdict.FORGED_NUMBER,
    Verdict.NO_CLAIM,
)


class CheckChannel(models.TextChoices):
    """Where the listing was seen: three ways in, one engine (C7)."""

    ONSITE = "onsite", _("现场检查")
    ONLINE = "online", _("电商平台")
    SAMPLE = "sample", _("抽样检验")


class BatchSource(models.TextChoices):
    PAGE = "page", _("页面录入")
    API = "api", _("接口")
    FILE = "file", _("文件")


class BatchState(models.TextChoices):
    CHECKING = "checking", _("核查中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("已拒收")


class Placement(models.TextChoices):
    """How the listing's catalogue product was decided, most certain first."""

    GIVEN = "given", _("按填报的目录代码")
    CERTIFICATE = "certificate", _("按所称证书")
    DECLARATION = "declaration", _("按所称自我声明")
    GTIN = "gtin", _("按商品条码")
    KEYWORDS = "keywords", _("按目录描述关键词")
    NONE = "none", _("未能确定")


class DeclarationStatus(models.TextChoices):
    PUBLISHED = "published", _("已公布")
    WITHDRAWN = "withdrawn", _("已撤回")
