"""What officers read about risk (C6), scoped to their region: the latest scoring run, the grade
mix, the subjects graded highest, and one subject's profile (grade, score, why, history). Grades are
internal: nothing here is reachable from a public page or the public API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet

from certhub.core.actors import Actor
from certhub.core.errors import NotFound
from certhub.core.permissions import Permission, authorize
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.registry.models import CertificationBody, Lab, Organization
from certhub.registry.queries import within_region
from certhub.risk.models import Grade, GradeChange, ScoringRun, Warning

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SUBJECT_MODELS = {GradedSubject.ORGANIZATION: Organization, GradedSubject.CERTIFICATION_BODY: CertificationBody,
                  GradedSubject.LAB: Lab}  # fmt: skip


def grades_visible_to(actor: Actor) -> QuerySet[Grade]:
    """Grades inside the officer's region (all of them for an administrator)."""
    authorize(actor, Permission.VIEW_RISK)
    grades = Grade.objects.all()
    return grades if actor.region_prefix is None else grades.filter(within_region("region_code", actor.region_prefix))


def subject_names(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str]]:
    """(type, id) → (name, credit code of its organization), for the subjects warned about."""
    wanted: dict[str, list[int]] = {}
    for kind, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    found: dict[tuple[str, int], tuple[str, str]] = {}
    for kind, model, uscc in (
        (GradedSubject.ORGANIZATION, Organization, "uscc"),
        (GradedSubject.CERTIFICATION_BODY, CertificationBody, "organization__uscc"),
        (GradedSubject.LAB, Lab, "organization__uscc"),
    ):
        for ids in (wanted.get(kind.value, [])[i : i + 5000] for i in range(0, len(wanted.get(kind.value, [])), 5000)):
            for pk, name, code in model.objects.filter(pk__in=ids).values_list("id", "name", uscc):
                found[(kind.value, pk)] = (name, code)
    return found


def latest_run() -> ScoringRun | None:
    return ScoringRun.objects.order_by("-ran_at", "-id").first()


def grade_mix(actor: Actor) -> list[dict[str, object]]:
    """Per kind of subject: how many are graded A, B, C, D inside the region, and the total."""
    counts = {
        (t, g): n
        for t, g, n in grades_visible_to(actor)
        .values_list("subject_type", "grade")
        .annotate(n=Count("id"))
        .values_list("subject_type", "grade", "n")
    }
    rows = []
    for kind in GradedSubject:
        cells = [counts.get((kind.value, grade.value), 0) for grade in RiskGrade]
        rows.append({"kind": kind.label, "counts": cells, "total": sum(cells)})
    return rows


def _with_names(rows: list[Grade] | list[GradeChange]) -> list:
    """Give each row its subject's name (`subject_name`), in one query per kind of subject."""
    names = subject_names((row.subject_type, row.subject_id) for row in rows)
    for row in rows:
        row.subject_name = names.get((row.subject_type, row.subject_id), ("", ""))[0]  # type: ignore[union-attr]
    return rows


def highest(actor: Actor, limit: int = 50) -> list[Grade]:
    """The subjects graded C or D in the region, highest score first."""
    return _with_names(
        list(grades_visible_to(actor).filter(grade__in=[RiskGrade.C, RiskGrade.D]).order_by("-score", "id")[:limit])
    )


def recent_changes(actor: Actor, limit: int = 20) -> list[GradeChange]:
    """The latest grade changes in the region, except first gradings to A (those say nothing)."""
    in_region = grades_visible_to(actor).filter(
        subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id")
    )
    changes = GradeChange.objects.exclude(from_grade="", to_grade=RiskGrade.A).filter(Exists(in_region))
    return _with_names(list(changes.order_by("-changed_on", "-id")[:limit]))


@dataclass(frozen=True)
class Profile:
    subject_type: str
    subject_label: StrOrPromise
    subject_id: int
    name: str
    uscc: str
    region_code: str
    grade: Grade | None
    history: list[GradeChange]
    warnings: list[Warning]


def profile(actor: Actor, subject_type: str, subject_id: int) -> Profile:
    """One subject's risk profile, if it lies inside the officer's region (NotFound otherwise, so that an
    officer cannot learn what exists elsewhere)."""
    authorize(actor, Permission.VIEW_RISK)
    if subject_type not in GradedSubject.values:
        raise NotFound(subject_type)
    model = SUBJECT_MODELS[GradedSubject(subject_type)]
    fields = (
        ("name", "uscc", "region_id")
        if model is Organization
        else ("name", "organization__uscc", "organization__region_id")
    )
    row = model.objects.filter(pk=subject_id).values_list(*fields).first()
    if row is None or not (actor.region_prefix is None or actor.covers_region(row[2])):
        raise NotFound(f"{subject_type}:{subject_id}")
    history = list(
        GradeChange.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-changed_on", "-id")
    )
    warnings = list(Warning.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-id"))
    grade = Grade.objects.filter(subject_type=subject_type, subject_id=subject_id).first()
    return Profile(
        subject_type, GradedSubject(subject_type).label, subject_id, row[0], row[1], row[2], grade, history, warnings
    )
