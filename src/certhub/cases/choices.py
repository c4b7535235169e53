"""Vocabularies of rapid handling (快速处置) and notices (信息通报), C6."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "OPEN", _("处置中")
    CLOSED = "CLOSED", _("已办结")


class NoticeKind(models.TextChoices):
    CASE_OPENED = "CASE_OPENED", _("立案通报")
    CASE_ASSIGNED = "CASE_ASSIGNED", _("案件指派")
    DEADLINE_NEAR = "DEADLINE_NEAR", _("期限临近提醒")
    CASE_CLOSED = "CASE_CLOSED", _("办结通报")
