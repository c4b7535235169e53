"""Test and demo helpers for rapid handling: risk warnings to open cases from.

`do_raise_warnings` stands in for a scoring run's output (certhub.risk's scoring run writes the same rows:
one ScoringRun and one risk.Warning per subject whose score reached the warning threshold, with the
findings behind it). It exists so that the cases pages and actions can be tested and shown before, and
independently of, the detectors."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.registry.models import Organization
from certhub.risk.models import ScoringRun, Warning

# What a run's rule looks like in the rows it leaves (the real rule lives in certhub/risk/data/scoring.json).
RULE = {"weights": {"organization": {"inspection_problems": "1"}}, "saturation": {"inspection_problems": 2},
        "grades": {"B": "10", "C": "40", "D": "70"}}  # fmt: skip


@dataclass(frozen=True)
class WarningSpec:
    """A warning to raise for an organization: its score and the inspections that failed."""

    organization: Organization
    score: float = 80.0
    failed_inspections: int = 2
    since: datetime.date = datetime.date(2026, 3, 1)


def findings_of(spec: WarningSpec) -> list[dict]:
    """The findings a scoring run records, in both languages (the pages show the reader's)."""
    return [
        {
            "detector": "inspection_problems",
            "count": spec.failed_inspections,
            "since": spec.since.isoformat(),
            "text_zh": f"“{spec.organization.name}”自{spec.since.isoformat()}以来{spec.failed_inspections}次抽查不合格",
            "text_en": f"{spec.organization.name} failed {spec.failed_inspections} inspections since "
            f"{spec.since.isoformat()}",
            "contribution": spec.score,
        }
    ]


def _grade(score: float) -> str:
    return "D" if score >= 70 else "C" if score >= 40 else "B" if score >= 10 else "A"


@action
def do_raise_warnings(
    *, specs: Sequence[WarningSpec], as_of: datetime.date = datetime.date(2026, 9, 1), actor: Actor = SYSTEM
) -> list[Warning]:
    """One scoring run and an open warning per spec (as a scoring run leaves them)."""
    authorize(actor, Permission.SET_RISK_GRADES)
    digest = hashlib.sha256(repr(sorted(RULE.items())).encode()).hexdigest()
    run = ScoringRun.objects.create(
        as_of=as_of, rule_digest=digest, rule=RULE, subjects=len(specs), findings=len(specs), warnings=len(specs)
    )
    warnings = [
        Warning.objects.create(
            run=run,
            subject_type="organization",
            subject_id=spec.organization.pk,
            subject_name=spec.organization.name,
            uscc=spec.organization.uscc,
            region_code=spec.organization.region_id,
            score=spec.score,
            grade=_grade(spec.score),
            findings=findings_of(spec),
            raised_on=as_of,
            refreshed_on=as_of,
        )
        for spec in specs
    ]
    record_audit(
        actor,
        AuditEventType.RISK_SCORED,
        run,
        before=None,
        after={"as_of": as_of.isoformat(), "warnings": len(warnings)},
    )
    return warnings


def raise_warnings(organizations: Sequence[Organization], scores: Sequence[float] = ()) -> list[Warning]:
    """Open warnings for `organizations` (scores 80, 75, 70 … unless given), as one scoring run."""
    scores = list(scores) or [80.0 - 5 * n for n in range(len(organizations))]
    return do_raise_warnings(specs=[WarningSpec(o, s) for o, s in zip(organizations, scores, strict=True)])
