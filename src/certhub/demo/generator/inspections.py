"""The demo's 双随机 inspections (C5): risk grades, the item list, inspector pools with sign-ins and a plan
with one batch drawn and one announced."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import CHUNK, DEMO_ACTOR, DEMO_PASSWORD
from certhub.inspections import actions as inspections
from certhub.inspections.testing import ENVIRONMENT, MARKET, create_inspectors, create_items
from certhub.registry.models import CertificationBody, Organization
from certhub.risk.actions import do_set_risk_grades


class Inspections(ProvinceBase):
    def _inspections(self) -> int:
        """Risk grades, the item list, an inspector pool (with sign-ins) in every prefecture, and a plan: one
        batch of certification bodies drawn and partly published, one of enterprises announced and waiting
        for its sources (C5)."""
        ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
        grades = self.random.choices("ABCD", weights=[20, 55, 18, 7], k=len(ids))
        for start in range(0, len(ids), CHUNK * 4):
            do_set_risk_grades(
                rows=[
                    ("organization", pk, grade, "年度信用风险分类")
                    for pk, grade in zip(ids[start : start + CHUNK * 4], grades[start : start + CHUNK * 4], strict=True)
                ],
                actor=DEMO_ACTOR,
            )
        bodies_graded = CertificationBody.objects.order_by("id").values_list("id", flat=True)
        do_set_risk_grades(
            rows=[
                ("certification_body", pk, self.random.choices("ABCD", weights=[30, 45, 20, 5])[0], "认证机构分类监管")
                for pk in bodies_graded
            ],
            actor=DEMO_ACTOR,
        )
        items = create_items(actor=DEMO_ACTOR)
        seats = [county for county in self.counties if county.code.endswith("02")] or self.counties[:14]
        # Enforcement inspectors sign in to their own tasks only (C14 least privilege).
        create_inspectors(
            [c.code for c in seats], per_county=3, password=DEMO_PASSWORD, actor=DEMO_ACTOR, role=Role.INSPECTOR
        )
        create_inspectors(
            [c.code for c in seats[:4]],
            per_county=1,
            departments=(ENVIRONMENT,),
            password=DEMO_PASSWORD,
            actor=DEMO_ACTOR,
            prefix="HB",
            role=Role.INSPECTOR,
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
        inspections.do_publish_plan(plan=plan, actor=DEMO_ACTOR)
        soon = timezone.now() + datetime.timedelta(seconds=1)
        batch = inspections.do_create_batch(
            plan=plan,
            name="认证机构第一批",
            items=[items["SC-RZ-01"]],
            pool=bodies,
            # A fifth of the bodies, at least three (the demo publishes three results), weighted by risk grade.
            count=max(3, len(bodies_graded) // 5),
            sources_available_at=soon,
            sources_described=["演示随机源：生成演示数据时由随机种子产生的两组数字"],
            actor=DEMO_ACTOR,
        )
        inspections.do_commit_batch(batch=batch, actor=DEMO_ACTOR)
        time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
        numbers = " ".join(str(self.random.randint(1, 33)) for _ in range(6))
        batch = inspections.do_draw_batch(batch=batch, sources=[numbers], actor=DEMO_ACTOR)
        today = timezone.localdate()
        reviewer = Actor.from_user(User.objects.get(username="officer"))
        for index, task in enumerate(batch.tasks.order_by("sequence")[:3]):
            assignment = task.assignments.order_by("slot").first()
            assert assignment is not None, "the draw gives every task its inspectors"
            leader = assignment.inspector
            assert leader.user is not None, "create_inspectors above gave every inspector a sign-in"
            actor = Actor.from_user(leader.user)
            result, follow_up, findings = (
                ("NORMAL", "NONE", "") if index != 1 else ("CORRECTED", "CORRECTION", "部分认证证书未按规定在官网公布")
            )
            if index == 1:  # a problem found: the inspection_problems signal (C5 → C6)
                self.planted["inspection_problems"].add(("organization", task.organization_id))
            inspections.do_record_result(
                task=task,
                result=result,
                follow_up=follow_up,
                findings=findings,
                inspected_from=today,
                inspected_until=today,
                actor=actor,
            )
            inspections.do_publish_result(task=task, actor=reviewer)
        later = inspections.do_create_batch(
            plan=plan,
            name="制造业企业第一批",
            items=[items["SC-QY-01"], items["SC-QY-02"]],
            pool=enterprises,
            sources_available_at=timezone.now() + datetime.timedelta(days=3),
            sources_described=["中国福利彩票双色球下一期开奖号码（红球）", "中国体育彩票排列5下一期开奖号码"],
            actor=DEMO_ACTOR,
        )
        inspections.do_commit_batch(batch=later, actor=DEMO_ACTOR)
        return batch.tasks.count()
