"""Who sees which rows (docs/architecture.md convention 11), and the `access_*` fetchers of one record."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import Conflict, NotFound
from certhub.registry import numbering
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import (
    Certificate,
    CertificateEvent,
    CertificationBody,
    CertificationBodyStatusEvent,
    Lab,
    Organization,
)


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


class AmbiguousNumber(Conflict):
    """A number several bodies (or labs) use: the caller must say which. `choices` are (key, name) pairs;
    the error body lists the keys under the parameter that chooses, as GET /certificates/{number} does."""

    def __init__(self, message: str, *, parameter: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(message, code="ambiguous")
        self.parameter = parameter
        self.choices = choices
        self.errors = {parameter: [key for key, _name in choices]}


AMBIGUITY_CAP = 10  # bodies listed when several use one number


def refuse_ambiguous_number(certificates: QuerySet[Certificate], number: str, body: str) -> str:
    """The body (approval number) to look `number` up at: `body` when the caller chose; else, when several
    bodies among `certificates` use the number, the one the national numbering rule says issued it
    (registry/numbering.py: a number another body registered too does not hide the genuine certificate),
    or AmbiguousNumber when the rule names none of them (certificate numbers outside the rule are unique
    per body only)."""
    if body:
        return body
    choices = list(
        certificates.filter(number=number.strip())
        .order_by("certification_body__approval_number")
        .values_list("certification_body__approval_number", "certification_body__name")
        .distinct()[:AMBIGUITY_CAP]
    )
    if len(choices) > 1:
        issuer = numbering.issuing_body(number.strip(), [key for key, _name in choices])
        if issuer is not None:
            return issuer
        raise AmbiguousNumber(_("多个认证机构使用此编号，请用body参数指定"), parameter="body", choices=choices)
    return body


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
        raise NotFound(_("没有批准号为“%(approval_number)s”的认证机构") % {"approval_number": approval_number[:40]})
    return body


def body_status_history(body: CertificationBody) -> list[CertificationBodyStatusEvent]:
    """A body's public status history (C1), oldest first: every change with its date, reason and decision."""
    return list(CertificationBodyStatusEvent.objects.filter(body=body).order_by("recorded_at", "id"))


def access_certification_body_for_change(actor: Actor, pk: int) -> CertificationBody:
    """A body an officer may change: within the officer's region (the body's organization's), else NotFound
    as for a missing one (core.permissions.within_scope: existence does not leak)."""
    queryset = CertificationBody.objects.select_related("organization", "organization__region")
    if actor.role == Role.OFFICER:
        queryset = queryset.filter(within_region("organization__region_id", actor.region_prefix))
    elif actor.role != Role.ADMINISTRATOR:
        queryset = queryset.none()
    body = queryset.filter(pk=pk).first()
    if body is None:
        raise NotFound(_("你的辖区内没有这条记录。"))
    return body


def access_lab(actor: Actor, cma_number: str) -> Lab:
    lab = Lab.objects.select_related("organization", "organization__region").filter(cma_number=cma_number).first()
    if lab is None:
        raise NotFound(_("没有资质认定证书编号为“%(cma_number)s”的检验检测机构") % {"cma_number": cma_number[:40]})
    return lab


def access_organization(actor: Actor, uscc: str) -> Organization:
    organization = organizations_visible_to(actor).select_related("region").filter(uscc=uscc.upper()).first()
    if organization is None:
        raise NotFound(_("没有统一社会信用代码为“%(uscc)s”的机构") % {"uscc": uscc[:40]})
    return organization
