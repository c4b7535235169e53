"""People actions: persons (personal data minimized, C14) and their affiliation history (C1)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Annotated

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, record_batch_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Input, Text, collect
from certhub.registry import person_ids
from certhub.registry.choices import PersonRole
from certhub.registry.models import Affiliation, Organization, Person


class PersonInput(Input):
    name: Annotated[str, Text(64)]


@action
def do_create_person(*, name: str, roles: Iterable[str], id_number: str = "", actor: Actor) -> Person:
    """Register a person. An ID number is kept only as a keyed digest (personal data minimized, C14;
    registry.person_ids)."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    role_list = sorted(set(roles))
    errors: dict[str, list[str]] = {}
    checked = collect(PersonInput, {"name": name}, errors)
    unknown = [r for r in role_list if r not in PersonRole.values]
    if unknown:
        errors["roles"] = [_("未知角色：%(unknown)s") % {"unknown": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    name = checked.name
    digest = person_ids.id_digest(id_number) if id_number.strip() else ""
    person = Person(name=name, roles=role_list, id_digest=digest)
    person.save()
    record_audit(actor, AuditEventType.PERSON_CREATED, person, before=None, after=snapshot(person, ["name", "roles"]))
    return person


@action
def do_add_affiliation(
    *,
    person: Person,
    organization: Organization,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    actor: Actor,
) -> Affiliation:
    """Record that a person worked for an organization in a role (affiliation history, C1)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors = {}
    if role not in PersonRole.values:
        errors["role"] = _("未知角色“%(role)s”") % {"role": role}
    if end is not None and end < start:
        errors["end"] = _("截止日期不得早于起始日期")
    if errors:
        raise ValidationFailed(errors)
    affiliation = Affiliation(person=person, organization=organization, role=role, start=start, end=end)
    affiliation.save()
    record_audit(actor, AuditEventType.AFFILIATION_ADDED, affiliation, before=None, after=snapshot(affiliation))
    return affiliation


@action
def do_rehash_person_ids(*, people: list[Person], version: int, actor: Actor) -> int:
    """Wrap the ID digests of `people` under person-identifier key `version` (after a key rotation;
    registry.person_ids explains why digests are wrapped, not recomputed). Digests already under that key
    are left as they are, so a stopped rehash resumes where it stopped. One audit row for the batch.
    Returns how many digests changed."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    changed = []
    for person in people:
        if person.id_digest and person_ids.chain_of(person.id_digest)[-1] != version:
            person.id_digest = person_ids.wrapped(person.id_digest, version)
            changed.append(person)
    Person.objects.bulk_update(changed, ["id_digest"])
    record_batch_audit(actor, AuditEventType.PERSON_ID_DIGESTS_REHASHED, changed, kind="people")
    return len(changed)
