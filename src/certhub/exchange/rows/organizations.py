"""Planning market registration's organization rows (kind `organizations`, C1): each row is checked by the
one organization rule (registry OrganizationInput: the credit code's check digit, a known region, the
GB/T 4754 industry, the size flag, the registration status), must lie in the submitting officer's region,
and is compared with what is registered under its credit code: created, updated or unchanged."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from certhub.core.models import Region
from certhub.core.validation import collect
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind
from certhub.exchange.fields import COLUMNS
from certhub.exchange.readers import RawRow
from certhub.exchange.rows.normaliser import ChunkPlan, Normaliser, PlannedRow, Problem, missing_required, prepare_row
from certhub.registry.actions.organizations import OrganizationInput, registered_states

# OrganizationInput's field names back to the file's column names, for reports.
FIELD_NAMES = {"region": "region_code"}
COMPARED = [
    "name",
    "region_id",
    "address",
    "industry_section",
    "industry_division",
    "above_designated_size",
    "registration_status",
]


class OrganizationPlanner:
    """Plans organization rows for an officer (or administrator) whose scope is `region_prefix` (None:
    the whole province). `check` validates only (the all-or-nothing pass); `plan` also compares with the
    registry, for the report's outcomes."""

    kind = SubmissionKind.ORGANIZATIONS

    def __init__(self, region_prefix: str | None, submission_id: int | None = None) -> None:
        self.region_prefix = region_prefix or ""
        self.submission_id = submission_id
        self.normalise = Normaliser(COLUMNS[SubmissionKind.ORGANIZATIONS])
        self.required = [c for c in COLUMNS[SubmissionKind.ORGANIZATIONS] if c.required]
        self.regions = {r.code: r for r in Region.objects.all()}
        self.context = {"regions": self.regions}

    def check(self, chunk: list[RawRow], rejected: dict[int, list[Problem]] | None = None) -> ChunkPlan:
        """Validate each row; a valid row's `cleaned` holds the OrganizationInput values (outcome CREATED
        until compared with the registry)."""
        plan = ChunkPlan()
        for raw in chunk:
            values, problems = prepare_row(self.normalise, raw, rejected)
            problems.extend(missing_required(raw.number, values, self.required))
            cleaned = self._clean(raw.number, values, problems)
            plan.problems.extend(problems)
            if cleaned is None or any(p[4] == Severity.ERROR for p in problems):
                plan.rows.append(PlannedRow(raw.number, RowOutcome.REJECTED))
            else:
                plan.rows.append(PlannedRow(raw.number, RowOutcome.CREATED, cleaned=cleaned))
        return plan

    def plan(self, chunk: list[RawRow], rejected: dict[int, list[Problem]] | None = None) -> ChunkPlan:
        plan = self.check(chunk, rejected)
        compare(plan)
        return plan

    def _clean(self, row: int, values: dict[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
        reported = {p[1] for p in problems if p[4] == Severity.ERROR}
        data = {**values, "region": values.get("region_code", "")}
        data.setdefault("registration_status", "")
        errors: dict[str, list[str]] = {}
        checked = collect(OrganizationInput, data, errors, context=self.context)
        if checked is None:
            for name, messages in errors.items():
                column = FIELD_NAMES.get(name, name)
                if column not in reported:  # a missing value is already reported by missing_required
                    problems.append((row, column, str(values.get(column, ""))[:200], messages[0], Severity.ERROR))
            return None
        cleaned = checked.model_dump()
        region = cleaned["region"].code
        if self.region_prefix and not region.startswith(self.region_prefix):
            problems.append(
                (
                    row,
                    "region_code",
                    region,
                    _("行政区划%(code)s不在您的辖区内") % {"code": region},
                    Severity.ERROR,
                )
            )
            return None
        return cleaned


def compare(plan: ChunkPlan) -> None:
    """Set each valid row's outcome against the registry: created, updated or unchanged."""
    valid = [row for row in plan.rows if row.cleaned is not None]
    registered = registered_states([row.cleaned["uscc"] for row in valid if row.cleaned])
    for row in valid:
        cleaned = row.cleaned or {}
        old = registered.get(cleaned["uscc"])
        if old is None:
            row.outcome = RowOutcome.CREATED
            continue
        new = {**cleaned, "region_id": cleaned["region"].code}
        changes = {name: new[name] for name in COMPARED if getattr(old, name) != new[name]}
        row.outcome = RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED
        row.changes = changes
