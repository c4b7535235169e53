"""Bad listings are refused with their field and reason, and nothing is written — through the action, the API,
a file and the command alike (C7; docs/architecture.md invariant 6): more than 1,000 listings, a GTIN with a
wrong check digit, a catalogue code unknown in the catalogue in force on the check date, a check dated in the
future, an invalid credit code, a text too long, a listing that says nothing about its product."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import signed_in
from certhub.market.actions import do_check_listings
from certhub.market.files import check_file
from certhub.market.models import CheckBatch, MarketCheck
from certhub.market.tests.engine_world import FRIDGE_GTIN, build_market_world, do_record_test_campaign

BAD_GTIN = FRIDGE_GTIN[:-1] + "3"


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def bad_listings() -> list[dict]:
    """One good listing, then one of each bad kind."""
    return [
        {"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN},
        {"product_name": "家用电冰箱", "gtin": BAD_GTIN},
        # 1121 (e-bike lithium batteries) is in the catalogue from 2025-11-01 only (SAMR 2024 No. 26).
        {"product_name": "电动自行车电池", "catalogue_code": "1121", "checked_on": "2025-10-31"},
        {"product_name": "电动自行车电池", "catalogue_code": "9999"},
        {"product_name": "家用电冰箱", "checked_on": tomorrow()},
        {"product_name": "家用电冰箱", "shop_uscc": "91430100MA4L0K3T4X"},
        {"product_name": "冰" * 201},
        {"model": "BCD-218"},
    ]


def expected_errors(prefix: str, rows: list[int]) -> dict[str, list[str]]:
    today = timezone.localdate().isoformat()
    return {
        f"{prefix}[{rows[1]}].gtin": ["GTIN校验位错误"],
        f"{prefix}[{rows[2]}].catalogue_code": ["目录代码“1121”在2025-10-31施行的CCC目录中不存在"],
        f"{prefix}[{rows[3]}].catalogue_code": [f"目录代码“9999”在{today}施行的CCC目录中不存在"],
        f"{prefix}[{rows[4]}].checked_on": [f"检查日期{tomorrow()}晚于今天（{today}）"],
        f"{prefix}[{rows[5]}].shop_uscc": ["统一社会信用代码校验位错误"],
        f"{prefix}[{rows[6]}].product_name": ["长度不得超过200个字符"],
        f"{prefix}[{rows[7]}].product_name": ["必填：请填写产品名称，或商品条码、证书或自我声明编号之一"],
    }


def written() -> tuple[int, int, int]:
    return CheckBatch.objects.count(), MarketCheck.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def market(world):
    return build_market_world(world)


def test_the_action_refuses_every_bad_listing_and_writes_nothing(market):
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        do_check_listings(
            listings=bad_listings(),
            channel="online",
            region_code="430104",
            source="api",
            actor=market.actor("officer_changsha"),
        )
    assert refused.value.errors == expected_errors("listings", list(range(8)))
    assert written() == before


def test_more_than_1000_listings_are_refused_whole(client, market):
    signed_in(client, market.world, "officer_changsha")
    before = written()
    body = {"channel": "online", "region_code": "430104", "listings": [{"gtin": FRIDGE_GTIN}] * 1001}
    response = client.post("/api/v1/market/checks", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"listings": ["一次最多核查1000条，收到1001条：请分批提交"]}
    with pytest.raises(ValidationFailed) as refused:
        do_check_listings(
            listings=[{"gtin": FRIDGE_GTIN}] * 1001,
            channel="online",
            region_code="430104",
            source="api",
            actor=market.actor("officer_changsha"),
        )
    assert refused.value.errors == {"listings": ["一次最多核查1000条，收到1001条：请分批提交"]}
    assert written() == before


def test_the_api_refuses_every_bad_listing_and_writes_nothing(client, market):
    signed_in(client, market.world, "inspector")
    before = written()
    response = client.post(
        "/api/v1/market/checks",
        {"channel": "onsite", "region_code": "430104", "listings": bad_listings()},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert response.json()["errors"] == expected_errors("listings", list(range(8)))
    assert written() == before


def test_the_batch_arguments_are_refused_with_their_field(client, market):
    signed_in(client, market.world, "officer_province")
    before = written()
    response = client.post(
        "/api/v1/market/checks",
        {"channel": "street", "region_code": "439999", "listings": [{"gtin": FRIDGE_GTIN}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "channel": ["未知的发现渠道“street”"],
        "region_code": ["未知的行政区划代码“439999”"],
    }
    unknown_campaign = client.post(
        "/api/v1/market/checks",
        {"channel": "online", "region_code": "430104", "campaign": 999, "listings": [{"gtin": FRIDGE_GTIN}]},
        content_type="application/json",
    )
    assert unknown_campaign.json()["errors"] == {"campaign": ["没有编号为999的专项整治"]}
    assert written() == before


def write_csv(path, rows: list[dict]) -> None:
    keys = ["product_name", "model", "claimed_number", "gtin", "catalogue_code", "checked_on", "shop_uscc"]
    lines = [
        ",".join(["产品名称", "型号", "证书或声明编号", "商品条码", "目录代码", "检查日期", "经营者统一社会信用代码"])
    ]
    for row in rows:
        lines.append(",".join(str(row.get(key, "")) for key in keys))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_file_with_bad_rows_is_refused_whole_naming_each_row(tmp_path, market):
    path = tmp_path / "listings.csv"
    write_csv(path, bad_listings())
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        check_file(path, path.name, channel="online", region_code="430104", actor=market.actor("officer_changsha"))
    # The spreadsheet's row numbers: the header is row 1.
    assert refused.value.errors == expected_errors("rows", list(range(2, 10)))
    assert written() == before


def test_the_command_refuses_a_bad_file_and_prints_each_problem(tmp_path, market):
    path = tmp_path / "listings.csv"
    write_csv(path, bad_listings())
    before = written()
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing recorded: 7 problems"):
        call_command("market", "check", str(path), "--region", "430104", "--no-progress", stdout=out)
    assert out.getvalue().splitlines() == [
        f"  {field}: {'; '.join(messages)}" for field, messages in expected_errors("rows", list(range(2, 10))).items()
    ]
    assert written() == before


def test_a_file_that_is_not_a_listing_file_is_refused(tmp_path, market):
    path = tmp_path / "other.csv"
    path.write_text("证书编号,颜色\n1,红\n", encoding="utf-8")
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        check_file(path, path.name, channel="online", region_code="430104", actor=market.actor("officer_changsha"))
    assert refused.value.errors == {"file": ["未知的列“颜色”：请使用模板中的列名（中文或英文）"]}
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationFailed) as nothing:
        check_file(empty, empty.name, channel="online", region_code="430104", actor=market.actor("officer_changsha"))
    assert nothing.value.errors == {"file": ["文件为空"]}
    assert written() == before


def test_a_campaigns_checks_lie_in_its_region_and_period(client, market):
    campaign = do_record_test_campaign(
        name="2026年电冰箱专项整治",
        region_code="430100",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 6, 30),
        actor=market.actor("officer_changsha"),
    )
    signed_in(client, market.world, "officer_province")
    before = written()
    outside = client.post(
        "/api/v1/market/checks",
        {
            "channel": "online",
            "region_code": "430405",
            "campaign": campaign.pk,
            "listings": [
                {"gtin": FRIDGE_GTIN, "checked_on": "2026-02-28"},
                {"gtin": FRIDGE_GTIN, "checked_on": "2026-03-01"},
            ],
        },
        content_type="application/json",
    )
    assert outside.status_code == 422
    assert outside.json()["errors"] == {
        "campaign": ["检查地区430405不在专项整治“2026年电冰箱专项整治”的地区430100内"],
        "listings[0].checked_on": ["检查日期2026-02-28不在专项整治期间（2026-03-01至2026-06-30）"],
    }
    assert written() == before
    inside = client.post(
        "/api/v1/market/checks",
        {"channel": "online", "region_code": "430104", "campaign": campaign.pk,
         "listings": [{"gtin": FRIDGE_GTIN, "checked_on": "2026-03-01"}]},
        content_type="application/json",
    )  # fmt: skip
    assert inside.status_code == 201
    assert inside.json()["campaign"] == campaign.pk
    assert list(MarketCheck.objects.values_list("campaign_id", "verdict")) == [(campaign.pk, "covered")]
