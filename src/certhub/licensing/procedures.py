"""Licence types as configuration (C8): their application kinds, which kinds the 告知承诺 track allows,
their statutory periods in working days, the renewal window, the post-approval check and the bar after a
revocation (false commitment or misconduct) — each with the legal text and article it follows. The data is
data/procedures.json, read once per process; docs/licensing.md lists it in words."""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from certhub.licensing.choices import ApplicationKind, LicenceType, Step, Track
from certhub.registry.dates import add_months

DATA = Path(__file__).resolve().parent / "data" / "procedures.json"


@dataclass(frozen=True)
class Period:
    step: str
    working_days: int
    source: str  # the legal text's full title
    article: str  # the article and what it says
    note: str = ""


@dataclass(frozen=True)
class Window:
    """A period in calendar months or years with its source (renewal window, post-approval check, bar)."""

    months: int
    source: str
    article: str


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    validity_years: int
    validity_source: str
    kinds: tuple[str, ...]
    commitment_kinds: tuple[str, ...]
    commitment_source: str
    onsite_review_kinds: tuple[str, ...]
    periods: dict[str, Period]
    renewal: Window  # filed at least `months` before expiry, and not after it
    post_check: Window  # the 告知承诺 check is due within `months` of the grant
    bar: Window  # a revocation (false commitment or misconduct) bars a new application for `months`

    def period(self, step: str) -> Period:
        return self.periods[step]

    def tracks_for(self, kind: str) -> tuple[str, ...]:
        if kind in self.commitment_kinds:
            return (Track.GENERAL, Track.COMMITMENT)
        return (Track.GENERAL,)

    def valid_until(self, valid_from: datetime.date) -> datetime.date:
        """The last day of validity: `validity_years` later, less one day."""
        return add_months(valid_from, 12 * self.validity_years) - datetime.timedelta(days=1)

    def renewal_deadline(self, valid_until: datetime.date) -> datetime.date:
        """The last day a renewal may be filed: `renewal.months` before the validity ends."""
        return add_months(valid_until, -self.renewal.months)

    def post_check_due(self, granted_on: datetime.date) -> datetime.date:
        return add_months(granted_on, self.post_check.months)

    def bar_ends(self, starts: datetime.date) -> datetime.date:
        return add_months(starts, self.bar.months)


def _load() -> dict[str, Procedure]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    texts: dict[str, str] = raw["texts"]
    procedures: dict[str, Procedure] = {}
    for entry in raw["licence_types"]:
        code = LicenceType(entry["code"]).value
        for kind in [*entry["kinds"], *entry["commitment_kinds"], *entry["onsite_review_kinds"]]:
            ApplicationKind(kind)  # an unknown kind fails loudly at start-up, not in a case
        periods = {
            Step(step).value: Period(
                step=step,
                working_days=int(p["working_days"]),
                source=texts[p["source"]],
                article=p["article"],
                note=p.get("note", ""),
            )
            for step, p in entry["periods"].items()
        }
        renewal, check, bar = entry["renewal"], entry["post_check"], entry["bar"]
        procedures[code] = Procedure(
            code=code,
            name=entry["name"],
            validity_years=int(entry["validity_years"]),
            validity_source=f"{texts[entry['validity_source']]} {entry['validity_article']}",
            kinds=tuple(entry["kinds"]),
            commitment_kinds=tuple(entry["commitment_kinds"]),
            commitment_source=texts[entry["commitment_source"]],
            onsite_review_kinds=tuple(entry["onsite_review_kinds"]),
            periods=periods,
            renewal=Window(int(renewal["file_before_months"]), texts[renewal["source"]], renewal["article"]),
            post_check=Window(int(check["months"]), texts[check["source"]], check["article"]),
            bar=Window(int(bar["years"]) * 12, texts[bar["source"]], bar["article"]),
        )
    return procedures


@functools.cache
def procedures() -> dict[str, Procedure]:
    """Every licence type's procedure, by code, read once."""
    return _load()


def procedure(licence_type: str) -> Procedure:
    return procedures()[licence_type]
