"""Calendar rules of certificates: month arithmetic and when the next surveillance audit is due (C6).

Kept apart from the queries so that the models can use them without importing the query layer."""

from __future__ import annotations

import datetime
from typing import Any


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, falling back to the month's last day (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def surveillance_due_date(certificate: Any) -> datetime.date | None:
    """When the next surveillance audit is due: the scheme's interval after the last one (or the issue).
    `certificate` is a Certificate or the bulk writer's unsaved stand-in with the same attributes."""
    months = certificate.scheme.surveillance_months
    if not months:
        return None
    base = certificate.last_surveillance_date or certificate.issue_date
    due = add_months(base, months)
    return due if due < certificate.expiry_date else None
