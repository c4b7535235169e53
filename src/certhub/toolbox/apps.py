from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolboxConfig(AppConfig):
    """The total quality management toolbox (C12, 质量治理工具箱): control charts, process capability, Pareto
    analysis, quality cost and the performance-excellence self-assessment, for any enterprise. The calculators
    need no account and store nothing; a signed-in enterprise keeps its datasets and studies privately."""

    name = "certhub.toolbox"
    label = "toolbox"
    verbose_name = _("质量工具箱")
