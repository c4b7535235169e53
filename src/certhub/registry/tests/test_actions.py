"""Registry actions: the lifecycle table, bad input (field-level messages, nothing written), reference
data, and the derived surveillance flag."""

import datetime
import itertools

import orjson
import pytest

from certhub.core.actors import SYSTEM
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent, Region
from certhub.registry import actions
from certhub.registry.choices import CERTIFICATE_TRANSITIONS, CertificateStatus
from certhub.registry.models import (
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    Organization,
    Scheme,
)
from certhub.registry.testing import certificate_data, make_uscc

# A path from ACTIVE to each status, to set up every starting point.
PATH_TO = {
    "ACTIVE": [],
    "SUSPENDED": ["SUSPENDED"],
    "WITHDRAWN": ["SUSPENDED", "WITHDRAWN"],
    "CANCELLED": ["CANCELLED"],
    "EXPIRED": ["EXPIRED"],
}


def snapshot_counts():
    return (
        Certificate.objects.count(),
        CertificateEvent.objects.count(),
        AuditEvent.objects.count(),
        Organization.objects.count(),
    )


@pytest.mark.parametrize(
    ("start", "target"),
    list(itertools.product(sorted(PATH_TO), sorted(CertificateStatus.values))),
)
def test_lifecycle_transitions_follow_the_table(world, start, target):
    actor = world.actor("cb_hunan")
    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"], data=certificate_data("LIFE-1", world.organizations["maker"]), actor=actor
    )
    day = datetime.date(2025, 4, 1)
    for step in PATH_TO[start]:
        certificate = actions.do_change_certificate_status(
            certificate=certificate, to_status=step, effective_date=day, reason="准备", actor=actor
        )
    before = snapshot_counts()
    if target in CERTIFICATE_TRANSITIONS[start]:
        certificate = actions.do_change_certificate_status(
            certificate=certificate, to_status=target, effective_date=day, reason="测试原因", actor=actor
        )
        assert certificate.status == target
        document = orjson.loads(CertificatePublicRecord.objects.get(pk=certificate.pk).document)
        assert document["status"] == target
        assert document["history"][-1] == {
            "from_status": start,
            "to_status": target,
            "date": "2025-04-01",
            "reason": "测试原因",
        }
        assert snapshot_counts() == (before[0], before[1] + 1, before[2] + 1, before[3])
    else:
        with pytest.raises(Conflict) as refusal:
            actions.do_change_certificate_status(
                certificate=certificate, to_status=target, effective_date=day, reason="测试原因", actor=actor
            )
        labels = dict(CertificateStatus.choices)
        assert refusal.value.errors == {
            "status": [f"证书状态不能从{labels[start]}（{start}）变为{labels[target]}（{target}）"]
        }
        assert Certificate.objects.get(pk=certificate.pk).status == start
        assert snapshot_counts() == before


BAD_CERTIFICATES = [
    ({"holder_uscc": "91430100MA4L12345"}, "holder_uscc", "统一社会信用代码须为18位，收到17位"),
    ({"holder_uscc": "914301000000000010"}, "holder_uscc", "统一社会信用代码校验位错误"),
    (
        {"holder_uscc": "9143010000000001OZ"},
        "holder_uscc",
        "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）",
    ),
    ({"scheme": "XYZ"}, "scheme", "未知的认证制度“XYZ”"),
    ({"expiry_date": "2025-01-01"}, "expiry_date", "有效期至（2025-01-01）须晚于发证日期（2025-03-01）"),
    ({"issue_date": "2025-13-01"}, "issue_date", "日期格式应为YYYY-MM-DD，收到“2025-13-01”"),
    ({"scheme": "GREEN_FOOD"}, "scheme", "认证机构未获准开展“绿色食品”认证"),
    ({"ccc_product": "9999", "scheme": "CCC"}, "ccc_product", "CCC目录中没有产品代码“9999”"),
    ({"products": [{"name": "冰箱", "gtin": "6901234567890"}]}, "products[0].gtin", "GTIN校验位错误"),
    ({"status": "SUSPENDED"}, "status", "新证书的状态只能是DRAFT或ACTIVE，收到“SUSPENDED”"),
    ({"scope": "范围" * 2001}, "scope", "长度不得超过4000个字符"),
]


@pytest.mark.parametrize(
    ("override", "field", "message"),
    BAD_CERTIFICATES,
    ids=[b[1] + str(i) for i, b in enumerate(BAD_CERTIFICATES)],
)
def test_bad_certificate_input_names_the_field_and_writes_nothing(world, override, field, message):
    if override.get("scheme") == "GREEN_FOOD":
        assert Scheme.objects.get(code="GREEN_FOOD").name == "绿色食品"
    before = snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data("BAD-1", world.organizations["maker"], **override),
            actor=world.actor("cb_hunan"),
        )
    assert failure.value.errors[field] == [message]
    assert snapshot_counts() == before


def test_duplicate_number_is_refused_per_body_but_allowed_across_bodies(world):
    before = snapshot_counts()
    with pytest.raises(Conflict) as refusal:
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data("CNCA-QMS-2025-0001", world.organizations["maker"]),
            actor=world.actor("cb_hunan"),
        )
    assert refusal.value.errors == {"number": ["该认证机构已有编号为CNCA-QMS-2025-0001的证书"]}
    assert snapshot_counts() == before
    # The same number at the other body exists already in the world: numbers are unique per body.
    assert Certificate.objects.filter(number="CNCA-QMS-2025-0001").count() == 2


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"uscc": "91430100MA4L1234", "name": "甲", "region": "430100"},
            {"uscc": ["统一社会信用代码须为18位，收到16位"]},
        ),
        (
            {"uscc": make_uscc(900), "name": "", "region": "999999"},
            {"name": ["必填"], "region": ["未知的行政区划代码“999999”"]},
        ),
        (
            {
                "uscc": make_uscc(901),
                "name": "乙",
                "region": "430100",
                "industry_section": "C",
                "industry_division": "05",
            },
            {"industry_division": ["大类05不属于门类C"]},
        ),
    ],
    ids=["short-uscc", "unknown-region", "division-outside-section"],
)
def test_bad_organization_input(world, data, errors):
    before = snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        actions.do_create_organization(data=data, actor=SYSTEM)
    assert failure.value.errors == errors
    assert snapshot_counts() == before


def test_full_width_and_spaced_credit_codes_are_normalised(world):
    code = make_uscc(902, "430102")
    full_width = " " + "".join(chr(ord(c) + 0xFEE0) for c in code) + " "
    organization = actions.do_create_organization(
        data={"uscc": full_width, "name": "  芙蓉测试有限公司 ", "region": "430102"}, actor=SYSTEM
    )
    assert (organization.uscc, organization.name) == (code, "芙蓉测试有限公司")


def test_regions_are_loaded_from_the_data_file(db):
    assert Region.objects.get(code="430000").name == "湖南省"
    prefectures = Region.objects.filter(level="prefecture")
    assert prefectures.count() == 14
    assert sorted(prefectures.values_list("code", flat=True))[-1] == "433100"
    assert Region.objects.filter(level="county").count() == 122
    assert Region.objects.get(code="430182").name == "宁乡市"
    assert Region.objects.get(code="430182").parent_id == "430100"
    assert not Region.objects.filter(code="430124").exists()  # 宁乡县 became 宁乡市 in 2017


def test_reference_data_reload_is_idempotent(db):
    audit_before = AuditEvent.objects.count()
    assert actions.do_load_reference_data(actor=SYSTEM) == {
        "schemes": 0,
        "ccc_versions": 0,
        "ccc_categories": 0,
        "ccc_products": 0,
    }
    assert AuditEvent.objects.count() == audit_before
    assert CccProduct.objects.get(code="0101").name == "电线组件"
    assert CccProduct.objects.get(code="0701").category.name == "家用和类似用途设备"
    # The 2023 catalogue (SAMR 2023 No. 36): 16 categories, 96 products; two added by 2024 No. 26.
    assert CccProduct.objects.filter(version__key="2023").count() == 96
    assert CccProduct.objects.values("category").distinct().count() == 16
    assert list(CccProduct.objects.filter(version__key="2024-ebike").values_list("code", "effective_from")) == [
        ("1121", datetime.date(2025, 11, 1)),
        ("1122", datetime.date(2025, 11, 1)),
    ]
    assert CccProduct.objects.get(code="0205").codes == ["0205", "0207"]
    codes = set(Scheme.objects.values_list("code", flat=True))
    assert {
        "CCC",
        "QMS",
        "EMS",
        "ENMS",
        "ORGANIC",
        "GREEN_FOOD",
        "NO_POLLUTION_AGRI",
        "GI",
        "FOREST_FOOD",
        "GREEN_PRODUCT",
        "ENERGY_SAVING",
        "LOW_CARBON",
        "SERVICE_HEALTH",
        "SERVICE_EDUCATION",
        "SERVICE_FINANCE",
        "SERVICE_ELDERLY",
        "ROBOT",
        "IOT",
        "RAIL_TRANSIT",
        "LX_VILLAGE",
        "LX_SCENIC",
        "LX_RESTAURANT",
        "LX_ENTERPRISE",
    } <= codes


def test_surveillance_overdue_is_derived_from_dates(world):
    certificate = Certificate.objects.select_related("scheme").get(pk=world.certificates["active"].pk)
    # Issued 2025-03-01 with 12-month surveillance: due 2026-03-01.
    assert certificate.surveillance_overdue(datetime.date(2026, 3, 1)) is False
    assert certificate.surveillance_overdue(datetime.date(2026, 3, 2)) is True
    actions.do_record_surveillance(
        certificate=certificate, audit_date=datetime.date(2026, 2, 20), actor=world.actor("cb_hunan")
    )
    certificate.refresh_from_db()
    assert certificate.surveillance_overdue(datetime.date(2026, 3, 2)) is False
    assert certificate.surveillance_overdue(datetime.date(2027, 2, 21)) is True
    suspended = Certificate.objects.select_related("scheme").get(pk=world.certificates["suspended"].pk)
    assert suspended.surveillance_overdue(datetime.date(2027, 1, 1)) is False  # only active ones are flagged


def test_bulk_history_is_checked_against_the_lifecycle(world):
    rows = [
        certificate_data(
            "HIST-1",
            world.organizations["maker"],
            history=[
                {"status": "WITHDRAWN", "date": "2025-05-01", "reason": "x"},
                {"status": "ACTIVE", "date": "2025-06-01", "reason": "y"},
            ],
        )
    ]
    before = snapshot_counts()
    with pytest.raises(ValidationFailed) as failure:
        actions.do_bulk_create_certificates(body=world.bodies["hunan"], rows=rows, actor=world.actor("cb_hunan"))
    assert failure.value.errors == {"rows[0].history": ["第2步：证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）"]}
    assert snapshot_counts() == before
    rows[0]["history"] = [
        {"status": "SUSPENDED", "date": "2025-05-01", "reason": "监督不合格"},
        {"status": "ACTIVE", "date": "2025-06-01", "reason": "整改完成"},
    ]
    (created,) = actions.do_bulk_create_certificates(
        body=world.bodies["hunan"], rows=rows, actor=world.actor("cb_hunan")
    )
    document = orjson.loads(CertificatePublicRecord.objects.get(pk=created.pk).document)
    assert [(h["from_status"], h["to_status"], h["date"]) for h in document["history"]] == [
        (None, "ACTIVE", "2025-03-01"),
        ("ACTIVE", "SUSPENDED", "2025-05-01"),
        ("SUSPENDED", "ACTIVE", "2025-06-01"),
    ]
    assert document["status"] == "ACTIVE"
    assert list(CertificateEvent.objects.filter(certificate=created).values_list("to_status", flat=True)) == [
        "ACTIVE",
        "SUSPENDED",
        "ACTIVE",
    ]


def test_bulk_test_reports_are_written_whole_or_not_at_all(world):
    import datetime as dt

    from certhub.core.errors import ValidationFailed
    from certhub.core.models import AuditEvent
    from certhub.registry.actions import do_bulk_create_test_reports
    from certhub.registry.models import TestReport, TestReportItem

    lab, zhou, actor = world.labs["main"], world.signatories["zhou"], world.actor("lab")
    item = {"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "符合"}

    def row(number, **changes):
        return {
            "number": number,
            "signatory": zhou,
            "issue_date": dt.date(2025, 6, 1),
            "conclusion": "PASS",
            "items": [item],
            "client": world.organizations["maker"],
            "product": "家用电器",
            **changes,
        }

    audits = AuditEvent.objects.count()
    assert do_bulk_create_test_reports(lab=lab, rows=[row("B-1"), row("B-2", conclusion="FAIL")], actor=actor) == 2
    maker = world.organizations["maker"].uscc
    assert sorted(TestReport.objects.values_list("number", "conclusion", "client__uscc")) == [
        ("B-1", "PASS", maker),
        ("B-2", "FAIL", maker),
    ]
    assert TestReportItem.objects.filter(report__number__in=["B-1", "B-2"]).count() == 2
    assert AuditEvent.objects.count() == audits + 2
    with pytest.raises(ValidationFailed) as caught:
        do_bulk_create_test_reports(
            lab=lab, rows=[row("B-3"), row("B-1"), row("B-4", conclusion="MAYBE", items=[]), row("B-3")], actor=actor
        )
    assert caught.value.errors == {
        "rows[1].number": ["该机构已有编号为B-1的报告"],
        "rows[2].conclusion": ["结论应为PASS, FAIL, INFORMATIVE之一"],
        "rows[2].items": ["至少需要一个检测项目"],
        "rows[3].number": ["该机构已有编号为B-3的报告"],
    }
    assert (TestReport.objects.count(), AuditEvent.objects.count()) == (2, audits + 2)
