"""The public identifier a ledger entry gives its subject (C4: anyone can tie an entry to the
record it is about, and nothing personal is published).

The ledger does not know the apps whose records it logs: each app registers, from its AppConfig.ready(),
a describer for the kinds of subject it publishes anyway (the registry names a certificate by its body's
approval number and its number, an organization by its credit code, and so on). Anything without a
describer (people, their affiliations, API keys, submissions) is named by its bare primary key, which
says nothing about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import connection

from certhub.core import bulk
from certhub.core.audit import LedgerItem

# A describer takes primary keys of one kind of subject and answers {pk: public id} for those it finds.
Describer = Callable[[list[int]], dict[int, str]]

DESCRIBERS: dict[str, Describer] = {}


def register(subject_type: str, describer: Describer) -> None:
    """Name subjects of `subject_type` ("app_label.model", as AuditEvent.subject_type) in ledger entries
    with `describer`. Registering the same describer again is harmless; a second, different one for the
    same kind is refused, since two apps would then disagree on what an entry is about."""
    known = DESCRIBERS.get(subject_type)
    if known is not None and known is not describer:
        raise ValueError(f"ledger subjects of type {subject_type} already have a describer: {known!r}")
    DESCRIBERS[subject_type] = describer


def column(table: str, name: str) -> Describer:
    """A describer for subjects whose public id is one column of their own table."""

    def lookup(pks: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with connection.cursor() as cursor:
            for condition, values in bulk.matching("id", pks):
                cursor.execute(f"SELECT id, {name} FROM {table} WHERE {condition}", values)  # noqa: S608
                found.update(cursor.fetchall())
        return found

    return lookup


def public_ids(items: Sequence[LedgerItem]) -> list[str]:
    """The public identifier of each item's subject: as the action named it, else looked up (one query
    per kind of subject), else the bare primary key."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for item in items:
        if item.subject_public_id is None and item.subject_type in DESCRIBERS:
            wanted[item.subject_type].add(int(item.subject_pk))
    found = {kind: DESCRIBERS[kind](sorted(pks)) for kind, pks in wanted.items()}
    return [
        item.subject_public_id
        if item.subject_public_id is not None
        else found.get(item.subject_type, {}).get(int(item.subject_pk), item.subject_pk)
        if item.subject_type in found
        else item.subject_pk
        for item in items
    ]
