"""People actions: persons (personal data minimized, C14) and their affiliation history (C1)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, record_batch_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Input, Text, collect, invalid
from certhub.registry import bans, person_ids
from certhub.registry.choices import PersonRole
from certhub.registry.models import Affiliation, Organization, Person
from certhub.registry.queries.people import find_person, id_number_problem


class PersonInput(Input):
    name: Annotated[str, Text(64)]


def _checked_id_number(value: str) -> str:
    problem = id_number_problem(value)
    if problem:
        invalid(problem)
    return person_ids.normalized(value)


class IdentifiedPersonInput(Input):
    """A person named by name and ID-document number. The number is checked, then only hashed
    (registry.person_ids): no message quotes it (C14)."""

    name: Annotated[str, Text(64)]
    id_number: Annotated[str, AfterValidator(_checked_id_number)]


class AffiliationInput(Input):
    decision: Annotated[str, Text(64, required=False)] = ""


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
    refuse_banned_person(person, organization, role, field="person")
    if end is None:
        _refuse_second_open(person, organization, role)
    affiliation = Affiliation(person=person, organization=organization, role=role, start=start, end=end)
    affiliation.save()
    record_audit(actor, AuditEventType.AFFILIATION_ADDED, affiliation, before=None, after=snapshot(affiliation))
    return affiliation


def refuse_banned_person(person: Person | None, organization: Organization, role: str, *, field: str) -> None:
    """ValidationFailed naming `field` when `person` is under a lifetime ban and `role` is one it bars at
    this organization (C9, registry.bans.BANNED_ROLES)."""
    if person is None or person.pk is None or not bans.role_is_barred(role, organization):
        return
    ban = bans.person_ban(person.pk)
    if ban is not None:
        raise ValidationFailed({field: [bans.ban_refusal(ban)]})


def _role_errors(role: str) -> dict[str, list[str]]:
    if role not in PersonRole.values:
        return {"role": [_("未知角色“%(role)s”") % {"role": role}]}
    return {}


def _refuse_second_open(person: Person, organization: Organization, role: str) -> None:
    """No two open affiliations of one person, organization and role (the model's affiliation_one_open)."""
    if person.pk is None:
        return
    open_since = (
        Affiliation.objects.filter(person=person, organization=organization, role=role, end__isnull=True)
        .values_list("start", flat=True)
        .first()
    )
    if open_since is not None:
        raise Conflict(
            _("%(name)s自%(start)s起在本机构任“%(role)s”，尚未离任：请先登记离任")
            % {"name": person.name, "start": f"{open_since:%Y-%m-%d}", "role": PersonRole(role).label},
            field="role",
        )


@action
def do_identify_person(*, name: str, id_number: str, role: str, actor: Actor) -> Person:
    """The person registered under this name and ID-document number (found by the number's keyed digest,
    registry.person_ids), or, when there is none, that person registered now with `role`: one person is
    never registered twice (C1). The number is checked, hashed and forgotten (C14)."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    errors = _role_errors(role)
    who = collect(IdentifiedPersonInput, {"name": name, "id_number": id_number}, errors)
    if errors:
        raise ValidationFailed(errors)
    assert who is not None
    person = find_person(who.name, who.id_number)
    if person is None:
        person = do_create_person(name=who.name, roles=[role], id_number=who.id_number, actor=actor)
    return person


@action
def do_start_affiliation(
    *,
    organization: Organization,
    role: str,
    start: datetime.date,
    name: str,
    id_number: str,
    decision: str = "",
    actor: Actor,
) -> Affiliation:
    """A person starts in a role at an organization (C1). The person is the one registered under this name
    and ID-document number, or registered now (do_identify_person); the number itself is never stored,
    shown, audited or put in the ledger (C14). `decision` is what the affiliation rests on — for a lab's key
    people, the licensing decision (C8)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors = _role_errors(role)
    collect(IdentifiedPersonInput, {"name": name, "id_number": id_number}, errors)
    basis = collect(AffiliationInput, {"decision": decision}, errors)
    if errors:
        raise ValidationFailed(errors)
    assert basis is not None
    refuse_banned_person(find_person(name, id_number), organization, role, field="name")
    person = do_identify_person(name=name, id_number=id_number, role=role, actor=actor)
    _refuse_second_open(person, organization, role)
    if role not in person.roles:
        person.roles = sorted({*person.roles, role})
        person.save(update_fields=["roles"])
    affiliation = Affiliation(person=person, organization=organization, role=role, start=start, decision=basis.decision)
    affiliation.save()
    record_audit(actor, AuditEventType.AFFILIATION_ADDED, affiliation, before=None, after=snapshot(affiliation))
    return affiliation


@action
def do_end_affiliation(*, affiliation: Affiliation, end: datetime.date, reason: str = "", actor: Actor) -> Affiliation:
    """A person leaves a role (C1): the affiliation keeps its history and gains its last day."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=affiliation.organization.region_id)
    locked = Affiliation.objects.select_for_update().get(pk=affiliation.pk)
    if locked.end is not None:
        raise Conflict(_("该任职已于%(end)s结束") % {"end": f"{locked.end:%Y-%m-%d}"}, field="end")
    if end < locked.start:
        raise ValidationFailed(
            {"end": [_("离任日期不得早于起始日期（%(start)s）") % {"start": f"{locked.start:%Y-%m-%d}"}]}
        )
    before = snapshot(locked, ["end"])
    locked.end = end
    locked.save(update_fields=["end"])
    affiliation.end = end
    after = snapshot(locked, ["end"])
    record_audit(
        actor, AuditEventType.AFFILIATION_ENDED, locked, before=before, after=after, reason=reason.strip()[:500]
    )
    return locked


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
