"""Read-side helpers: scoped querysets, `access_*` fetchers, search, and the public record."""

from __future__ import annotations

import datetime
import re
from typing import Any

import orjson
from django.db import connections, router
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import Conflict, NotFound, ValidationFailed
from certhub.ledger.queries import indexes_of
from certhub.registry.choices import PUBLIC_CERTIFICATE_STATUSES, CertificateStatus
from certhub.registry.models import (
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationBody,
    Lab,
    LabScope,
    Organization,
)
from certhub.registry.validation import clean_uscc, normalize_text


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
    """Narrow certificates by role (docs/architecture.md convention 11): the public sees non-draft records; officers see
    their region (drafts included); a certification body also sees its own drafts."""
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


class AmbiguousNumber(Conflict):
    """A number several bodies (or labs) use: the caller must say which. `choices` are (key, name) pairs;
    the error body lists the keys under the parameter that chooses, as GET /certificates/{number} does."""

    def __init__(self, message: str, *, parameter: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(message, code="ambiguous")
        self.parameter = parameter
        self.choices = choices
        self.errors = {parameter: [key for key, _name in choices]}


AMBIGUITY_CAP = 10  # bodies listed when several use one number


def refuse_ambiguous_number(certificates: QuerySet[Certificate], number: str, body: str) -> None:
    """Unless `body` chooses, raise AmbiguousNumber when several bodies among `certificates` use `number`
    (certificate numbers are unique per body only)."""
    if body:
        return
    choices = list(
        certificates.filter(number=number.strip())
        .order_by("certification_body__approval_number")
        .values_list("certification_body__approval_number", "certification_body__name")
        .distinct()[:AMBIGUITY_CAP]
    )
    if len(choices) > 1:
        raise AmbiguousNumber(_("多个认证机构使用此编号，请用body参数指定"), parameter="body", choices=choices)


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


_STATUS_LABELS: dict[tuple[str, str | None], str] = {}


def status_label(status: str) -> str:
    """A status's label in the active language (memoised: a bulk import renders a million records)."""
    key = (status, get_language())
    if key not in _STATUS_LABELS:
        _STATUS_LABELS[key] = str(CertificateStatus(status).label)
    return _STATUS_LABELS[key]


def public_certificate_record(certificate: Certificate, events: list[CertificateEvent] | None = None) -> dict[str, Any]:
    """The public fields of a certificate and its status history (docs/architecture.md invariant 3).
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
        "status_label": status_label(certificate.status),
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
        "particulars": certificate.particulars,
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


def with_live_flags(
    document: dict[str, Any], today: datetime.date | None = None, *, certificate_id: int | None = None
) -> dict[str, Any]:
    """Add the flags derived from today's date to a stored public document (see FAST_LOOKUP) and, for a
    served record, the indexes of the certificate's ledger entries (C4)."""
    today_text = (today or timezone.localdate()).isoformat()
    due = document.get("surveillance_due")
    document["surveillance_overdue"] = bool(document["status"] == "ACTIVE" and due and due < today_text)
    if certificate_id is not None:
        document["ledger_indexes"] = indexes_of("registry.certificate", str(certificate_id))
    return document


# ---------------------------------------------------------------- reuse by departments and buyers (C2, C13)


def verify_certificates(
    numbers: list[str], *, body: str = "", today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Check a batch of certificate numbers at once (C2 采信: a department or a buyer checks the
    certificates it was shown). Each distinct number is answered once, in the order first given; a
    number used by several certification bodies gets one entry per body, next to each other in
    approval-number order (`body`, an approval number or a body's name, keeps one body's only).

    One query on the public-record read model (registry_certificatepublicrecord, indexed by number),
    whatever the batch size: drafts are not in it, so they are never found."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    today_text = (today or timezone.localdate()).isoformat()
    found: dict[str, list[dict[str, Any]]] = {}
    for stored in CertificatePublicRecord.objects.filter(number__in=wanted).values_list("document", flat=True):
        document = orjson.loads(stored)
        issuer = document["certification_body"]
        if body and body not in (issuer["approval_number"], issuer["name"]):
            continue
        found.setdefault(document["number"], []).append(document)
    labels = {status: str(CertificateStatus(status).label) for status in PUBLIC_CERTIFICATE_STATUSES}
    results: list[dict[str, Any]] = []
    for number in wanted:
        matches = sorted(found.get(number, []), key=lambda d: d["certification_body"]["approval_number"])
        if not matches:
            results.append(
                {
                    "number": number,
                    "found": False,
                    "status": None,
                    "status_label": None,
                    "holder_name": None,
                    "holder_uscc": None,
                    "scheme": None,
                    "certification_body": None,
                    "expiry_date": None,
                    "valid_now": False,
                }
            )
        for document in matches:
            status = document["status"]
            results.append(
                {
                    "number": number,
                    "found": True,
                    "status": status,
                    "status_label": labels[status],
                    "holder_name": document["holder"]["name"],
                    "holder_uscc": document["holder"]["uscc"],
                    "scheme": document["scheme"],
                    "certification_body": document["certification_body"],
                    "expiry_date": document["expiry_date"],
                    # The expiry date is the last valid day (有效期至).
                    "valid_now": status == CertificateStatus.ACTIVE and document["expiry_date"] >= today_text,
                }
            )
    return results


# Legal forms (企业名称登记管理规定: 行政区划 + 字号 + 行业 + 组织形式) say nothing about which organization a
# name means; longest first, stripped repeatedly from the end.
LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "股份合作公司", "集团有限公司", "有限公司", "股份公司", "集团公司",
    "合伙企业", "有限合伙", "普通合伙", "个人独资企业", "集团", "公司",
)  # fmt: skip
COMMON_LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
REGION_SUFFIXES = ("自治州", "自治县", "省", "市", "县", "区")
NAME_NOISE = re.compile(r"[\W_]+")
MATCH_CANDIDATE_CAP = 200
MATCH_MAX_LIMIT = 50


def normalize_name(name: str) -> str:
    """An organization name for comparison: full-width characters folded (NFKC), Latin letters in one
    case, spaces, brackets and punctuation dropped."""
    return NAME_NOISE.sub("", normalize_text(name).casefold())


def name_core(normalized: str) -> str:
    """A normalized name without its legal form (有限公司 and the like); the name itself if nothing is left."""
    core = normalized
    stripped = True
    while stripped:
        stripped = False
        for form in LEGAL_FORMS:
            # 分公司 is a branch (a separate entity): its 公司 is not a legal form to drop.
            if core.endswith(form) and len(core) > len(form) and not (form == "公司" and core.endswith("分公司")):
                core = core[: -len(form)]
                stripped = True
                break
    return core or normalized


_region_names_cache: list[tuple[str, ...]] = []


def _region_names() -> tuple[str, ...]:
    """Names of the province's regions and their short forms (湖南省 → 湖南), longest first. Reference data:
    read once per process (once it is loaded)."""
    if _region_names_cache:
        return _region_names_cache[0]
    from certhub.core.models import Region

    names: set[str] = set()
    for name in Region.objects.values_list("name", flat=True):
        names.add(name)
        for suffix in REGION_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
    ordered = tuple(sorted(names, key=len, reverse=True))
    if ordered:
        _region_names_cache.append(ordered)
    return ordered


def distinctive_part(core: str) -> str:
    """The trade name and trade of a name core: the leading administrative names dropped (湖南省长沙市星城电器 →
    星城电器), so that names written with and without their region meet. The core if too little is left."""
    rest = core
    for _round in range(3):
        region = next((r for r in _region_names() if rest.startswith(r) and len(rest) - len(r) >= 2), None)
        if region is None:
            break
        rest = rest[len(region) :]
    return rest


def name_similarity(query_core: str, candidate_core: str) -> float:
    """0–100: the edit-distance similarity of two name cores, or — for a name given without its region
    or trade — how well the shorter fits within the longer, weighted by how much of the longer it covers
    (湘江机械 in 衡阳湘江机械制造 counts for more than 湖南 in 湖南省产品质量检验检测研究院)."""
    shorter, longer = sorted((len(query_core), len(candidate_core)))
    coverage = shorter / longer if longer else 0.0
    within = fuzz.partial_ratio(query_core, candidate_core) * (0.6 + 0.4 * coverage)
    return max(fuzz.ratio(query_core, candidate_core), within)


def _prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range (see within_region)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _name_candidate_ids(query: str, core: str) -> list[int]:
    """Organizations that may carry this name, by index-friendly steps, each bounded: the name as written
    and with common legal forms (equality), names starting with the core (a range on the name index); only
    when these found neither the name itself nor many candidates, names containing its distinctive part
    (the pg_trgm index on PostgreSQL; on SQLite a scan of the name index) and, on PostgreSQL, trigram-similar
    names (slips anywhere in the name); and names sharing the core's first two thirds (a range again)."""
    variants = {query.strip(), normalize_text(query), core, *(core + form for form in COMMON_LEGAL_FORMS)}
    cap = MATCH_CANDIDATE_CAP
    ids = list(Organization.objects.filter(name__in=sorted(variants)).values_list("id", flat=True)[:cap])
    # The name itself was found: the wider steps below would only add weaker candidates at a higher cost.
    searching = not ids
    ids += Organization.objects.filter(_prefix_range("name", core)).values_list("id", flat=True)[:cap]
    searching = searching and len(set(ids)) < cap // 4
    distinct = distinctive_part(core)
    if searching and len(distinct) >= 2:
        ids += Organization.objects.filter(name__contains=distinct).values_list("id", flat=True)[:cap]
    database = connections[router.db_for_read(Organization)]
    if searching and database.vendor == "postgresql" and len(core) >= 3 and len(set(ids)) < cap // 4:
        with database.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_organization WHERE name %% %s ORDER BY similarity(name, %s) DESC LIMIT %s",
                [core, core, cap],
            )
            ids += [row[0] for row in cursor.fetchall()]
    # A slip late in the name (电气 for 电器): names sharing its first two thirds.
    head = core[: max(2, (2 * len(core) + 2) // 3)]
    if len(head) < len(core):
        ids += Organization.objects.filter(_prefix_range("name", head)).values_list("id", flat=True)[:cap]
    return list(dict.fromkeys(ids))


def match_organizations(
    actor: Actor, *, name: str = "", uscc: str = "", limit: int = 10, min_score: int = 50
) -> list[dict[str, Any]]:
    """Organizations that a name and/or a credit code may mean (C2: another department's or a buyer's
    records joined to the registry), best first, each with a score 0–100 and the reasons for it:
    100 the credit code itself; 98 the same name once full-width characters, spaces and punctuation are
    folded; 95 the same name but for its legal form (有限公司 …); otherwise up to 94 by name similarity.
    `uscc` must already be valid (see registry.validation.clean_uscc). Public fields only."""
    limit = max(1, min(limit, MATCH_MAX_LIMIT))
    normalized = normalize_name(name)
    core = name_core(normalized)
    visible = organizations_visible_to(actor)
    ids = list(visible.filter(uscc=uscc).values_list("id", flat=True)) if uscc else []
    if normalized:
        ids += _name_candidate_ids(name, core)
    organizations = visible.filter(id__in=list(dict.fromkeys(ids))).select_related("region")
    candidates = []
    for organization in organizations:
        reasons: list[str] = []
        score, name_score, basis = 0, None, ""
        if normalized:
            other = normalize_name(organization.name)
            if other == normalized:
                name_score, basis = 98, "name_exact"
                reasons.append(_("名称一致"))
            elif name_core(other) == core:
                name_score, basis = 95, "name_core"
                reasons.append(_("名称除组织形式外一致"))
            else:
                name_score, basis = min(94, round(name_similarity(core, name_core(other)) * 0.94)), "name_similar"
                reasons.append(_("名称相似度%(n)d") % {"n": name_score})
            score = name_score
        if uscc and organization.uscc == uscc:
            score, basis = 100, "uscc"
            reasons.insert(0, _("统一社会信用代码一致"))
        if score >= min_score:
            candidates.append(
                {
                    "uscc": organization.uscc,
                    "name": organization.name,
                    "region": {"code": organization.region_id, "name": organization.region.name},
                    "score": score,
                    "name_score": name_score,
                    "basis": basis,
                    "reasons": reasons,
                }
            )
    candidates.sort(key=lambda c: (-c["score"], c["name"], c["uscc"]))
    return candidates[:limit]


CCC_CODE = re.compile(r"^\d{4}$")
# A supplier with more certificates than this is checked on its newest ones (a bound on one request).
PROCUREMENT_CERTIFICATE_CAP = 5_000


def _product_matches(certificate: Certificate, product: str, ccc_code: bool) -> list[str]:
    """Where a certificate names the product: its CCC catalogue product (by code or name), its listed
    products (name, model, trademark) or its scope. Text is compared NFKC-folded and case-insensitively."""
    if ccc_code:
        ccc = certificate.ccc_product
        return ["ccc_product"] if ccc is not None and (ccc.code == product or product in (ccc.codes or [])) else []
    wanted = normalize_text(product).casefold()
    matched = []
    if certificate.ccc_product is not None and wanted in normalize_text(certificate.ccc_product.name).casefold():
        matched.append("ccc_product")
    listed = " ".join(str(v) for p in certificate.products for k, v in p.items() if k in ("name", "model", "trademark"))
    if wanted in normalize_text(listed).casefold():
        matched.append("products")
    if wanted in normalize_text(certificate.scope).casefold():
        matched.append("scope")
    return matched


def procurement_check(
    actor: Actor, *, uscc: str, product: str = "", today: datetime.date | None = None
) -> dict[str, Any]:
    """政府采购优先 (C13): does this supplier hold valid certificates now, and under which schemes; with
    `product` (part of a product name, or a 4-digit CCC catalogue code), is that product certified.

    A certificate is valid now when it is ACTIVE and today is not past its expiry date. The answer lists
    the supplier's public certificates that match (valid ones first), each with its status, so that a
    suspended or withdrawn certificate shown by a supplier is seen for what it is. An invalid credit
    code raises ValidationFailed naming `uscc`; a valid one the registry does not have is answered with
    certified = false and says so."""
    code, error = clean_uscc(uscc)
    if error:
        raise ValidationFailed({"uscc": error})
    product = normalize_text(product)[:100]
    today = today or timezone.localdate()
    ccc_code = bool(CCC_CODE.match(product))
    ccc_product = None
    if ccc_code:
        ccc_product = next(
            (p for p in CccProduct.objects.order_by("code") if p.code == product or product in (p.codes or [])), None
        )
    answer: dict[str, Any] = {
        "uscc": code,
        "product": product,
        "checked_on": today,
        "registered": False,
        "supplier": None,
        "certified": False,
        "message": "",
        "schemes": [],
        "ccc_product": {"code": ccc_product.code, "name": ccc_product.name} if ccc_product else None,
        "certificates": [],
    }
    supplier = organizations_visible_to(actor).select_related("region").filter(uscc=code).first()
    if supplier is None:
        message = _("登记库中没有统一社会信用代码为%(code)s的机构，不能认定其持有有效认证证书")
        answer["message"] = message % {"code": code}
        return answer
    answer["registered"] = True
    answer["supplier"] = {
        "uscc": supplier.uscc,
        "name": supplier.name,
        "region": {"code": supplier.region_id, "name": supplier.region.name},
    }
    held = (
        certificates_visible_to(actor)
        .filter(holder=supplier)
        .exclude(status=CertificateStatus.DRAFT)  # a body's own drafts are never evidence to a buyer
        .select_related("scheme", "certification_body", "ccc_product")
        .order_by("-issue_date", "-id")[:PROCUREMENT_CERTIFICATE_CAP]
    )
    entries = []
    for certificate in held:
        matched = _product_matches(certificate, product, ccc_code) if product else []
        if product and not matched:
            continue
        scheme, issuer = certificate.scheme, certificate.certification_body
        entries.append(
            {
                "number": certificate.number,
                "status": certificate.status,
                "status_label": status_label(certificate.status),
                "valid_now": certificate.status == CertificateStatus.ACTIVE and certificate.expiry_date >= today,
                "scheme": {"code": scheme.code, "name": scheme.name, "name_en": scheme.name_en},
                "certification_body": {"name": issuer.name, "approval_number": issuer.approval_number},
                "issue_date": certificate.issue_date,
                "expiry_date": certificate.expiry_date,
                "ccc_product": (
                    {"code": certificate.ccc_product.code, "name": certificate.ccc_product.name}
                    if certificate.ccc_product
                    else None
                ),
                "matched_on": matched,
            }
        )
    entries.sort(key=lambda e: (not e["valid_now"], -e["expiry_date"].toordinal(), e["number"]))
    schemes: dict[str, dict[str, str]] = {}
    for entry in entries:
        if entry["valid_now"]:
            schemes.setdefault(entry["scheme"]["code"], entry["scheme"])
    answer["certificates"] = entries
    answer["schemes"] = [schemes[c] for c in sorted(schemes)]
    answer["certified"] = bool(schemes)
    names = pgettext("list separator", "、").join(s["name"] for s in answer["schemes"])
    valid = sum(1 for e in entries if e["valid_now"])
    if product and answer["certified"]:
        answer["message"] = _("产品“%(product)s”目前有%(n)d张有效认证证书：%(schemes)s") % {
            "product": product,
            "n": valid,
            "schemes": names,
        }
    elif product:
        answer["message"] = _("没有找到该供应商产品“%(product)s”目前有效的认证证书") % {"product": product}
    elif answer["certified"]:
        answer["message"] = _("该供应商目前持有%(n)d张有效认证证书：%(schemes)s") % {"n": valid, "schemes": names}
    else:
        answer["message"] = _("该供应商目前没有有效的认证证书")
    return answer
