"""A world for the self-declaration tests, built through actions on top of registry.testing's world: a second
signatory of the province's lab authorized for the general and the compressor part of GB 4706, and type-test
reports of the maker's compressor — one that backs a declaration, and one for each way a report cannot.

The maker (长沙星城电器, 430104) declares 0704 电动机－压缩机, a `**` product of the 2023 catalogue."""

from __future__ import annotations

import datetime
from typing import Any

from certhub.core.actors import SYSTEM
from certhub.market.actions import do_register_declaration
from certhub.market.models import SelfDeclaration
from certhub.registry import actions
from certhub.registry.models import TestReport
from certhub.registry.testing import World

DECISION = "湘市监认证〔2024〕3号"
GENERAL = "GB 4706.1-2005"
COMPRESSOR = "GB 4706.17-2004"
DAY = datetime.date(2025, 6, 1)


def add_compressor_lab(world: World) -> None:
    """The lab's scope gains 温升 to GB 4706.17-2004, and 李华 signs for that and for 绝缘电阻 (GB 4706.1)."""
    lab = world.labs["main"]
    world.scope["compressor"] = actions.do_add_lab_scope(
        decision=DECISION,
        lab=lab,
        field="电器",
        object="电动机－压缩机",
        parameter="温升",
        standard=COMPRESSOR,
        valid_from=datetime.date(2023, 5, 1),
        actor=SYSTEM,
    )
    person = actions.do_create_person(name="李华", roles=["SIGNATORY"], actor=SYSTEM)
    actions.do_add_affiliation(
        person=person, organization=world.organizations["lab"], role="SIGNATORY", start=datetime.date(2022, 1, 1),
        actor=SYSTEM,
    )  # fmt: skip
    world.signatories["li"] = actions.do_authorize_signatory(
        decision=DECISION,
        lab=lab,
        person=person,
        scope=[world.scope["insulation"], world.scope["compressor"]],
        valid_from=datetime.date(2023, 5, 1),
        actor=SYSTEM,
    )


def report(
    world: World,
    number: str,
    *,
    signatory: str = "li",
    standards: tuple[str, ...] = (GENERAL, COMPRESSOR),
    issue_date: datetime.date = DAY,
    conclusion: str = "PASS",
    client: str | None = "maker",
) -> TestReport:
    """A type-test report of the maker's compressor with one item per standard."""
    parameters = {GENERAL: "绝缘电阻", COMPRESSOR: "温升"}
    return actions.do_create_test_report(
        lab=world.labs["main"],
        number=number,
        signatory=world.signatories[signatory],
        issue_date=issue_date,
        conclusion=conclusion,
        items=[{"parameter": parameters.get(s, "安全"), "standard": s, "result": "符合"} for s in standards],
        client=world.organizations[client] if client else None,
        product="电动机－压缩机",
        actor=world.actor("lab"),
    )


def declaration_data(world: World, **overrides: Any) -> dict[str, Any]:
    """What the maker declares for its compressors when nothing is wrong (report XZ-2025-001 must exist)."""
    data: dict[str, Any] = {
        "organization": world.organizations["maker"],
        "ccc_product_code": "0704",
        "product_name": "全封闭制冷压缩机",
        "product_models": ["QD-65H", "QD-91H"],
        "trademark": "星城",
        "gtins": ["6923456789012"],
        "standards": [GENERAL, COMPRESSOR],
        "test_report_number": "XZ-2025-001",
        "lab_cma_number": world.labs["main"].cma_number,
        "report_note": "",
        "declared_on": datetime.date(2025, 6, 10),
    }
    data.update(overrides)
    return data


def declare(world: World, **overrides: Any) -> SelfDeclaration:
    return do_register_declaration(**declaration_data(world, **overrides), actor=world.actor("maker"))


LAB_NAME = "湖南省产品质量检验检测研究院"

# Every refusal of a declaration, as each entry point must give it: (name, the report to register first as
# report() arguments or None, the declaration's changes, the action's errors). The API answers these errors;
# the form shows each under its field (an item of a list with its line: 第2行：…).
REFUSALS = [
    ("third_party_product", None, {"ccc_product_code": "0701"},
     {"ccc_product_code": [
         "0701（家用电冰箱和食品冷冻箱）在2025-06-10须经指定认证机构认证（第三方认证），不适用自我声明"]}),
    ("unknown_code", None, {"ccc_product_code": "9999"}, {"ccc_product_code": ["CCC目录中没有代码“9999”"]}),
    ("lab_out_of_scope", None, {"standards": [GENERAL, "GB/T 3883.1-2014"]},
     {"standards[1]": [f"检验检测机构{LAB_NAME}在报告签发日期（2025-06-01）的资质认定范围不含GB/T 3883.1-2014"]}),
    ("signatory_out_of_scope", {"number": "XZ-2025-002", "signatory": "zhou"}, {"test_report_number": "XZ-2025-002"},
     {"standards[1]": ["授权签字人周敏在报告签发日期（2025-06-01）的授权签字范围不含GB 4706.17-2004"]}),
    ("standard_not_tested", {"number": "XZ-2025-003", "standards": (GENERAL,)}, {"test_report_number": "XZ-2025-003"},
     {"standards[1]": ["报告XZ-2025-003中没有依据GB 4706.17-2004的检测项目"]}),
    ("report_after_declaration", None, {"declared_on": "2025-05-20"},
     {"test_report_number": ["报告XZ-2025-001的签发日期（2025-06-01）晚于声明日期（2025-05-20）"]}),
    ("failed_report", {"number": "XZ-2025-004", "conclusion": "FAIL"}, {"test_report_number": "XZ-2025-004"},
     {"test_report_number": ["报告XZ-2025-004的结论为“不合格”，不能作为自我声明的依据"]}),
    ("unknown_report", None, {"test_report_number": "XZ-0000"},
     {"test_report_number": ["资质认定证书编号为231812050341的检验检测机构没有编号为XZ-0000的报告"]}),
    ("no_report_no_note", None, {"test_report_number": "", "lab_cma_number": ""},
     {"test_report_number": ["请填写CertHub中的型式试验报告编号，或在“报告无法核验的原因”中说明"]}),
    ("bad_gtin", None, {"gtins": ["6923456789013"]}, {"gtins[0]": ["GTIN校验位错误"]}),
    ("unparsable_standard", None, {"standards": ["GB 4706"]},
     {"standards[0]": ["“GB 4706”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"]}),
    ("model_twice", None, {"product_models": ["QD-65H", "qd 65h"]}, {"product_models[1]": ["与第1个型号重复"]}),
]  # fmt: skip
