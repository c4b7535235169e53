"""Registry vocabularies and the certificate lifecycle table (docs/architecture.md convention 3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    """Certificate states; the API writes them as these upper-case names (domain-facts §2.2)."""

    DRAFT = "DRAFT", _("草稿")
    ACTIVE = "ACTIVE", _("有效")
    SUSPENDED = "SUSPENDED", _("暂停")
    WITHDRAWN = "WITHDRAWN", _("撤销")
    CANCELLED = "CANCELLED", _("注销")
    EXPIRED = "EXPIRED", _("过期失效")


# The lifecycle: DRAFT → ACTIVE ⇄ SUSPENDED → WITHDRAWN | CANCELLED | EXPIRED.
# An active certificate may also be cancelled (holder's request, product discontinued) or expire;
# withdrawal (撤销) follows a suspension that was not corrected (CCC triggers, domain-facts §2.2),
# and ISO/IEC 17021-1 §9.6 allows withdrawal of an active certificate for serious cause.
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.DRAFT: frozenset({CertificateStatus.ACTIVE, CertificateStatus.CANCELLED}),
    CertificateStatus.ACTIVE: frozenset(
        {
            CertificateStatus.SUSPENDED,
            CertificateStatus.WITHDRAWN,
            CertificateStatus.CANCELLED,
            CertificateStatus.EXPIRED,
        }
    ),
    CertificateStatus.SUSPENDED: frozenset(
        {
            CertificateStatus.ACTIVE,
            CertificateStatus.WITHDRAWN,
            CertificateStatus.CANCELLED,
            CertificateStatus.EXPIRED,
        }
    ),
    CertificateStatus.WITHDRAWN: frozenset(),
    CertificateStatus.CANCELLED: frozenset(),
    CertificateStatus.EXPIRED: frozenset(),
}

# Statuses the public sees. DRAFT is never shown (IAF CertSearch practice).
PUBLIC_CERTIFICATE_STATUSES = frozenset(set(CertificateStatus.values) - {CertificateStatus.DRAFT})


class SchemeKind(models.TextChoices):
    PRODUCT = "product", _("产品认证")
    MANAGEMENT_SYSTEM = "management_system", _("管理体系认证")
    SERVICE = "service", _("服务认证")
    AGRICULTURAL = "agricultural", _("农产品认证")
    TWO_ORIENTED = "two_oriented", _("两型认证")


class CccMode(models.TextChoices):
    THIRD_PARTY = "third_party", _("第三方认证")
    SELF_DECLARATION_A = "self_declaration_a", _("自我声明（A方式）")
    SELF_DECLARATION_B = "self_declaration_b", _("自我声明（B方式）")


class BodyStatus(models.TextChoices):
    """Approval status of a certification body (CNCA's approval) or a lab's CMA qualification: suspended
    (暂停) may return to active; revoked (撤销, for misconduct) and closed (注销, the body or lab stops for its
    own reasons, or the qualification is cancelled at its request) are final (C1 stewardship)."""

    ACTIVE = "ACTIVE", _("有效")
    SUSPENDED = "SUSPENDED", _("暂停")
    REVOKED = "REVOKED", _("撤销")
    CLOSED = "CLOSED", _("注销")


# A body's approval: suspension (暂停) may be lifted (恢复); revocation (撤销) and closure (注销) end it for good
# (domain-facts §2.2, China CB decisions). registry.actions.bodies refuses every other change.
BODY_TRANSITIONS: dict[str, frozenset[str]] = {
    BodyStatus.ACTIVE: frozenset({BodyStatus.SUSPENDED, BodyStatus.REVOKED, BodyStatus.CLOSED}),
    BodyStatus.SUSPENDED: frozenset({BodyStatus.ACTIVE, BodyStatus.REVOKED, BodyStatus.CLOSED}),
    BodyStatus.REVOKED: frozenset(),
    BodyStatus.CLOSED: frozenset(),
}


class RegistrationStatus(models.TextChoices):
    """An organization's status in market registration (登记状态), as the registration authority reports it.
    A deregistered (注销) organization no longer exists and receives no new certificate (C1)."""

    IN_BUSINESS = "IN_BUSINESS", _("存续")
    LICENCE_REVOKED = "LICENCE_REVOKED", _("吊销")
    DEREGISTERED = "DEREGISTERED", _("注销")


class PersonRole(models.TextChoices):
    AUDITOR = "AUDITOR", _("审核员")
    INSPECTOR = "INSPECTOR", _("执法检查人员")
    SIGNATORY = "SIGNATORY", _("授权签字人")
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE", _("法定代表人")
    TECHNICAL_MANAGER = "TECHNICAL_MANAGER", _("技术负责人")


class ReportConclusion(models.TextChoices):
    PASS = "PASS", _("合格")
    FAIL = "FAIL", _("不合格")
    INFORMATIVE = "INFORMATIVE", _("仅提供数据")


# GB/T 4754-2017 sections (门类). Divisions (大类) are the two-digit codes 01–97.
INDUSTRY_SECTIONS = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
# Division ranges per section, GB/T 4754-2017.
INDUSTRY_DIVISIONS = {
    "A": range(1, 6), "B": range(6, 13), "C": range(13, 44), "D": range(44, 47), "E": range(47, 51),
    "F": range(51, 53), "G": range(53, 61), "H": range(61, 63), "I": range(63, 66), "J": range(66, 70),
    "K": range(70, 71), "L": range(71, 73), "M": range(73, 76), "N": range(76, 80), "O": range(80, 83),
    "P": range(83, 84), "Q": range(84, 86), "R": range(86, 91), "S": range(91, 97), "T": range(97, 98),
}  # fmt: skip


# The keys of Certificate.particulars: what a certificate states beyond its own columns
# (认证证书和认证标志管理办法 Art. 7; IAF CertSearch's accreditation body). Each is text, at most 200 characters.
PARTICULARS = {
    "applicant": _("认证委托人"),
    "address": _("获证组织地址"),
    "manufacturer": _("生产者（制造商）"),
    "factory": _("生产企业"),
    "certification_mode": _("认证模式"),
    "accreditation_body": _("认可机构"),
}


class ProductSource(models.TextChoices):
    """Where CertHub learned that an organization makes a product (the CCC coverage denominator, C6)."""

    LICENCE = "licence", _("生产许可和登记信息")
    STATISTICS = "statistics", _("工业统计")
    INSPECTION = "inspection", _("监督检查")
    DECLARED = "declared", _("企业自报")


class AuditKind(models.TextChoices):
    """The audits of a management-system certification cycle (ISO/IEC 17021-1 §9)."""

    INITIAL = "initial", _("初次认证审核")
    SURVEILLANCE = "surveillance", _("监督审核")
    RECERTIFICATION = "recertification", _("再认证审核")


# Credit-risk grades (分类监管, 国市监信发〔2022〕6号): how the registry classifies the organizations, bodies
# and labs it holds. The risk app computes them (C6); inspections draw by them; stats count them.
class RiskGrade(models.TextChoices):
    """A low, B general, C higher, D high. Internal: never on public pages or the public API (C6)."""

    A = "A", _("A 低风险")
    B = "B", _("B 一般风险")
    C = "C", _("C 较高风险")
    D = "D", _("D 高风险")


# An organization, body or lab never graded counts as general risk (B), as 国市监信发〔2022〕6号 treats
# subjects not yet classified.
UNGRADED = RiskGrade.B


class GradedSubject(models.TextChoices):
    ORGANIZATION = "organization", _("企业")
    CERTIFICATION_BODY = "certification_body", _("认证机构")
    LAB = "lab", _("检验检测机构")


class BanKind(models.TextChoices):
    """The bars the policy's accountability rule imposes (十一 谁出证谁负责、谁签字谁担责, C9), each a
    first-class record (registry.Ban) enforced wherever it matters (docs/integrity.md):

    - PERMANENT_EXIT 永久退出: an institution (a body's or lab's organization) issues no certificate or
      report, applies for no licence and sends no submission, ever;
    - LIFETIME_BAN 终身禁入: a person may not be recorded as signatory, auditor, technical manager or legal
      representative of a body or lab; reports they sign after the ban are flagged;
    - APPLICATION_BAR 申请限制: no new licence application (of the barred type, or any when none is named)
      from the organization or from its legal representative's new organization until the bar ends
      (three years after a revoked qualification: 检验检测机构资质认定管理办法, 行政许可法 第七十九条);
    - CERTIFICATION_BAR 认证限制: no certification body may certify the organization until the bar ends
      (one year after a certificate was withdrawn for misconduct);
    - SERIOUS_VIOLATION 严重违法失信名单: listed for joint punishment; reported to other departments, and
      blocks nothing in CertHub by itself."""

    PERMANENT_EXIT = "PERMANENT_EXIT", _("永久退出")
    LIFETIME_BAN = "LIFETIME_BAN", _("终身禁入")
    APPLICATION_BAR = "APPLICATION_BAR", _("限制申请资质")
    CERTIFICATION_BAR = "CERTIFICATION_BAR", _("限制认证")
    SERIOUS_VIOLATION = "SERIOUS_VIOLATION", _("列入严重违法失信名单")


# The kinds that apply to a person; every other kind applies to an organization.
PERSON_BAN_KINDS = frozenset({BanKind.LIFETIME_BAN})
