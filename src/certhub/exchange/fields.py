"""The field sets a submission may carry, one per kind, with their Chinese and English headers (C2).

Certificates follow the IAF CertSearch upload fields (number, status, type, scope, original issue, issue
and expiry dates, entity name, id and address, accreditation body, scheme and standards, sites) and the
contents a Chinese certificate states (认证证书和认证标志管理办法 Art. 7: applicant, product name and model,
trademark, manufacturer, factory, standards, certification mode). docs/data-formats.md is written from
these tables, and the downloadable templates are generated from them, so the three never disagree."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.exchange.choices import SubmissionKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    key: str  # the English header and the JSON key
    zh: str  # the Chinese header
    aliases: tuple[str, ...]  # other headers accepted: IAF CertSearch names and common variants
    required: bool
    kind: str  # "text", "date" or "list" (several values separated by ；or ; in a cell)
    max_length: int
    help: StrOrPromise  # translated when shown
    example: str


def _c(key, zh, aliases, required, kind, max_length, help, example) -> Column:
    return Column(key, zh, tuple(aliases), required, kind, max_length, help, example)


CERTIFICATE_COLUMNS = [
    _c(
        "number",
        "证书编号",
        ["certificate_number", "certificate number", "证书号"],
        True,
        "text",
        60,
        gettext_lazy("本机构内唯一；与机构一起构成证书的自然键"),
        "CQC2026010101000001",
    ),
    _c(
        "status",
        "证书状态",
        ["certification_status", "certification status", "状态"],
        False,
        "text",
        45,
        gettext_lazy(
            "ACTIVE/SUSPENDED/WITHDRAWN/CANCELLED/EXPIRED/DRAFT，或有效/暂停/撤销/注销/过期，或IAF的Active等；"
            "新证书缺省为ACTIVE，已有证书缺省为不变"
        ),
        "ACTIVE",
    ),
    _c(
        "status_date",
        "状态日期",
        ["status_effective_date", "状态变更日期"],
        False,
        "date",
        10,
        gettext_lazy("状态变更的生效日期；缺省为今天"),
        "",
    ),
    _c(
        "status_reason",
        "状态原因",
        ["reason", "变更原因"],
        False,
        "text",
        2000,
        gettext_lazy("暂停、撤销、注销的原因，公开显示"),
        "",
    ),
    _c(
        "certificate_type",
        "证书类型",
        ["certification_type", "certification type", "认证类型"],
        False,
        "text",
        45,
        gettext_lazy(
            "产品认证/管理体系认证/服务认证/农产品认证/两型认证（或product、management_system等）；须与认证制度一致"
        ),
        "产品认证",
    ),
    _c(
        "scheme",
        "认证制度",
        ["scheme_code", "scheme_name", "认证项目", "认证制度代码"],
        True,
        "text",
        32,
        gettext_lazy("认证制度代码（如CCC、QMS）或名称，见认证制度列表"),
        "CCC",
    ),
    _c(
        "scope",
        "认证范围",
        ["certification_scope", "certification scope", "范围"],
        False,
        "text",
        4000,
        gettext_lazy("证书所载认证范围"),
        "电饭锅",
    ),
    _c(
        "standards",
        "依据标准",
        ["standard_list", "standards_list", "认证依据", "标准"],
        False,
        "text",
        300,
        gettext_lazy("认证依据的标准或技术要求"),
        "GB 4706.1-2005; GB 4706.19-2008",
    ),
    _c(
        "original_issue_date",
        "初次发证日期",
        ["certification_original_issue_date", "首次发证日期"],
        False,
        "date",
        10,
        gettext_lazy("缺省为发证日期"),
        "2026-01-05",
    ),
    _c(
        "issue_date",
        "发证日期",
        ["certification_issue_date", "颁证日期"],
        True,
        "date",
        10,
        gettext_lazy("YYYY-MM-DD、YYYYMMDD、YYYY/MM/DD、YYYY年M月D日或Excel日期"),
        "2026-01-05",
    ),
    _c(
        "expiry_date",
        "有效期至",
        ["certification_expiry_date", "证书到期日期", "到期日期"],
        True,
        "date",
        10,
        gettext_lazy("须晚于发证日期"),
        "2031-01-04",
    ),
    _c(
        "last_surveillance_date",
        "最近监督审核日期",
        ["last_surveillance", "监督审核日期"],
        False,
        "date",
        10,
        gettext_lazy("最近一次完成的监督审核（工厂检查）日期"),
        "",
    ),
    _c(
        "entity_name",
        "获证组织名称",
        ["certified_entity_name", "certified entity name", "持证人名称", "组织名称"],
        True,
        "text",
        200,
        gettext_lazy("与登记库名称不一致时照常受理并提示"),
        "湖南示例电器有限公司",
    ),
    _c(
        "entity_id",
        "统一社会信用代码",
        ["certified_entity_unique_id", "holder_uscc", "信用代码"],
        True,
        "text",
        18,
        gettext_lazy("获证组织的统一社会信用代码（GB 32100-2015），须已在登记库中"),
        "91430100MA4L0K3T41",
    ),
    _c(
        "address",
        "获证组织地址",
        ["street", "entity_address", "地址"],
        False,
        "text",
        200,
        gettext_lazy("证书所载地址"),
        "长沙市岳麓区示例路1号",
    ),
    _c(
        "accreditation_body",
        "认可机构",
        ["accreditation_body_name", "accreditation body"],
        False,
        "text",
        200,
        gettext_lazy("如CNAS"),
        "CNAS",
    ),
    _c(
        "certification_body",
        "认证机构",
        ["certification_body_approval_number", "认证机构批准号"],
        False,
        "text",
        200,
        gettext_lazy("可选；填写时须为报送机构本身（名称或批准号）"),
        "",
    ),
    _c(
        "sites",
        "认证场所",
        ["site_addresses", "场所"],
        False,
        "list",
        2000,
        gettext_lazy("多个场所以分号（；或;）分隔"),
        "长沙市岳麓区示例路1号",
    ),
    _c(
        "applicant",
        "认证委托人",
        ["applicant_name", "委托人"],
        False,
        "text",
        200,
        gettext_lazy("认证委托人名称"),
        "湖南示例电器有限公司",
    ),
    _c("product_name", "产品名称", ["product"], False, "text", 200, gettext_lazy("产品认证必填"), "电饭锅"),
    _c(
        "product_model",
        "型号规格",
        ["model", "产品型号", "规格型号"],
        False,
        "text",
        200,
        gettext_lazy("多个型号写在同一格"),
        "CFXB40-A, CFXB50-A",
    ),
    _c("trademark", "商标", ["brand"], False, "text", 200, "", "示例"),
    _c("gtin", "商品条码", ["barcode", "条码"], False, "text", 14, gettext_lazy("GTIN-8/12/13/14，校验位须正确"), ""),
    _c("manufacturer", "生产者（制造商）", ["生产者", "制造商"], False, "text", 200, "", "湖南示例电器有限公司"),
    _c("factory", "生产企业", ["生产厂", "production_site"], False, "text", 200, "", "湖南示例电器有限公司长沙工厂"),
    _c(
        "certification_mode",
        "认证模式",
        ["mode"],
        False,
        "text",
        200,
        gettext_lazy("如：型式试验+初始工厂检查+获证后监督"),
        "型式试验+初始工厂检查+获证后监督",
    ),
    _c(
        "ccc_product",
        "CCC产品代码",
        ["ccc_code", "CCC目录代码"],
        False,
        "text",
        8,
        gettext_lazy("CCC证书填写目录产品代码，如0707"),
        "0707",
    ),
]

# A status change names a registered certificate: the same columns as above, their own requirements.
_CERTIFICATE = {c.key: c for c in CERTIFICATE_COLUMNS}
STATUS_COLUMNS = [
    replace(_CERTIFICATE["number"], help=gettext_lazy("本机构已登记的证书")),
    replace(_CERTIFICATE["status"], required=True, help=gettext_lazy("新状态，取值同证书报送"), example="SUSPENDED"),
    replace(_CERTIFICATE["status_date"], required=True, help=gettext_lazy("生效日期，不得早于上一次状态变更"),
            example="2026-11-20"),
    replace(_CERTIFICATE["status_reason"], required=True, example="监督抽查不合格，责令整改"),
    replace(_CERTIFICATE["certification_body"], help=gettext_lazy("可选；填写时须为报送机构本身")),
]  # fmt: skip

REPORT_COLUMNS = [
    _c(
        "report_number",
        "报告编号",
        ["number", "report number"],
        True,
        "text",
        64,
        gettext_lazy("一份报告的多个检测项目各占一行，编号相同且相邻"),
        "HNJC2026-000123",
    ),
    _c("issue_date", "签发日期", ["report_date", "报告日期"], True, "date", 10, "", "2026-11-02"),
    _c(
        "signatory",
        "授权签字人",
        ["signatory_name", "签字人"],
        True,
        "text",
        100,
        gettext_lazy("本机构授权签字人姓名"),
        "张三",
    ),
    _c(
        "conclusion",
        "检验结论",
        ["result_conclusion", "结论"],
        True,
        "text",
        20,
        gettext_lazy("PASS/FAIL/INFORMATIVE，或合格/不合格/仅提供数据"),
        "合格",
    ),
    _c("client_uscc", "委托单位统一社会信用代码", ["client", "委托单位信用代码"], False, "text", 18, "", ""),
    _c("product", "样品名称", ["sample", "sample_name"], False, "text", 200, "", "电饭锅"),
    _c("parameter", "检测项目", ["item", "检测参数", "项目/参数"], True, "text", 200, "", "泄漏电流"),
    _c("standard", "检测依据", ["method", "标准方法", "依据标准/方法"], True, "text", 200, "", "GB 4706.1-2005"),
    _c("result", "检测结果", ["value", "结果"], False, "text", 200, "", "符合"),
]

# Market registration's organization records (C1): the fields of the national enterprise credit information
# publicity system's extract (统一社会信用代码, 名称, 住所, 登记状态) with the region (GB/T 2260), the industry
# (GB/T 4754) and the above-designated-size flag (规模以上工业企业) of industrial statistics.
ORGANIZATION_COLUMNS = [
    _c(
        "uscc",
        "统一社会信用代码",
        ["credit_code", "credit code", "信用代码", "entity_id"],
        True,
        "text",
        18,
        gettext_lazy("GB 32100-2015，校验位须正确；同一文件中不得重复；已登记的代码更新该机构"),
        "91430100MA4L0K3T41",
    ),
    _c(
        "name",
        "名称",
        ["organization_name", "企业名称", "机构名称", "entity_name"],
        True,
        "text",
        200,
        gettext_lazy("名称变更时原名称作为曾用名保留"),
        "湖南示例电器有限公司",
    ),
    _c(
        "region_code",
        "行政区划代码",
        ["region", "所在地区", "区划代码"],
        True,
        "text",
        6,
        gettext_lazy("GB/T 2260六位代码，须在报送人辖区内"),
        "430104",
    ),
    _c("address", "住所", ["地址", "registered_address"], False, "text", 300, "", "长沙市岳麓区示例路1号"),
    _c(
        "industry_section",
        "行业门类",
        ["section", "国民经济行业门类"],
        False,
        "text",
        1,
        gettext_lazy("GB/T 4754 门类字母A–T"),
        "C",
    ),
    _c(
        "industry_division",
        "行业大类",
        ["division", "国民经济行业大类"],
        False,
        "text",
        2,
        gettext_lazy("GB/T 4754 大类两位数字，须属于所填门类"),
        "38",
    ),
    _c(
        "above_designated_size",
        "规模以上工业企业",
        ["above_size", "规上企业", "规模以上"],
        False,
        "text",
        5,
        gettext_lazy("是/否（1/0、true/false、Y/N）；缺省为否"),
        "是",
    ),
    _c(
        "registration_status",
        "登记状态",
        ["status", "经营状态", "企业状态"],
        True,
        "text",
        20,
        gettext_lazy("存续/吊销/注销，或IN_BUSINESS/LICENCE_REVOKED/DEREGISTERED"),
        "存续",
    ),
]

COLUMNS: dict[str, list[Column]] = {
    SubmissionKind.CERTIFICATES: CERTIFICATE_COLUMNS,
    SubmissionKind.STATUS: STATUS_COLUMNS,
    SubmissionKind.REPORTS: REPORT_COLUMNS,
    SubmissionKind.ORGANIZATIONS: ORGANIZATION_COLUMNS,
}

# issue 17: engine — listings for market checks (C7): what an e-commerce platform's export or a campaign's
# spreadsheet holds for each listing (platform, shop, product, model, claimed number, GTIN, link), read by
# market.files through these readers; the rules are market.listings' (not a submission kind: nothing in the
# registry changes).
LISTINGS = "listings"
LISTING_COLUMNS = [
    _c("platform", "平台", ["电商平台", "市场"], False, "text", 64, "", "示例商城"),
    _c("shop", "店铺", ["shop_name", "店铺名称", "经营者"], False, "text", 200, "", "示例电器旗舰店"),
    _c(
        "shop_uscc",
        "经营者统一社会信用代码",
        ["shop_credit_code", "店铺信用代码"],
        False,
        "text",
        18,
        gettext_lazy("GB 32100-2015，校验位须正确"),
        "91430100MA4L0K3T41",
    ),
    _c(
        "product_name",
        "产品名称",
        ["product", "title", "商品名称", "商品标题"],
        False,
        "text",
        200,
        gettext_lazy("未填商品条码和证书编号时必填"),
        "家用电冰箱 双门 218升",
    ),
    _c("model", "型号", ["product_model", "规格型号"], False, "text", 100, "", "BCD-218"),
    _c("trademark", "商标", ["brand", "品牌"], False, "text", 100, "", "示例"),
    _c(
        "catalogue_code",
        "目录代码",
        ["ccc_code", "CCC目录代码", "产品代码"],
        False,
        "text",
        4,
        gettext_lazy("须为检查日施行的CCC目录中的代码"),
        "0701",
    ),
    _c(
        "claimed_number",
        "证书或声明编号",
        ["certificate_number", "证书编号", "自我声明编号", "number"],
        False,
        "text",
        64,
        gettext_lazy("商品所称的CCC证书编号或自我声明编号（ZS…）"),
        "2021010701234567",
    ),
    _c(
        "gtin",
        "商品条码",
        ["barcode", "ean", "条码"],
        False,
        "text",
        14,
        gettext_lazy("8、12、13或14位，校验位须正确"),
        "",
    ),
    _c("url", "链接", ["link", "商品链接"], False, "text", 500, "", "https://shop.example/item/1"),
    _c(
        "checked_on",
        "检查日期",
        ["date", "check_date", "检查时间"],
        False,
        "date",
        10,
        gettext_lazy("YYYY-MM-DD；缺省为今天，不得晚于今天"),
        "2026-03-01",
    ),
    _c("sample_number", "抽样单编号", ["sample", "抽样编号"], False, "text", 64, "", ""),
]
COLUMNS[LISTINGS] = LISTING_COLUMNS


def header_key(text: object) -> str:
    """Headers match whatever their width, case, spacing or underscores: "Certificate Number" = "certificate_number"."""
    folded = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return "".join(ch for ch in folded if ch not in " _-\t*")


def _lookup(kind: str) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in (column.key, column.zh, *column.aliases):
            table[header_key(name)] = column
    return table


LOOKUP = {kind: _lookup(kind) for kind in COLUMNS}


class HeaderError(Exception):
    """The header row cannot be read as this kind's field set; `problems` are (column, value, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(problems[0][2])
        self.problems = problems


def resolve_header(kind: str, headers: list[object]) -> list[Column | None]:
    """Map a header row to columns (None for a blank trailing column); raise HeaderError naming every
    unknown, repeated or missing column."""
    lookup = LOOKUP[kind]
    problems: list[tuple[str, str, str]] = []
    resolved: list[Column | None] = []
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        text = str(header if header is not None else "").strip()
        if not text:
            resolved.append(None)
            continue
        column = lookup.get(header_key(text))
        position = _("第%(column)d列") % {"column": index + 1}
        if column is None:
            problems.append(
                (
                    position,
                    text[:200],
                    _("未知的列“%(header)s”：请使用模板中的列名（中文或英文）") % {"header": text[:60]},
                )
            )
        elif column.key in seen:
            problems.append(
                (
                    position,
                    text[:200],
                    _("列“%(header)s”与第%(column)d列重复") % {"header": text[:60], "column": seen[column.key]},
                )
            )
        else:
            seen[column.key] = index + 1
        resolved.append(column)
    for column in COLUMNS[kind]:
        if column.required and column.key not in seen:
            problems.append((column.key, "", _("缺少必填列“%(zh)s”（%(en)s）") % {"zh": column.zh, "en": column.key}))
    if problems:
        raise HeaderError(problems)
    return resolved
