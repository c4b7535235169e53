"""People and their affiliations (C1): finding a person by name and ID-document number without keeping the
number (C14, registry.person_ids), and the officers' scoped views of a person's affiliations over time and an
organization's key people (docs/architecture.md invariant 4: an officer sees affiliations at organizations of
their region)."""

from __future__ import annotations

import re

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_11_2

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.core.permissions import within_scope
from certhub.registry import person_ids
from certhub.registry.models import Affiliation, Organization, Person
from certhub.registry.queries.access import organizations_visible_to, within_region

# A resident identity card number (GB 11643: 17 digits and a check character, ISO 7064 MOD 11-2) is checked
# by its check character only — not by the place of birth, since numbers issued under since-abolished
# region codes stay valid for life; other identity documents (passports, Hong Kong, Macao and Taiwan
# permits) by their shape.
RESIDENT_ID = re.compile(r"\d{17}[\dX]")
OTHER_DOCUMENT = re.compile(r"[A-Z0-9]{5,32}")


def id_number_problem(value: str) -> str | None:
    """Why `value` is not an ID-document number, or None. The message never quotes the number (C14)."""
    number = person_ids.normalized(value)
    if not number:
        return _("必填")
    if RESIDENT_ID.fullmatch(number):
        return None if mod_11_2.is_valid(number) else _("身份证号码校验位不正确")
    if len(number) == 18 and number[:17].isdigit():
        return _("身份证号码校验位不正确")
    if not OTHER_DOCUMENT.fullmatch(number):
        return _("证件号码应为5至32位字母或数字")
    return None


def find_person(name: str, id_number: str) -> Person | None:
    """The person registered under this name and ID-document number, if any. Only people of that name are
    tested, each against their own digest (whatever keys it was made with): one indexed query, and no
    digest of the number is ever compared outside person_ids."""
    for person in Person.objects.filter(name=name).exclude(id_digest="").order_by("id"):
        if person_ids.matches(id_number, person.id_digest):
            return person
    return None


def affiliations_visible_to(actor: Actor) -> QuerySet[Affiliation]:
    """Affiliations an officer may see: those at organizations of the officer's region; an administrator
    sees every one; nobody else sees any (people are back-office data, C14)."""
    queryset = Affiliation.objects.select_related("organization", "person")
    if actor.role == Role.ADMINISTRATOR:
        return queryset
    if actor.role == Role.OFFICER:
        return queryset.filter(within_region("organization__region_id", actor.region_prefix))
    return queryset.none()


def access_person(actor: Actor, pk: int) -> Person:
    """A person the actor may see: one with an affiliation in the officer's region (any person for an
    administrator); otherwise NotFound, as for a person who does not exist."""
    person = Person.objects.filter(pk=pk).first()
    if (
        person is not None
        and actor.role != Role.ADMINISTRATOR
        and not affiliations_visible_to(actor).filter(person_id=person.pk).exists()
    ):
        person = None
    return within_scope(person, lambda p: True, _("你的辖区内没有这名人员。"))


def person_affiliations(actor: Actor, person: Person) -> QuerySet[Affiliation]:
    """A person's affiliations over time, newest start first, as far as the actor may see them."""
    return affiliations_visible_to(actor).filter(person=person).order_by("-start", "-id")


def access_office_organization(actor: Actor, pk: int) -> Organization:
    """An organization of the officer's region (any for an administrator), for the back office."""
    organization = None
    if actor.role in (Role.OFFICER, Role.ADMINISTRATOR):
        organization = organizations_visible_to(actor).select_related("region").filter(pk=pk).first()
    return within_scope(organization, lambda o: True, _("你的辖区内没有这个机构。"))


def organization_people(actor: Actor, organization: Organization) -> QuerySet[Affiliation]:
    """An organization's key people over time: the open affiliations first, then the latest ended; newest
    start first within each."""
    return (
        affiliations_visible_to(actor)
        .filter(organization=organization)
        .order_by(F("end").desc(nulls_first=True), "-start", "role", "id")
    )


def access_affiliation(actor: Actor, pk: int) -> Affiliation:
    affiliation = affiliations_visible_to(actor).filter(pk=pk).first()
    if affiliation is None:
        raise NotFound(_("你的辖区内没有这条任职记录。"))
    return affiliation
