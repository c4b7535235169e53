"""Licence numbers and the electronic seal of a licence (C8): the facts a licence's seal states, the signed
payload kept on the licence, and the current record the seal's verify page asks for."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils import timezone

from certhub.licensing.choices import LicenceStatus, LicenceType
from certhub.licensing.models import Application, Licence
from certhub.registry.models import Lab
from certhub.seal.claims import LicenceSeal, scope_digest
from certhub.seal.keyfiles import SigningUnavailable
from certhub.seal.licences import LicenceRecord, seal_licence
from certhub.seal.queries import NotSealable


def scope_text(scope: list[Any]) -> str:
    """The licence's scope as one text (canonical JSON): what the seal's scope digest is taken of, so that
    the scope read on the certificate can be checked against the sealed one."""
    return json.dumps(scope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def next_application_number(year: int) -> str:
    """XK-<year>-<serial of six digits>, counted per year."""
    prefix = f"XK-{year}-"
    last = (
        Application.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def next_licence_number(licence_type: str, year: int, region_code: str, product_unit_code: str = "") -> str:
    """A CMA number is twelve digits: year (2), province (2), 00, serial (6); a production licence number
    is XK<unit>-<province>-<serial of five digits>."""
    province = region_code[:2]
    if licence_type == LicenceType.CMA:
        prefix = f"{year % 100:02d}{province}00"
        width = 6
    else:
        unit = (product_unit_code or "00")[:2].zfill(2)
        prefix = f"XK{unit}-{province}-"
        width = 5
    numbers = list(Licence.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    if licence_type == LicenceType.CMA:
        # Labs registered before licensing ran in CertHub hold CMA numbers too.
        numbers += Lab.objects.filter(cma_number__startswith=prefix).values_list("cma_number", flat=True)
    serial = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0) + 1
    return f"{prefix}{serial:0{width}d}"


# The seal's words for a licence's status: a cancelled (注销) licence is CANCELLED in the seal's vocabulary.
SEAL_STATUS: dict[str, str] = {LicenceStatus.CLOSED: "CANCELLED"}


def seal_facts(licence: Licence) -> dict[str, Any]:
    """The facts a licence's seal states (certhub.seal's LicenceSeal, with the scope as text: the seal
    takes its digest)."""
    return {
        "number": licence.number,
        "licence_type": licence.licence_type,
        "holder_name": licence.holder_name,
        "holder_uscc": licence.holder.uscc,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "scope_text": scope_text(licence.scope),
        "status": SEAL_STATUS.get(licence.status, licence.status),
    }


def current_record(number: str, today: datetime.date) -> dict[str, Any] | None:
    """What the licensing records say now about licence `number` (for the seal's verify page and API):
    whether it is in force today, its status and the word for it; None when there is no such licence."""
    licence = Licence.objects.filter(number=number).first()
    if licence is None:
        return None
    in_force = licence.status == LicenceStatus.ACTIVE and licence.valid_from <= today <= licence.valid_until
    status = SEAL_STATUS.get(licence.status, licence.status)
    if licence.status == LicenceStatus.ACTIVE and today > licence.valid_until:
        status = "EXPIRED"
    return {"valid": in_force, "status": status, "status_label": str(licence.get_status_display())}


def licence_seal(licence: Licence) -> LicenceSeal:
    """What the licence's seal states: the seal facts, the scope text replaced by its digest."""
    facts = seal_facts(licence)
    return LicenceSeal(**{key: value for key, value in facts.items() if key != "scope_text"},
                       scope_digest=scope_digest(facts["scope_text"]))  # fmt: skip


def seal_payload(licence: Licence) -> str:
    """The signed QR payload of `licence` as granted (certhub.seal.licences.seal_licence), kept on the licence.
    A grant never waits on the seal: without a signing key the licence is granted unsealed, and its
    electronic certificate is sealed when it is downloaded (the download answers 503 until a key exists)."""
    try:
        return seal_licence(licence_seal(licence))
    except (SigningUnavailable, NotSealable):
        return ""


def current_seal_record(sealed: LicenceSeal) -> LicenceRecord | None:
    """The seal's verify page and API ask licensing for a sealed licence's record now (registered in
    LicensingConfig.ready, since seal sits below licensing)."""
    record = current_record(sealed.number, timezone.localdate())
    if record is None:
        return None
    return LicenceRecord(valid=record["valid"], status=record["status"], status_label=record["status_label"])
