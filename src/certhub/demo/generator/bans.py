"""The demo's bans (C9), each blocking something a visitor can try: a lab ordered out for good (永久退出) whose
next report is refused, and a signatory banned for life (终身禁入) who signed a report after the ban began —
flagged by the detector `signed_after_ban` (planted, PLANTED)."""

from __future__ import annotations

import datetime

from certhub.core.errors import ValidationFailed
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR
from certhub.registry import actions
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.models import Lab, Signatory


class BansDemo(ProvinceBase):
    def _bans(self, labs: list[Lab]) -> None:
        """Lab 5's first signatory banned for life 20 days ago, with a report signed within their own scope 10
        days ago; lab 6 under permanent exit since 30 days ago, its next report refused (checked here). Lab
        indexes wrap round when there are fewer labs."""
        if not labs:
            return
        year = self.today.year
        banned_lab = labs[5 % len(labs)]
        signatory = Signatory.objects.filter(lab=banned_lab).select_related("person").order_by("id").first()
        assert signatory is not None, "every demo lab has signatories (registries)"
        started = self.today - datetime.timedelta(days=20)
        do_impose_ban(
            kind="LIFETIME_BAN",
            person=signatory.person,
            decision_number=f"湘市监罚〔{year}〕88号",
            decided_on=started,
            authority="湖南省市场监督管理局",
            starts=started,
            reason="在检验检测报告上签署虚假结论（演示数据）",
            legal_basis="检验检测机构监督管理办法（国家市场监督管理总局令第39号）",
            actor=DEMO_ACTOR,
        )
        item = signatory.scope.order_by("id").first()
        assert item is not None, "every demo signatory is authorized for part of its lab's scope (registries)"
        actions.do_create_test_report(
            lab=banned_lab,
            number=f"{banned_lab.cma_number[-6:]}-{year}-B001",
            signatory=signatory,
            issue_date=self.today - datetime.timedelta(days=10),
            conclusion="PASS",
            product=item.object,
            items=[{"parameter": item.parameter, "standard": item.standard, "result": "符合"}],
            actor=DEMO_ACTOR,
        )
        self.planted["signed_after_ban"].add(("lab", banned_lab.pk))

        exited = labs[6 % len(labs)]
        since = self.today - datetime.timedelta(days=30)
        do_impose_ban(
            kind="PERMANENT_EXIT",
            organization=exited.organization,
            decision_number=f"湘市监罚〔{year}〕89号",
            decided_on=since,
            authority="湖南省市场监督管理局",
            starts=since,
            reason="出具虚假检验检测报告，情节严重（演示数据）",
            legal_basis="中华人民共和国认证认可条例；检验检测机构监督管理办法",
            actor=DEMO_ACTOR,
        )
        exiting = Signatory.objects.filter(lab=exited).order_by("id").first()
        try:
            actions.do_create_test_report(
                lab=exited,
                number=f"{exited.cma_number[-6:]}-{year}-E001",
                signatory=exiting,
                issue_date=self.today,
                conclusion="PASS",
                items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "符合"}],
                actor=DEMO_ACTOR,
            )
        except ValidationFailed:
            pass  # refused, as it must be: the lab's organization is under permanent exit
        else:
            raise AssertionError(f"the permanent exit of {exited.name} did not refuse its report")
