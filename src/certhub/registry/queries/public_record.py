"""The public record of a certificate (docs/architecture.md invariant 3): the document the lookup serves,
its status labels, and the surveillance dates it shows."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import orjson
from django.utils import timezone
from django.utils.translation import get_language

from certhub.ledger.queries import indexes_of
from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES, CertificateStatus
from certhub.registry.dates import surveillance_due_date
from certhub.registry.models import Certificate, CertificateEvent

_STATUS_LABELS: dict[tuple[str, str | None], str] = {}


def status_label(status: str) -> str:
    """A status's label in the active language (memoised: a bulk import renders a million records)."""
    key = (status, get_language())
    if key not in _STATUS_LABELS:
        _STATUS_LABELS[key] = str(CertificateStatus(status).label)
    return _STATUS_LABELS[key]


def public_certificate_record(
    certificate: Certificate | SimpleNamespace, events: Sequence[CertificateEvent | SimpleNamespace] | None = None
) -> dict[str, Any]:
    """The public fields of a certificate and its status history (docs/architecture.md invariant 3); the bulk
    writer passes unsaved stand-ins with the same attributes (registry.certificate_writer).
    No internal notes, no risk grade, no personal data."""
    holder = certificate.holder
    scheme = certificate.scheme
    body = certificate.certification_body
    due = surveillance_due_date(certificate)
    if events is None:
        events = list(certificate.events.all())
    # Stable on (time, id): events built in one bulk action share a time and are in order already.
    events = sorted(events, key=lambda e: (e.recorded_at, e.id or 0))
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_label": status_label(certificate.status),
        "status_date": certificate.status_changed_on.isoformat(),
        "scheme": {"code": scheme.code, "name": scheme.name, "name_en": scheme.name_en},
        "certification_body": {"name": body.name, "approval_number": body.approval_number},
        "holder": {
            "name": certificate.holder_name,
            "uscc": holder.uscc,
            "region": {"code": holder.region_id, "name": holder.region.name},
        },
        "scope": certificate.scope,
        "ccc_product": (
            {"code": product.code, "name": product.name}
            if certificate.ccc_product_id and (product := certificate.ccc_product) is not None
            else None
        ),
        "products": certificate.products,
        "sites": certificate.sites,
        "standards": certificate.standards,
        "particulars": certificate.particulars,
        "original_issue_date": certificate.original_issue_date.isoformat(),
        "issue_date": certificate.issue_date.isoformat(),
        "expiry_date": certificate.expiry_date.isoformat(),
        "surveillance_due": due.isoformat() if due else None,
        "history": [
            {
                "from_status": event.from_status or None,
                "to_status": event.to_status,
                "date": event.effective_date.isoformat(),
                "reason": event.reason,
            }
            for event in events
        ],
    }


def public_document_bytes(
    certificate: Certificate | SimpleNamespace, events: Sequence[CertificateEvent | SimpleNamespace] | None = None
) -> bytes | None:
    """The stored public document; None while the certificate is a draft (never public)."""
    if certificate.status not in PUBLIC_CERTIFICATE_STATUSES:
        return None
    return orjson.dumps(public_certificate_record(certificate, events))


def with_live_flags(
    document: dict[str, Any], today: datetime.date | None = None, *, certificate_id: int | None = None
) -> dict[str, Any]:
    """Add the flags derived from today's date to a stored public document (see FAST_LOOKUP) and, for a
    served record, the indexes of the certificate's ledger entries (C4)."""
    today_text = (today or timezone.localdate()).isoformat()
    due = document.get("surveillance_due")
    document["surveillance_overdue"] = bool(document["status"] == "ACTIVE" and due and due < today_text)
    if certificate_id is not None:
        document["ledger_indexes"] = indexes_of("registry.certificate", str(certificate_id))
    return document
