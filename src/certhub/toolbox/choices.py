"""The toolbox's vocabularies (C12)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyKind(models.TextChoices):
    """What a saved study computes from its dataset."""

    SPC = "spc", _("控制图")
    CAPABILITY = "capability", _("过程能力")
    PARETO = "pareto", _("排列图")
    QUALITY_COST = "quality_cost", _("质量成本")
