"""The demo province's integrity archives (C9): an archive with an entry of every kind CertHub keeps —
a 告知承诺 commitment (from the licensing demo's applicant), a published inspection problem (from the
inspections demo), an administrative penalty in its publicity period, another ended early by credit repair,
a suspension and then a revocation of a certification body with its decision (on the public disclosure
list), an institutional ban, a serious-violation listing until a day, and an application bar lifted by a
later decision. Everything goes through the actions, as an officer's decisions would."""

from __future__ import annotations

import datetime
from typing import Any

from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR
from certhub.integrity.actions import do_repair_credit
from certhub.registry.actions import (
    do_create_certification_body,
    do_create_organization,
    do_revoke_certification_body,
    do_suspend_certification_body,
)
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.registry.dates import add_months
from certhub.registry.models import Organization
from certhub.registry.testing import make_uscc
from certhub.risk.actions import do_record_penalties
from certhub.risk.models import Penalty

PROVINCE_AUTHORITY = "湖南省市场监督管理局"
# Demo organizations of the archive: (key, serial, name). Serials far from the generated organizations'.
ORGANIZATIONS = (
    ("revoked_body", 890_001, "潇湘诚安认证有限公司"),
    ("listed", 890_002, "长沙信达电器制造有限公司"),
    ("repaired", 890_003, "株洲恒润机电有限公司"),
)


class IntegrityDemo(ProvinceBase):
    def _integrity(self) -> dict[str, Any]:
        """The archive entries of the demo province; returns the organizations they concern."""
        county = next((c for c in self.counties if c.code == "430104"), self.counties[0])
        organizations: dict[str, Organization] = {}
        for key, serial, name in ORGANIZATIONS:
            uscc = make_uscc(serial, county.code)
            organizations[key] = Organization.objects.filter(uscc=uscc).first() or do_create_organization(
                data={"uscc": uscc, "name": name, "region": county.code, "industry_section": "C",
                      "industry_division": "38"},
                actor=DEMO_ACTOR,
            )  # fmt: skip
        today = self.today
        self._revoked_body(organizations["revoked_body"], today)
        self._listed(organizations["listed"], today)
        self._repaired(organizations["repaired"], today)
        # Their penalties are found by the penalties detector like the signals' own (demo/tests/test_anomalies.py).
        self.planted["penalties"].update(("organization", organizations[key].pk) for key in ("listed", "repaired"))
        return organizations

    def _revoked_body(self, organization: Organization, today: datetime.date) -> None:
        """A certification body suspended, then revoked for issuing false certificates, and put under
        permanent exit: the revoked institution of the public disclosure list, with its decision."""
        body = do_create_certification_body(
            organization=organization,
            name=organization.name,
            approval_number="CNCA-R-2019-901",
            accreditation="CNAS C901-M",
            scheme_codes=["QMS"],
            actor=DEMO_ACTOR,
        )
        suspended_on = today - datetime.timedelta(days=120)
        do_suspend_certification_body(
            body=body,
            effective_date=suspended_on,
            reason="监督检查发现未按认证规则实施审核",
            decision=f"国认监〔{suspended_on.year}〕41号",
            actor=DEMO_ACTOR,
        )
        revoked_on = today - datetime.timedelta(days=60)
        decision = f"国认监〔{revoked_on.year}〕57号"
        do_revoke_certification_body(
            body=body, effective_date=revoked_on, reason="出具虚假认证证书", decision=decision, actor=DEMO_ACTOR
        )
        do_impose_ban(
            kind="PERMANENT_EXIT",
            organization=organization,
            decision_number=f"湘市监罚〔{revoked_on.year}〕88号",
            decided_on=revoked_on,
            authority=PROVINCE_AUTHORITY,
            starts=revoked_on,
            reason="出具虚假认证证书，情节严重",
            legal_basis="认证认可条例 第六十二条；湘政发〔2018〕28号（十一）",
            source=f"registry.CertificationBody:{body.approval_number}",
            actor=DEMO_ACTOR,
        )

    def _listed(self, organization: Organization, today: datetime.date) -> None:
        """A maker with a penalty in its publicity period, on the serious-violation list until a day, and an
        application bar lifted by a later decision."""
        decided = today - datetime.timedelta(days=200)
        do_record_penalties(
            rows=[
                {
                    "organization": organization.pk,
                    "decision_number": f"长市监罚〔{decided.year}〕301号",
                    "decided_on": decided.isoformat(),
                    "authority": "长沙市市场监督管理局",
                    "reason": "生产、销售未经CCC认证的电器产品",
                }
            ],
            actor=DEMO_ACTOR,
        )
        do_impose_ban(
            kind="SERIOUS_VIOLATION",
            organization=organization,
            decision_number=f"长市监信〔{decided.year}〕12号",
            decided_on=decided,
            authority="长沙市市场监督管理局",
            starts=decided,
            ends=add_months(decided, 36),
            reason="因同一违法行为一年内受到两次行政处罚",
            legal_basis="市场监督管理严重违法失信名单管理办法 第二条、第九条",
            actor=DEMO_ACTOR,
        )
        barred = do_impose_ban(
            kind="APPLICATION_BAR",
            organization=organization,
            decision_number=f"湘市监许〔{decided.year}〕19号",
            decided_on=decided,
            authority=PROVINCE_AUTHORITY,
            starts=decided,
            licence_type="PRODUCTION",
            reason="以欺骗手段取得生产许可",
            legal_basis="行政许可法 第七十九条",
            actor=DEMO_ACTOR,
        )
        do_lift_ban(
            ban=barred,
            decision_number=f"湘市监许〔{today.year}〕5号",
            lifted_on=today - datetime.timedelta(days=10),
            reason="行政复议决定撤销原处罚决定",
            actor=DEMO_ACTOR,
        )

    def _repaired(self, organization: Organization, today: datetime.date) -> None:
        """A penalty decided 20 months ago whose publicity a credit repair ended today (公示满1年)."""
        decided = add_months(today, -20)
        number = f"株市监罚〔{decided.year}〕66号"
        do_record_penalties(
            rows=[
                {
                    "organization": organization.pk,
                    "decision_number": number,
                    "decided_on": decided.isoformat(),
                    "authority": "株洲市市场监督管理局",
                    "reason": "未按规定使用认证标志",
                }
            ],
            actor=DEMO_ACTOR,
        )
        penalty = Penalty.objects.get(decision_number=number)
        do_repair_credit(
            organization=organization,
            source=f"risk.Penalty:{penalty.pk}",
            decision_number=f"株市监信修〔{today.year}〕3号",
            decided_on=today,
            ends_publicity_on=today,
            authority="株洲市市场监督管理局",
            reason="已履行行政处罚决定，整改到位，公示已满一年",
            actor=DEMO_ACTOR,
        )
