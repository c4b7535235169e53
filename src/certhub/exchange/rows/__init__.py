"""From raw rows to a plan: normalise each value (and say so), validate it with the registry's own rules,
compare it with what is registered, and decide per row: create, update, change status, unchanged, or
reject with row, field, value and reason (C2). Nothing here writes; exchange.actions applies a plan.

The normaliser and the plan's shape (normaliser), the certificate planner (certificates), the test
report planner (reports) and market registration's organizations (organizations); the names the importer
uses are importable from here."""

from __future__ import annotations

from certhub.exchange.rows.certificates import CertificatePlanner
from certhub.exchange.rows.normaliser import (
    ChunkPlan,
    Normaliser,
    PlannedRow,
    Problem,
    excel_serial,
    missing_required,
    parse_status,
    prepare_row,
)
from certhub.exchange.rows.organizations import OrganizationPlanner
from certhub.exchange.rows.reports import ReportPlanner, report_key

__all__ = [
    "CertificatePlanner",
    "ChunkPlan",
    "Normaliser",
    "OrganizationPlanner",
    "PlannedRow",
    "Problem",
    "ReportPlanner",
    "excel_serial",
    "missing_required",
    "parse_status",
    "prepare_row",
    "report_key",
]
