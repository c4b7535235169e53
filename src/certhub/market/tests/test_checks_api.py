"""Market checks through `POST /api/v1/market/checks` (C7): every verdict with its exact reason, in the order
sent; what is recorded; who may post and read; the batch read back."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from certhub.core.models import AuditEvent
from certhub.core.testing import signed_in
from certhub.market.models import CheckBatch, MarketCheck
from certhub.market.schemas import CheckBatchOut
from certhub.market.tests.engine_world import DRILL_GTIN, FRIDGE_GTIN, UNKNOWN_GTIN, build_market_world

DAY = "2026-03-01"
HOLDER = "长沙星城电器有限公司"
FRIDGE = "0701 家用电冰箱和食品冷冻箱"

# (listing, verdict, placement, reason): one row per case the engine decides.
TABLE = [
    (
        {"product_name": "家用电冰箱", "model": "bcd 218", "claimed_number": "2025 0107 0100 0123"},
        "covered",
        "certificate",
        f"证书2025010701000123（持证人{HOLDER}）在{DAY}有效，覆盖型号“bcd 218”",
    ),
    (
        {"gtin": FRIDGE_GTIN},
        "covered",
        "gtin",
        f"商品条码{FRIDGE_GTIN}是证书2025010701000123（持证人{HOLDER}）所列的产品，证书在{DAY}有效",
    ),
    (
        {"product_name": "家用电冰箱", "model": "BCD-999", "claimed_number": "2025010701000123"},
        "model_not_covered",
        "certificate",
        "证书2025010701000123有效，但型号“BCD-999”不在证书所列的产品型号中",
    ),
    (
        {"product_name": "家用电冰箱", "model": "BCD-300W", "claimed_number": "2025010701000124"},
        "certificate_invalid",
        "certificate",
        f"证书2025010701000124自2025-09-01起已暂停，检查日{DAY}不得使用",
    ),
    (
        {
            "product_name": "家用电冰箱",
            "model": "BCD-300W",
            "claimed_number": "2025010701000124",
            "checked_on": "2025-08-01",
        },
        "covered",
        "certificate",
        f"证书2025010701000124（持证人{HOLDER}）在2025-08-01有效，覆盖型号“BCD-300W”",
    ),
    (
        {"product_name": "家用电冰箱", "claimed_number": "2025010701000123", "checked_on": "2025-02-01"},
        "certificate_invalid",
        "certificate",
        "证书2025010701000123于2025-03-01才发证，检查日2025-02-01尚未生效",
    ),
    (
        {"product_name": "家用电冰箱", "claimed_number": "CNCA-QMS-2025-0001"},
        "model_not_covered",
        "certificate",
        "证书CNCA-QMS-2025-0001是“QMS”证书，不是CCC证书，不能证明该产品获得强制性产品认证",
    ),
    (
        {
            "product_name": "家用电冰箱",
            "model": "BCD-218",
            "claimed_number": "2025010701000123",
            "catalogue_code": "0501",
        },
        "model_not_covered",
        "certificate",
        f"证书2025010701000123覆盖的目录产品是{FRIDGE}，不是所填报的0501 电钻",
    ),
    (
        {"product_name": "家用电冰箱", "claimed_number": "CNCA-QMS-2025-0003"},
        "forged_number",
        "keywords",
        "所称编号CNCA-QMS-2025-0003在登记库中既不是证书也不是自我声明，疑似伪造",
    ),
    (
        {"product_name": "冰箱 双门", "claimed_number": "2099010700000001", "catalogue_code": "0701"},
        "forged_number",
        "given",
        "所称编号2099010700000001在登记库中既不是证书也不是自我声明，疑似伪造",
    ),
    (
        {"product_name": "充电电钻", "model": "z1c 13", "claimed_number": "ZS4301042025000001"},
        "covered",
        "declaration",
        f"自我声明ZS4301042025000001（生产者{HOLDER}）在{DAY}有效，覆盖型号“z1c 13”",
    ),
    (
        {"product_name": "充电电钻", "model": "Z1C-99", "claimed_number": "ZS4301042025000001"},
        "model_not_covered",
        "declaration",
        "自我声明ZS4301042025000001有效，但型号“Z1C-99”不在声明的型号中",
    ),
    (
        {"product_name": "充电电钻", "model": "Z1C-20", "claimed_number": "ZS4301042025000002"},
        "declaration_invalid",
        "declaration",
        "自我声明ZS4301042025000002已于2025-07-01撤回",
    ),
    (
        {
            "product_name": "充电电钻",
            "model": "Z1C-20",
            "claimed_number": "ZS4301042025000002",
            "checked_on": "2025-06-01",
        },
        "covered",
        "declaration",
        f"自我声明ZS4301042025000002（生产者{HOLDER}）在2025-06-01有效，覆盖型号“Z1C-20”",
    ),
    (
        {"product_name": "冰箱", "model": "BCD-500", "claimed_number": "ZS4301042025000003"},
        "declaration_invalid",
        "declaration",
        f"自我声明ZS4301042025000003所称目录产品{FRIDGE}在{DAY}不适用自我声明，须经第三方认证",
    ),
    (
        {"product_name": "充电电钻", "claimed_number": "ZS4301042025000001", "checked_on": "2025-04-01"},
        "declaration_invalid",
        "declaration",
        "自我声明ZS4301042025000001于2025-05-01才作出，检查日2025-04-01尚无声明",
    ),
    (
        {"product_name": "充电电钻", "claimed_number": "zs4301042025999999"},
        "forged_number",
        "none",
        "所称编号ZS4301042025999999在登记库中既不是证书也不是自我声明，疑似伪造",
    ),
    (
        {"product_name": "充电电钻", "gtin": DRILL_GTIN},
        "covered",
        "gtin",
        f"商品条码{DRILL_GTIN}是自我声明ZS4301042025000001（生产者{HOLDER}）所列的产品，声明在{DAY}有效",
    ),
    (
        {"product_name": "手电钻", "gtin": UNKNOWN_GTIN, "catalogue_code": "0501"},
        "no_claim",
        "given",
        "目录产品0501 电钻（按填报的目录代码），未提供CCC证书或自我声明",
    ),
    (
        {"product_name": "海尔 BCD-218WDPV 双门家用电冰箱 218升"},
        "no_claim",
        "keywords",
        f"按目录描述（“家用电冰箱”）归入{FRIDGE}，未提供CCC证书或自我声明",
    ),
    (
        {"product_name": "纯棉短袖T恤男夏季"},
        "not_in_catalogue",
        "keywords",
        f"“纯棉短袖T恤男夏季”（“短袖”）不属于{DAY}施行的CCC目录产品",
    ),
    (
        {"product_name": "冰箱配件 门封条"},
        "needs_person",
        "none",
        "无法按目录描述确定“冰箱配件 门封条”是否属于CCC目录，需人工判定",
    ),
]


def post(client, body):
    return client.post("/api/v1/market/checks", body, content_type="application/json")


def listings(rows):
    return [{**listing, "checked_on": listing.get("checked_on", DAY), "platform": "示例商城"} for listing, *_ in rows]


@pytest.fixture
def market(world):
    return build_market_world(world)


def test_every_verdict_comes_back_in_order_with_its_reason(client, market):
    signed_in(client, market.world, "officer_changsha")
    audit_before = AuditEvent.objects.count()
    response = post(client, {"channel": "online", "region_code": "430104", "listings": listings(TABLE)})
    assert response.status_code == 201, response.json()
    body = response.json()
    # Written without the framework's re-validation: held to the published schema here.
    published = CheckBatchOut.model_validate(body)
    assert set(published.model_dump()) == set(body)
    assert set(published.checks[0].model_dump()) == set(body["checks"][0])
    got = [(c["row"], c["verdict"], c["placement"], c["reason"]) for c in body["checks"]]
    assert got == [(i + 1, verdict, placement, reason) for i, (_l, verdict, placement, reason) in enumerate(TABLE)]
    assert body["state"] == "done"
    assert (body["rows_total"], body["rows_done"], body["source"], body["region_code"]) == (22, 22, "api", "430104")
    assert body["verdicts"] == {
        "certificate_invalid": 2,
        "covered": 6,
        "declaration_invalid": 3,
        "forged_number": 3,
        "model_not_covered": 4,
        "needs_person": 1,
        "no_claim": 2,
        "not_in_catalogue": 1,
    }
    # What each check names: certificate, declaration, producer, catalogue product.
    first, forged, declared = body["checks"][0], body["checks"][9], body["checks"][10]
    maker = market.world.organizations["maker"]
    assert first["certificate_number"] == "2025010701000123"
    assert (first["producer_uscc"], first["producer_name"]) == (maker.uscc, HOLDER)
    assert (first["ccc_product_code"], first["claimed_number"], first["verdict_label"]) == (
        "0701",
        "2025010701000123",
        "已覆盖（证书或自我声明有效）",
    )
    assert (forged["certificate_number"], forged["producer_uscc"], forged["ccc_product_code"]) == (None, None, "0701")
    assert (declared["declaration_number"], declared["producer_uscc"], declared["ccc_product_code"]) == (
        "ZS4301042025000001",
        maker.uscc,
        "0501",
    )
    # Recorded: one batch, a check per listing, one audit row for the call.
    batch = CheckBatch.objects.get()
    assert batch.submitted_by == "officer_changsha"
    stored = list(MarketCheck.objects.filter(batch=batch).order_by("row").values_list("row", "verdict", "reason"))
    assert stored == [(i + 1, verdict, reason) for i, (_l, verdict, _p, reason) in enumerate(TABLE)]
    assert AuditEvent.objects.count() == audit_before + 1
    audit = AuditEvent.objects.latest("id")
    assert (audit.event_type, audit.after["rows"], audit.actor_label) == (
        "MARKET_CHECKS_RECORDED",
        22,
        "officer_changsha",
    )


def test_an_expired_certificate_is_invalid_from_the_day_after_its_expiry(client, market):
    with time_machine.travel(datetime.datetime(2030, 3, 5, 10, tzinfo=datetime.UTC), tick=False):
        signed_in(client, market.world, "inspector")
        response = post(
            client,
            {
                "channel": "onsite",
                "region_code": "430104",
                "listings": [
                    {"product_name": "冰箱", "model": "BCD-218", "claimed_number": "2025010701000123"},
                    {
                        "product_name": "冰箱",
                        "model": "BCD-218",
                        "claimed_number": "2025010701000123",
                        "checked_on": "2030-02-28",
                    },
                ],
            },
        )
    assert response.status_code == 201, response.json()
    assert [(c["verdict"], c["reason"], c["checked_on"]) for c in response.json()["checks"]] == [
        ("certificate_invalid", "证书2025010701000123已于2030-02-28到期，检查日2030-03-05已过有效期", "2030-03-05"),
        ("covered", f"证书2025010701000123（持证人{HOLDER}）在2030-02-28有效，覆盖型号“BCD-218”", "2030-02-28"),
    ]


def test_the_shop_is_matched_by_credit_code_or_by_its_exact_name_only(client, market):
    signed_in(client, market.world, "officer_changsha")
    shop = market.shop
    rows = [
        {"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN, "shop": "五一家电", "shop_uscc": shop.uscc},
        {"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN, "shop": shop.name},
        {"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN, "shop": "五一家电商行"},
    ]
    response = post(client, {"channel": "online", "region_code": "430102", "listings": rows})
    assert response.status_code == 201, response.json()
    assert [c["shop_organization_uscc"] for c in response.json()["checks"]] == [shop.uscc, shop.uscc, None]


def test_the_batch_is_read_back_by_the_officers_of_its_region_only(client, market):
    signed_in(client, market.world, "inspector")
    created = post(client, {"channel": "onsite", "region_code": "430104", "listings": listings(TABLE[:3])}).json()
    again = client.get(f"/api/v1/market/checks/{created['id']}")
    assert again.status_code == 200
    assert again.json() == created
    page = client.get(f"/api/v1/market/checks/{created['id']}?offset=2").json()
    assert [c["row"] for c in page["checks"]] == [3]
    signed_in(client, market.world, "officer_hengyang")
    outside = client.get(f"/api/v1/market/checks/{created['id']}")
    assert outside.status_code == 404
    assert outside.json() == {
        "code": "not_found",
        "message": f"没有编号为{created['id']}的市场检查批次",
        "errors": {},
    }
    client.logout()
    assert client.get(f"/api/v1/market/checks/{created['id']}").status_code == 401


@pytest.mark.parametrize(
    ("username", "region"),
    [("officer_hengyang", "430104"), ("inspector", "430405"), ("cb_hunan", "430104"), ("maker", "430104")],
)
def test_only_officers_and_inspectors_of_the_region_may_post(client, market, username, region):
    signed_in(client, market.world, username)
    before = (CheckBatch.objects.count(), MarketCheck.objects.count(), AuditEvent.objects.count())
    response = post(client, {"channel": "online", "region_code": region, "listings": listings(TABLE[:1])})
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": f"{username} 无权执行“登记市场检查”", "errors": {}}
    assert (CheckBatch.objects.count(), MarketCheck.objects.count(), AuditEvent.objects.count()) == before


def test_anonymous_callers_and_api_keys_may_not_post(client, market):
    before = (CheckBatch.objects.count(), AuditEvent.objects.count())
    anonymous = post(client, {"channel": "online", "region_code": "430104", "listings": listings(TABLE[:1])})
    assert anonymous.status_code == 401
    keyed = client.post(
        "/api/v1/market/checks",
        {"channel": "online", "region_code": "430104", "listings": listings(TABLE[:1])},
        content_type="application/json",
        headers={"X-API-Key": market.world.api_keys["cb_hunan"]},
    )
    assert keyed.status_code == 403
    assert keyed.json()["message"] == "此操作须由本人登录后进行，不接受接口密钥"
    assert (CheckBatch.objects.count(), AuditEvent.objects.count()) == before
