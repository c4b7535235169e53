"""What a certification body's end means for its certificates (C1), as data: registry/data/body_termination.json
holds each rule with the text it follows. Pure rules: nothing here writes."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from certhub.registry.choices import CertificateStatus
from certhub.registry.dates import add_months

RULES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "body_termination.json").read_text("utf-8"))

# Revocation (撤销): what each non-final certificate becomes.
REVOKED_CERTIFICATE_STATUS = CertificateStatus(RULES["revocation"]["certificate_status"])
REVOKED_DRAFT_STATUS = CertificateStatus(RULES["revocation"]["draft_status"])
# Closure (注销): how long a certificate stays valid after its last audit.
_PERIOD = RULES["closure"]["validity_after_last_audit"]
CLOSURE_MONTHS = 12 * int(_PERIOD["years"]) + int(_PERIOD["months"])
# Transfer: which certificates may move to another body.
TRANSFERABLE_STATUSES = frozenset(RULES["transfer"]["transferable_statuses"])


def closure_valid_until(certificate: Any) -> datetime.date:
    """The last day a closed body's certificate stays valid: its last audit (the last surveillance audit,
    else the issue) plus the closure period, never later than its own expiry date."""
    last_audit = certificate.last_surveillance_date or certificate.issue_date
    return min(add_months(last_audit, CLOSURE_MONTHS), certificate.expiry_date)
