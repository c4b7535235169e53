"""Checking a batch of certificate numbers at once (C2)."""

from __future__ import annotations

import datetime
from typing import Any

import orjson
from django.utils import timezone

from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES, CertificateStatus
from certhub.registry.models import CertificatePublicRecord


def verify_certificates(
    numbers: list[str], *, body: str = "", today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Check a batch of certificate numbers at once (C2 采信: a department or a buyer checks the
    certificates it was shown). Each distinct number is answered once, in the order first given; a
    number used by several certification bodies gets one entry per body, next to each other in
    approval-number order (`body`, an approval number or a body's name, keeps one body's only).

    One query on the public-record read model (registry_certificatepublicrecord, indexed by number),
    whatever the batch size: drafts are not in it, so they are never found."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    today_text = (today or timezone.localdate()).isoformat()
    found: dict[str, list[dict[str, Any]]] = {}
    for stored in CertificatePublicRecord.objects.filter(number__in=wanted).values_list("document", flat=True):
        document = orjson.loads(stored)
        issuer = document["certification_body"]
        if body and body not in (issuer["approval_number"], issuer["name"]):
            continue
        found.setdefault(document["number"], []).append(document)
    labels = {status: str(CertificateStatus(status).label) for status in PUBLIC_CERTIFICATE_STATUSES}
    results: list[dict[str, Any]] = []
    for number in wanted:
        matches = sorted(found.get(number, []), key=lambda d: d["certification_body"]["approval_number"])
        if not matches:
            results.append(
                {
                    "number": number,
                    "found": False,
                    "status": None,
                    "status_label": None,
                    "holder_name": None,
                    "holder_uscc": None,
                    "scheme": None,
                    "certification_body": None,
                    "expiry_date": None,
                    "valid_now": False,
                }
            )
        for document in matches:
            status = document["status"]
            results.append(
                {
                    "number": number,
                    "found": True,
                    "status": status,
                    "status_label": labels[status],
                    "holder_name": document["holder"]["name"],
                    "holder_uscc": document["holder"]["uscc"],
                    "scheme": document["scheme"],
                    "certification_body": document["certification_body"],
                    "expiry_date": document["expiry_date"],
                    # The expiry date is the last valid day (有效期至).
                    "valid_now": status == CertificateStatus.ACTIVE and document["expiry_date"] >= today_text,
                }
            )
    return results
