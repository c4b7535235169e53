"""One demo province, built part by part (registries, users, signals, inspections, statistics)."""

from __future__ import annotations

import datetime

from certhub.core.choices import RegionLevel
from certhub.core.models import Region
from certhub.demo.generator.bans import BansDemo
from certhub.demo.generator.complaints import ComplaintsDemo
from certhub.demo.generator.excellence import ExcellenceDemo  # issue 18: excellence
from certhub.demo.generator.inspections import Inspections
from certhub.demo.generator.integrity import IntegrityDemo
from certhub.demo.generator.licensing import LicensingDemo
from certhub.demo.generator.market import MarketDemo
from certhub.demo.generator.registries import Registries
from certhub.demo.generator.signals import Signals
from certhub.demo.generator.toolbox import build_toolbox_demo  # issue 18: capability
from certhub.demo.generator.users import Users
from certhub.registry.dates import add_months
from certhub.registry.testing import ensure_reference_data
from certhub.stats import aggregate


class DemoProvince(
    Registries,
    Users,
    Signals,
    Inspections,
    LicensingDemo,
    BansDemo,
    ComplaintsDemo,
    IntegrityDemo,
    MarketDemo,
    ExcellenceDemo,  # issue 18: excellence
):
    """Generates one demo province of a given size, reproducibly from a seed."""

    def run(self) -> dict[str, int]:
        ensure_reference_data()
        self.counties = list(Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent"))
        special = self.size.bodies + self.size.labs
        self._organizations(special)
        bodies = self._bodies()
        labs = self._labs()
        self._users(bodies, labs)
        certificates = self._certificates(bodies)
        self._lab_anomalies(labs)
        self._signals(bodies)
        tasks = self._inspections()
        self._bans(labs)
        self._complaints()
        self._market()
        run = self._score()
        self._licensing()
        self._integrity()
        self._excellence()  # issue 18: excellence (before the figures, which count its certificates)
        self._statistics()
        build_toolbox_demo()  # issue 18: capability — the demo enterprise's toolbox datasets and studies (C12)
        return {
            "organizations": self.size.organizations + special,
            "certification_bodies": len(bodies),
            "labs": len(labs),
            "certificates": certificates,
            "inspection_tasks": tasks,
            "risk_warnings": run.warnings,
        }

    def _statistics(self) -> None:
        """The dashboard's figures (C11) for today and the eleven month-ends before it, so that its lines
        over time have points. Past days are computed with today's statuses (docs/statistics.md)."""
        month_ends = [add_months(self.today.replace(day=1), -n) - datetime.timedelta(days=1) for n in range(11, 0, -1)]
        for day in self.progress([*month_ends, self.today], desc="statistics"):
            aggregate.run(day)
