"""The on-site check page (/market/check/, C7) through real HTTP: who may use it, a barcode or a label's number
checked into a verdict with its reason, the "open a case" button only for officers and only for a violation,
and every bad input refused next to its field with nothing written."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.choices import Role
from certhub.core.models import AuditEvent, Region, User
from certhub.core.testing import element, element_text, page_text, signed_in
from certhub.market.actions import do_create_campaign
from certhub.market.models import Campaign, CheckBatch, MarketCheck
from certhub.registry import actions as registry_actions
from certhub.registry.testing import World, build_world, make_uscc

pytestmark = pytest.mark.django_db

CCC = "2025010701000123"  # the world's refrigerator certificate: BCD-218, GTIN 6901234567892
SHOP_USCC = make_uscc(50, "430104")
TODAY = datetime.datetime(2026, 5, 6, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world() -> World:
    world = build_world()
    for username, region in (("inspector_yuelu", "430104"), ("inspector_hengyang", "430405")):
        world.users[username] = User.objects.create_user(
            username=username,
            password=World.PASSWORD,
            role=Role.INSPECTOR,
            region=Region.objects.get(code=region),
            department="市场监管综合行政执法支队",
        )
    world.organizations["shop"] = registry_actions.do_create_organization(
        data={"uscc": SHOP_USCC, "name": "长沙五一路家电商行有限公司", "region": "430104", "industry_section": "F",
              "industry_division": "52"},
        actor=SYSTEM,
    )  # fmt: skip
    return world


def written() -> tuple[int, int, int]:
    return CheckBatch.objects.count(), MarketCheck.objects.count(), AuditEvent.objects.count()


def test_the_page_is_for_officers_and_inspectors_only(client, world):
    response = client.get("/market/check/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/market/check/"
    signed_in(client, world, "maker")
    refused = client.get("/market/check/")
    assert refused.status_code == 403
    assert "现场检查仅对监管人员和执法检查人员开放。" in page_text(refused)


def test_an_inspector_scans_a_certified_product_and_sees_it_covered(client, world):
    signed_in(client, world, "inspector_yuelu")
    form = client.get("/market/check/")
    assert form.status_code == 200
    assert form["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    assert element(form, "id_gtin").attrs["inputmode"] == "numeric"

    response = client.post("/market/check/", {"gtin": "6901234567892", "shop": "星城家电五一路店"})
    check = MarketCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/market/check/?check={check.pk}#onsite-result"
    assert (check.channel, check.region_code, check.verdict, check.placement) == ("onsite", "430104", "covered", "gtin")
    assert check.batch is not None and (check.batch.source, check.batch.submitted_by) == ("page", "inspector_yuelu")

    result = client.get(f"/market/check/?check={check.pk}")
    assert element_text(result, "onsite-verdict") == "已覆盖（证书或自我声明有效）"
    assert element_text(result, "onsite-reason") == (
        f"商品条码6901234567892是证书{CCC}（持证人长沙星城电器有限公司）所列的产品，证书在2026-05-06有效"
    )
    assert element(result, "onsite-result").attrs["data-verdict"] == "covered"
    record = element_text(result, "onsite-record")
    assert CCC in record and "6901234567892" in record and "星城家电五一路店" in record
    # No violation, no case; the form for the next product keeps the shop.
    assert 'id="onsite-case"' not in result.content.decode()
    assert 'id="onsite-report"' not in result.content.decode()
    assert element(result, "id_shop").attrs["value"] == "星城家电五一路店"


def test_a_made_up_number_is_a_probable_forgery_and_an_officer_is_offered_a_case(client, world):
    signed_in(client, world, "officer_changsha")
    client.post(
        "/market/check/",
        {"claimed_number": "2025 0107 9999 0001", "product_name": "家用电冰箱", "shop_uscc": SHOP_USCC},
    )
    check = MarketCheck.objects.get()
    assert check.shop_organization == world.organizations["shop"]
    assert (check.verdict, check.claimed_number, check.region_code) == ("forged_number", "2025010799990001", "430100")
    result = client.get(f"/market/check/?check={check.pk}")
    assert element_text(result, "onsite-verdict") == "编号不在登记库中（疑似伪造）"
    assert (
        element_text(result, "onsite-reason") == "所称编号2025010799990001在登记库中既不是证书也不是自我声明，疑似伪造"
    )
    assert element(result, "onsite-result").attrs["class"].split()[1] == "tone-revoked"
    case_form = element(result, "onsite-case")
    assert case_form.attrs["method"] == "post"
    assert "立案处置" in case_form.text


def test_a_violation_traced_to_no_organization_cannot_open_a_case(client, world):
    signed_in(client, world, "officer_changsha")
    client.post("/market/check/", {"claimed_number": "2025010799990001", "shop": "无名小店"})
    result = client.get(f"/market/check/?check={MarketCheck.objects.get().pk}")
    assert element_text(result, "onsite-untraced") == (
        "未能对应到登记库中的生产者或经营者，不能由此立案：请填写经营者的统一社会信用代码后重新核查。"
    )
    assert 'id="onsite-case"' not in result.content.decode()


def test_an_inspector_is_told_the_officers_will_act_on_a_violation(client, world):
    signed_in(client, world, "inspector_yuelu")
    client.post("/market/check/", {"claimed_number": "2025010799990001", "product_name": "家用电冰箱"})
    result = client.get(f"/market/check/?check={MarketCheck.objects.get().pk}")
    assert element_text(result, "onsite-report") == "该检查已登记，违规线索将由本辖区监管人员立案处置。"
    assert 'id="onsite-case"' not in result.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"gtin": "6901234567891"}, "gtin", "GTIN校验位错误"),
        ({"gtin": "69012345"}, "gtin", "GTIN校验位错误"),
        ({"gtin": "123"}, "gtin", "GTIN须为8、12、13或14位数字"),
        (
            {"product_name": "电热水壶", "shop_uscc": "9143010400000000"},
            "shop_uscc",
            "统一社会信用代码须为18位，收到16位",
        ),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(client, world, data, field, message):
    signed_in(client, world, "inspector_yuelu")
    before = written()
    response = client.post("/market/check/", data)
    assert response.status_code == 422
    assert element_text(response, f"id_{field}_errors") == message
    assert written() == before


@pytest.mark.parametrize("data", [{}, {"shop": "星城家电五一路店", "model": "BCD-218"}])
def test_a_check_without_what_names_the_product_is_refused(client, world, data):
    signed_in(client, world, "inspector_yuelu")
    before = written()
    response = client.post("/market/check/", data)
    assert response.status_code == 422
    assert (
        element_text(response, "id_product_name_errors") == "必填：请填写产品名称，或商品条码、证书或自我声明编号之一"
    )
    assert written() == before


def test_a_check_outside_the_inspectors_region_is_not_found(client, world):
    signed_in(client, world, "inspector_yuelu")
    client.post("/market/check/", {"gtin": "6901234567892"})
    pk = MarketCheck.objects.get().pk
    client.logout()
    signed_in(client, world, "inspector_hengyang")
    assert client.get(f"/market/check/?check={pk}").status_code == 404
    assert client.get("/market/check/?check=nonsense").status_code == 404


def test_today_is_the_check_date(client, world):
    signed_in(client, world, "inspector_yuelu")
    client.post("/market/check/", {"gtin": "6901234567892"})
    assert MarketCheck.objects.get().checked_on == timezone.localdate() == datetime.date(2026, 5, 6)


def test_a_check_joins_a_campaign_running_where_it_is_made(client, world):
    def campaign(name: str, region: str, starts: datetime.date, ends: datetime.date) -> Campaign:
        return do_create_campaign(
            name=name, region_code=region, product_codes=[], starts_on=starts, ends_on=ends,
            actor=world.actor("officer_province"),
        )  # fmt: skip

    city = campaign("长沙市家电专项整治", "430100", datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
    campaign("衡阳市家电专项整治", "430400", datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
    campaign("已结束的专项整治", "430000", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    signed_in(client, world, "inspector_yuelu")
    form = client.get("/market/check/")
    # Only the campaign running today over the county (its prefecture's) is offered.
    options = [(o.attrs["value"], o.text) for o in element(form, "id_campaign").iter("option")]
    assert options == [("", "（不属于专项整治）"), (str(city.pk), "长沙市家电专项整治")]
    client.post("/market/check/", {"gtin": "6901234567892", "campaign": str(city.pk)})
    check = MarketCheck.objects.get()
    assert (check.campaign, check.batch.campaign) == (city, city)
    # The next product's form keeps the campaign chosen.
    result = client.get(f"/market/check/?check={check.pk}")
    chosen = [o.attrs["value"] for o in element(result, "id_campaign").iter("option") if "selected" in o.attrs]
    assert chosen == [str(city.pk)]


def test_the_page_speaks_english_when_asked(client, world):
    signed_in(client, world, "inspector_yuelu")
    form = client.get("/market/check/", HTTP_ACCEPT_LANGUAGE="en")
    assert element_text(form, "id_gtin_helptext") == "Scan the barcode, or type the 8 to 14 digits under it"
    assert element(form, "onsite-submit").text == "Check"
    client.post("/market/check/", {"claimed_number": "2025010799990001", "product_name": "家用电冰箱"})
    result = client.get(f"/market/check/?check={MarketCheck.objects.get().pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert element_text(result, "onsite-report") == (
        "The check is recorded; the officers of this region will open a case on the violation."
    )
