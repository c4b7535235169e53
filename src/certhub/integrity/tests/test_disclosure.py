"""The public disclosure list (C3, C9): the revoked institution with its decision, institutional bans,
penalties in their publicity period, persons by name and decision only; searchable, paged, downloadable as
CSV and XLSX, through the API and in open data; an officer's export refused outside their region."""

import datetime
import io

import openpyxl
import orjson

from certhub.core.testing import signed_in
from certhub.opendata.queries import DATASET_BY_NAME
from certhub.registry.actions import do_revoke_certification_body
from certhub.risk.actions import do_record_penalties

REVOKED_DECISION = "国认监〔2026〕3号"


def revoke_yueyang(barred):
    do_revoke_certification_body(
        body=barred.world.bodies["yueyang"],
        effective_date=datetime.date(2026, 2, 1),
        reason="出具虚假认证证书",
        decision=REVOKED_DECISION,
        actor=barred.world.actor("officer_province"),
    )


def record_penalties(barred):
    organizations = barred.world.organizations
    do_record_penalties(
        rows=[
            {
                "organization": organizations["maker"].pk,
                "decision_number": "长市监罚〔2025〕77号",
                "decided_on": "2025-11-03",
                "authority": "长沙市市场监督管理局",
                "reason": "使用未获认证的产品",
            },
            {
                "organization": organizations["hengyang"].pk,
                "decision_number": "衡市监罚〔2022〕5号",
                "decided_on": "2022-05-01",
                "authority": "衡阳市市场监督管理局",
                "reason": "超出公示期的处罚",
            },
        ],
        actor=barred.world.actor("officer_province"),
    )


def test_the_public_list_shows_the_revoked_institution_with_its_decision(client, barred):
    revoke_yueyang(barred)
    record_penalties(barred)
    response = client.get("/disclosure/")
    assert response.status_code == 200
    rows = response.context["page"].object_list
    by_name = {(row["category"], row["name"]): row for row in rows}
    revoked = by_name[("BODY_REVOKED", "岳阳质量认证中心有限公司")]
    assert (revoked["decision_number"], revoked["decided_on"], revoked["detail"]) == (
        REVOKED_DECISION,
        "2026-02-01",
        "出具虚假认证证书",
    )
    assert sorted(by_name) == [
        ("BODY_REVOKED", "岳阳质量认证中心有限公司"),
        ("INSTITUTION_BAN", "湖南省产品质量检验检测研究院"),
        ("INSTITUTION_BAN", "衡阳湘江机械制造有限公司"),
        ("PENALTY", "长沙星城电器有限公司"),
        ("PERSON_BAN", "李伪"),
    ]
    assert by_name[("PENALTY", "长沙星城电器有限公司")]["until"] == "2028-11-03"
    person = by_name[("PERSON_BAN", "李伪")]
    assert (person["uscc"], person["decision_number"], person["region_code"]) == (None, "湘市监罚〔2026〕2号", "430000")
    page = response.content.decode()
    assert REVOKED_DECISION in page and "衡市监罚〔2022〕5号" not in page


def test_search_category_and_the_api_agree(client, barred):
    revoke_yueyang(barred)
    searched = client.get("/disclosure/", {"q": "岳阳"}).context["page"].object_list
    assert [row["name"] for row in searched] == ["岳阳质量认证中心有限公司"]
    api = client.get("/api/v1/disclosure", {"category": "PERSON_BAN"}).json()
    assert (api["count"], api["page"], api["pages"]) == (1, 1, 1)
    assert api["results"] == [
        {
            "category": "PERSON_BAN",
            "category_label": "人员终身禁入",
            "name": "李伪",
            "uscc": None,
            "decision_number": "湘市监罚〔2026〕2号",
            "decided_on": "2026-01-10",
            "authority": "湖南省市场监督管理局",
            "until": None,
            "detail": "终身禁入",
            "region_code": "430000",
        }
    ]


def test_csv_and_xlsx_downloads_hold_the_same_rows(client, barred):
    revoke_yueyang(barred)
    csv_response = client.get("/disclosure/disclosure.csv", {"q": "岳阳"})
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "category,category_label,name,uscc,decision_number,decided_on,authority,until,detail,region_code"
    assert lines[1].startswith(
        f"BODY_REVOKED,认证机构撤销,岳阳质量认证中心有限公司,{barred.world.organizations['cb_yueyang'].uscc},{REVOKED_DECISION},2026-02-01"
    )
    assert len(lines) == 2
    xlsx = client.get("/disclosure/disclosure.xlsx", {"q": "岳阳"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("类别代码", "类别", "名称或姓名")
    assert values[1][4] == REVOKED_DECISION
    assert len(values) == 2


def test_open_data_carries_the_list(barred):
    revoke_yueyang(barred)
    dataset = DATASET_BY_NAME["disclosure"]
    rows = list(dataset.records(datetime.date(2026, 3, 2)))
    assert [column.name for column in dataset.columns][:3] == ["category", "category_label", "name"]
    assert {(row["category"], row["name"]) for row in rows} >= {("BODY_REVOKED", "岳阳质量认证中心有限公司")}


def test_an_officer_exports_their_region_and_is_refused_another(client, barred):
    revoke_yueyang(barred)
    signed_in(client, barred.world, "officer_changsha")
    refused = client.get("/office/disclosure/export/", {"region": "430400", "file_format": "csv"})
    assert refused.status_code == 403
    assert "地区430400不在您的辖区内，不能导出其公示名单" in refused.content.decode()
    assert refused.get("Content-Disposition") is None
    own = client.get("/office/disclosure/export/", {"region": "", "file_format": "csv"})
    assert own["Content-Disposition"] == 'attachment; filename="certhub-disclosure-4301.csv"'
    lines = own.content.decode("utf-8-sig").splitlines()[1:]
    assert [line.split(",")[2] for line in lines] == ["湖南省产品质量检验检测研究院"]


def test_the_public_may_not_use_the_officers_export(client, barred):
    response = client.get("/office/disclosure/export/", {"region": "430100", "file_format": "csv"})
    assert response.status_code == 302
    assert orjson.dumps(response.get("Content-Disposition")) == b"null"
