from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Social supervision (C10, 社会监督): complaints and tip-offs from the public with a tracking number,
    triage to the department of the subject's region, statutory working-day periods, outcomes that feed the
    integrity archive and the risk scores."""

    name = "certhub.complaints"
    label = "complaints"
    verbose_name = _("投诉举报")
