"""The synthetic province: organizations with valid credit codes, certification bodies, labs with CMA
scope and signatories, and certificates across every scheme with a realistic mix of statuses and dates.

Everything is written through the registry actions (bulk ones for organizations and certificates), so
the demo data has the same audit trail and public records as real data.

Risk signals (C6) are clean except for a known number of planted anomalies of each kind
(PLANTED): every risk detector must find exactly those, and nothing on the clean records
(demo/tests/test_anomalies.py). The generator records what it planted in `self.planted`. Memory stays bounded: rows are
generated and written in chunks; only the holders' credit codes are kept for the whole run."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from faker import Faker
from stdnum import ean

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role
from certhub.core.models import Region, User
from certhub.registry import actions
from certhub.registry.models import CccProduct, CertificationBody, Lab, Scheme
from certhub.registry.queries import add_months
from certhub.registry.testing import ensure_reference_data, make_uscc

DEMO_ACTOR = Actor(role=Role.ADMINISTRATOR, label="demo-generator", region_level=RegionLevel.PROVINCE)
DEMO_PASSWORD = "certhub-demo-2026"  # noqa: S105 - printed for the demo logins, never used in production


@dataclass(frozen=True)
class Size:
    organizations: int
    certificates: int
    bodies: int = 40
    labs: int = 300
    reports_per_lab: int = 3


SIZES = {
    "small": Size(organizations=2_000, certificates=6_000),
    "medium": Size(organizations=30_000, certificates=100_000, reports_per_lab=30),
    "large": Size(organizations=300_000, certificates=1_000_000, reports_per_lab=300),
}
CHUNK = 2_500

# How many subjects of each kind of risk anomaly the demo plants (by detector; docs/risk.md). Fixed, so an
# officer trying the demo knows what the warnings list should hold.
PLANTED = {
    "certificate_use_invalid": 3, "ccc_uncovered": 3, "lab_outside_scope": 2, "signatory_outside_authorization": 2,
    "signatory_volume": 1, "audit_time_short": 2, "late_reporting": 2, "surveillance_overdue": 2, "penalties": 2,
    "inspection_problems": 1,
}  # fmt: skip
# Bodies (by index) that report some certificates late, keep some surveillance overdue, audit too briefly.
LATE_BODIES, OVERDUE_BODIES, SHORT_AUDIT_BODIES = (1, 3), (2, 4), (3, 5)
CHANNELS = ["procurement", "market", "customs", "seal_scan"]

INDUSTRY_WORDS = {
    "C": ["机械制造", "电器", "电子科技", "新材料", "食品", "化工", "汽车零部件", "轨道交通装备", "纺织", "建材",
          "医疗器械", "五金", "陶瓷", "烟花", "包装"],
    "A": ["生态农业", "茶业", "农业开发", "种养殖", "林业"],
    "F": ["商贸", "贸易", "供应链"],
    "H": ["餐饮管理", "酒店管理"],
    "I": ["信息技术", "软件", "网络科技"],
    "M": ["检测技术", "工程技术", "认证咨询"],
    "O": ["物业服务", "家政服务"],
    "Q": ["养老服务", "健康管理"],
}  # fmt: skip
INDUSTRY_DIVISION = {"C": (13, 43), "A": (1, 5), "F": (51, 52), "H": (61, 62), "I": (63, 65), "M": (73, 75),
                     "O": (80, 82), "Q": (84, 85)}  # fmt: skip
SCOPE_TEMPLATES = [
    ("电器", "家用电器", "绝缘电阻", "GB 4706.1-2005"),
    ("电器", "家用电器", "泄漏电流", "GB 4706.1-2005"),
    ("电器", "家用电器", "电气强度", "GB 4706.1-2005"),
    ("电器", "灯具", "防触电保护", "GB 7000.1-2015"),
    ("电线电缆", "电线电缆", "导体电阻", "GB/T 3956-2008"),
    ("食品", "大米", "铅", "GB 5009.12-2023"),
    ("食品", "大米", "镉", "GB 5009.15-2023"),
    ("食品", "茶叶", "农药残留", "GB 23200.113-2018"),
    ("食品", "食用油", "酸价", "GB 5009.229-2016"),
    ("食品", "白酒", "甲醇", "GB 5009.266-2016"),
    ("建材", "瓷质砖", "吸水率", "GB/T 3810.3-2016"),
    ("建材", "水泥", "抗压强度", "GB/T 17671-2021"),
    ("建材", "钢筋", "屈服强度", "GB/T 228.1-2021"),
    ("环境", "地表水", "化学需氧量", "HJ 828-2017"),
    ("环境", "环境空气", "PM2.5", "HJ 618-2011"),
    ("环境", "土壤", "镉", "GB/T 17141-1997"),
    ("机动车", "机动车", "排气污染物", "GB 18285-2018"),
    ("机动车", "电动自行车", "整车质量", "GB 17761-2018"),
    ("纺织", "服装", "甲醛含量", "GB/T 2912.1-2009"),
    ("玩具", "塑胶玩具", "邻苯二甲酸酯", "GB 6675.1-2014"),
    ("医疗器械", "医用口罩", "细菌过滤效率", "YY 0469-2011"),
    ("特种设备", "压力管道", "无损检测", "NB/T 47013-2015"),
]
# Brand words for company names (Faker's zh_CN company prefixes are mostly software brands).
BRANDS_A = [
    "湘江",
    "星城",
    "麓山",
    "芙蓉",
    "潇湘",
    "洞庭",
    "衡岳",
    "韶峰",
    "九嶷",
    "雪峰",
    "武陵",
    "天心",
    "金霞",
    "楚天",
    "三湘",
    "长丰",
    "沅澧",
    "资江",
    "南岳",
    "桃源",
]
BRANDS_B = [
    "华瑞",
    "恒通",
    "鑫源",
    "宏达",
    "振华",
    "宇通",
    "永安",
    "瑞丰",
    "博远",
    "嘉禾",
    "新元",
    "汇通",
    "兴业",
    "宏图",
    "康达",
    "盛世",
    "金桥",
    "天成",
    "致远",
    "联创",
    "德润",
    "明辉",
]
BODY_NAMES = [
    "湖南省{}认证有限公司",
    "{}质量认证中心有限公司",
    "湖南{}检验认证有限公司",
    "{}标准认证服务有限公司",
]
REASONS = {
    "SUSPENDED": [
        "监督审核发现严重不符合",
        "获证组织未按期接受监督审核",
        "产品抽查不合格",
        "违规使用认证标志",
    ],
    "ACTIVE": ["整改完成，恢复证书", "暂停原因消除"],
    "WITHDRAWN": ["暂停期满未完成整改", "发生重大质量事故"],
    "CANCELLED": ["获证组织申请注销", "产品停产", "认证依据变化未能满足"],
    "EXPIRED": ["有效期届满未换证"],
}


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


class DemoProvince:
    """Generates one demo province of a given size, reproducibly from a seed."""

    def __init__(self, size: Size, *, seed: int = 2018, progress: Callable[..., Any] | None = None) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.progress = progress or (lambda iterable, **_: iterable)
        self.today = timezone.localdate()
        self.holder_usccs: list[str] = []
        self.counties: list[Region] = []
        # detector → {(subject type, subject id)} planted; see PLANTED.
        self.planted: dict[str, set[tuple[str, int]]] = {detector: set() for detector in PLANTED}

    def brand(self) -> str:
        return self.random.choice(BRANDS_A) + self.random.choice(BRANDS_B)

    # -------------------------------------------------------------- organizations

    def run(self) -> dict[str, int]:
        ensure_reference_data()
        self.counties = list(Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent"))
        special = self.size.bodies + self.size.labs
        self._organizations(special)
        bodies = self._bodies()
        labs = self._labs()
        self._users(bodies, labs)
        certificates = self._certificates(bodies)
        self._lab_anomalies(labs)
        self._signals(bodies)
        tasks = self._inspections()
        run = self._score()
        self._statistics()
        return {
            "organizations": self.size.organizations + special,
            "certification_bodies": len(bodies),
            "labs": len(labs),
            "certificates": certificates,
            "inspection_tasks": tasks,
            "risk_warnings": run.warnings,
        }

    def _organization_row(self, serial: int) -> dict[str, Any]:
        county = self.random.choice(self.counties)
        section = self.random.choices(list(INDUSTRY_WORDS), weights=[55, 8, 10, 5, 6, 6, 5, 5])[0]
        low, high = INDUSTRY_DIVISION[section]
        city = county.parent.name.removesuffix("市").removesuffix("土家族苗族自治州")
        name = f"{city}{self.brand()}{self.random.choice(INDUSTRY_WORDS[section])}有限公司"
        return {
            "uscc": make_uscc(serial, county.code),
            "name": name,
            "region": county.code,
            "address": f"{county.parent.name}{county.name}{self.faker.street_address()}",
            "industry_section": section,
            "industry_division": f"{self.random.randint(low, high):02d}",
            "above_designated_size": section == "C" and self.random.random() < 0.18,
        }

    def _organizations(self, special: int) -> None:
        total = special + self.size.organizations
        bar = self.progress(range(0, total, CHUNK), desc=f"organizations (×{CHUNK:,})")
        for start in bar:
            rows = [self._organization_row(serial) for serial in range(start + 1, min(start + CHUNK, total) + 1)]
            actions.do_bulk_create_organizations(rows, actor=DEMO_ACTOR)
            self.holder_usccs.extend(r["uscc"] for r in rows)
        # The first organizations become bodies and labs; the rest hold certificates.
        self.special_usccs = self.holder_usccs[:special]
        self.holder_usccs = self.holder_usccs[special:]

    # -------------------------------------------------------------- bodies and labs

    def _bodies(self) -> list[CertificationBody]:
        from certhub.registry.models import Organization

        schemes = list(Scheme.objects.order_by("code").values_list("code", flat=True))
        voluntary = [s for s in schemes if s != "CCC"]
        bodies = []
        for index in range(self.size.bodies):
            organization = Organization.objects.get(uscc=self.special_usccs[index])
            chosen = {voluntary[index % len(voluntary)], "QMS"}
            chosen.update(self.random.sample(voluntary, 3))
            if index < 6:
                chosen.add("CCC")
            word = self.brand()
            body = actions.do_create_certification_body(
                organization=organization,
                name=BODY_NAMES[index % len(BODY_NAMES)].format(word),
                approval_number=f"CNCA-R-{2003 + index % 20}-{100 + index:03d}",
                accreditation=f"CNAS C{100 + index:03d}-M",
                scheme_codes=sorted(chosen),
                actor=DEMO_ACTOR,
            )
            for _auditor in range(3):
                person = actions.do_create_person(name=self.faker.name(), roles=["AUDITOR"], actor=DEMO_ACTOR)
                actions.do_add_affiliation(
                    person,
                    organization=organization,
                    role="AUDITOR",
                    start=datetime.date(2015 + index % 8, 3, 1),
                    actor=DEMO_ACTOR,
                )
            bodies.append(body)
        return bodies

    def _labs(self) -> list[Lab]:
        from certhub.registry.models import Organization

        labs = []
        clients = list(Organization.objects.filter(uscc__in=self.holder_usccs[:1000]).order_by("id"))
        for index in self.progress(range(self.size.labs), desc="labs"):
            organization = Organization.objects.get(uscc=self.special_usccs[self.size.bodies + index])
            issued = datetime.date(2020 + index % 6, 1 + index % 12, 1 + index % 28)
            lab = actions.do_create_lab(
                organization=organization,
                name=f"{organization.name.removesuffix('有限公司')}检测中心",
                cma_number=f"{18 + index % 8:02d}18{12000000 + index * 37:08d}"[:12],
                cma_valid_from=issued,
                cma_valid_until=add_years(issued, 6) - datetime.timedelta(days=1),
                actor=DEMO_ACTOR,
            )
            rows = self.random.sample(SCOPE_TEMPLATES, self.random.randint(5, 12))
            scope = [
                actions.do_add_lab_scope(
                    lab, field=f, object=o, parameter=p, standard=s, valid_from=issued, actor=DEMO_ACTOR
                )
                for f, o, p, s in rows
            ]
            signatories = []
            for _n in range(self.random.randint(1, 3)):
                person = actions.do_create_person(name=self.faker.name(), roles=["SIGNATORY"], actor=DEMO_ACTOR)
                actions.do_add_affiliation(
                    person, organization=organization, role="SIGNATORY", start=issued, actor=DEMO_ACTOR
                )
                signatories.append(
                    actions.do_authorize_signatory(
                        lab,
                        person=person,
                        scope=self.random.sample(scope, max(1, len(scope) // 2)),
                        valid_from=issued,
                        actor=DEMO_ACTOR,
                    )
                )
            # Clean reports: within the lab's CMA validity (the 300 days before today or before it ended) and
            # the signatory's own scope, a few a day at most (C6 detectors).
            last = min(self.today - datetime.timedelta(days=1), lab.cma_valid_until)
            first = max(issued, last - datetime.timedelta(days=300))
            span = max((last - first).days, 0)
            scopes = {signatory.pk: list(signatory.scope.all()) for signatory in signatories}
            rows = []
            for number in range(self.size.reports_per_lab):
                signatory = self.random.choice(signatories)
                item = self.random.choice(scopes[signatory.pk])
                rows.append(
                    {
                        "number": f"{lab.cma_number[-6:]}-{self.today.year}-{number + 1:05d}",
                        "signatory": signatory,
                        "issue_date": first + datetime.timedelta(days=self.random.randint(0, span)),
                        "conclusion": self.random.choice(["PASS", "PASS", "PASS", "FAIL"]),
                        "client": self.random.choice(clients),
                        "product": item.object,
                        "items": [{"parameter": item.parameter, "standard": item.standard, "result": "符合"}],
                    }
                )
            actions.do_bulk_create_test_reports(lab, rows, actor=DEMO_ACTOR)
            labs.append(lab)
        return labs

    # -------------------------------------------------------------- certificates

    def _certificates(self, bodies: list[CertificationBody]) -> int:
        schemes = {s.code: s for s in Scheme.objects.all()}
        body_schemes = {b.pk: sorted(b.schemes.values_list("code", flat=True)) for b in bodies}
        ccc_products = list(CccProduct.objects.filter(effective_from__lte=self.today).order_by("code"))
        total = self.size.certificates
        # Chunks no larger than a body's share, so that every body issues certificates even in a small province.
        size = max(1, min(CHUNK, -(-total // len(bodies))))
        chunks = -(-total // size)
        serial = 0
        for chunk_index in self.progress(range(chunks), desc=f"certificates (×{size:,})"):
            body = bodies[chunk_index % len(bodies)]
            count = min(size, total - chunk_index * size)
            rows = []
            for _ in range(count):
                rows.append(
                    self._certificate_row(
                        serial, body, bodies.index(body), body_schemes[body.pk], schemes, ccc_products
                    )
                )
                serial += 1
            actions.do_bulk_create_certificates(body, rows, actor=DEMO_ACTOR)
        return total

    def _certificate_row(
        self,
        serial: int,
        body: CertificationBody,
        body_index: int,
        allowed: list[str],
        schemes: dict[str, Scheme],
        ccc_products: list[CccProduct],
    ) -> dict[str, Any]:
        rnd = self.random
        code = rnd.choice(allowed)
        scheme = schemes[code]
        years = scheme.validity_years or 3
        issue = self.today - datetime.timedelta(days=rnd.randint(0, 365 * min(years + 1, 6)))
        expiry = add_years(issue, years) - datetime.timedelta(days=1)
        renewals = rnd.choice([0, 0, 0, 1, 1, 2])
        holder = self.holder_usccs[rnd.randrange(len(self.holder_usccs))]
        row: dict[str, Any] = {
            "holder_uscc": holder,
            "scheme": code,
            "issue_date": issue,
            "expiry_date": expiry,
            "original_issue_date": add_years(issue, -years * renewals),
            "sites": [{"address": self.faker.street_address()}],
            # When the body reported it: within 30 days (C2), except at the bodies planted as late reporters
            # (C6 late_reporting), where one certificate in forty came 45–90 days after issue.
            "reported_on": min(self.today, issue + datetime.timedelta(days=(serial * 37) % 31)),
        }
        if body_index in LATE_BODIES and serial % 40 == 0 and issue + datetime.timedelta(days=90) <= self.today:
            row["reported_on"] = issue + datetime.timedelta(days=45 + serial % 46)
            self.planted["late_reporting"].add(("certification_body", body.pk))
        if code == "CCC" and ccc_products:
            product = rnd.choice(ccc_products)
            model = f"{self.faker.lexify('??').upper()}-{rnd.randint(100, 999)}"
            item: dict[str, str] = {"name": product.name, "model": model, "trademark": self.brand()}
            if rnd.random() < 0.4:
                digits = f"69{rnd.randint(0, 10**10 - 1):010d}"
                item["gtin"] = digits + ean.calc_check_digit(digits)
            if rnd.random() < 0.2:
                item["batch"] = f"{issue:%Y%m}{rnd.randint(1, 99):02d}"
            # CCC numbers are 16 digits: year, body, product code, serial.
            number = f"{issue.year}{body_index:02d}{product.code}{serial:06d}"
            row.update(
                ccc_product=product.code, products=[item], scope=product.name, standards="GB 4706.1-2005", number=number
            )
        else:
            number = f"{body_index + 1:03d}{issue.year % 100:02d}{code[0]}{serial:07d}R{renewals}M"
            scope = f"{scheme.name}：{self.brand()}相关产品的设计、生产和服务"
            row.update(scope=scope, standards=scheme.standard[:300], number=number)
        overdue = body_index in OVERDUE_BODIES and serial % 25 == 0
        row.update(self._lifecycle(issue, expiry, scheme, overdue=overdue))
        if overdue and row.get("overdue"):
            self.planted["surveillance_overdue"].add(("certification_body", body.pk))
        row.pop("overdue", None)
        return row

    def _lifecycle(
        self, issue: datetime.date, expiry: datetime.date, scheme: Scheme, *, overdue: bool = False
    ) -> dict[str, Any]:
        """A realistic status: most active, some suspended, withdrawn, cancelled, expired, a few drafts.
        Surveillance is kept on time, unless `overdue` (planted): then the last audit is one period behind
        and the result says so with "overdue"."""
        rnd = self.random

        def between(start: datetime.date, end: datetime.date) -> datetime.date:
            span = max((end - start).days, 0)
            return start + datetime.timedelta(days=rnd.randint(0, span))

        def step(status: str, day: datetime.date) -> dict[str, Any]:
            return {"status": status, "date": day, "reason": rnd.choice(REASONS[status])}

        end = min(self.today, expiry)
        if expiry < self.today:
            if rnd.random() < 0.8:
                return {"history": [step("EXPIRED", expiry + datetime.timedelta(days=1))]}
            return {"history": [step("CANCELLED", between(issue, expiry))]}
        draw = rnd.random()
        result: dict[str, Any] = {}
        if draw < 0.02:
            return {"status": "DRAFT"}
        if draw < 0.09:
            result["history"] = [step("SUSPENDED", between(issue, end))]
        elif draw < 0.13:
            suspended = between(issue, end)
            result["history"] = [step("SUSPENDED", suspended), step("WITHDRAWN", between(suspended, end))]
        elif draw < 0.19:
            result["history"] = [step("CANCELLED", between(issue, end))]
        elif draw < 0.21:
            suspended = between(issue, end)
            result["history"] = [step("SUSPENDED", suspended), step("ACTIVE", between(suspended, end))]
        months = scheme.surveillance_months
        if (months and "history" not in result) or (
            result.get("history") and result["history"][-1]["status"] == "ACTIVE"
        ):
            last, due = None, add_months(issue, months or 12)
            while due <= self.today:
                last, due = due, add_months(due, months or 12)
            if last and overdue:
                last = add_months(last, -(months or 12)) if add_months(last, -(months or 12)) > issue else None
                result["overdue"] = True
            result["last_surveillance_date"] = last
        return result

    # -------------------------------------------------------------- risk signals (C6)

    def _lab_anomalies(self, labs: list[Lab]) -> None:
        """Planted test-report anomalies: reports with an item outside the lab's CMA scope (labs 0, 1), with
        an item outside the signatory's own scope (labs 2, 3), and one signatory signing 41 reports on one
        day (lab 4). Lab indexes wrap round when there are fewer labs."""
        from certhub.registry.models import Organization

        if not labs:
            return
        client = Organization.objects.get(uscc=self.holder_usccs[0])
        day = self.today - datetime.timedelta(days=10)

        def report(lab: Lab, number: str, signatory: Any, item: tuple[str, str, str]) -> None:
            actions.do_create_test_report(
                lab,
                number=f"{lab.cma_number[-6:]}-{self.today.year}-{number}",
                signatory=signatory,
                issue_date=day,
                conclusion="PASS",
                client=client,
                product=item[0],
                items=[{"parameter": item[1], "standard": item[2], "result": "符合"}],
                actor=DEMO_ACTOR,
            )

        for index in (0, 1):
            lab = labs[index % len(labs)]
            signatory = lab.signatories.order_by("id").first()
            report(lab, f"X{index}", signatory, ("瓶装饮用水", "溴酸盐", "GB 8538-2022"))  # no lab has it in scope
            self.planted["lab_outside_scope"].add(("lab", lab.pk))
            self.planted["signatory_outside_authorization"].add(("lab", lab.pk))  # outside the lab, outside them
        for index in (2, 3):
            lab = labs[index % len(labs)]
            for signatory in lab.signatories.order_by("id"):
                own = set(signatory.scope.values_list("id", flat=True))
                other = lab.scope.exclude(id__in=own).order_by("id").first()
                if other is not None:
                    report(lab, f"Y{index}", signatory, (other.object, other.parameter, other.standard))
                    self.planted["signatory_outside_authorization"].add(("lab", lab.pk))
                    break
        lab = labs[4 % len(labs)]
        signatory = lab.signatories.order_by("id").first()
        item = signatory.scope.order_by("id").first()
        for number in range(41):  # REPORTS_PER_SIGNATORY_DAY is 40
            report(lab, f"V{number:03d}", signatory, (item.object, item.parameter, item.standard))
        self.planted["signatory_volume"].add(("lab", lab.pk))

    def _signals(self, bodies: list[CertificationBody]) -> None:
        """What departments report besides the registries: certificates seen in use, the CCC products
        organizations make, the audits behind QMS certificates, penalties — clean, with the planted
        anomalies (PLANTED) among them."""
        from certhub.registry.models import Certificate, Organization
        from certhub.risk.actions import do_record_certificate_uses, do_record_penalties
        from certhub.risk.audit_time import qms_table

        rnd, today = self.random, self.today
        active = Certificate.objects.filter(status="ACTIVE", expiry_date__gte=today)
        # Certificates in use while valid: one in a hundred active ones, seen after their last status change.
        uses = []
        for pk, changed in active.order_by("id").values_list("id", "status_changed_on")[::100]:
            seen = changed + datetime.timedelta(days=rnd.randint(0, max((today - changed).days, 0)))
            uses.append(
                {
                    "certificate": pk,
                    "used_on": seen,
                    "channel": rnd.choice(CHANNELS),
                    "place": "演示：政府采购和市场检查中出示的证书",
                    "reported_by": "市场监管局",
                }
            )
        # Planted: certificates used after they were suspended or withdrawn, each of a different holder.
        holders: set[int] = set()
        for pk, holder, changed in (
            Certificate.objects.filter(status__in=["SUSPENDED", "WITHDRAWN"])
            .order_by("id")
            .values_list("id", "holder_id", "status_changed_on")
        ):
            if len(holders) == PLANTED["certificate_use_invalid"]:
                break
            if holder in holders:
                continue
            holders.add(holder)
            uses.append(
                {
                    "certificate": pk,
                    "used_on": min(today, changed + datetime.timedelta(days=5)),
                    "channel": "procurement",
                    "place": "演示：投标文件中出示已暂停或撤销的证书",
                    "reported_by": "县财政局",
                }
            )
            self.planted["certificate_use_invalid"].add(("organization", holder))
        for start in range(0, len(uses), CHUNK):
            do_record_certificate_uses(uses[start : start + CHUNK], actor=DEMO_ACTOR)
        # What organizations make: every holder of an active CCC certificate makes its product (clean) …
        made = {}
        for uscc, code, issued in active.filter(scheme__code="CCC", ccc_product__isnull=False).values_list(
            "holder__uscc", "ccc_product__code", "issue_date"
        ):
            made.setdefault((uscc, code), issued)
        rows = [
            {"uscc": uscc, "ccc_product": code, "source": "licence", "recorded_on": day}
            for (uscc, code), day in sorted(made.items())
        ]
        # … and, planted, organizations with no CCC certificate at all make a product of the catalogue in force.
        products = list(
            CccProduct.objects.filter(effective_from__lte=today, mode="third_party")
            .exclude(effective_to__lt=today)
            .order_by("code")
            .values_list("code", flat=True)
        )
        certified = set(Certificate.objects.filter(scheme__code="CCC").values_list("holder_id", flat=True))
        makers = (
            Organization.objects.filter(uscc__in=self.holder_usccs[-500:])
            .exclude(id__in=certified)
            .order_by("id")
            .values_list("id", "uscc")
        )[: PLANTED["ccc_uncovered"]]
        for pk, uscc in makers:
            rows.append(
                {
                    "uscc": uscc,
                    "ccc_product": rnd.choice(products),
                    "source": "inspection",
                    "recorded_on": today - datetime.timedelta(days=rnd.randint(1, 60)),
                }
            )
            self.planted["ccc_uncovered"].add(("organization", pk))
        for start in range(0, len(rows), CHUNK):
            actions.do_record_manufactured_products(rows[start : start + CHUNK], actor=DEMO_ACTOR)
        # The initial audit of every QMS certificate: at least IAF MD 5's minimum, except one certificate at
        # each body planted as auditing too briefly.
        table = qms_table()
        for index, body in enumerate(bodies):
            certificates = (
                Certificate.objects.filter(certification_body=body, scheme__code="QMS")
                .exclude(status="DRAFT")
                .order_by("id")
                .values_list("number", "issue_date")
            )
            audits = []
            for position, (number, issued) in enumerate(certificates.iterator(chunk_size=CHUNK)):
                personnel = rnd.choice([3, 8, 14, 20, 40, 60, 100, 150, 300, 700])
                least = table.minimum(personnel)
                short = index in SHORT_AUDIT_BODIES and position == 0
                total = least * Decimal("0.6") if short else least * Decimal(rnd.choice(["1", "1.2", "1.43"]))
                total = (total * 2).to_integral_value(rounding=ROUND_DOWN if short else ROUND_UP) / 2
                stage1 = (total / 3 * 2).to_integral_value(rounding=ROUND_DOWN) / 2
                audits.append(
                    {
                        "certificate": number,
                        "kind": "initial",
                        "stage1_days": str(stage1),
                        "stage2_days": str(total - stage1),
                        "effective_personnel": personnel,
                        "end_date": issued - datetime.timedelta(days=rnd.randint(7, 40)),
                    }
                )
                if short:
                    self.planted["audit_time_short"].add(("certification_body", body.pk))
                if len(audits) == CHUNK:
                    actions.do_record_certification_audits(body, audits, actor=DEMO_ACTOR)
                    audits = []
            if audits:
                actions.do_record_certification_audits(body, audits, actor=DEMO_ACTOR)
        # Planted: penalties on two organizations.
        penalized = Organization.objects.filter(uscc__in=self.holder_usccs[:2]).order_by("id")
        do_record_penalties(
            [
                {
                    "organization": organization.pk,
                    "decision_number": f"湘市监处罚〔{today.year}〕{10 + n}号",
                    "decided_on": today - datetime.timedelta(days=30 * (n + 1)),
                    "authority": "湖南省市场监督管理局",
                    "reason": "伪造、冒用认证证书（演示数据）",
                }
                for n, organization in enumerate(penalized)
            ],
            actor=DEMO_ACTOR,
        )
        self.planted["penalties"].update(("organization", o.pk) for o in penalized)

    def _score(self) -> Any:
        """The first scoring run: every subject graded, the planted anomalies warned about."""
        from certhub.risk.actions import do_run_scoring

        return do_run_scoring(actor=DEMO_ACTOR)

    def _statistics(self) -> None:
        """The dashboard's figures (C11) for today and the eleven month-ends before it, so that its lines
        over time have points. Past days are computed with today's statuses (docs/statistics.md)."""
        from certhub.stats.aggregate import run

        month_ends = [add_months(self.today.replace(day=1), -n) - datetime.timedelta(days=1) for n in range(11, 0, -1)]
        for day in self.progress([*month_ends, self.today], desc="statistics"):
            run(day)

    # -------------------------------------------------------------- 双随机 inspections

    def _inspections(self) -> int:
        """Risk grades, the item list, an inspector pool (with sign-ins) in every prefecture, and a plan: one
        batch of certification bodies drawn and partly published, one of enterprises announced and waiting
        for its sources (C5)."""
        from certhub.inspections import actions as inspections
        from certhub.inspections.testing import ENVIRONMENT, MARKET, create_inspectors, create_items
        from certhub.registry.models import Organization
        from certhub.risk.actions import do_set_risk_grades

        ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
        grades = self.random.choices("ABCD", weights=[20, 55, 18, 7], k=len(ids))
        for start in range(0, len(ids), CHUNK * 4):
            do_set_risk_grades(
                [
                    ("organization", pk, grade, "年度信用风险分类")
                    for pk, grade in zip(ids[start : start + CHUNK * 4], grades[start : start + CHUNK * 4], strict=True)
                ],
                actor=DEMO_ACTOR,
            )
        bodies_graded = CertificationBody.objects.order_by("id").values_list("id", flat=True)
        do_set_risk_grades(
            [
                ("certification_body", pk, self.random.choices("ABCD", weights=[30, 45, 20, 5])[0], "认证机构分类监管")
                for pk in bodies_graded
            ],
            actor=DEMO_ACTOR,
        )
        items = create_items(actor=DEMO_ACTOR)
        seats = [county for county in self.counties if county.code.endswith("02")] or self.counties[:14]
        create_inspectors([c.code for c in seats], per_county=3, password=DEMO_PASSWORD, actor=DEMO_ACTOR)
        create_inspectors(
            [c.code for c in seats[:4]],
            per_county=1,
            departments=(ENVIRONMENT,),
            password=DEMO_PASSWORD,
            actor=DEMO_ACTOR,
            prefix="HB",
        )
        bodies = inspections.do_create_target_pool(
            name="全省认证机构", target_type="CERTIFICATION_BODY", region="430000", actor=DEMO_ACTOR
        )
        enterprises = inspections.do_create_target_pool(
            name="全省制造业企业", target_type="ENTERPRISE", region="430000", industry_section="C", actor=DEMO_ACTOR
        )
        plan = inspections.do_create_plan(
            title=f"{self.today.year}年度认证领域双随机、一公开监管抽查计划",
            year=self.today.year,
            region="430000",
            department=f"湖南省{MARKET}局",
            items=[items["SC-RZ-01"], items["SC-QY-01"], items["SC-QY-02"]],
            description="按照国办发〔2015〕58号和湘政发〔2018〕28号，对认证机构和获证企业开展随机抽查。",
            actor=DEMO_ACTOR,
        )
        inspections.do_publish_plan(plan, actor=DEMO_ACTOR)
        soon = timezone.now() + datetime.timedelta(seconds=1)
        batch = inspections.do_create_batch(
            plan,
            name="认证机构第一批",
            items=[items["SC-RZ-01"]],
            pool=bodies,
            # A fifth of the bodies, at least three (the demo publishes three results), weighted by risk grade.
            count=max(3, len(bodies_graded) // 5),
            sources_available_at=soon,
            sources_described=["演示随机源：生成演示数据时由随机种子产生的两组数字"],
            actor=DEMO_ACTOR,
        )
        inspections.do_commit_batch(batch, actor=DEMO_ACTOR)
        time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
        numbers = " ".join(str(self.random.randint(1, 33)) for _ in range(6))
        batch = inspections.do_draw_batch(batch, sources=[numbers], actor=DEMO_ACTOR)
        today = timezone.localdate()
        reviewer = Actor.from_user(User.objects.get(username="officer"))
        for index, task in enumerate(batch.tasks.order_by("sequence")[:3]):
            leader = task.assignments.order_by("slot").first().inspector
            actor = Actor.from_user(leader.user)
            result, follow_up, findings = (
                ("NORMAL", "NONE", "") if index != 1 else ("CORRECTED", "CORRECTION", "部分认证证书未按规定在官网公布")
            )
            if index == 1:  # a problem found: the inspection_problems signal (C5 → C6)
                self.planted["inspection_problems"].add(("organization", task.organization_id))
            inspections.do_record_result(
                task,
                result=result,
                follow_up=follow_up,
                findings=findings,
                inspected_from=today,
                inspected_until=today,
                actor=actor,
            )
            inspections.do_publish_result(task, actor=reviewer)
        later = inspections.do_create_batch(
            plan,
            name="制造业企业第一批",
            items=[items["SC-QY-01"], items["SC-QY-02"]],
            pool=enterprises,
            sources_available_at=timezone.now() + datetime.timedelta(days=3),
            sources_described=["中国福利彩票双色球下一期开奖号码（红球）", "中国体育彩票排列5下一期开奖号码"],
            actor=DEMO_ACTOR,
        )
        inspections.do_commit_batch(later, actor=DEMO_ACTOR)
        return batch.tasks.count()

    # -------------------------------------------------------------- users

    def _users(self, bodies: list[CertificationBody], labs: list[Lab]) -> list[tuple[str, str]]:
        """Demo logins, one per role; all share DEMO_PASSWORD (printed by the demo command)."""
        province = Region.objects.get(level=RegionLevel.PROVINCE)
        prefecture = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("code").first()
        from certhub.registry.models import Organization

        enterprise = Organization.objects.get(uscc=self.holder_usccs[0])
        specs = [
            ("admin", Role.ADMINISTRATOR, None, None, "系统管理员"),
            ("officer", Role.OFFICER, province, None, f"{province.name}市场监督管理局"),
            (
                "officer_city",
                Role.OFFICER,
                prefecture,
                None,
                f"{prefecture.name}市场监督管理局" if prefecture else "",
            ),
            ("cb", Role.CERTIFICATION_BODY, None, bodies[0].organization, bodies[0].name),
            ("lab", Role.LAB, None, labs[0].organization if labs else None, labs[0].name if labs else ""),
            ("enterprise", Role.ENTERPRISE, None, enterprise, enterprise.name),
        ]
        logins = []
        for username, role, region, organization, label in specs:
            if not User.objects.filter(username=username).exists():
                User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    region=region,
                    organization=organization,
                    department=label if role == Role.OFFICER else "",
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR,
                    first_name=label[:150],
                )
            logins.append((username, label))
        self.logins = logins
        return logins


def iter_logins() -> Iterator[tuple[str, str, str]]:
    from certhub.inspections.models import Inspector

    names = ["admin", "officer", "officer_city", "cb", "lab", "enterprise"]
    # An inspector with a task still to record, so that the demo shows 谁检查、谁录入 at once.
    inspector = (
        Inspector.objects.filter(user__isnull=False, assignments__task__status="ASSIGNED")
        .order_by("code")
        .select_related("user")
        .first()
    )
    for user in User.objects.filter(username__in=names):
        yield user.username, user.get_role_display(), user.first_name
    if inspector is not None:
        yield inspector.user.username, gettext("执法检查人员"), inspector.department
