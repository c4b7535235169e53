"""The officers' ban pages and API (C9): list scoped by region, impose and lift by decision after confirming
who they are (core.reauth), each refusal next to its field with nothing written, lifting only by the
deciding region or above it, and no ID-document number anywhere."""

from __future__ import annotations

import datetime

import orjson
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.models import AuditEvent
from certhub.core.reauth import CONFIRMED_AT
from certhub.core.testing import by_class, element_text, signed_in, table_cells
from certhub.ledger.models import Entry
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.actions.people import do_start_affiliation
from certhub.registry.models import Ban

pytestmark = pytest.mark.django_db

NUMBER = "430102198001011233"
NEW = reverse("registry:office_ban_new")
LIST = reverse("registry:office_bans")


def confirmed(client):
    """The session's officer confirmed who they are just now (as the confirmation page leaves it)."""
    session = client.session
    session[CONFIRMED_AT] = timezone.now().timestamp()
    session.save()
    return client


def officer(world, username="officer_changsha"):
    return confirmed(signed_in(Client(), world, username))


def state():
    return (
        sorted(Ban.objects.values_list("kind", "decision_number", "lifted_on", "lift_decision_number")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def form(world, **overrides):
    return {
        "kind": "PERMANENT_EXIT",
        "organization_uscc": world.organizations["lab"].uscc,
        "decision_number": "湘市监罚〔2026〕7号",
        "decided_on": "2026-03-02",
        "authority": "长沙市市场监督管理局",
        "starts": "2026-03-02",
        "reason": "出具虚假检验检测报告",
        "legal_basis": "检验检测机构监督管理办法",
        **overrides,
    }


def province_exit(world):
    """A permanent exit of the Changsha lab decided by the province: Changsha sees it, may not lift it."""
    return do_impose_ban(
        kind="PERMANENT_EXIT",
        organization=world.organizations["lab"],
        decision_number="湘市监罚〔2026〕1号",
        decided_on=datetime.date(2026, 3, 2),
        authority="湖南省市场监督管理局",
        starts=datetime.date(2026, 3, 2),
        reason="出具虚假检验检测报告",
        legal_basis="检验检测机构监督管理办法",
        actor=world.actor("officer_province"),
    )


def test_an_officer_imposes_a_permanent_exit_and_sees_it_listed(world):
    client = officer(world)
    response = client.post(NEW, form(world))
    ban = Ban.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("registry:office_ban", args=[ban.pk]))
    sentence = (
        "湖南省产品质量检验检测研究院已被长沙市市场监督管理局于2026-03-02决定永久退出"
        "（决定文号湘市监罚〔2026〕7号），无期限"
    )
    page = client.get(response["Location"])
    assert by_class(page, "message-success") == [f"已登记：{sentence}。"]
    assert element_text(page, "ban-sentence") == sentence
    listing = client.get(LIST)
    assert table_cells(listing, "bans") == [
        ["限制类型", "对象", "决定文号", "决定机关", "起始日期", "截止日期", "状态"],
        [
            "永久退出",
            f"湖南省产品质量检验检测研究院 {world.organizations['lab'].uscc}",
            "湘市监罚〔2026〕7号",
            "长沙市市场监督管理局",
            "2026-03-02",
            "无期限",
            "执行中",
        ],
    ]
    # Another prefecture's officer neither lists nor opens it.
    hengyang = officer(world, "officer_hengyang")
    assert "湘市监罚〔2026〕7号" not in hengyang.get(LIST).content.decode()
    assert hengyang.get(reverse("registry:office_ban", args=[ban.pk])).status_code == 404


def test_imposing_asks_the_officer_to_confirm_who_they_are_first(world):
    client = signed_in(Client(), world, "officer_changsha")
    assert client.get(reverse("portal:office_home")).status_code == 200  # the sign-in completes (and confirms) here
    session = client.session
    session[CONFIRMED_AT] = 0.0  # confirmed long ago
    session.save()
    before = state()
    response = client.post(NEW, form(world))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:reauth')}?next=%2Foffice%2Fbans%2Fnew%2F"
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"decision_number": ""}, "decision_number", "必填"),
        ({"kind": "CERTIFICATION_BAR", "ends": "2026-03-01"}, "ends", "截止日期须晚于起始日期（2026-03-02）"),
        ({"ends": "2030-01-01"}, "ends", "永久退出不设截止日期"),
        ({"organization_uscc": ""}, "organization_uscc", "限制措施应针对一个机构或一名人员"),
        (
            {"organization_uscc": "", "kind": "LIFETIME_BAN", "person_name": "刘建国", "person_id_number": NUMBER},
            "person_name",
            "登记库中没有此姓名和身份证件号码的人员",
        ),
        (
            {
                "organization_uscc": "",
                "kind": "LIFETIME_BAN",
                "person_name": "刘建国",
                "person_id_number": NUMBER[:-1] + "4",
            },
            "person_id_number",
            "身份证号码校验位不正确",
        ),
    ],
)
def test_a_refused_ban_stands_next_to_its_field_and_writes_nothing(world, overrides, field, message):
    client = officer(world)
    before = state()
    response = client.post(NEW, form(world, **overrides))
    assert response.status_code == 422
    assert element_text(response, f"id_{field}_errors") == message
    assert NUMBER not in response.content.decode()
    assert state() == before


def test_a_lifetime_ban_is_imposed_on_a_registered_person_by_name_and_number(world):
    do_start_affiliation(
        organization=world.organizations["lab"],
        role="TECHNICAL_MANAGER",
        start=datetime.date(2020, 1, 1),
        name="刘建国",
        id_number=NUMBER,
        actor=SYSTEM,
    )
    client = officer(world)
    fields = {"organization_uscc": "", "kind": "LIFETIME_BAN", "person_name": "刘建国", "person_id_number": NUMBER}
    response = client.post(NEW, form(world, decision_number="湘市监罚〔2026〕11号", **fields))
    ban = Ban.objects.get()
    assert (response.status_code, ban.kind, ban.person.name, ban.ends) == (302, "LIFETIME_BAN", "刘建国", None)
    page = client.get(response["Location"])
    assert NUMBER not in page.content.decode()
    assert element_text(page, "ban-sentence") == (
        "刘建国已被长沙市市场监督管理局于2026-03-02决定终身禁入（决定文号湘市监罚〔2026〕11号），无期限"
    )


def test_the_deciding_region_lifts_and_another_region_may_not(world):
    ban = province_exit(world)
    url = reverse("registry:office_ban", args=[ban.pk])
    lift = reverse("registry:office_ban_lift", args=[ban.pk])
    changsha = officer(world)
    page = changsha.get(url)
    assert (page.status_code, "解除限制" in page.content.decode()) == (200, False)
    before = state()
    refused = changsha.post(lift, {"decision_number": "长市监〔2026〕1号", "lifted_on": "2026-06-01", "reason": "复议"})
    assert refused.status_code == 403
    assert (
        "该限制由湖南省市场监督管理局（行政区划430000）决定，只能由该地区或其上级的监管人员解除"
        in refused.content.decode()
    )
    assert state() == before
    province = officer(world, "officer_province")
    bad = province.post(lift, {"decision_number": "", "lifted_on": "2026-06-01", "reason": "复议撤销"})
    assert (bad.status_code, element_text(bad, "id_decision_number_errors")) == (422, "必填")
    assert state() == before
    done = province.post(
        lift, {"decision_number": "湘市监撤〔2026〕2号", "lifted_on": "2026-06-01", "reason": "复议撤销"}
    )
    assert (done.status_code, done["Location"]) == (302, url)
    ban.refresh_from_db()
    assert (ban.lifted_on, ban.lift_decision_number, ban.lift_reason) == (
        datetime.date(2026, 6, 1),
        "湘市监撤〔2026〕2号",
        "复议撤销",
    )
    assert by_class(province.get(url), "message-success") == ["已解除：湘市监罚〔2026〕1号自2026-06-01起不再执行。"]


# ---------------------------------------------------------------- the API


def post(client, url, body):
    return client.post(url, orjson.dumps(body), content_type="application/json")


def api_body(world, **overrides):
    return {k: v for k, v in form(world, **overrides).items()}


def test_the_api_imposes_lists_and_lifts(world):
    client = officer(world)
    created = post(client, "/api/v1/bans", api_body(world, kind="CERTIFICATION_BAR"))
    assert created.status_code == 201
    body = created.json()
    assert body == {
        "id": body["id"],
        "kind": "CERTIFICATION_BAR",
        "kind_label": "限制认证",
        "subject": {
            "type": "organization",
            "name": "湖南省产品质量检验检测研究院",
            "uscc": world.organizations["lab"].uscc,
        },
        "licence_type": "",
        "decision_number": "湘市监罚〔2026〕7号",
        "decided_on": "2026-03-02",
        "authority": "长沙市市场监督管理局",
        "region_code": "430100",
        "starts": "2026-03-02",
        "ends": "2027-03-02",
        "in_force": body["in_force"],
        "reason": "出具虚假检验检测报告",
        "legal_basis": "检验检测机构监督管理办法",
        "source": "",
        "lifted_on": None,
        "lift_decision_number": "",
        "lift_reason": "",
        "sentence": "湖南省产品质量检验检测研究院已被长沙市市场监督管理局于2026-03-02决定限制认证"
        "（决定文号湘市监罚〔2026〕7号），至2027-03-02届满",
    }
    listing = client.get("/api/v1/bans").json()
    assert (listing["count"], [b["id"] for b in listing["items"]]) == (1, [body["id"]])
    assert officer(world, "officer_hengyang").get("/api/v1/bans").json() == {"count": 0, "items": []}
    lifted = post(
        client,
        f"/api/v1/bans/{body['id']}/lift",
        {"decision_number": "湘市监信修〔2026〕1号", "lifted_on": "2026-04-01", "reason": "信用修复"},
    )
    assert (lifted.status_code, lifted.json()["lifted_on"], lifted.json()["in_force"]) == (200, "2026-04-01", False)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"decision_number": ""}, {"decision_number": ["必填"]}),
        ({"kind": "APPLICATION_BAR", "ends": "2025-01-01"}, {"ends": ["截止日期须晚于起始日期（2026-03-02）"]}),
        ({"starts": "2026-02-30"}, {"starts": ["日期格式应为YYYY-MM-DD，收到“2026-02-30”"]}),
    ],
)
def test_the_api_refuses_a_bad_ban_naming_the_field(world, overrides, errors):
    client = officer(world)
    before = state()
    response = post(client, "/api/v1/bans", api_body(world, **overrides))
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert state() == before


def test_the_api_asks_for_a_recent_confirmation_and_the_deciding_region(world):
    client = signed_in(Client(), world, "officer_changsha")
    assert client.get(reverse("portal:office_home")).status_code == 200  # the sign-in completes (and confirms) here
    session = client.session
    session[CONFIRMED_AT] = 0.0  # confirmed long ago
    session.save()
    before = state()
    stale = post(client, "/api/v1/bans", api_body(world))
    assert (stale.status_code, stale.json()["message"]) == (
        403,
        "登记或解除限制措施前须重新验证身份：请在页面上确认密码和动态口令后再提交",
    )
    ban = province_exit(world)
    before = state()
    outside = post(
        confirmed(client),
        f"/api/v1/bans/{ban.pk}/lift",
        {"decision_number": "X-1", "lifted_on": "2026-06-01", "reason": "复议"},
    )
    assert (outside.status_code, outside.json()["message"]) == (
        403,
        "该限制由湖南省市场监督管理局（行政区划430000）决定，只能由该地区或其上级的监管人员解除",
    )
    assert state() == before
    assert signed_in(Client(), world, "cb_hunan").get("/api/v1/bans").status_code == 403
    assert Client().get("/api/v1/bans").status_code == 401
