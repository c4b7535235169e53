"""How big a demo province is, who builds it, and what it plants (PLANTED: every risk detector must find
exactly those, demo/tests/test_anomalies.py)."""

from __future__ import annotations

from dataclasses import dataclass

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role

DEMO_ACTOR = Actor(role=Role.ADMINISTRATOR, label="demo-generator", region_level=RegionLevel.PROVINCE)
DEMO_PASSWORD = "certhub-demo-2026"  # noqa: S105 - printed for the demo logins, never used in production


@dataclass(frozen=True)
class Size:
    organizations: int
    certificates: int
    bodies: int = 40
    labs: int = 300
    reports_per_lab: int = 3


SIZES = {
    "small": Size(organizations=2_000, certificates=6_000),
    "medium": Size(organizations=30_000, certificates=100_000, reports_per_lab=30),
    "large": Size(organizations=300_000, certificates=1_000_000, reports_per_lab=300),
}
CHUNK = 2_500

# How many subjects of each kind of risk anomaly the demo plants (by detector; docs/risk.md). Fixed, so an
# officer trying the demo knows what the warnings list should hold.
PLANTED = {
    "certificate_use_invalid": 3, "ccc_uncovered": 3, "lab_outside_scope": 2, "signatory_outside_authorization": 2,
    "signatory_volume": 1, "audit_time_short": 2, "late_reporting": 2, "surveillance_overdue": 2, "penalties": 2,
    "inspection_problems": 1, "complaints_substantiated": 1, "signed_after_ban": 1,
    # issue 17: field — the market campaign's checks (demo/generator/market.py): the shop with the forged number;
    # the shop selling uncovered products, the maker of a model its certificate lacks, the withdrawn declarer.
    "forged_number": 1, "uncertified_sale": 3,
}  # fmt: skip
# Bodies (by index) that report some certificates late, keep some surveillance overdue, audit too briefly.
LATE_BODIES, OVERDUE_BODIES, SHORT_AUDIT_BODIES = (1, 3), (2, 4), (3, 5)
CHANNELS = ["procurement", "market", "customs", "seal_scan"]
