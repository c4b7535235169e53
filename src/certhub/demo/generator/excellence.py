"""The demo province's performance-excellence self-assessments and standard-revision transition (C12, C11).

- The demo enterprise (user "enterprise") has assessed itself against GB/T 19580 in each of the last two
  years, every item scored with an evidence note, the second year better in most categories: its pages show
  the profile and the year-on-year comparison.
- Some holders of an ISO 9001 certificate have been certified to the new ISO 14001:2026 since its
  publication, while the registry's other EMS certificates still name ISO 14001:2015: the statistics page
  shows the share on the new edition per region, and the officers' list the holders still on the old one.
  Issued recently and reported at once, they are clean for every risk detector."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from certhub.core.actors import Actor
from certhub.core.models import User
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR
from certhub.registry import actions, numbering
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import CertificationBody, Organization
from certhub.stats.transitions import transition
from certhub.toolbox import excellence
from certhub.toolbox.models import Assessment

# Share of each item's points the demo enterprise earned, first year then second (GB/Z 19579's bands in
# steps of 5 %), by category: leadership and process management improved most after the first assessment.
SHARES: dict[str, tuple[int, int]] = {
    "4.1": (45, 60),
    "4.2": (40, 50),
    "4.3": (45, 50),
    "4.4": (35, 45),
    "4.5": (40, 55),
    "4.6": (30, 40),
    "4.7": (30, 35),
}
EVIDENCE = {
    "process": "有成文的方法并在主要部门展开；{year}年内部评审发现的改进点已纳入下一年度计划。",
    "results": "近三年数据见{year}年度经营分析报告；与同行业省内标杆对比处于中上水平。",
}
NEW_EDITION_CERTIFICATES = 24  # certificates on ISO 14001:2026 (a small province has about a few hundred EMS)


class ExcellenceDemo(ProvinceBase):
    def _excellence(self) -> None:
        self._self_assessments()
        self._new_edition_certificates()

    def _self_assessments(self) -> None:
        user = User.objects.filter(username="enterprise").first()
        if user is None or user.organization_id is None:
            return
        actor = Actor.from_user(user)
        for index, year in enumerate((self.today.year - 2, self.today.year - 1)):
            if Assessment.objects.filter(organization_id=user.organization_id, year=year).exists():
                continue
            assessment = excellence.create_assessment(actor, year=year, title=f"{year}年度卓越绩效自评")
            entries: dict[str, tuple[object, str]] = {}
            for category in excellence.standard().categories:
                share = SHARES[category.code][index]
                for item in category.items:
                    score = (Decimal(item.points) * share / 100).quantize(Decimal("0.1"))
                    entries[item.code] = (str(score), EVIDENCE[item.kind].format(year=year))
            errors = excellence.save_scores(actor, assessment, entries)
            assert not errors, [error.text() for error in errors]

    def _new_edition_certificates(self) -> None:
        item = transition("iso14001-2026")
        if item is None or self.today < item.published + datetime.timedelta(days=30):
            return
        body = CertificationBody.objects.filter(schemes__code="EMS").order_by("id").first()
        if body is None:
            return
        holders = list(
            Organization.objects.filter(certificates__scheme__code="QMS", certificates__status=CertificateStatus.ACTIVE)
            .exclude(certificates__scheme__code="EMS")
            .distinct()
            .order_by("id")[:NEW_EDITION_CERTIFICATES]
        )
        prefix = numbering.body_code(body.approval_number) or "999"
        span = max((self.today - item.published).days - 30, 1)
        rows: list[dict[str, Any]] = []
        for serial, holder in enumerate(holders, start=1):
            issued = item.published + datetime.timedelta(days=15 + (serial * 37) % span)
            issued = min(issued, self.today - datetime.timedelta(days=1))
            rows.append(
                {
                    "number": f"{prefix}{issued.year % 100:02d}E{9_000_000 + serial:07d}R0M",
                    "holder_uscc": holder.uscc,
                    "scheme": "EMS",
                    "scope": f"环境管理体系认证：{holder.name}的生产和服务活动",
                    "standards": "ISO 14001:2026",
                    "issue_date": issued,
                    "expiry_date": issued.replace(year=issued.year + 3) - datetime.timedelta(days=1),
                    "original_issue_date": issued,
                    "sites": [{"address": holder.address}],
                    "reported_on": issued,
                }
            )
        if rows:
            actions.do_bulk_create_certificates(body=body, rows=rows, actor=DEMO_ACTOR)
