"""Vocabularies of the integrity archive (C9): the kinds of archive entry, and how a joint punishment
query reached CertHub."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """What an archive entry records. Each kind has its publicity period in data/publicity.json."""

    COMMITMENT = "COMMITMENT", _("信用承诺")
    VIOLATION = "VIOLATION", _("违法违规行为")
    PENALTY = "PENALTY", _("行政处罚")
    SUSPENSION = "SUSPENSION", _("暂停资质")
    REVOCATION = "REVOCATION", _("撤销资质")
    BAN = "BAN", _("限制措施")
    COMPLAINT = "COMPLAINT", _("查实的投诉举报")
    CREDIT_REPAIR = "CREDIT_REPAIR", _("信用修复")


class QueryChannel(models.TextChoices):
    """How a joint punishment query came: another department's API key, or an officer's page."""

    API = "API", _("接口")
    PAGE = "PAGE", _("监管后台页面")
