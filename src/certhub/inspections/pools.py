"""Freezing the two pools of a batch (一单两库): the targets a saved filter selects today, each in its risk
stratum, and the inspectors who may be drawn, each with their conflicts (C5, C6).

A snapshot lists its members in a fixed, documented order, so that anyone holding the published list can
rebuild it and its SHA-256 Merkle root (RFC 9162 hashing, the ledger's own): targets by stratum (A, B, C,
D), then by public key in code-point order; inspectors by enforcement-certificate number. Each member is
one leaf, the RFC 8785 JSON of a list:

    target     ["B","914301020012345625","430102","914301020012345625"]   stratum, key, county, credit code
    inspector  ["XZ4301020001","市场监管","430102",["914301020012345625"]]  code, department, posting, conflicts

Reading a million targets is two plain SQL statements (the registry rows, the grades other than B) and no
ORM objects."""

from __future__ import annotations

import contextlib
import datetime
import gc
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Q

from certhub.core import canonical
from certhub.core.models import Region
from certhub.inspections import hashing
from certhub.inspections.choices import TargetType
from certhub.inspections.draw import DrawError, StratumDraw
from certhub.inspections.models import Inspector, Task
from certhub.inspections.models import TargetPool as PoolDefinition
from certhub.registry.choices import UNGRADED, BodyStatus, CertificateStatus, GradedSubject, RiskGrade
from certhub.registry.models import Affiliation

STRATA = tuple(RiskGrade.values)  # A, B, C, D: the order strata are listed and drawn in
# Default ratio of each stratum as a multiple of the items' ratio (国市监信发〔2022〕6号: A lowered, B normal,
# C raised, D sharply raised). The multiples are CertHub's defaults; every batch may set its own ratios.
DEFAULT_MULTIPLIERS = {"A": Decimal("0.5"), "B": Decimal("1"), "C": Decimal("2"), "D": Decimal("4")}
RECENT_INSPECTION_DAYS = 365  # the same target, the same item: at most once in 12 months


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold Python's cycle collector while a pool of a million rows is built and taken apart: the rows
    hold no cycles, and every collection would walk all of them again (it tripled the time of a draw)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class TargetPool:
    """A frozen target pool: strata in STRATA order, each in key order, member i a row as the database gave
    it — (target id, key, county) for an enterprise, which is its own organization, or (target id, key,
    county, credit code, organization id). The ids are internal (never published; 0 in a pool read back
    from a draw file). Rows, not a million objects or columns: reading, hashing, storing and indexing a
    national pool stay in C."""

    sizes: dict[str, int]
    members: Sequence[Sequence[Any]]

    def __len__(self) -> int:
        return len(self.members)

    def strata(self) -> list[str]:
        """Each member's stratum, in order."""
        return [s for s in STRATA for _ in range(self.sizes.get(s, 0))]

    def key(self, index: int) -> str:
        return self.members[index][1]

    def region(self, index: int) -> str:
        return self.members[index][2]

    def organization(self, index: int) -> str:
        """Credit code of the organization behind the target (conflicts are by organization)."""
        row = self.members[index]
        return row[3] if len(row) > 3 else row[1]

    def target_id(self, index: int) -> int:
        return self.members[index][0]

    def organization_id(self, index: int) -> int:
        row = self.members[index]
        return row[4] if len(row) > 3 else row[0]

    def leaves(self) -> list[bytes]:
        """Each member's leaf: RFC 8785 JSON of [stratum, key, county, credit code]."""
        return hashing.target_leaves(self.strata(), self.members)

    def root(self) -> str:
        """Hex SHA-256 Merkle root of the leaves (on two cores for a large pool)."""
        return hashing.target_pool_root(self.strata(), self.members).hex()

    def begin_root(self) -> hashing.PoolRoot:
        """The root, begun: `.result()` gives it (meanwhile the caller's own work runs on this core)."""
        return hashing.PoolRoot(self.strata(), self.members)

    def rows(self) -> list[list[object]]:
        """The published members: [stratum, key, county, credit code] each."""
        return [[s, *hashing.public_fields(row)] for s, row in zip(self.strata(), self.members, strict=True)]


@dataclass(frozen=True)
class PoolInspector:
    code: str
    department: str
    region: str
    conflicts: tuple[str, ...]
    inspector_id: int

    def leaf(self) -> bytes:
        return canonical.dumps([self.code, self.department, self.region, list(self.conflicts)])


def merkle_root(leaves: Iterable[bytes]) -> str:
    """Hex SHA-256 Merkle root (RFC 9162) of the leaves in order."""
    return hashing.root(list(leaves)).hex()


def default_ratios(base: Decimal) -> dict[str, str]:
    return {s: str(min(Decimal(100), base * m).quantize(Decimal("0.01"))) for s, m in DEFAULT_MULTIPLIERS.items()}


def parse_ratios(raw: dict[str, object]) -> dict[str, Decimal]:
    """Percentages per stratum, each 0–100 with at most two decimals; raises DrawError naming the stratum."""
    if set(raw) - set(STRATA):
        raise DrawError(f"unknown stratum {sorted(set(raw) - set(STRATA))[0]!r}: strata are A, B, C, D")
    ratios: dict[str, Decimal] = {}
    for stratum in STRATA:
        text = str(raw.get(stratum, "0")).strip()
        try:
            value = Decimal(text)
        except ArithmeticError:
            raise DrawError(f"ratio of stratum {stratum}: {text!r} is not a number") from None
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            raise DrawError(f"ratio of stratum {stratum}: {text}% is out of range (0 to 100)")
        if value != value.quantize(Decimal("0.01")):
            raise DrawError(f"ratio of stratum {stratum}: {text}% has more than two decimals")
        ratios[stratum] = value
    if not any(ratios.values()):
        raise DrawError("every stratum's ratio is 0: the batch would draw nothing")
    return ratios


def stratum_counts(sizes: dict[str, int], ratios: dict[str, Decimal], total: int | None) -> list[StratumDraw]:
    """How many each stratum gives. By ratio: ⌈size × ratio / 100⌉ (at least the ratio). By total count:
    the count shared in proportion to size × ratio, largest remainders first, never more than a stratum
    has."""
    if total is None:
        return [StratumDraw(s, sizes[s], min(sizes[s], math.ceil(sizes[s] * ratios[s] / 100))) for s in STRATA]
    available = sum(sizes[s] for s in STRATA if ratios[s] > 0)
    if not 1 <= total <= available:
        raise DrawError(f"cannot draw {total} targets: the pool's strata with a ratio above 0 hold {available}")
    counts = dict.fromkeys(STRATA, 0)
    open_strata = [s for s in STRATA if ratios[s] > 0 and sizes[s]]
    left = total
    while left:
        weight = sum(sizes[s] * ratios[s] for s in open_strata)
        quotas = {s: Decimal(left) * sizes[s] * ratios[s] / weight for s in open_strata}
        shares = {s: int(quotas[s]) for s in open_strata}
        order = sorted(open_strata, key=lambda s: (-(quotas[s] - shares[s]), STRATA.index(s)))
        for s in order[: left - sum(shares.values())]:
            shares[s] += 1
        for s in open_strata:
            take = min(shares[s], sizes[s] - counts[s])
            counts[s] += take
            left -= take
        open_strata = [s for s in open_strata if counts[s] < sizes[s]]
    return [StratumDraw(s, sizes[s], counts[s]) for s in STRATA]


# ------------------------------------------------------------------ reading the registries


def _target_query(target_type: str) -> tuple[str, str, GradedSubject]:
    """SELECT of (target id, key, county, credit code, organization id), the region column, and the kind
    of subject whose risk grade is the target's (a product takes its holder's)."""
    if target_type == TargetType.ENTERPRISE:  # its own organization: three columns are enough
        return (
            "SELECT o.id, o.uscc, o.region_id FROM registry_organization o",
            "o.region_id",
            GradedSubject.ORGANIZATION,
        )
    if target_type == TargetType.CERTIFIED_PRODUCT:
        return (
            "SELECT c.id, b.approval_number || '/' || c.number, c.region_code, o.uscc, o.id "
            "FROM registry_certificate c JOIN registry_certificationbody b ON b.id = c.certification_body_id "
            "JOIN registry_organization o ON o.id = c.holder_id",
            "c.region_code",
            GradedSubject.ORGANIZATION,
        )
    by_type: dict[str, tuple[str, str, GradedSubject]] = {
        TargetType.CERTIFICATION_BODY: (
            "registry_certificationbody",
            "approval_number",
            GradedSubject.CERTIFICATION_BODY,
        ),
        TargetType.LAB: ("registry_lab", "cma_number", GradedSubject.LAB),
    }
    table, key, subject = by_type[target_type]
    return (
        f"SELECT t.id, t.{key}, o.region_id, o.uscc, o.id FROM {table} t "  # noqa: S608
        "JOIN registry_organization o ON o.id = t.organization_id",
        "o.region_id",
        subject,
    )


def select_targets(pool: PoolDefinition, excluded: set[str]) -> TargetPool:
    """The pool's members today, stratum by stratum, each stratum in key order (code-point order, sorted
    here so that it is the same on every database and locale); `excluded` keys left out.

    Two plain statements instead of a join: the registry rows, and the grades that are not the default
    (B). Bucketing a million rows by grade in Python costs less than the database's hash join and sort."""
    target_type = pool.target_type
    region: Region = pool.region
    sql, region_column, graded = _target_query(target_type)
    conditions = [f"{region_column} LIKE %s"]
    params: list[str | int] = [region.prefix + "%"]
    if target_type == TargetType.CERTIFIED_PRODUCT:
        conditions.append("c.status = %s")
        params.append(CertificateStatus.ACTIVE.value)
        if pool.scheme_id:
            conditions.append("c.scheme_id = %s")
            params.append(pool.scheme_id)
    elif target_type == TargetType.ENTERPRISE:
        if pool.scheme_id:
            conditions.append(
                "EXISTS (SELECT 1 FROM registry_certificate c WHERE c.holder_id = o.id "
                "AND c.status = %s AND c.scheme_id = %s)"
            )
            params += [CertificateStatus.ACTIVE.value, pool.scheme_id]
    else:
        conditions.append("t.status = %s")
        params.append(BodyStatus.ACTIVE.value)
    if pool.industry_section:
        conditions.append("o.industry_section = %s")
        params.append(pool.industry_section)
    if pool.above_designated_size:
        conditions.append("o.above_designated_size")
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {' AND '.join(conditions)}", params)
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT subject_id, grade FROM risk_grade WHERE subject_type = %s AND grade <> %s",
            [graded.value, UNGRADED.value],
        )
        grade_of = dict(cursor.fetchall())
    # The grade is the target's own (bodies, labs) or its organization's (enterprises, products).
    enterprise = target_type == TargetType.ENTERPRISE
    subject_column = 4 if graded == GradedSubject.ORGANIZATION and not enterprise else 0
    wanted = set(pool.grades or STRATA)
    buckets: dict[str, list[tuple[Any, ...]]] = {s: [] for s in STRATA}
    # Bucketing a million rows in C: each row's grade by map(), then each stratum by compress().
    grades = list(map(grade_of.get, map(itemgetter(subject_column), rows), repeat(UNGRADED.value)))
    for stratum in STRATA:
        buckets[stratum] = list(compress(rows, map(stratum.__eq__, grades)))
    del rows, grade_of, grades
    members: list[tuple[Any, ...]] = []
    sizes = dict.fromkeys(STRATA, 0)
    for stratum in STRATA:
        bucket = buckets.pop(stratum)
        if stratum not in wanted:
            continue
        if excluded:
            bucket = [row for row in bucket if row[1] not in excluded]
        bucket.sort(key=itemgetter(1))  # code-point order of the key
        sizes[stratum] = len(bucket)
        members += bucket
    return TargetPool(sizes, members)


def recently_inspected(item_ids: Sequence[int], today: datetime.date) -> set[str]:
    """Keys of targets inspected (or drawn and not yet inspected) for any of these items in the last 12
    months: the same target is not inspected twice a year for the same item."""
    cutoff = today - datetime.timedelta(days=RECENT_INSPECTION_DAYS)
    recent = Q(inspected_until__gte=cutoff) | Q(inspected_until__isnull=True, batch__drawn_at__date__gte=cutoff)
    sql, params = Task.objects.filter(recent, batch__items__in=item_ids).values("target_key").query.sql_with_params()
    with connection.cursor() as cursor:  # one fetch, not the ORM's hundred rows at a time
        cursor.execute(sql, params)
        return {key for (key,) in cursor.fetchall()}


def select_inspectors(departments: Sequence[str], target_type: str, region: Region) -> list[PoolInspector]:
    """Inspectors who may be drawn: available, of the batch's departments, qualified for the target type,
    posted inside the plan's region; with their conflicts: organizations they declared and organizations
    they worked for (the person registry's employment history)."""
    rows = list(
        Inspector.objects.filter(
            available=True, department__in=list(departments), region__code__startswith=region.prefix
        )
        .order_by("code")
        .values_list("id", "code", "department", "region_id", "qualifications", "declared_conflicts", "person_id")
    )
    rows = [r for r in rows if target_type in (r[4] or [])]
    employers: dict[int, set[str]] = {}
    person_ids = [r[6] for r in rows if r[6] is not None]
    for person_id, uscc in Affiliation.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "organization__uscc"
    ):
        employers.setdefault(person_id, set()).add(uscc)
    return [
        PoolInspector(
            code, department, region_code, tuple(sorted(set(declared or []) | employers.get(person_id, set()))), pk
        )
        for pk, code, department, region_code, _q, declared, person_id in rows
    ]
