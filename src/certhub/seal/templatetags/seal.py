"""`{% certificate_seal certificate as seal %}`: what the certificate page needs to show the seal, so the
page's view does not change (C3 anti-forgery)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from certhub.registry.choices import CertificateStatus
from certhub.registry.models import Certificate
from certhub.seal.keyfiles import SigningUnavailable
from certhub.seal.queries import NotSealable, seal_text

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def certificate_seal(certificate: Certificate) -> dict[str, Any]:
    """{"qr", "svg_url", "pdf_url"} for an active certificate; {"refusal": why} for any other. The page is
    about the certificate, so a seal that cannot be made is stated, never an error page."""
    try:
        text = seal_text(certificate)
    except NotSealable as refusal:
        return {"refusal": refusal.message}
    except SigningUnavailable as refusal:
        logger.warning("seal unavailable for certificate %s: %s", certificate.pk, refusal.message)
        return {"refusal": _("防伪二维码暂不可用，请稍后再试。")}
    query = "?" + urlencode({"body": certificate.certification_body.approval_number})
    return {
        "qr": text,
        "svg_url": f"/api/v1/certificates/{quote(certificate.number, safe='')}/seal.svg{query}",
        "pdf_url": reverse("seal:certificate_pdf", args=[certificate.number]) + query,
    }


@register.filter
def certificate_status(value: str) -> str:
    """The word for a certificate status name (a seal carries the name, ACTIVE, not the word)."""
    return str(CertificateStatus(value).label) if value in CertificateStatus.values else value
