"""The market office pages (C7) over real HTTP: the checks list and its filters, a check's page with its reason
and the one-step case button, forged numbers grouped, campaigns (new, refused, tally), the tally on the
statistics page and its XLSX export, and market checks in an organization's trace. Internal pages: the public
gets the login page, other roles 403, another region's records 404."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from certhub.cases.models import Case, Measure
from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, page_text, signed_in, table_cells
from certhub.market.actions import do_create_campaign
from certhub.market.choices import Verdict
from certhub.market.models import Campaign
from certhub.market.testing import do_record_judged_checks

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def market(world):
    """A campaign in Changsha with four checks in 岳麓 (430104), and one check in 衡阳 (430405)."""
    officer = world.actor("officer_changsha")
    campaign = do_create_campaign(
        name="电器CCC专项整治",
        region_code="430100",
        product_codes=["0701"],
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 6, 30),
        actor=officer,
    )
    hengyang, maker = world.organizations["hengyang"], world.organizations["maker"]
    checks = do_record_judged_checks(
        rows=[
            {"product_name": "双门电冰箱", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
             "shop": "湘江电器专营店", "shop_organization": hengyang, "platform": "某电商平台",
             "reason": "编号2099010701999999不在登记库中。"},
            {"product_name": "三门电冰箱", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
             "shop": "星城家电", "reason": "编号2099010701999999不在登记库中。",
             "checked_on": DAY + datetime.timedelta(days=2)},
            {"product_name": "家用电冰箱 BCD-218", "verdict": Verdict.COVERED, "certificate": world.certificates["ccc"],
             "producer": maker, "model": "BCD-218", "reason": "证书2025010701000123有效且列有型号BCD-218。"},
            {"product_name": "家用电冰箱", "verdict": Verdict.NO_CLAIM, "shop": "星城家电",
             "reason": "目录内产品，未标称证书。", "checked_on": DAY - datetime.timedelta(days=5)},
        ],
        region_code="430104",
        campaign=campaign,
        checked_on=DAY,
        actor=officer,
    )  # fmt: skip
    elsewhere = do_record_judged_checks(
        rows=[{"product_name": "衡阳的检查", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701000001",
               "reason": "编号不在登记库中。"}],
        region_code="430405",
        checked_on=DAY,
        actor=world.actor("officer_hengyang"),
    )  # fmt: skip
    return campaign, checks, elsewhere[0]


def listed(client, query=""):
    return [row[1] for row in table_cells(client.get(f"/market/office/checks/{query}"), "check-table")[1:]]


def test_the_checks_list_is_the_officers_region_and_filters_narrow_it(client, world, market):
    campaign, _checks, _elsewhere = market
    signed_in(client, world, "officer_changsha")
    # Newest first; on one day, the last recorded first.
    assert listed(client) == ["三门电冰箱", "家用电冰箱 BCD-218 BCD-218", "双门电冰箱", "家用电冰箱"]
    assert listed(client, "?verdict=forged_number") == ["三门电冰箱", "双门电冰箱"]
    assert listed(client, "?verdict=negative") == ["三门电冰箱", "双门电冰箱", "家用电冰箱"]
    assert listed(client, f"?campaign={campaign.pk}&channel=online&since=2026-03-06&until=2026-03-10") == [
        "家用电冰箱 BCD-218 BCD-218",
        "双门电冰箱",
    ]
    none = client.get("/market/office/checks/?channel=onsite")
    assert element_text(none, "no-checks") == "没有符合条件的市场检查记录。"
    assert listed(client, "?number=2099010701999999") == ["三门电冰箱", "双门电冰箱"]
    # 衡阳's officer sees only 衡阳's check; the province's officer sees all five.
    signed_in(client, world, "officer_hengyang")
    assert listed(client) == ["衡阳的检查"]
    signed_in(client, world, "officer_province")
    assert len(listed(client)) == 5


@pytest.mark.parametrize(
    "url", ["/market/office/checks/", "/market/office/forged-numbers/", "/market/office/campaigns/"]
)
def test_the_pages_are_internal(client, world, market, url):
    assert client.get(url)["Location"].startswith("/login/?next=")
    signed_in(client, world, "maker")
    assert client.get(url).status_code == 403


def test_a_checks_page_shows_its_reason_and_opens_a_case_in_one_step(client, world, market):
    _campaign, checks, elsewhere = market
    forged = checks[0]
    signed_in(client, world, "officer_changsha")
    page = client.get(f"/market/office/checks/{forged.pk}/")
    assert element_text(page, "check-verdict") == "编号不在登记库中（疑似伪造）"
    assert element_text(page, "check-reason") == "编号2099010701999999不在登记库中。"
    assert f'action="/cases/market-checks/{forged.pk}/open/"' in page.content.decode()
    # A covered check has no case button.
    assert "open-case-form" not in client.get(f"/market/office/checks/{checks[2].pk}/").content.decode()
    # Another region's check answers as a missing one.
    assert client.get(f"/market/office/checks/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/cases/market-checks/{elsewhere.pk}/open/").status_code == 404

    response = client.post(f"/cases/market-checks/{forged.pk}/open/")
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.number}/"
    assert (case.market_check_id, case.subject_name, case.region_code) == (
        forged.pk,
        "衡阳湘江机械制造有限公司",
        "430104",
    )
    case_page = client.get(response["Location"])
    assert "已立案" + case.number in page_text(case_page)
    assert element_text(case_page, "case-market-check") == "双门电冰箱"
    assert f'href="/market/office/checks/{forged.pk}/" id="case-market-check"' in case_page.content.decode()
    assert element_text(client.get(f"/market/office/checks/{forged.pk}/"), "check-cases").startswith(case.number)
    # Pressed again: back to the check with the reason; nothing changed.
    audit = AuditEvent.objects.count()
    again = client.post(f"/cases/market-checks/{forged.pk}/open/", follow=True)
    assert again.redirect_chain == [(f"/market/office/checks/{forged.pk}/", 302)]
    assert f"该市场检查已立案：{case.number}" in page_text(again)
    assert (Case.objects.count(), Measure.objects.count(), AuditEvent.objects.count()) == (1, 0, audit)


def test_a_check_with_nobody_to_hold_to_account_says_so(client, world, market):
    _campaign, checks, _elsewhere = market
    signed_in(client, world, "officer_changsha")
    page = client.get(f"/market/office/checks/{checks[1].pk}/")
    assert element_text(page, "no-subject") == "该检查未能对应到登记库中的生产者或经营者，不能由此立案。"
    response = client.post(f"/cases/market-checks/{checks[1].pk}/open/", follow=True)
    assert "该市场检查未能对应到登记库中的生产者或经营者，不能由此立案" in page_text(response)
    assert Case.objects.count() == 0


def test_forged_numbers_are_grouped(client, world, market):
    signed_in(client, world, "officer_changsha")
    rows = table_cells(client.get("/market/office/forged-numbers/"), "forged-table")
    assert rows == [
        ["编号", "出现次数", "店铺数", "首次发现", "最近发现"],
        ["2099010701999999", "2", "2", "2026-03-10", "2026-03-12"],
    ]
    signed_in(client, world, "officer_province")
    rows = table_cells(client.get("/market/office/forged-numbers/"), "forged-table")[1:]
    assert rows == [
        ["2099010701999999", "2", "2", "2026-03-10", "2026-03-12"],
        # A check naming no shop counts no shop.
        ["2099010701000001", "1", "0", "2026-03-10", "2026-03-10"],
    ]


def test_a_campaign_is_created_from_its_form_and_refusals_stand_by_their_fields(client, world, market):
    signed_in(client, world, "officer_changsha")
    form = {
        "name": "儿童玩具专项整治",
        "region_code": "430400",
        "product_codes": "0701, 9999",
        "starts_on": "2026-04-01",
        "ends_on": "2026-03-01",
    }
    refused = client.post("/market/office/campaigns/new/", form)
    assert refused.status_code == 422
    text = page_text(refused)
    assert "地区430400不在你的辖区内，只能在本辖区内开展专项整治" in text
    assert "结束日期（2026-03-01）不得早于开始日期（2026-04-01）" in text
    assert Campaign.objects.count() == 1
    refused = client.post("/market/office/campaigns/new/", form | {"region_code": "430104", "ends_on": "2026-05-31"})
    assert "专项整治期间（2026-04-01至2026-05-31）施行的CCC目录中没有产品代码“9999”" in page_text(refused)
    assert Campaign.objects.count() == 1
    done = client.post("/market/office/campaigns/new/", form | {"region_code": "430104", "ends_on": "2026-05-31",
                                                                "product_codes": "0701"})  # fmt: skip
    campaign = Campaign.objects.get(name="儿童玩具专项整治")
    assert done["Location"] == f"/market/office/campaigns/{campaign.pk}/"
    assert (campaign.region_code, campaign.product_codes) == ("430104", ["0701"])
    # Inspectors' and enterprises' pages: no form.
    signed_in(client, world, "maker")
    assert client.get("/market/office/campaigns/new/").status_code == 403


def test_the_campaign_tally_on_its_page_on_the_statistics_page_and_in_the_export(client, world, market):
    campaign, _checks, _elsewhere = market
    expected = [
        ["核查总数", "4"],
        ["已覆盖", "1"],
        ["违法情形合计", "3"],
        ["已覆盖（证书或自我声明有效）", "1"],
        ["不属于CCC目录", "0"],
        ["· 证书未覆盖该型号", "0"],
        ["· 证书已暂停、撤销、注销或过期", "0"],
        ["· 自我声明已撤回或不适用", "0"],
        ["· 编号不在登记库中（疑似伪造）", "2"],
        ["· 目录内产品无认证证书或自我声明", "1"],
        ["需人工判定", "0"],
    ]
    signed_in(client, world, "officer_changsha")
    page = client.get(f"/market/office/campaigns/{campaign.pk}/")
    assert table_cells(page, "campaign-tally")[1:] == expected
    dashboard = client.get("/statistics/")
    assert table_cells(dashboard, "campaign-tally")[1:] == expected
    export = client.get(f"/statistics/campaigns/{campaign.pk}.xlsx")
    assert export["Content-Disposition"] == f'attachment; filename="certhub-campaign-{campaign.pk}.xlsx"'
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["说明", "核查结果", "检查记录"]
    assert [[str(v) for v in row] for row in book["核查结果"].iter_rows(min_row=2, values_only=True)] == expected
    checks = list(book["检查记录"].iter_rows(min_row=2, values_only=True))
    assert [(row[0].date(), row[4], row[8]) for row in checks] == [
        (datetime.date(2026, 3, 5), "家用电冰箱", "目录内产品无认证证书或自我声明"),
        (datetime.date(2026, 3, 10), "双门电冰箱", "编号不在登记库中（疑似伪造）"),
        (datetime.date(2026, 3, 10), "家用电冰箱 BCD-218", "已覆盖（证书或自我声明有效）"),
        (datetime.date(2026, 3, 12), "三门电冰箱", "编号不在登记库中（疑似伪造）"),
    ]
    # 衡阳's officer: the campaign is not theirs.
    signed_in(client, world, "officer_hengyang")
    assert client.get(f"/statistics/campaigns/{campaign.pk}.xlsx").status_code == 404
    assert client.get(f"/market/office/campaigns/{campaign.pk}/").status_code == 404
    assert element_text(client.get("/statistics/"), "no-campaigns") == "本地区还没有专项整治。"


def test_market_checks_appear_in_the_full_trace_of_the_shop_and_the_producer_only(client, world, market):
    hengyang, maker = world.organizations["hengyang"], world.organizations["maker"]
    signed_in(client, world, "officer_province")
    page = client.get(f"/trace/organization/{hengyang.uscc}/")
    assert element_text(page, "trace-market-checks") == (
        "双门电冰箱 · 编号不在登记库中（疑似伪造） 2026-03-10 · 电商平台 · 作为经营者 · 湘江电器专营店 ："
        "编号2099010701999999不在登记库中。"
    )
    answer = client.get(f"/api/v1/trace/organization/{maker.uscc}").json()
    assert answer["market_checks"] == [
        {
            "checked_on": "2026-03-10",
            "channel": "online",
            "channel_label": "电商平台",
            "role": "producer",
            "platform": "",
            "shop": "",
            "product_name": "家用电冰箱 BCD-218",
            "model": "BCD-218",
            "claimed_number": "",
            "verdict": "covered",
            "verdict_label": "已覆盖（证书或自我声明有效）",
            "reason": "证书2025010701000123有效且列有型号BCD-218。",
            "campaign": "电器CCC专项整治",
        }
    ]
    client.logout()
    assert client.get(f"/api/v1/trace/organization/{maker.uscc}").json()["market_checks"] is None
    assert "trace-market-checks" not in client.get(f"/trace/organization/{hengyang.uscc}/").content.decode()


def test_the_checks_list_costs_the_same_queries_for_few_and_many_rows(client, world, market, django_assert_num_queries):
    """docs/architecture.md convention 15: no query per row."""
    signed_in(client, world, "officer_province")
    client.get("/market/office/checks/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/market/office/checks/")
    do_record_judged_checks(
        rows=[
            {"product_name": f"商品{i}", "verdict": Verdict.NO_CLAIM, "reason": "测试",
             "shop_organization": world.organizations["farm"], "producer": world.organizations["maker"]}
            for i in range(40)
        ],
        region_code="430104",
        campaign=market[0],
        actor=world.actor("officer_changsha"),
    )  # fmt: skip
    with django_assert_num_queries(len(few)):
        response = client.get("/market/office/checks/")
    assert len(table_cells(response, "check-table")) == 46  # the header and 45 rows
