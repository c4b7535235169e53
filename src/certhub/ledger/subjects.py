"""The public identifier a ledger entry gives its subject (C4: anyone can tie an entry to the
record it is about, and nothing personal is published).

Records the registry publishes anyway are named by their public keys: a certificate by its body's
approval number and its number (numbers are unique per body only), an organization by its unified
social credit code, a body by its approval number, a lab by its CMA number. Anything else (people,
their affiliations, API keys, submissions) by its bare primary key, which says nothing about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import connection

from certhub.core import bulk
from certhub.core.audit import LedgerItem
from certhub.registry.models import certificate_public_id


def _certificates(pks: list[int]) -> dict[int, str]:
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


def _column(table: str, column: str) -> Callable[[list[int]], dict[int, str]]:
    def lookup(pks: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with connection.cursor() as cursor:
            for condition, values in bulk.matching("id", pks):
                cursor.execute(f"SELECT id, {column} FROM {table} WHERE {condition}", values)  # noqa: S608
                found.update(cursor.fetchall())
        return found

    return lookup


PUBLIC_KEYS: dict[str, Callable[[list[int]], dict[int, str]]] = {
    "registry.certificate": _certificates,
    "registry.organization": _column("registry_organization", "uscc"),
    "registry.certificationbody": _column("registry_certificationbody", "approval_number"),
    "registry.lab": _column("registry_lab", "cma_number"),
}


def public_ids(items: Sequence[LedgerItem]) -> list[str]:
    """The public identifier of each item's subject: as the action named it, else looked up (one query
    per kind of subject), else the bare primary key."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for item in items:
        if item.subject_public_id is None and item.subject_type in PUBLIC_KEYS:
            wanted[item.subject_type].add(int(item.subject_pk))
    found = {kind: PUBLIC_KEYS[kind](sorted(pks)) for kind, pks in wanted.items()}
    return [
        item.subject_public_id
        if item.subject_public_id is not None
        else found.get(item.subject_type, {}).get(int(item.subject_pk), item.subject_pk)
        if item.subject_type in found
        else item.subject_pk
        for item in items
    ]
