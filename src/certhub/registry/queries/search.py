"""Searching the registries: certificates by holder, number and filters; organizations, bodies, labs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from certhub.core.actors import Actor
from certhub.registry.models import Certificate, CertificationBody, Lab, LabScope, Organization, OrganizationName
from certhub.registry.queries.access import (
    certificates_visible_to,
    organizations_visible_to,
    region_code_prefix,
    within_region,
)

# A name fragment matching more organizations than this (a city's name, say) searches the first ones by
# registration order; callers say the result is partial. It keeps a two-character query as cheap as a
# precise one: the certificate side becomes an index lookup over a short list, not a scan.
HOLDER_MATCH_CAP = 2_000


def former_name_ids(q: str) -> list[int]:
    """Organizations that once went by a name containing `q` (曾用名, C1): a renamed holder is still found
    by the name on its old papers. A separate, small lookup, so that the name search keeps its index."""
    return list(
        OrganizationName.objects.filter(name__contains=q)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()[: HOLDER_MATCH_CAP + 1]
    )


def holder_ids_matching(q: str) -> tuple[list[int], bool]:
    """Organizations whose credit code is `q` or whose name, or a former name, contains it: (ids, truncated)."""
    upper = q.upper()
    ids = list(
        Organization.objects.filter(Q(uscc=upper) | Q(name__contains=q))
        .order_by("id")
        .values_list("id", flat=True)[: HOLDER_MATCH_CAP + 1]
    )
    former = former_name_ids(q)
    if former:
        ids = sorted(set(ids) | set(former))
    return ids[:HOLDER_MATCH_CAP], len(ids) > HOLDER_MATCH_CAP


def search_certificates(actor: Actor, **filters: str) -> QuerySet[Certificate]:
    """The certificates of certificate_search, without its "partial" flag (for callers that page them)."""
    return certificate_search(actor, **filters)[0]


def certificate_search(
    actor: Actor,
    *,
    q: str = "",
    scheme: str = "",
    status: str = "",
    region: str = "",
    holder_uscc: str = "",
    body: str = "",
) -> tuple[QuerySet[Certificate], bool]:
    """Search certificates; returns (queryset newest first, partial).

    `q` matches a certificate number (exact), a credit code (exact) or part of a holder's name. Names
    are matched on organizations first (3× fewer rows than certificates; a trigram index on
    PostgreSQL), and the certificates are then fetched by number or by holder through their indexes.
    `partial` is true when the name matched more than HOLDER_MATCH_CAP organizations."""
    queryset = certificates_visible_to(actor)
    partial = False
    q = q.strip()
    if q:
        holders, partial = holder_ids_matching(q)
        # Numbers are looked up on their own first, so that a name search (the usual case) filters on the
        # holder alone and the holder/newest/status index answers it without visiting the table.
        numbered = list(Certificate.objects.filter(number__in=sorted({q, q.upper()})).values_list("id", flat=True))
        match = Q(holder_id__in=holders)
        if numbered:
            match |= Q(id__in=numbered)
        queryset = queryset.filter(match)
    if scheme:
        queryset = queryset.filter(scheme__code=scheme.upper())
    if status:
        queryset = queryset.filter(status=status.upper())
    if region:
        queryset = queryset.filter(within_region("region_code", region_code_prefix(region)))
    if holder_uscc:
        holder = Organization.objects.filter(uscc=holder_uscc.strip().upper()).values_list("id", flat=True)
        queryset = queryset.filter(holder_id__in=list(holder))
    if body:
        queryset = queryset.filter(Q(certification_body__approval_number=body) | Q(certification_body__name=body))
    ordered = queryset.select_related("scheme", "certification_body", "holder", "holder__region")
    return ordered.order_by("-issue_date", "-id"), partial


class TwoStepSlices:
    """A sorted queryset sliced in two steps: first the ids of the slice, which a covering index can
    produce without touching the rows, then those few rows with their joins. Without it a database joins
    and sorts every candidate row (thousands, for a broad holder-name search) to return twenty.

    Serves Django's Paginator and the API alike (`ordered`, `count`, slicing)."""

    ordered = True

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def bounded_count(self, cap: int) -> int:
        return capped_count(self.queryset, cap)[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            return self[key : key + 1][0]
        ids = list(self.queryset.values_list("id", flat=True)[key])
        rows = {row.id: row for row in self.queryset.filter(id__in=ids).order_by()}
        return [rows[i] for i in ids if i in rows]


COUNT_CAP = 10_000


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """Count matches up to `cap` (COUNT_CAP); returns (count, exact). Counting a million rows to print
    "1,000,000 results" costs more than the page itself, and nobody pages that far. The counted
    subquery carries ids only: no joins, no ordering."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by().select_related(None).values("id")[: cap + 1].count()
    return min(count, cap), count <= cap


def search_organizations(actor: Actor, *, q: str = "", region: str = "") -> QuerySet[Organization]:
    """Organizations by part of the name (current or former) or by credit code, optionally within a region
    (API and pages)."""
    queryset = organizations_visible_to(actor).select_related("region")
    if q.strip():
        match = Q(name__contains=q.strip()) | Q(uscc=q.strip().upper())
        former = former_name_ids(q.strip())
        if former:
            match |= Q(id__in=former)
        queryset = queryset.filter(match)
    if region:
        queryset = queryset.filter(within_region("region_id", region_code_prefix(region)))
    return queryset.order_by("name", "id")


def certification_bodies(scheme: str = "") -> QuerySet[CertificationBody]:
    """All certification bodies (a province has tens), optionally those approved for a scheme."""
    queryset = CertificationBody.objects.select_related("organization__region").prefetch_related("schemes")
    if scheme:
        # A body holds each scheme once, so the join cannot repeat rows.
        queryset = queryset.filter(schemes__code=scheme.upper())
    return queryset.order_by("name", "id")


def find_labs(*, q: str = "", parameter: str = "", standard: str = "", region: str = "") -> QuerySet[Lab]:
    """The lab finder (C3): labs by name or CMA number, or those whose qualified scope covers a parameter
    and/or a standard (substrings), optionally within a region."""
    queryset = Lab.objects.select_related("organization__region")
    if q.strip():
        queryset = queryset.filter(Q(name__contains=q.strip()) | Q(cma_number=q.strip()))
    if parameter.strip() or standard.strip():
        scope = LabScope.objects.all()
        if parameter.strip():
            scope = scope.filter(parameter__contains=parameter.strip())
        if standard.strip():
            scope = scope.filter(standard__contains=standard.strip())
        queryset = queryset.filter(id__in=scope.values("lab_id"))
    if region:
        queryset = queryset.filter(within_region("organization__region_id", region_code_prefix(region)))
    return queryset.order_by("name", "id")
