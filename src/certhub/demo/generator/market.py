"""The demo province's CCC market control (C7): self-declarations, a campaign and its market checks.

- Self-declarations (自我声明) for `*` and `**` catalogue products: a few of the province's makers record that they
  make such a product (a ManufacturedProduct row) and declare it, so the CCC coverage KPI counts them covered
  and ccc_uncovered finds nothing on them; one more declaration is withdrawn.
- A campaign (专项整治) of the province's officer, with the e-commerce listings of demo/data/market_listings.csv
  checked under it as one file (one listing of every verdict, a forged certificate number seen twice, in two
  shops), the city officer's on-site checks in a shop, and a sample taken there for testing with the lab's
  report linked when it came back.

The listings name fixed records, built here with fixed numbers so that the file means the same in every demo
province whatever its size: a maker holding three CCC certificates (one suspended), two makers with
declarations (one withdrawn), and the shops' operators. What the market checks plant for the risk detectors
(PLANTED) is recorded in `self.planted`: the shop with the forged number (forged_number), the shop selling
uncovered products and the makers named by their listings (uncertified_sale), the holder of the suspended
certificate (certificate_use_invalid)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR
from certhub.market.actions import (
    do_check_listings,
    do_create_campaign,
    do_link_sample_report,
    do_register_declaration,
    do_withdraw_declaration,
)
from certhub.market.choices import BatchSource, CheckChannel
from certhub.market.files import check_file
from certhub.market.models import Campaign, CheckBatch, MarketCheck, SelfDeclaration
from certhub.registry import actions
from certhub.registry.choices import GradedSubject
from certhub.registry.dates import add_months
from certhub.registry.models import Ban, Certificate, CertificationBody, Organization, Scheme, Signatory
from certhub.registry.testing import make_uscc

LISTINGS = Path(__file__).resolve().parent.parent / "data" / "market_listings.csv"

# The fixed organizations the listings name: key → (serial for make_uscc, county, name, industry section).
ORGANIZATIONS = {
    "maker": (89_000_001, "430104", "长沙湘电电器有限公司", "C"),
    "maker_suspended": (89_000_002, "430202", "株洲株电厨房电器有限公司", "C"),
    "declarer": (89_000_003, "430302", "湘潭湘工电动工具有限公司", "C"),
    "declarer_withdrawn": (89_000_004, "430702", "常德德力焊接设备有限公司", "C"),
    "shop_good": (89_000_005, "430105", "长沙湘电家电优选电子商务有限公司", "F"),
    "shop_forged": (89_000_006, "430502", "邵阳双清百货商行有限公司", "F"),
    "shop_bad": (89_000_007, "430602", "岳阳岳电商贸有限公司", "F"),
}
# The fixed CCC certificates (year, "99" for a body number no demo body has, product code, serial): key →
# (number, holder, product code, products on the certificate, status history).
FRIDGE, KETTLE, RICE_COOKER = "2025990701000001", "2025990717000002", "2025990718000003"
CERTIFICATES: dict[str, dict[str, Any]] = {
    FRIDGE: {
        "holder": "maker",
        "ccc_product": "0701",
        "scope": "家用电冰箱",
        "products": [
            {"name": "家用电冰箱", "model": "BCD-196", "trademark": "湘电", "gtin": "6975123400010"},
            {"name": "家用电冰箱", "model": "BCD-218", "trademark": "湘电", "gtin": "6975123400027"},
        ],
    },
    KETTLE: {
        "holder": "maker",
        "ccc_product": "0717",
        "scope": "电热水壶",
        "products": [{"name": "电热水壶", "model": "SH-17A", "trademark": "湘电", "gtin": "6975123400034"}],
    },
    RICE_COOKER: {
        "holder": "maker_suspended",
        "ccc_product": "0718",
        "scope": "电饭锅",
        "products": [{"name": "电饭锅", "model": "FB-40", "trademark": "株电", "gtin": "6975123400041"}],
        "suspended": True,
    },
}
ISSUED, EXPIRES = datetime.date(2025, 3, 3), datetime.date(2030, 3, 2)
DECLARED_ON = datetime.date(2026, 3, 10)
# The declarations the listings cite; their numbers are the first of their region and year (market/data/
# declarations.json), so the same in every demo province.
DECLARATIONS: dict[str, dict[str, Any]] = {
    "ZS4303022026000001": {
        "holder": "declarer",
        "ccc_product_code": "0501",
        "product_name": "冲击电钻",
        "product_models": ["Z1J-13", "Z1J-16"],
        "trademark": "湘工",
        "gtins": ["6975123400058"],
        "standards": ["GB/T 3883.1-2014", "GB/T 3883.6-2012"],
    },
    "ZS4307022026000001": {
        "holder": "declarer_withdrawn",
        "ccc_product_code": "0603",
        "product_name": "直流弧焊机",
        "product_models": ["ZX7-250"],
        "trademark": "德力",
        "gtins": ["6975123400065"],
        "standards": ["GB/T 15579.1-2013"],
        "withdrawn": "型式试验报告所依据的标准版本已作废，停止按此声明销售。",
    },
}
REPORT_NOTE = "型式试验报告由省外检验检测机构出具，该机构的资质认定不在本省登记库中。"
# Self-declared products of makers chosen from the province (no CCC certificate of their own): the product
# code, the name, a model and the product's safety standard. Each maker records the product as made and declares it.
DECLARED_PRODUCTS = [
    ("0506", "电锤", "ZC-26", "GB/T 3883.1-2014"),
    ("0401", "小功率电动机", "YS-7124", "GB/T 12350-2022"),
    ("1109", "机动车外部照明及光信号装置", "LED-H4", "GB 4785-2019"),
]
CAMPAIGN = "2026年家用电器和电动工具CCC专项整治"


def read_listings(path: Path = LISTINGS) -> list[dict[str, str]]:
    """The demo's e-commerce listings, as the platforms send them (UTF-8 CSV, one listing a row)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{key: value for key, value in row.items() if value} for row in csv.DictReader(handle)]


class MarketDemo(ProvinceBase):
    def _market(self) -> CheckBatch:
        """Declarations, the campaign and its checks (see the module docstring); returns the campaign's file."""
        organizations = self._market_organizations()
        self._market_certificates(organizations)
        self._market_declarations(organizations)
        self._declared_makers()
        officer = Actor.from_user(User.objects.get(username="officer"))
        campaign = do_create_campaign(
            name=CAMPAIGN,
            region_code=officer.region_code or "430000",
            product_codes=[],
            starts_on=self.today - datetime.timedelta(days=20),
            ends_on=self.today + datetime.timedelta(days=40),
            description="电商平台和实体门店在售的家用电器、电动工具：核查CCC证书、自我声明和商品条码。",
            actor=officer,
        )
        # The platforms' export, through the same file pipeline as any campaign's spreadsheet.
        batch = check_file(
            LISTINGS,
            LISTINGS.name,
            channel=CheckChannel.ONLINE,
            region_code=campaign.region_code,
            campaign=campaign,
            actor=officer,
        )
        self._onsite_checks(campaign, organizations)
        self._sample_check(campaign, organizations)
        self._market_planted(organizations)
        return batch

    def _market_organizations(self) -> dict[str, Organization]:
        made = {}
        for key, (serial, county, name, section) in ORGANIZATIONS.items():
            uscc = make_uscc(serial, county)
            organization = Organization.objects.filter(uscc=uscc).first() or actions.do_create_organization(
                data={
                    "uscc": uscc,
                    "name": name,
                    "region": county,
                    "address": f"{self.faker.street_address()}",
                    "industry_section": section,
                    "industry_division": "38" if section == "C" else "52",
                },
                actor=DEMO_ACTOR,
            )
            made[key] = organization
        return made

    def _market_certificates(self, organizations: dict[str, Organization]) -> None:
        body = CertificationBody.objects.filter(schemes__code="CCC").order_by("id").first()
        assert body is not None, "the first demo bodies certify CCC (registries)"
        suspended_on = self.today - datetime.timedelta(days=30)
        months = Scheme.objects.get(code="CCC").surveillance_months or 12
        rows = []
        for number, spec in CERTIFICATES.items():
            row: dict[str, Any] = {
                "number": number,
                "holder_uscc": organizations[spec["holder"]].uscc,
                "scheme": "CCC",
                "ccc_product": spec["ccc_product"],
                "products": spec["products"],
                "scope": spec["scope"],
                "standards": "GB 4706.1-2005",
                "issue_date": ISSUED,
                "expiry_date": EXPIRES,
                "original_issue_date": ISSUED,
                "sites": [{"address": organizations[spec["holder"]].address}],
                "reported_on": ISSUED,
            }
            if spec.get("suspended"):
                row["history"] = [
                    {"status": "SUSPENDED", "date": suspended_on, "reason": "监督抽查不合格，责令整改（演示数据）"}
                ]
            else:
                row["last_surveillance_date"] = self._last_surveillance(months)
            rows.append(row)
        actions.do_bulk_create_certificates(body=body, rows=rows, actor=DEMO_ACTOR)

    def _last_surveillance(self, months: int) -> datetime.date | None:
        """The last surveillance audit due since issue (kept on time, as the demo's other certificates are)."""
        last, due = None, add_months(ISSUED, months)
        while due <= self.today:
            last, due = due, add_months(due, months)
        return last

    def _market_declarations(self, organizations: dict[str, Organization]) -> list[SelfDeclaration]:
        made = []
        for number, spec in DECLARATIONS.items():
            organization = organizations[spec["holder"]]
            producer = Actor(role=Role.ENTERPRISE, label=organization.name, organization_id=organization.pk)
            declaration = do_register_declaration(
                organization=organization,
                ccc_product_code=spec["ccc_product_code"],
                product_name=spec["product_name"],
                product_models=spec["product_models"],
                trademark=spec["trademark"],
                gtins=spec["gtins"],
                standards=spec["standards"],
                report_note=REPORT_NOTE,
                declared_on=DECLARED_ON,
                actor=producer,
            )
            assert declaration.number == number, f"the demo's listings cite {number}, not {declaration.number}"
            if spec.get("withdrawn"):
                declaration = do_withdraw_declaration(
                    declaration=declaration,
                    reason=spec["withdrawn"],
                    withdrawn_on=DECLARED_ON + datetime.timedelta(days=90),
                    actor=producer,
                )
            made.append(declaration)
        # The declarer makes what it declared: covered, so the KPI counts it and no detector flags it.
        actions.do_record_manufactured_products(
            rows=[
                {
                    "uscc": organizations["declarer"].uscc,
                    "ccc_product": "0501",
                    "source": "inspection",
                    "recorded_on": DECLARED_ON,
                }
            ],
            actor=DEMO_ACTOR,
        )
        return made

    def _declared_makers(self) -> list[SelfDeclaration]:
        """Makers of the province with no CCC certificate who make a `*`/`**` product and declared it."""
        certified = set(Certificate.objects.filter(scheme__code="CCC").values_list("holder_id", flat=True))
        makers = list(
            Organization.objects.filter(uscc__in=self.holder_usccs[200:400], industry_section="C")
            .exclude(id__in=certified)
            .order_by("id")[: len(DECLARED_PRODUCTS)]
        )
        made, rows = [], []
        for organization, (code, name, model, standard) in zip(makers, DECLARED_PRODUCTS, strict=False):
            declared_on = self.today - datetime.timedelta(days=self.random.randint(30, 300))
            made.append(
                do_register_declaration(
                    organization=organization,
                    ccc_product_code=code,
                    product_name=name,
                    product_models=[model],
                    trademark=self.brand(),
                    standards=[standard],
                    report_note=REPORT_NOTE,
                    declared_on=declared_on,
                    actor=Actor(role=Role.ENTERPRISE, label=organization.name, organization_id=organization.pk),
                )
            )
            rows.append(
                {"uscc": organization.uscc, "ccc_product": code, "source": "licence", "recorded_on": declared_on}
            )
        if rows:
            actions.do_record_manufactured_products(rows=rows, actor=DEMO_ACTOR)
        return made

    def _onsite_checks(self, campaign: Campaign, organizations: dict[str, Organization]) -> None:
        """An officer in the good shop's store: the certified refrigerator by its barcode, the declared drill by
        its number."""
        officer = Actor.from_user(User.objects.get(username="officer_city"))
        shop = organizations["shop_good"]
        for listing in (
            {"gtin": "6975123400027", "product_name": "家用电冰箱", "model": "BCD-218"},
            {"claimed_number": "ZS4303022026000001", "product_name": "冲击电钻", "model": "Z1J-16"},
        ):
            do_check_listings(
                listings=[{**listing, "shop": shop.name, "shop_uscc": shop.uscc}],
                channel=CheckChannel.ONSITE,
                region_code=officer.region_code or shop.region_id,
                source=BatchSource.PAGE,
                campaign=campaign,
                actor=officer,
            )

    def _sample_check(self, campaign: Campaign, organizations: dict[str, Organization]) -> MarketCheck | None:
        """The city's officer took a kettle from the good shop for testing 12 days ago (抽样检验); a lab of the
        province tested it within its own and its signatory's scope 5 days ago and the report is linked. A lab
        that may still sign (no ban on it or its signatory) is chosen; none in a tiny province: no sample."""
        officer = Actor.from_user(User.objects.get(username="officer_city"))
        sampled, tested = self.today - datetime.timedelta(days=12), self.today - datetime.timedelta(days=5)
        banned_people = Ban.objects.filter(person__isnull=False).values_list("person_id", flat=True)
        banned_organizations = Ban.objects.filter(organization__isnull=False).values_list("organization_id", flat=True)
        signatory = (
            Signatory.objects.filter(
                valid_from__lte=tested,
                lab__cma_valid_from__lte=tested,
                lab__cma_valid_until__gte=tested,
                scope__isnull=False,
            )
            .exclude(person_id__in=banned_people)
            .exclude(lab__organization_id__in=banned_organizations)
            .exclude(valid_until__lt=tested)
            .select_related("lab")
            .order_by("-lab_id", "id")
            .first()
        )
        if signatory is None:
            return None
        item = signatory.scope.order_by("id").first()
        assert item is not None, "the signatory was chosen with a scope"
        shop = organizations["shop_good"]
        batch = do_check_listings(
            listings=[
                {
                    "product_name": "电热水壶",
                    "model": "SH-17A",
                    "trademark": "湘电",
                    "claimed_number": KETTLE,
                    "shop": shop.name,
                    "shop_uscc": shop.uscc,
                    "checked_on": sampled.isoformat(),
                    "sample_number": f"湘抽〔{sampled.year}〕0001",
                }
            ],
            channel=CheckChannel.SAMPLE,
            region_code=officer.region_code or shop.region_id,
            source=BatchSource.PAGE,
            campaign=campaign,
            actor=officer,
        )
        check = batch.checks.get()
        report = actions.do_create_test_report(
            lab=signatory.lab,
            number=f"{signatory.lab.cma_number[-6:]}-{tested.year}-C0001",
            signatory=signatory,
            issue_date=tested,
            conclusion="PASS",
            client=organizations["maker"],
            product="电热水壶（抽样检验）",
            items=[{"parameter": item.parameter, "standard": item.standard, "result": "符合"}],
            actor=DEMO_ACTOR,
        )
        return do_link_sample_report(check=check, report=report, actor=officer)

    def _market_planted(self, organizations: dict[str, Organization]) -> None:
        """What the campaign's checks plant for the risk detectors (module docstring)."""

        def subject(key: str) -> tuple[str, int]:
            return (GradedSubject.ORGANIZATION, organizations[key].pk)

        self.planted.setdefault("forged_number", set()).add(subject("shop_forged"))
        self.planted.setdefault("uncertified_sale", set()).update(
            {subject("shop_bad"), subject("maker"), subject("declarer_withdrawn")}
        )
        self.planted.setdefault("certificate_use_invalid", set()).add(subject("maker_suspended"))
