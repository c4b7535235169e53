"""The statutory periods of complaints and tip-offs as data (complaints/data/periods.json, each with its
source) and the clock they set on a complaint, in Chinese working days (core.workdays, invariant 5 of
docs/architecture.md). A complaint keeps one running period on its own row (`due_on`), so the due list is one
index range; forwarding to another region leaves it as it is, since the period runs from the day the
department first received the filing (暂行办法 第十四条 counts from 收到投诉之日)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from certhub.complaints.choices import ComplaintStep
from certhub.complaints.models import Complaint
from certhub.core.workdays import add_working_days

DATA = Path(__file__).with_name("data") / "periods.json"


@dataclass(frozen=True)
class Period:
    step: str
    working_days: int
    extension_working_days: int
    source: str


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def period(step: str) -> Period:
    """The period of `step` (ACCEPTANCE, MEDIATION, VERIFICATION)."""
    raw = _data()["periods"][step]
    return Period(step, int(raw["working_days"]), int(raw.get("extension_working_days", 0)), str(raw["source"]))


def periods() -> list[Period]:
    return [period(step) for step in _data()["periods"]]


def reminder_working_days() -> int:
    """How many working days before its end a running period is reminded of."""
    return int(_data()["reminder_working_days"])


def duplicate_days() -> int:
    """The window in which the same subject with the same text counts as filed already."""
    return int(_data()["duplicate_days"])


def set_clock(complaint: Complaint, step: str, started_on: datetime.date) -> None:
    """Run `step`'s period from `started_on` on the complaint (saved by the calling action)."""
    deadline = add_working_days(started_on, period(step).working_days)
    complaint.due_step, complaint.due_on, complaint.due_provisional = step, deadline.day, deadline.provisional


def extend_clock(complaint: Complaint) -> None:
    """A tip-off's verification period extended once by its statutory extension (处罚程序规定 第十八条)."""
    assert complaint.due_on is not None
    deadline = add_working_days(complaint.due_on, period(ComplaintStep.VERIFICATION).extension_working_days)
    complaint.due_on, complaint.due_provisional = deadline.day, complaint.due_provisional or deadline.provisional


def stop_clock(complaint: Complaint) -> None:
    complaint.due_step, complaint.due_on, complaint.due_provisional = "", None, False


def department() -> str:
    """The department of a region that handles complaints and tip-offs."""
    return str(_data()["department"])
