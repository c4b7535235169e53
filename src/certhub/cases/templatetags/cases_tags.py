"""Template helpers of the cases pages: a finding's sentence in the reader's language, the tone of a case's
status, and the office landing page's inbox count (`{% unread_notices actor as unread %}`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from certhub.cases import queries
from certhub.cases.choices import CaseStatus

register = template.Library()


@register.filter
def finding_text(finding: dict[str, Any]) -> str:
    """The finding's sentence as the scoring run wrote it, in English on the English pages when it has one."""
    if (get_language() or "").startswith("en") and finding.get("text_en"):
        return str(finding["text_en"])
    return str(finding.get("text_zh") or finding.get("text_en") or finding.get("detector", ""))


@register.filter
def case_tone(status: str) -> str:
    """The badge tone (portal.css) of a case status."""
    return "suspended" if status == CaseStatus.OPEN else "valid"


@register.simple_tag
def unread_notices(actor: Any) -> int:
    """How many notices the signed-in officer has not opened."""
    return 0 if actor is None else queries.unread_count(actor)
