"""Read-side helpers: scoped querysets, `access_*` fetchers, search, and the public record."""

from __future__ import annotations

import datetime
from typing import Any

import orjson
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES, CertificateStatus
from certhub.registry.models import Certificate, CertificateEvent, CertificationBody, Lab, LabScope, Organization


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def surveillance_due_date(certificate: Certificate) -> datetime.date | None:
    """When the next surveillance audit is due: the scheme's interval after the last one (or the issue)."""
    months = certificate.scheme.surveillance_months
    if not months:
        return None
    base = certificate.last_surveillance_date or certificate.issue_date
    due = add_months(base, months)
    return due if due < certificate.expiry_date else None


def within_region(field: str, prefix: str | None) -> Q:
    """Rows whose `field` (a GB/T 2260 code) starts with `prefix`, written as a range so that both
    SQLite and PostgreSQL use the index (a LIKE with ESCAPE defeats SQLite's LIKE optimisation).
    No prefix means no region at all: nothing matches."""
    if not prefix:
        return Q(pk__in=[])
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def certificates_visible_to(actor: Actor) -> QuerySet[Certificate]:
    """Narrow certificates by role (STYLE.md 11): the public sees non-draft records; officers see their
    region (drafts included); a certification body also sees its own drafts."""
    queryset = Certificate.objects.all()
    if actor.role == Role.ADMINISTRATOR:
        return queryset
    if actor.role == Role.OFFICER:
        return queryset.filter(within_region("region_code", actor.region_prefix))
    # "Not a draft" rather than "in the five public statuses": the latter tempts SQLite's planner into the
    # status index, which matches nearly every row.
    public = ~Q(status=CertificateStatus.DRAFT)
    if actor.role == Role.CERTIFICATION_BODY and actor.organization_id:
        return queryset.filter(public | Q(certification_body__organization_id=actor.organization_id))
    return queryset.filter(public)


def organizations_visible_to(actor: Actor) -> QuerySet[Organization]:
    queryset = Organization.objects.all()
    if actor.role == Role.OFFICER:
        return queryset.filter(within_region("region_id", actor.region_prefix))
    return queryset


# A name fragment matching more organizations than this (a city's name, say) searches the first ones by
# registration order; callers say the result is partial. It keeps a two-character query as cheap as a
# precise one: the certificate side becomes an index lookup over a short list, not a scan.
HOLDER_MATCH_CAP = 2_000


def holder_ids_matching(q: str) -> tuple[list[int], bool]:
    """Organizations whose credit code is `q` or whose name contains it: (ids, truncated)."""
    upper = q.upper()
    ids = list(
        Organization.objects.filter(Q(uscc=upper) | Q(name__contains=q))
        .order_by("id")
        .values_list("id", flat=True)[: HOLDER_MATCH_CAP + 1]
    )
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


def region_code_prefix(code: str) -> str:
    """The GB/T 2260 prefix for a region code: trailing zero pairs mark a province or prefecture."""
    code = code.strip()
    if len(code) != 6:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def search_organizations(actor: Actor, *, q: str = "", region: str = "") -> QuerySet[Organization]:
    """Organizations by part of the name or by credit code, optionally within a region (API and pages)."""
    queryset = organizations_visible_to(actor).select_related("region")
    if q.strip():
        queryset = queryset.filter(Q(name__contains=q.strip()) | Q(uscc=q.strip().upper()))
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


def access_certificate(actor: Actor, number: str, *, body: str = "") -> Certificate:
    """Fetch one certificate the actor may see, by number (and body when numbers collide)."""
    queryset = certificates_visible_to(actor).filter(number=number.strip())
    if body:
        queryset = queryset.filter(Q(certification_body__approval_number=body) | Q(certification_body__name=body))
    certificate = (
        queryset.select_related("scheme", "certification_body", "holder", "holder__region", "ccc_product")
        .prefetch_related(Prefetch("events", queryset=CertificateEvent.objects.order_by("recorded_at", "id")))
        .order_by("id")
        .first()
    )
    if certificate is None:
        raise NotFound(_("登记库中没有编号为“%(number)s”的证书") % {"number": number.strip()[:60]})
    return certificate


def access_certification_body(actor: Actor, approval_number: str) -> CertificationBody:
    body = CertificationBody.objects.select_related("organization").filter(approval_number=approval_number).first()
    if body is None:
        raise NotFound(_("没有批准号为“%(n)s”的认证机构") % {"n": approval_number[:40]})
    return body


def access_lab(actor: Actor, cma_number: str) -> Lab:
    lab = Lab.objects.select_related("organization", "organization__region").filter(cma_number=cma_number).first()
    if lab is None:
        raise NotFound(_("没有资质认定证书编号为“%(n)s”的检验检测机构") % {"n": cma_number[:40]})
    return lab


def access_organization(actor: Actor, uscc: str) -> Organization:
    organization = organizations_visible_to(actor).select_related("region").filter(uscc=uscc.upper()).first()
    if organization is None:
        raise NotFound(_("没有统一社会信用代码为“%(n)s”的机构") % {"n": uscc[:40]})
    return organization


def public_certificate_record(certificate: Certificate, events: list[CertificateEvent] | None = None) -> dict[str, Any]:
    """The public fields of a certificate and its status history (ARCHITECTURE.md invariant 3).
    No internal notes, no risk grade, no personal data."""
    holder = certificate.holder
    scheme = certificate.scheme
    body = certificate.certification_body
    due = surveillance_due_date(certificate)
    if events is None:
        events = list(certificate.events.all())
    # Stable on (time, id): events built in one bulk action share a time and are in order already.
    events = sorted(events, key=lambda e: (e.recorded_at, e.id or 0))
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_label": str(CertificateStatus(certificate.status).label),
        "status_date": certificate.status_changed_on.isoformat(),
        "scheme": {"code": scheme.code, "name": scheme.name, "name_en": scheme.name_en},
        "certification_body": {"name": body.name, "approval_number": body.approval_number},
        "holder": {
            "name": certificate.holder_name,
            "uscc": holder.uscc,
            "region": {"code": holder.region_id, "name": holder.region.name},
        },
        "scope": certificate.scope,
        "ccc_product": (
            {"code": certificate.ccc_product.code, "name": certificate.ccc_product.name}
            if certificate.ccc_product_id
            else None
        ),
        "products": certificate.products,
        "sites": certificate.sites,
        "standards": certificate.standards,
        "original_issue_date": certificate.original_issue_date.isoformat(),
        "issue_date": certificate.issue_date.isoformat(),
        "expiry_date": certificate.expiry_date.isoformat(),
        "surveillance_due": due.isoformat() if due else None,
        "history": [
            {
                "from_status": event.from_status or None,
                "to_status": event.to_status,
                "date": event.effective_date.isoformat(),
                "reason": event.reason,
            }
            for event in events
        ],
    }


def public_document_bytes(certificate: Certificate, events: list[CertificateEvent] | None = None) -> bytes | None:
    """The stored public document; None while the certificate is a draft (never public)."""
    if certificate.status not in PUBLIC_CERTIFICATE_STATUSES:
        return None
    return orjson.dumps(public_certificate_record(certificate, events))


def with_live_flags(document: dict[str, Any], today: datetime.date | None = None) -> dict[str, Any]:
    """Add the flags derived from today's date to a stored public document (see FAST_LOOKUP)."""
    today_text = (today or timezone.localdate()).isoformat()
    due = document.get("surveillance_due")
    document["surveillance_overdue"] = bool(document["status"] == "ACTIVE" and due and due < today_text)
    return document
