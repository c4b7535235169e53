"""How ledger entries name the registry's records (C4), registered with ledger.subjects by
RegistryConfig.ready(): records the registry publishes anyway are named by their public keys, a
certificate by its body's approval number and its number (numbers are unique per body only), an
organization by its unified social credit code, a body by its approval number, a lab by its CMA number."""

from __future__ import annotations

from django.db import connection

from certhub.core import bulk
from certhub.ledger import subjects
from certhub.ledger.subjects import Describer
from certhub.registry.models import certificate_public_id


def certificates(pks: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    with connection.cursor() as cursor:
        for condition, values in bulk.matching("c.id", pks):
            cursor.execute(
                "SELECT c.id, b.approval_number, c.number FROM registry_certificate c "  # noqa: S608
                f"JOIN registry_certificationbody b ON b.id = c.certification_body_id WHERE {condition}",
                values,
            )
            found.update((pk, certificate_public_id(approval, number)) for pk, approval, number in cursor.fetchall())
    return found


DESCRIBERS: dict[str, Describer] = {
    "registry.certificate": certificates,
    "registry.organization": subjects.column("registry_organization", "uscc"),
    "registry.certificationbody": subjects.column("registry_certificationbody", "approval_number"),
    "registry.lab": subjects.column("registry_lab", "cma_number"),
}


def register() -> None:
    for subject_type, describer in DESCRIBERS.items():
        subjects.register(subject_type, describer)
