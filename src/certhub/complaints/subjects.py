"""What a complaint is about, matched to the registry (C10 with C2's matcher): a certificate number, and a
name or code of an enterprise, shop, lab or certification body. A credit code, CMA number or approval number
is looked up as such; a name goes through the organization matcher (registry.queries.match_organizations)
and is taken only when it is the same name, legal form aside (score ≥ 95) — a guess would send the complaint
to the wrong department. A name given wins over the holder of the certificate named: a shop showing someone
else's certificate is the one complained of."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import uscc

from certhub.core.actors import ANONYMOUS
from certhub.core.validation import compact_uscc
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization
from certhub.registry.queries import match_organizations

SURE_MATCH = 95


@dataclass(frozen=True)
class Subject:
    organization: Organization | None = None
    lab: Lab | None = None
    certification_body: CertificationBody | None = None
    certificate: Certificate | None = None

    @property
    def subject_type(self) -> str:
        if self.lab is not None:
            return GradedSubject.LAB
        if self.certification_body is not None:
            return GradedSubject.CERTIFICATION_BODY
        return GradedSubject.ORGANIZATION if self.organization is not None else ""

    @property
    def region_code(self) -> str:
        return self.organization.region_id if self.organization is not None else ""


def _organization_named(text: str) -> Organization | None:
    code = compact_uscc(text)
    if len(code) == 18 and uscc.is_valid(code):
        return Organization.objects.filter(uscc=code).first()
    lab = Lab.objects.select_related("organization").filter(cma_number=text).first()
    if lab is not None:
        return lab.organization
    body = CertificationBody.objects.select_related("organization").filter(approval_number=text).first()
    if body is not None:
        return body.organization
    candidates = match_organizations(ANONYMOUS, name=text, limit=2, min_score=SURE_MATCH)
    if len(candidates) == 1 or (len(candidates) > 1 and candidates[0]["score"] > candidates[1]["score"]):
        return Organization.objects.filter(uscc=candidates[0]["uscc"]).first()
    return None


def match_subject(certificate_number: str, name: str) -> Subject:
    """The registry records a complaint's subject means, as far as they can be told for sure."""
    certificates = list(
        Certificate.objects.select_related("holder").filter(number=certificate_number)[:2] if certificate_number else []
    )
    certificate = certificates[0] if len(certificates) == 1 else None
    organization = _organization_named(name) if name else None
    if organization is None and certificate is not None:
        organization = certificate.holder
    if organization is None:
        return Subject(certificate=certificate)
    return Subject(
        organization=organization,
        lab=Lab.objects.filter(organization=organization).first(),
        certification_body=CertificationBody.objects.filter(organization=organization).first(),
        certificate=certificate,
    )
