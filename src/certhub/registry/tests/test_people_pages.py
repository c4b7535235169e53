"""People in the back office (C1): an organization's key people and a person's affiliations over time, the
forms and API endpoints that start and end an affiliation, scoped to the officer's region through the
organization (C14). The ID-document number is typed once and never comes back: not in a page, an API
answer, an audit row or a ledger entry."""

from __future__ import annotations

import datetime

import orjson
import pytest
from django.test import Client
from django.urls import reverse

from certhub.core.models import AuditEvent
from certhub.core.testing import by_class, element, element_text, page_text, signed_in, table_cells
from certhub.ledger.models import Entry
from certhub.registry.actions.people import do_start_affiliation
from certhub.registry.models import Affiliation, Person

pytestmark = pytest.mark.django_db

NUMBER = "430102198001011233"
BAD_NUMBER = "430102198001011234"


def state():
    return (
        sorted(Person.objects.values_list("name", "roles", "id_digest")),
        sorted(Affiliation.objects.values_list("person__name", "organization__name", "role", "start", "end")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def people_url(world, key="lab"):
    return reverse("registry:office_organization_people", args=[world.organizations[key].pk])


def start_form(**overrides):
    return {
        "name": "刘建国",
        "id_number": NUMBER,
        "role": "TECHNICAL_MANAGER",
        "start": "2024-03-01",
        "decision": "湘市监认证〔2024〕3号",
        **overrides,
    }


def assert_number_nowhere(*texts):
    for text in texts:
        assert NUMBER not in text and BAD_NUMBER not in text
    for event in AuditEvent.objects.all():
        assert NUMBER not in f"{event.before} {event.after} {event.reason}"
    assert not Entry.objects.filter(entry__contains=NUMBER).exists()


def test_an_officer_starts_an_affiliation_on_the_organizations_page(client, world):
    client = signed_in(client, world, "officer_changsha")
    page = client.get(people_url(world))
    assert table_cells(page, "key-people") == [
        ["姓名", "角色", "起始日期", "截止日期", "依据", "操作"],
        ["周敏", "授权签字人", "2020-01-01", "在任", "—", "登记离任"],
    ]
    response = client.post(people_url(world), start_form())
    assert (response.status_code, response["Location"]) == (302, people_url(world))
    page = client.get(people_url(world))
    assert by_class(page, "message-success") == ["已登记：刘建国自2024-03-01起任技术负责人。"]
    assert table_cells(page, "key-people")[1:] == [
        ["刘建国", "技术负责人", "2024-03-01", "在任", "湘市监认证〔2024〕3号", "登记离任"],
        ["周敏", "授权签字人", "2020-01-01", "在任", "—", "登记离任"],
    ]
    assert_number_nowhere(page.content.decode())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": BAD_NUMBER}, "id_number", "身份证号码校验位不正确"),
        ({"id_number": "E12/34"}, "id_number", "证件号码应为5至32位字母或数字"),
        ({"name": "  "}, "name", "这个字段是必填项。"),
    ],
)
def test_a_refused_start_stands_next_to_its_field_and_never_echoes_the_number(client, world, overrides, field, message):
    client = signed_in(client, world, "officer_changsha")
    before = state()
    response = client.post(people_url(world), start_form(**overrides))
    assert response.status_code == 422
    assert by_class(response, "field-errors") == [message]
    assert element_text(response, f"id_{field}_errors") == message
    assert "value" not in element(response, "id_id_number").attrs
    assert_number_nowhere(response.content.decode())
    assert state() == before


def test_a_second_open_affiliation_in_the_same_role_is_refused_on_the_page(client, world):
    client = signed_in(client, world, "officer_changsha")
    client.post(people_url(world), start_form())
    before = state()
    response = client.post(people_url(world), start_form(start="2025-01-01"))
    assert response.status_code == 422
    assert (
        element_text(response, "id_role_errors") == "刘建国自2024-03-01起在本机构任“技术负责人”，尚未离任：请先登记离任"
    )
    assert state() == before


def test_an_officer_ends_an_affiliation_not_before_it_started(client, world):
    affiliation = do_start_affiliation(
        organization=world.organizations["lab"],
        role="TECHNICAL_MANAGER",
        start=datetime.date(2024, 3, 1),
        name="刘建国",
        id_number=NUMBER,
        actor=world.actor("admin"),
    )
    client = signed_in(client, world, "officer_province")
    url = reverse("registry:office_affiliation_end", args=[affiliation.pk])
    before = state()
    early = client.post(url, {"end": "2024-02-01", "reason": "调离"})
    assert early.status_code == 422
    assert element_text(early, "id_end_errors") == "离任日期不得早于起始日期（2024-03-01）"
    assert state() == before
    done = client.post(url, {"end": "2024-12-31", "reason": "调离"})
    assert (done.status_code, done["Location"]) == (302, people_url(world))
    assert by_class(client.get(done["Location"]), "message-success") == ["已登记：刘建国于2024-12-31离任技术负责人。"]
    assert Affiliation.objects.get(pk=affiliation.pk).end == datetime.date(2024, 12, 31)
    person_page = client.get(reverse("registry:office_person_affiliations", args=[affiliation.person_id]))
    assert table_cells(person_page, "affiliations") == [
        ["机构", "角色", "起始日期", "截止日期", "依据", "操作"],
        ["湖南省产品质量检验检测研究院", "技术负责人", "2024-03-01", "2024-12-31", "—", "—"],
    ]
    assert "已登记（只保存加密摘要，不显示号码）" in page_text(person_page)
    assert Person.objects.get(pk=affiliation.person_id).id_digest not in person_page.content.decode()
    assert_number_nowhere(person_page.content.decode())
    again = client.post(url, {"end": "2025-01-31"})
    assert element_text(again, "id_end_errors") == "该任职已于2024-12-31结束"


def test_an_officer_outside_the_region_finds_nothing(client, world):
    person = world.signatories["zhou"].person
    affiliation = Affiliation.objects.get(person=person)
    client = signed_in(client, world, "officer_hengyang")
    before = state()
    for url in (
        people_url(world),
        reverse("registry:office_person_affiliations", args=[person.pk]),
        reverse("registry:office_affiliation_end", args=[affiliation.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(people_url(world), start_form()).status_code == 404
    response = client.post(reverse("registry:office_affiliation_end", args=[affiliation.pk]), {"end": "2025-01-01"})
    assert (response.status_code, by_class(response, "lead")) == (404, ["你的辖区内没有这条任职记录。"])
    assert state() == before


@pytest.mark.parametrize("username", ["lab", "maker", "cb_hunan"])
def test_other_roles_may_not_open_the_people_pages(client, world, username):
    response = signed_in(client, world, username).get(people_url(world))
    assert (response.status_code, by_class(response, "lead")) == (403, ["监管后台仅对监管人员和系统管理员开放。"])


def test_the_history_pages_link_to_affiliations_and_key_people(client, world):
    client = signed_in(client, world, "officer_changsha")
    person = world.signatories["zhou"].person
    history = client.get(reverse("registry:office_person_history", args=[person.pk])).content.decode()
    assert f'href="{reverse("registry:office_person_affiliations", args=[person.pk])}"' in history
    history = client.get(reverse("registry:office_organization_history", args=[world.organizations["lab"].pk]))
    assert f'href="{people_url(world)}"' in history.content.decode()


# ---------------------------------------------------------------- API


def api_post(client, url, body):
    return client.post(url, orjson.dumps(body), content_type="application/json")


def test_the_api_starts_lists_and_ends_affiliations_without_the_number(client, world):
    client = signed_in(client, world, "officer_changsha")
    uscc = world.organizations["lab"].uscc
    created = api_post(
        client,
        f"/api/v1/organizations/{uscc}/affiliations",
        {"name": "刘建国", "id_number": NUMBER, "role": "LEGAL_REPRESENTATIVE", "start": "2024-03-01"},
    )
    assert created.status_code == 201
    body = created.json()
    person = Person.objects.get(name="刘建国")
    assert body == {
        "id": body["id"],
        "person_id": person.pk,
        "person_name": "刘建国",
        "organization_uscc": uscc,
        "organization_name": "湖南省产品质量检验检测研究院",
        "role": "LEGAL_REPRESENTATIVE",
        "role_label": "法定代表人",
        "start": "2024-03-01",
        "end": None,
        "decision": "",
    }
    listing = client.get(f"/api/v1/organizations/{uscc}/key-people").json()
    assert [(a["person_name"], a["role"], a["end"]) for a in listing] == [
        ("刘建国", "LEGAL_REPRESENTATIVE", None),
        ("周敏", "SIGNATORY", None),
    ]
    ended = api_post(client, f"/api/v1/affiliations/{body['id']}/end", {"end": "2025-06-30", "reason": "换届"})
    assert (ended.status_code, ended.json()["end"]) == (200, "2025-06-30")
    history = client.get(f"/api/v1/people/{person.pk}/affiliations").json()
    assert [(a["organization_name"], a["start"], a["end"]) for a in history] == [
        ("湖南省产品质量检验检测研究院", "2024-03-01", "2025-06-30")
    ]
    assert_number_nowhere(created.content.decode(), orjson.dumps(listing).decode(), ended.content.decode())


def test_the_api_refuses_bad_input_naming_the_field_and_writes_nothing(client, world):
    client = signed_in(client, world, "officer_changsha")
    uscc = world.organizations["lab"].uscc
    before = state()
    bad = api_post(
        client,
        f"/api/v1/organizations/{uscc}/affiliations",
        {"name": "刘建国", "id_number": BAD_NUMBER, "role": "TECHNICAL_MANAGER", "start": "2024-03-01"},
    )
    assert (bad.status_code, bad.json()["errors"]) == (422, {"id_number": ["身份证号码校验位不正确"]})
    assert BAD_NUMBER not in bad.content.decode()
    zhou = Affiliation.objects.get(person=world.signatories["zhou"].person)
    early = api_post(client, f"/api/v1/affiliations/{zhou.pk}/end", {"end": "2019-12-31"})
    assert (early.status_code, early.json()["errors"]) == (422, {"end": ["离任日期不得早于起始日期（2020-01-01）"]})
    assert state() == before


def test_the_api_is_for_officers_of_the_region_only(client, world):
    uscc = world.organizations["lab"].uscc
    assert client.get(f"/api/v1/organizations/{uscc}/key-people").status_code == 401
    lab = signed_in(client, world, "lab").get(f"/api/v1/organizations/{uscc}/key-people")
    assert (lab.status_code, lab.json()["message"]) == (403, "人员任职信息仅对监管人员和系统管理员开放")
    outside = signed_in(Client(), world, "officer_hengyang")
    answer = outside.get(f"/api/v1/organizations/{uscc}/key-people")
    assert answer.status_code == 404
    before = state()
    refused = api_post(
        outside,
        f"/api/v1/organizations/{uscc}/affiliations",
        {"name": "刘建国", "id_number": NUMBER, "role": "TECHNICAL_MANAGER", "start": "2024-03-01"},
    )
    assert refused.status_code == 404
    assert state() == before


def test_an_api_write_by_session_needs_the_csrf_token(world):
    client = signed_in(Client(enforce_csrf_checks=True), world, "officer_changsha")
    uscc = world.organizations["lab"].uscc
    before = state()
    refused = api_post(
        client,
        f"/api/v1/organizations/{uscc}/affiliations",
        {"name": "刘建国", "id_number": NUMBER, "role": "TECHNICAL_MANAGER", "start": "2024-03-01"},
    )
    assert (refused.status_code, refused.json()["message"]) == (
        403,
        "缺少或错误的CSRF令牌：请从已登录的页面发起请求，并在X-CSRFToken头中附上令牌",
    )
    assert state() == before
