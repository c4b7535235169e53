"""Licence numbers and the electronic seal of a licence (C8). The seal is made in one function,
`seal_payload`, so that the licence seal of certhub.seal is wired in one line."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from certhub.licensing.choices import LicenceType
from certhub.licensing.models import Application, Licence
from certhub.registry.models import Lab


def scope_digest(scope: list[Any]) -> str:
    """SHA-256 of the licence's scope as canonical JSON: the seal binds exactly the granted scope."""
    text = json.dumps(scope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def seal_payload(licence: Licence) -> str:
    """The signed QR payload of `licence`. Until certhub.seal signs licences this is empty and the licence
    is issued without a seal; the electronic certificate then shows no QR."""
    return ""
