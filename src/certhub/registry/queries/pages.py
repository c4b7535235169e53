"""Reads only the registry's pages need: scoped querysets for the back-office lists, a certification body's own
certificates, and the lookups the certificate, body and lab pages need. Every queryset starts from the actor's scope
(docs/architecture.md invariant 4); the filters only narrow it further.

Filters the API shares (organizations, bodies, the lab finder) live in the rest of this package
(docs/architecture.md convention 5: one filter definition per model); these are the ones only pages need."""

from __future__ import annotations

from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.core.models import AuditEvent
from certhub.registry.models import (
    Affiliation,
    Certificate,
    CertificateEvent,
    CertificationBody,
    Lab,
    LabScope,
    Organization,
    Person,
    Signatory,
    TestReport,
)
from certhub.registry.queries import (
    certificates_visible_to,
    certification_bodies,
    find_labs,
    region_code_prefix,
    search_certificates,
    search_organizations,
    within_region,
)

# A sentinel prefix no GB/T 2260 code starts with: an officer without a region sees nothing.
NO_REGION = "-"


def _officer_prefix(actor: Actor) -> str | None:
    """The region prefix that narrows an officer's view; None for roles that are not region-scoped."""
    if actor.role == Role.OFFICER:
        return actor.region_prefix or NO_REGION
    return None


# ---------------------------------------------------------------- public pages


def certification_body_named(approval_number: str) -> CertificationBody | None:
    """The body a search is narrowed to (the "certificates of this body" link), if it exists."""
    if not approval_number:
        return None
    return CertificationBody.objects.filter(approval_number=approval_number).first()


def certificates_sharing_number(actor: Actor, number: str, limit: int = 10) -> list[Certificate]:
    """The certificates the actor may see under one number; more than one means several bodies use it."""
    return list(
        certificates_visible_to(actor)
        .filter(number=number.strip())
        .select_related("certification_body", "scheme")
        .order_by("certification_body__name", "id")[:limit]
    )


def lab_scope(lab: Lab, q: str = "") -> QuerySet[LabScope]:
    """A lab's qualified scope rows, narrowed by a substring of any of its four columns."""
    queryset = lab.scope.all()
    text = q.strip()
    if text:
        queryset = queryset.filter(
            Q(field__contains=text)
            | Q(object__contains=text)
            | Q(parameter__contains=text)
            | Q(standard__contains=text)
        )
    return queryset.order_by("field", "object", "parameter", "id")


def lab_signatories(lab: Lab) -> list[Signatory]:
    """A lab's authorized signatories with the scope rows each may sign (names only: C14)."""
    return list(
        lab.signatories.select_related("person")
        .prefetch_related(Prefetch("scope", queryset=LabScope.objects.order_by("field", "object", "parameter")))
        .order_by("person__name", "id")
    )


# ---------------------------------------------------------------- back office lists


def office_organizations(actor: Actor, *, q: str = "", region: str = "", **_: str) -> QuerySet[Organization]:
    return search_organizations(actor, q=q, region=region)


def _by_organization_region(queryset: QuerySet, actor: Actor, field: str, region: str) -> QuerySet:
    prefix = _officer_prefix(actor)
    if prefix is not None:
        queryset = queryset.filter(within_region(field, prefix if prefix != NO_REGION else None))
    if region:
        queryset = queryset.filter(within_region(field, region_code_prefix(region)))
    return queryset


def office_certification_bodies(
    actor: Actor, *, q: str = "", region: str = "", status: str = "", scheme: str = "", **_: str
) -> QuerySet[CertificationBody]:
    queryset = certification_bodies(scheme).select_related("organization__region")
    queryset = _by_organization_region(queryset, actor, "organization__region_id", region)
    if q.strip():
        queryset = queryset.filter(Q(name__contains=q.strip()) | Q(approval_number=q.strip()))
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def office_labs(actor: Actor, *, q: str = "", region: str = "", status: str = "", **_: str) -> QuerySet[Lab]:
    queryset = _by_organization_region(find_labs(q=q), actor, "organization__region_id", region)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def office_people(actor: Actor, *, q: str = "", region: str = "", **_: str) -> QuerySet[Person]:
    """People are scoped through their affiliations: an officer sees those who have worked for an
    organization in the officer's region."""
    queryset = Person.objects.prefetch_related(
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization").order_by("start"))
    )
    prefix = _officer_prefix(actor)
    for narrowing in (prefix, region_code_prefix(region) if region else None):
        if narrowing is not None:
            queryset = queryset.filter(
                id__in=Affiliation.objects.filter(
                    within_region("organization__region_id", narrowing if narrowing != NO_REGION else None)
                ).values("person_id")
            )
    if q.strip():
        queryset = queryset.filter(name__contains=q.strip())
    return queryset.order_by("name", "id")


def office_certificates(
    actor: Actor, *, q: str = "", region: str = "", status: str = "", scheme: str = "", **_: str
) -> QuerySet[Certificate]:
    return search_certificates(actor, q=q, scheme=scheme, status=status, region=region)


def office_test_reports(
    actor: Actor, *, q: str = "", region: str = "", status: str = "", **_: str
) -> QuerySet[TestReport]:
    queryset = TestReport.objects.select_related("lab", "signatory__person")
    queryset = _by_organization_region(queryset, actor, "lab__organization__region_id", region)
    if q.strip():
        queryset = queryset.filter(Q(number=q.strip()) | Q(product__contains=q.strip()))
    if status:
        queryset = queryset.filter(conclusion=status)
    return queryset.order_by("-issue_date", "id")


def audit_events_of(instance: Model) -> QuerySet[AuditEvent]:
    """The audit rows whose subject is `instance` (core.audit writes label_lower and str(pk))."""
    subject_type = instance._meta.label_lower
    return AuditEvent.objects.filter(subject_type=subject_type, subject_id=str(instance.pk)).order_by("id")


def certificate_events_of(certificate: Certificate) -> QuerySet[CertificateEvent]:
    return certificate.events.order_by("recorded_at", "id")


# ---------------------------------------------------------------- a certification body's own certificates


def own_certificates(actor: Actor, *, q: str = "", status: str = "") -> QuerySet[Certificate]:
    """The certificates issued by the actor's own certification body, drafts included."""
    return search_certificates(actor, q=q, status=status).filter(
        certification_body__organization_id=actor.organization_id or 0
    )


def access_own_certificate(actor: Actor, pk: int) -> Certificate:
    """One of the actor's own body's certificates; another body's certificate is not found, so that a
    body learns nothing about its competitors' drafts."""
    certificate = (
        Certificate.objects.select_related("scheme", "certification_body", "holder__region")
        .filter(pk=pk, certification_body__organization_id=actor.organization_id or 0)
        .first()
    )
    if actor.role != Role.CERTIFICATION_BODY or certificate is None:
        raise NotFound(_("本机构没有这张证书"))
    return certificate
