"""The self-declaration API over real HTTP (Django's test client): a producer registers with its key (scope
`declarations`) or its session, anyone searches and reads, the producer or an officer of its region withdraws;
each bad input of the issue comes back in the API's one error shape with nothing written."""

import datetime

import pytest
from django.utils import timezone

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM
from certhub.core.models import ApiKey, AuditEvent
from certhub.core.testing import signed_in
from certhub.market.models import SelfDeclaration
from certhub.market.tests.declaring import COMPRESSOR, GENERAL, REFUSALS, add_compressor_lab, declare, report

BASE = "/api/v1/market/declarations"
LAB = "湖南省产品质量检验检测研究院"


@pytest.fixture
def decl_world(world):
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    return world


@pytest.fixture
def keys(decl_world):
    found = {}
    for name, organization, scopes in (
        ("maker", "maker", ["read", "declarations"]),
        ("read_only", "maker", ["read"]),
        ("other", "hengyang", ["read", "declarations"]),
    ):
        _key, secret = do_issue_api_key(
            organization=decl_world.organizations[organization], name=name, role="ENTERPRISE", scopes=scopes,
            actor=SYSTEM,
        )  # fmt: skip
        found[name] = {"X-API-Key": secret}
    return found


def body(world, **overrides):
    data = {
        "ccc_product_code": "0704",
        "product_name": "全封闭制冷压缩机",
        "product_models": ["QD-65H", "QD-91H"],
        "trademark": "星城",
        "gtins": ["6923456789012"],
        "standards": [GENERAL, COMPRESSOR],
        "test_report_number": "XZ-2025-001",
        "lab_cma_number": world.labs["main"].cma_number,
        "declared_on": "2025-06-10",
    }
    data.update(overrides)
    return data


def post(client, path, data, headers=None):
    return client.post(f"{BASE}{path}", data, content_type="application/json", headers=headers or {})


def state():
    return SelfDeclaration.objects.count(), AuditEvent.objects.count()


def refused(client, world, headers, **overrides):
    before = state()
    response = post(client, "", body(world, **overrides), headers)
    assert state() == before
    return response.status_code, response.json()


EXPECTED = {
    "number": "ZS4301042025000001",
    "status": "published",
    "status_label": "已公布",
    "producer": {"name": "长沙星城电器有限公司", "uscc": None, "region_code": "430104"},
    "ccc_product": {"code": "0704", "name": "电动机－压缩机", "mode": "self_declaration_b"},
    "product_name": "全封闭制冷压缩机",
    "product_models": ["QD-65H", "QD-91H"],
    "trademark": "星城",
    "gtins": ["6923456789012"],
    "standards": [GENERAL, COMPRESSOR],
    "test_report": {
        "number": "XZ-2025-001", "lab_name": LAB, "lab_cma_number": "231812050341", "issue_date": "2025-06-01",
    },
    "report_note": "",
    "declared_on": "2025-06-10",
    "withdrawn_on": None,
    "withdrawal_reason": "",
}  # fmt: skip


def expected(world, **changes):
    answer = {**EXPECTED, **changes}
    answer["producer"] = {**EXPECTED["producer"], "uscc": world.organizations["maker"].uscc}
    return answer


def test_a_producer_registers_with_its_key_and_anyone_reads_it(client, decl_world, keys):
    response = post(client, "", body(decl_world), keys["maker"])
    assert response.status_code == 201
    assert response.json() == expected(decl_world)
    audit = AuditEvent.objects.latest("id")
    assert (audit.event_type, audit.actor_role) == ("DECLARATION_REGISTERED", "ENTERPRISE")
    anonymous = client.__class__()
    assert anonymous.get(f"{BASE}/ZS4301042025000001").json() == expected(decl_world)
    # Numbers are found as a person writes them.
    assert anonymous.get(f"{BASE}/zs4301042025000001").json()["number"] == "ZS4301042025000001"
    page = anonymous.get(BASE, {"model": "qd 91h"}).json()
    assert (page["count"], page["count_exact"], [d["number"] for d in page["items"]]) == (
        1, True, ["ZS4301042025000001"],
    )  # fmt: skip
    assert anonymous.get(BASE, {"producer": "衡阳"}).json()["items"] == []
    missing = anonymous.get(f"{BASE}/ZS4301042025999999")
    assert (missing.status_code, missing.json()["message"]) == (404, "没有编号为ZS4301042025999999的自我声明")


def test_a_producer_registers_with_its_session(client, decl_world):
    response = post(signed_in(client, decl_world, "maker"), "", body(decl_world, report_note="", gtins=[]))
    assert response.status_code == 201
    assert response.json() == expected(decl_world, gtins=[])


def test_a_code_not_in_force_and_a_future_day_are_refused(client, decl_world, keys):
    maker = keys["maker"]
    status, answer = refused(client, decl_world, maker, ccc_product_code="1121")
    assert status == 422
    assert answer["errors"]["ccc_product_code"][0].startswith("目录代码1121（")
    assert answer["errors"]["ccc_product_code"][0].endswith("）自2025-11-01起施行，2025-06-10施行的目录中没有该产品")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    status, answer = refused(client, decl_world, maker, declared_on=tomorrow.isoformat())
    assert (status, answer["errors"]) == (
        422, {"declared_on": [f"声明日期（{tomorrow.isoformat()}）不得晚于今天（{today.isoformat()}）"]},
    )  # fmt: skip


@pytest.mark.parametrize(("name", "report_first", "changes", "errors"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_every_refusal_of_the_action_comes_back_from_the_api(
    client, decl_world, keys, name, report_first, changes, errors
):
    if report_first:
        report(decl_world, **report_first)
    status, answer = refused(client, decl_world, keys["maker"], **changes)
    assert (status, answer["code"], answer["errors"]) == (422, "validation_failed", errors)


def test_who_may_register(client, decl_world, keys):
    status, answer = refused(client, decl_world, keys["read_only"])
    prefix = ApiKey.objects.get(name="read_only").prefix
    assert (status, answer["message"]) == (
        403, f"接口密钥{prefix}没有“declarations”权限范围（登记和撤回本企业的自我声明）",
    )  # fmt: skip
    status, answer = refused(client, decl_world, {})
    assert status == 401
    # Another producer's key declares for its own organization: Hengyang's report is not its own.
    status, answer = refused(client, decl_world, keys["other"])
    assert (status, answer["errors"]) == (422, {"test_report_number": ["报告XZ-2025-001的委托单位不是声明的生产者"]})
    officer = signed_in(client.__class__(), decl_world, "officer_changsha")
    before = state()
    response = post(officer, "", body(decl_world))
    assert (response.status_code, response.json()["message"]) == (
        403, "只有关联了生产企业的账号或该企业的接口密钥可以登记自我声明",
    )  # fmt: skip
    assert state() == before


def test_withdrawal_by_the_producer_and_by_an_officer_of_its_region(client, decl_world, keys):
    first = declare(decl_world)
    second = declare(decl_world, product_models=["QD-150H"])
    answer = post(
        client, f"/{first.number}/withdraw", {"reason": "产品停产", "withdrawn_on": "2025-09-01"}, keys["maker"]
    )
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["withdrawn_on"], answer.json()["withdrawal_reason"]) == (
        "withdrawn", "2025-09-01", "产品停产",
    )  # fmt: skip
    again = post(client, f"/{first.number}/withdraw", {"reason": "再次", "withdrawn_on": "2025-09-02"}, keys["maker"])
    assert (again.status_code, again.json()["message"]) == (409, f"自我声明{first.number}已于2025-09-01撤回")
    before = state()
    hengyang = signed_in(client.__class__(), decl_world, "officer_hengyang")
    refused_answer = post(
        hengyang, f"/{second.number}/withdraw", {"reason": "抽查不合格", "withdrawn_on": "2025-09-01"}
    )
    assert (refused_answer.status_code, refused_answer.json()["message"]) == (
        403, "officer_hengyang 无权执行“撤回自我声明”",
    )  # fmt: skip
    other = post(
        client, f"/{second.number}/withdraw", {"reason": "抽查不合格", "withdrawn_on": "2025-09-01"}, keys["other"]
    )
    assert other.status_code == 403
    no_reason = post(client, f"/{second.number}/withdraw", {"reason": "", "withdrawn_on": "2025-09-01"}, keys["maker"])
    assert (no_reason.status_code, no_reason.json()["errors"]) == (422, {"reason": ["必填"]})
    assert state() == before
    changsha = signed_in(client.__class__(), decl_world, "officer_changsha")
    done = post(changsha, f"/{second.number}/withdraw", {"reason": "抽查不合格", "withdrawn_on": "2025-09-01"})
    assert (done.status_code, done.json()["status"]) == (200, "withdrawn")
    assert AuditEvent.objects.latest("id").actor_label == "officer_changsha"
