"""The self-declaration register (C7): registering a declaration through the action — its number, what is
kept, the audit row and the ledger entry — every refusal with its exact message and nothing written, and
withdrawal by the producer or an officer of its region."""

import datetime
import json

import pytest
from django.utils import timezone

from certhub.core.actors import ANONYMOUS, SYSTEM
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.market.actions import do_register_declaration, do_withdraw_declaration
from certhub.market.models import SelfDeclaration
from certhub.market.queries import declaration_covers, search_declarations
from certhub.market.tests.declaring import (
    COMPRESSOR,
    GENERAL,
    add_compressor_lab,
    declaration_data,
    declare,
    report,
)
from certhub.registry.actions import do_update_organization
from certhub.registry.models import CccProduct

LAB = "湖南省产品质量检验检测研究院"


@pytest.fixture
def decl_world(world):
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    return world


def counts():
    return SelfDeclaration.objects.count(), AuditEvent.objects.count(), Entry.objects.count()


def refused(world, **overrides):
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        declare(world, **overrides)
    assert counts() == before
    return error.value.errors


def test_a_declaration_is_published_under_its_number_with_what_it_declares(decl_world):
    before = counts()
    declaration = declare(decl_world, product_models=["QD-65H", " qd 91h "], standards=["gb 4706.1-2005", COMPRESSOR])
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert declaration.number == "ZS4301042025000001"
    assert declaration.region_code == "430104"
    assert declaration.ccc_product.code == "0704"
    assert declaration.product_models == ["QD-65H", "qd 91h"]
    assert declaration.model_keys == "|QD65H|QD91H|"
    assert declaration.standards == [GENERAL, COMPRESSOR]
    assert declaration.gtins == ["6923456789012"]
    assert declaration.test_report.number == "XZ-2025-001"
    assert declaration.status == "published"
    audit = AuditEvent.objects.latest("id")
    assert audit.event_type == "DECLARATION_REGISTERED"
    assert audit.actor_label == "maker"
    assert audit.after["number"] == "ZS4301042025000001"
    assert audit.after["standards"] == [GENERAL, COMPRESSOR]
    published = json.loads(Entry.objects.latest("index").entry)
    assert (published["subject_type"], published["subject_id"]) == ("market.selfdeclaration", "ZS4301042025000001")
    second = declare(decl_world, product_models=["QD-120H"])
    assert second.number == "ZS4301042025000002"
    # A new year starts its own sequence.
    third = declare(decl_world, product_models=["QD-150H"], declared_on=datetime.date(2026, 1, 5))
    assert third.number == "ZS4301042026000001"


def test_a_declaration_without_a_report_in_certhub_states_why(decl_world):
    note = "型式试验由省外实验室完成，报告编号WT-88，该实验室未在CertHub登记"
    declaration = declare(decl_world, test_report_number="", lab_cma_number="", report_note=note)
    assert declaration.test_report is None
    # Text is kept in NFKC, as every text CertHub stores (core.validation): full-width commas become ASCII.
    assert declaration.report_note == "型式试验由省外实验室完成,报告编号WT-88,该实验室未在CertHub登记"


def test_a_code_unknown_in_the_catalogue_in_force_on_the_day_is_refused(decl_world):
    name = CccProduct.objects.get(code="1121").name
    assert refused(decl_world, ccc_product_code="1121") == {
        "ccc_product_code": [f"目录代码1121（{name}）自2025-11-01起施行，2025-06-10施行的目录中没有该产品"]
    }
    assert refused(decl_world, ccc_product_code="9999") == {"ccc_product_code": ["CCC目录中没有代码“9999”"]}
    assert refused(decl_world, ccc_product_code="07-04") == {"ccc_product_code": ["CCC目录代码为4位数字，收到“07-04”"]}


def test_a_product_listed_under_several_codes_is_found_by_any(decl_world):
    declaration = declare(
        decl_world, ccc_product_code="0207", product_name="熔断器", product_models=["RT18-32"],
        test_report_number="", lab_cma_number="", report_note="报告在省外实验室",
    )  # fmt: skip
    assert declaration.ccc_product.code == "0205"


def test_a_failed_report_or_another_clients_report_is_refused(decl_world):
    report(decl_world, "XZ-2025-004", conclusion="FAIL")
    assert refused(decl_world, test_report_number="XZ-2025-004") == {
        "test_report_number": ["报告XZ-2025-004的结论为“不合格”，不能作为自我声明的依据"]
    }
    report(decl_world, "XZ-2025-005", client="hengyang")
    assert refused(decl_world, test_report_number="XZ-2025-005") == {
        "test_report_number": ["报告XZ-2025-005的委托单位不是声明的生产者"]
    }


def test_a_report_outside_the_lab_qualification_dates_is_refused(decl_world):
    report(decl_world, "XZ-2023-001", issue_date=datetime.date(2023, 4, 1))
    errors = refused(decl_world, test_report_number="XZ-2023-001")
    assert errors == {
        "test_report_number": [
            f"检验检测机构{LAB}的资质认定在报告签发日期（2023-04-01）不在有效期内（2023-05-01至2029-04-30）",
            "授权签字人李华在报告签发日期（2023-04-01）不在授权期内",
        ],
        "standards[0]": [f"检验检测机构{LAB}在报告签发日期（2023-04-01）的资质认定范围不含GB 4706.1-2005"],
        "standards[1]": [f"检验检测机构{LAB}在报告签发日期（2023-04-01）的资质认定范围不含GB 4706.17-2004"],
    }


def test_an_unknown_report_is_refused(decl_world):
    assert refused(decl_world, test_report_number="XZ-0000") == {
        "test_report_number": ["资质认定证书编号为231812050341的检验检测机构没有编号为XZ-0000的报告"]
    }
    assert refused(decl_world, lab_cma_number="") == {
        "lab_cma_number": ["填写报告编号时须填写出具报告的检验检测机构的资质认定证书编号"]
    }


def test_bad_gtins_models_and_standards_are_each_named(decl_world):
    errors = refused(
        decl_world,
        product_name="",
        product_models=["QD-65H", "qd 65 h", ""],
        gtins=["6901234567893", "12345"],
        standards=["GB4706.1", GENERAL, "gb 4706.1-2005"],
        declared_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    future = timezone.localdate() + datetime.timedelta(days=2)
    assert errors["declared_on"] == [
        f"声明日期（{future.isoformat()}）不得晚于今天（{timezone.localdate().isoformat()}）"
    ]
    assert errors["product_name"] == ["必填"]
    assert errors["product_models[1]"] == ["与第1个型号重复"]
    assert errors["product_models[2]"] == ["必填"]
    assert errors["gtins[0]"] == ["GTIN校验位错误"]
    assert errors["gtins[1]"] == ["GTIN须为8、12、13或14位数字"]
    assert errors["standards[0]"] == ["“GB4706.1”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"]
    assert errors["standards[2]"] == ["与第2项重复"]
    assert set(errors) == {
        "declared_on", "product_name", "product_models[1]", "product_models[2]", "gtins[0]", "gtins[1]",
        "standards[0]", "standards[2]",
    }  # fmt: skip


def test_no_models_and_no_standards_are_refused(decl_world):
    assert refused(decl_world, product_models=[], standards=[]) == {"product_models": ["必填"], "standards": ["必填"]}
    assert refused(decl_world, product_models="QD-65H") == {"product_models": ["须为列表"]}
    assert refused(decl_world, product_models=[f"M{i}" for i in range(201)]) == {
        "product_models": ["至多200项，收到201项"]
    }


def test_a_model_declared_already_is_refused_until_withdrawn(decl_world):
    first = declare(decl_world)
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        declare(decl_world, product_models=["QD 91H"])
    assert error.value.errors == {
        "product_models[0]": [f"型号QD 91H已在本企业有效的自我声明{first.number}中，请先撤回该声明"]
    }
    assert counts() == before
    do_withdraw_declaration(
        declaration=first, reason="型号停产", withdrawn_on=datetime.date(2025, 7, 1), actor=decl_world.actor("maker")
    )
    assert declare(decl_world, product_models=["QD 91H"]).number == "ZS4301042025000002"


@pytest.mark.parametrize("username", ["cb_hunan", "lab", "officer_changsha", "officer_province"])
def test_only_the_producer_declares(decl_world, username):
    before = counts()
    with pytest.raises(NotPermitted) as error:
        do_register_declaration(**declaration_data(decl_world), actor=decl_world.actor(username))
    assert error.value.message == f"{username} 无权执行“登记和撤回本企业的自我声明”"
    assert counts() == before


def test_withdrawal_by_the_producer_is_published_with_its_reason(decl_world):
    declaration = declare(decl_world)
    before = counts()
    withdrawn = do_withdraw_declaration(
        declaration=declaration,
        reason="产品停产",
        withdrawn_on=datetime.date(2025, 9, 1),
        actor=decl_world.actor("maker"),
    )
    assert counts() == (before[0], before[1] + 1, before[2] + 1)
    assert (withdrawn.status, withdrawn.withdrawn_on, withdrawn.withdrawal_reason) == (
        "withdrawn", datetime.date(2025, 9, 1), "产品停产",
    )  # fmt: skip
    audit = AuditEvent.objects.latest("id")
    assert (audit.event_type, audit.reason, audit.before["status"], audit.after["status"]) == (
        "DECLARATION_WITHDRAWN", "产品停产", "published", "withdrawn",
    )  # fmt: skip
    with pytest.raises(Conflict) as again:
        do_withdraw_declaration(
            declaration=withdrawn,
            reason="再次",
            withdrawn_on=datetime.date(2025, 9, 2),
            actor=decl_world.actor("maker"),
        )
    assert again.value.message == f"自我声明{declaration.number}已于2025-09-01撤回"


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("maker", True), ("officer_changsha", True), ("officer_province", True), ("admin", True),
     ("officer_hengyang", False), ("cb_hunan", False), ("lab", False), ("anonymous", False)],
)  # fmt: skip
def test_who_may_withdraw(decl_world, username, allowed):
    declaration = declare(decl_world)
    actor = ANONYMOUS if username == "anonymous" else decl_world.actor(username)
    before = counts()
    call = {"declaration": declaration, "reason": "抽查发现不符合", "withdrawn_on": datetime.date(2025, 9, 1)}
    if allowed:
        do_withdraw_declaration(**call, actor=actor)
        assert counts() == (before[0], before[1] + 1, before[2] + 1)
    else:
        with pytest.raises(NotPermitted) as error:
            do_withdraw_declaration(**call, actor=actor)
        assert error.value.message == f"{actor.label} 无权执行“撤回自我声明”"
        assert counts() == before
        declaration.refresh_from_db()
        assert declaration.status == "published"


def test_withdrawal_needs_a_reason_and_a_day_within_bounds(decl_world):
    declaration = declare(decl_world)
    before = counts()
    maker = decl_world.actor("maker")
    for reason, day, expected in (
        ("", datetime.date(2025, 9, 1), {"reason": ["必填"]}),
        ("停产", datetime.date(2025, 6, 9), {"withdrawn_on": ["撤回日期（2025-06-09）不得早于声明日期（2025-06-10）"]}),
    ):
        with pytest.raises(ValidationFailed) as error:
            do_withdraw_declaration(declaration=declaration, reason=reason, withdrawn_on=day, actor=maker)
        assert error.value.errors == expected
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        do_withdraw_declaration(declaration=declaration, reason="停产", withdrawn_on=tomorrow, actor=maker)
    assert error.value.errors == {
        "withdrawn_on": [f"撤回日期（{tomorrow.isoformat()}）不得晚于今天（{timezone.localdate().isoformat()}）"]
    }
    assert counts() == before


def test_coverage_on_a_day_and_the_search(decl_world):
    declaration = declare(decl_world)
    maker, product = decl_world.organizations["maker"], declaration.ccc_product

    def covers(day, models=()):
        found = declaration_covers(organization=maker, ccc_product=product, day=day, models=models)
        return found.number if found else None

    assert covers(datetime.date(2025, 6, 9)) is None
    assert covers(datetime.date(2025, 6, 10)) == declaration.number
    assert covers(datetime.date(2025, 6, 10), ["qd65h", "QD 91-H"]) == declaration.number
    assert covers(datetime.date(2025, 6, 10), ["QD-120H"]) is None
    do_withdraw_declaration(
        declaration=declaration, reason="停产", withdrawn_on=datetime.date(2025, 9, 1), actor=decl_world.actor("maker")
    )
    assert covers(datetime.date(2025, 8, 31)) == declaration.number
    assert covers(datetime.date(2025, 9, 1)) is None

    def numbers(**criteria):
        return [d.number for d in search_declarations(ANONYMOUS, **criteria)]

    other = declare(decl_world, product_models=["QD-150H"], product_name="变频压缩机")
    assert numbers() == [other.number, declaration.number]
    assert numbers(model="qd 65h") == [declaration.number]
    assert numbers(model="150") == [other.number]
    assert numbers(number="zs4301042025000002") == [other.number]
    assert numbers(producer="星城电器") == [other.number, declaration.number]
    assert numbers(producer=decl_world.organizations["maker"].uscc) == [other.number, declaration.number]
    assert numbers(producer="衡阳") == []
    assert numbers(product="变频") == [other.number]
    assert numbers(product="0704") == [other.number, declaration.number]
    assert numbers(q="QD-91H") == [declaration.number]
    assert numbers(q="星城") == [other.number, declaration.number]


def test_a_producer_no_longer_in_business_cannot_declare(decl_world):
    maker = decl_world.organizations["maker"]
    data = {
        "name": maker.name, "region_code": maker.region_id, "industry_section": maker.industry_section,
        "industry_division": maker.industry_division, "above_designated_size": True,
        "registration_status": "DEREGISTERED",
    }  # fmt: skip
    do_update_organization(organization=maker, data=data, actor=SYSTEM)
    assert refused(decl_world, organization=maker) == {
        "organization": ["长沙星城电器有限公司的登记状态为“注销”，不能登记自我声明"]
    }
