"""People (C1): affiliations over time with their roles, a person found by name and ID-document number (kept
only as a keyed digest, C14), and the rules of starting and ending an affiliation."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.registry import person_ids
from certhub.registry.actions.people import do_end_affiliation, do_start_affiliation
from certhub.registry.models import Affiliation, Person
from certhub.registry.queries.people import find_person

pytestmark = pytest.mark.django_db

NUMBER = "430102198001011233"
OTHER = "430104198506154021"


def state():
    return (
        sorted(Person.objects.values_list("name", "roles", "id_digest")),
        sorted(Affiliation.objects.values_list("person__name", "organization__name", "role", "start", "end")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def start(world, *, name="刘建国", number=NUMBER, role="TECHNICAL_MANAGER", on=datetime.date(2024, 3, 1), **kw):
    return do_start_affiliation(
        organization=kw.pop("organization", world.organizations["lab"]),
        role=role,
        start=on,
        name=name,
        id_number=number,
        decision=kw.pop("decision", "湘市监认证〔2024〕3号"),
        actor=kw.pop("actor", world.actor("officer_changsha")),
    )


def test_starting_an_affiliation_registers_the_person_by_name_and_digest(world):
    affiliation = start(world)
    person = affiliation.person
    assert (person.name, person.roles) == ("刘建国", ["TECHNICAL_MANAGER"])
    assert person_ids.matches(NUMBER, person.id_digest) and not person_ids.matches(OTHER, person.id_digest)
    assert (affiliation.organization, affiliation.role, affiliation.start, affiliation.end, affiliation.decision) == (
        world.organizations["lab"],
        "TECHNICAL_MANAGER",
        datetime.date(2024, 3, 1),
        None,
        "湘市监认证〔2024〕3号",
    )
    events = list(AuditEvent.objects.order_by("-id")[:2])
    assert [e.event_type for e in events] == ["AFFILIATION_ADDED", "PERSON_CREATED"]
    assert events[1].after == {"name": "刘建国", "roles": ["TECHNICAL_MANAGER"]}


def test_the_same_name_and_number_finds_the_registered_person_instead_of_a_duplicate(world):
    first = start(world)
    second = start(world, role="LEGAL_REPRESENTATIVE", number=" 430102198001011233 ")
    assert second.person == first.person
    assert Person.objects.filter(name="刘建国").count() == 1
    assert Person.objects.get(pk=first.person.pk).roles == ["LEGAL_REPRESENTATIVE", "TECHNICAL_MANAGER"]
    # A namesake with another number is another person; the same number under another name is too.
    namesake = start(world, number=OTHER)
    assert namesake.person != first.person
    assert find_person("刘建国", NUMBER) == first.person
    assert find_person("刘建华", NUMBER) is None


def test_a_second_open_affiliation_in_the_same_role_is_refused_and_nothing_changes(world):
    start(world)
    before = state()
    with pytest.raises(Conflict) as refusal:
        start(world, on=datetime.date(2025, 1, 1))
    assert refusal.value.errors == {"role": ["刘建国自2024-03-01起在本机构任“技术负责人”，尚未离任：请先登记离任"]}
    assert state() == before


def test_ending_an_affiliation_then_starting_again_keeps_both_in_the_history(world):
    first = start(world)
    ended = do_end_affiliation(
        affiliation=first, end=datetime.date(2024, 12, 31), reason="辞职", actor=world.actor("officer_province")
    )
    assert ended.end == datetime.date(2024, 12, 31)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.before, event.after, event.reason) == (
        "AFFILIATION_ENDED",
        {"end": None},
        {"end": "2024-12-31"},
        "辞职",
    )
    again = start(world, on=datetime.date(2025, 6, 1))
    assert again.person == first.person
    assert list(Affiliation.objects.filter(person=first.person).order_by("start").values_list("start", "end")) == [
        (datetime.date(2024, 3, 1), datetime.date(2024, 12, 31)),
        (datetime.date(2025, 6, 1), None),
    ]


def test_an_end_before_the_start_or_a_second_end_is_refused_and_nothing_changes(world):
    affiliation = start(world)
    before = state()
    with pytest.raises(ValidationFailed) as early:
        do_end_affiliation(affiliation=affiliation, end=datetime.date(2024, 2, 29), actor=world.actor("admin"))
    assert early.value.errors == {"end": ["离任日期不得早于起始日期（2024-03-01）"]}
    assert state() == before
    do_end_affiliation(affiliation=affiliation, end=datetime.date(2024, 3, 1), actor=world.actor("admin"))
    ended = state()
    with pytest.raises(Conflict) as twice:
        do_end_affiliation(affiliation=affiliation, end=datetime.date(2024, 5, 1), actor=world.actor("admin"))
    assert twice.value.errors == {"end": ["该任职已于2024-03-01结束"]}
    assert state() == ended


@pytest.mark.parametrize(
    ("name", "number", "role", "errors"),
    [
        ("刘建国", "430102198001011234", "TECHNICAL_MANAGER", {"id_number": ["身份证号码校验位不正确"]}),
        ("刘建国", "  ", "TECHNICAL_MANAGER", {"id_number": ["必填"]}),
        ("刘建国", "E12/34", "TECHNICAL_MANAGER", {"id_number": ["证件号码应为5至32位字母或数字"]}),
        ("", NUMBER, "CHAIRMAN", {"role": ["未知角色“CHAIRMAN”"], "name": ["必填"]}),
    ],
)
def test_bad_people_input_is_refused_with_the_field_and_never_quotes_the_number(world, name, number, role, errors):
    before = state()
    with pytest.raises(ValidationFailed) as refusal:
        start(world, name=name, number=number, role=role)
    assert refusal.value.errors == errors
    assert number.strip() == "" or number.strip() not in refusal.value.message
    assert state() == before


@pytest.mark.parametrize("username", ["officer_hengyang", "lab", "maker"])
def test_only_officers_of_the_organizations_region_and_administrators_may_start_or_end(world, username):
    affiliation = start(world)
    before = state()
    with pytest.raises(NotPermitted):
        start(world, role="LEGAL_REPRESENTATIVE", actor=world.actor(username))
    with pytest.raises(NotPermitted):
        do_end_affiliation(affiliation=affiliation, end=datetime.date(2025, 1, 1), actor=world.actor(username))
    assert state() == before


def test_the_id_number_is_in_no_row_audit_row_or_ledger_entry(world):
    affiliation = start(world)
    do_end_affiliation(affiliation=affiliation, end=datetime.date(2025, 1, 1), actor=world.actor("admin"))
    person = Person.objects.get(name="刘建国")
    stored = [
        str(v)
        for v in Person.objects.filter(pk=person.pk)
        .values_list(*[f.attname for f in Person._meta.concrete_fields])
        .get()
    ]
    assert not any(NUMBER in value for value in stored)
    for event in AuditEvent.objects.all():
        assert NUMBER not in f"{event.before} {event.after} {event.reason} {event.subject_id}"
        assert person.id_digest not in f"{event.before} {event.after}"
    assert not any(NUMBER in entry.entry or person.id_digest in entry.entry for entry in Entry.objects.all())
