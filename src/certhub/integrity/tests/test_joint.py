"""The joint punishment query (联合惩戒, C9): another department's key is told "banned until …" for a barred
institution and nothing for a clean one; a person is matched on the keyed digest of their number, which is
never stored or returned; every query is logged with the asking department; bad items refuse the whole
query and log nothing — through the API and the officers' page."""

import orjson
import pytest

from certhub.core.models import AuditEvent
from certhub.core.testing import signed_in
from certhub.integrity.models import JointPunishmentQuery
from certhub.integrity.tests.conftest import ID_NUMBER
from certhub.registry.bans import ban_refusal

URL = "/api/v1/joint-punishment/query"
WRONG_CHECK = ID_NUMBER[:-1] + "7"


def post(client, body, key=None):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return client.post(URL, data=orjson.dumps(body), content_type="application/json", **headers)


def nothing_logged():
    return (
        JointPunishmentQuery.objects.count(),
        AuditEvent.objects.filter(event_type="JOINT_PUNISHMENT_QUERIED").count(),
    ) == (0, 0)


def test_a_department_key_gets_banned_until_for_the_barred_and_nothing_for_the_clean(client, barred):
    organizations = barred.world.organizations
    items = [
        {"uscc": organizations["lab"].uscc},
        {"uscc": organizations["maker"].uscc},
        {"uscc": organizations["hengyang"].uscc},
        {"name": "李伪", "id_number": ID_NUMBER},
        {"name": "李伪", "id_number": "11010519491231002X"},
    ]
    response = post(client, {"items": items}, barred.department_key)
    assert response.status_code == 200
    body = response.json()
    assert (body["item_count"], body["hit_count"]) == (5, 3)
    answers = body["items"]
    assert answers[0]["bans"] == [
        {
            "kind": "PERMANENT_EXIT",
            "kind_label": "永久退出",
            "decision_number": "湘市监罚〔2026〕1号",
            "decided_on": "2026-01-10",
            "authority": "湖南省市场监督管理局",
            "starts": "2026-01-10",
            "until": None,
            "permanent": True,
            "text": (
                "湖南省产品质量检验检测研究院已被湖南省市场监督管理局于2026-01-10决定永久退出"
                "（决定文号湘市监罚〔2026〕1号），无期限"
            ),
        }
    ]
    assert answers[1] == {
        "index": 1,
        "uscc": organizations["maker"].uscc,
        "name": None,
        "registered": True,
        "barred": False,
        "bans": [],
    }
    assert answers[2]["bans"][0]["until"] == "2028-06-01"
    assert answers[2]["bans"][0]["text"] == ban_refusal(barred.bans["bar"])
    assert answers[2]["bans"][0]["text"].endswith("至2028-06-01届满")
    assert (answers[3]["name"], answers[3]["uscc"], answers[3]["registered"], answers[3]["barred"]) == (
        "李伪",
        None,
        None,
        True,
    )
    assert answers[3]["bans"][0]["kind"] == "LIFETIME_BAN"
    # The same name with another person's number: not them.
    assert (answers[4]["barred"], answers[4]["bans"]) == (False, [])
    assert ID_NUMBER not in response.content.decode()

    log = JointPunishmentQuery.objects.get()
    assert (log.channel, log.department, log.item_count, log.hit_count, log.api_key_prefix) == (
        "API",
        "国家税务总局湖南省税务局",
        5,
        3,
        log.asked_by.removeprefix("api-key:"),
    )
    event = AuditEvent.objects.get(event_type="JOINT_PUNISHMENT_QUERIED")
    assert event.after["department"] == "国家税务总局湖南省税务局"
    assert ID_NUMBER not in orjson.dumps(event.after).decode()


def test_a_wrong_check_digit_refuses_the_whole_query_and_logs_nothing(client, barred):
    items = [{"uscc": barred.world.organizations["lab"].uscc}, {"name": "李伪", "id_number": WRONG_CHECK}]
    response = post(client, {"items": items}, barred.department_key)
    assert response.status_code == 422
    assert response.json()["errors"] == {"items[1].id_number": ["身份证号码校验位不正确"]}
    assert WRONG_CHECK not in response.content.decode()
    assert nothing_logged()


@pytest.mark.parametrize(
    ("items", "errors"),
    [
        ([], {"items": ["至少查询一条"]}),
        ([{"uscc": "91430100MA4L000000"}], {"items[0].uscc": ["统一社会信用代码校验位错误"]}),
        ([{"name": "李伪"}], {"items[0].id_number": ["必填"]}),
        ([{}], {"items[0]": ["须填写统一社会信用代码，或姓名加身份证件号码"]}),
        (
            [{"uscc": "91430100MA4L000000", "name": "李伪"}],
            {"items[0]": ["每条只查询一个对象：统一社会信用代码，或姓名加身份证件号码"]},
        ),
    ],
)
def test_bad_items_are_named_by_place_and_field(client, barred, items, errors):
    response = post(client, {"items": items}, barred.department_key)
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert nothing_logged()


def test_more_than_100_items_are_refused(client, barred):
    items = [{"uscc": barred.world.organizations["maker"].uscc}] * 101
    response = post(client, {"items": items}, barred.department_key)
    assert (response.status_code, response.json()["errors"]) == (422, {"items": ["一次最多查询100条，收到101条"]})
    assert nothing_logged()


def test_a_key_without_the_scope_and_an_anonymous_caller_are_refused(client, barred):
    items = [{"uscc": barred.world.organizations["lab"].uscc}]
    without = post(client, {"items": items}, barred.read_key)
    assert without.status_code == 403
    assert without.json()["message"].endswith("没有“joint_punishment_query”权限范围（联合惩戒查询）")
    anonymous = post(client, {"items": items})
    assert anonymous.status_code == 401
    assert nothing_logged()


def test_a_body_signed_in_may_not_ask_and_an_officer_may(client, barred):
    body = {"items": [{"uscc": barred.world.organizations["lab"].uscc}]}
    signed_in(client, barred.world, "cb_hunan")
    refused = client.post(URL, data=orjson.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["message"].endswith("无权执行“联合惩戒查询”")
    assert nothing_logged()
    signed_in(client, barred.world, "officer_hengyang")
    answered = client.post(URL, data=orjson.dumps(body), content_type="application/json")
    assert answered.status_code == 200
    assert [ban["kind"] for ban in answered.json()["items"][0]["bans"]] == ["PERMANENT_EXIT"]
    log = JointPunishmentQuery.objects.get()
    assert (log.channel, log.department, log.api_key_prefix, log.hit_count) == ("API", "市场监管局", "", 1)


def test_the_officers_page_answers_and_logs_the_same(client, barred):
    signed_in(client, barred.world, "officer_changsha")
    lines = f"{barred.world.organizations['lab'].uscc}\n{barred.world.organizations['maker'].uscc}\n李伪,{ID_NUMBER}\n"
    response = client.post("/office/joint-punishment/", {"items": lines})
    assert response.status_code == 200
    page = response.content.decode()
    assert ban_refusal(barred.bans["exit"]) in page
    assert ban_refusal(barred.bans["person"]) in page
    assert page.count("未发现限制措施") == 1
    assert ID_NUMBER not in page
    log = JointPunishmentQuery.objects.get()
    assert (log.channel, log.department, log.item_count, log.hit_count) == ("PAGE", "市场监管局", 3, 2)


def test_the_officers_page_shows_a_bad_line_and_logs_nothing(client, barred):
    signed_in(client, barred.world, "officer_changsha")
    lines = f"{barred.world.organizations['lab'].uscc}\n李伪,{WRONG_CHECK}\n"
    response = client.post("/office/joint-punishment/", {"items": lines})
    assert response.status_code == 422
    assert "第2行 身份证件号码：身份证号码校验位不正确" in response.content.decode()
    assert nothing_logged()
