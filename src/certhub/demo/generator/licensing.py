"""The demo province's licensing (C8): applications of both licence types and both tracks, pending and
decided — a 告知承诺 production licence with its post-approval check due, a CMA case waiting on a
department's opinion, one overdue for its decision, one waiting to be accepted, one granted through the whole
general procedure and one refused, one revoked for misconduct whose lab is barred for three years — with an
applicant login, a reviewer login and a department's login.

Cases are filed and handled through the licensing actions, today; the ones that must look older are then
moved back in time by one demo action (do_age_demo_case), which shifts every date of the case and counts
its deadlines again from the shifted starts."""

from __future__ import annotations

import datetime
from typing import Any

from certhub.core.actors import Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import ValidationFailed
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.workdays import add_working_days
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR, DEMO_PASSWORD
from certhub.licensing import actions, clocks
from certhub.licensing.actions.common import application_state
from certhub.licensing.models import Application, Licence
from certhub.licensing.testing import cma_particulars, production_particulars
from certhub.registry.actions import do_create_organization
from certhub.registry.models import Organization
from certhub.registry.testing import make_uscc

LICENSING_DEPARTMENT = "认证认可与检验检测监督管理处"
DEPARTMENTS = ("生态环境局", "消防救援支队")
COMMITMENT = "本单位承诺已经具备许可条件，所填写的申请材料真实、有效，愿意承担不实承诺的法律责任。"
# Demo applicants: (key, serial, name, licence). Serials far from the generated organizations'.
APPLICANTS = (
    ("lab_opinion", 880_001, "湖南湘江检测技术有限公司"),
    ("lab_overdue", 880_002, "株洲动力谷检测认证有限公司"),
    ("lab_new", 880_003, "长沙星沙质量检测有限公司"),
    ("lab_granted", 880_004, "湘潭昭山检验检测有限公司"),
    ("lab_refused", 880_005, "岳阳南湖检测服务有限公司"),
    ("producer_commitment", 880_006, "长沙铜官包装容器有限公司"),
    ("producer_general", 880_007, "衡阳雁峰化工容器有限公司"),
    ("lab_revoked", 880_008, "长沙坪塘检测技术有限公司"),
)
# The revoked lab's legal representative: a person of their own, so that the bar that follows them to a new
# organization (licensing.bans) touches no other demo lab.
REVOKED_REPRESENTATIVE = {"name": "周强", "id_number": "430102197606060035"}


def _shift(day: datetime.date | None, days: int) -> datetime.date | None:
    return day - datetime.timedelta(days=days) if day is not None else None


@action
def do_age_demo_case(*, application: Application, days: int, actor: Actor) -> Application:
    """Demo data only: move every date of an open case `days` back, as if it had been filed then; its
    deadlines are counted again in working days from the shifted starts."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    application = Application.objects.select_for_update().get(pk=application.pk)
    before = application_state(application)
    delta = datetime.timedelta(days=days)
    for name in ("submitted_on", "accepted_on", "review_concluded_on", "decided_on"):
        setattr(application, name, _shift(getattr(application, name), days))
    application.submitted_at -= delta
    application.save()
    for event in application.events.all():
        event.on, event.at = event.on - delta, event.at - delta
        event.save(update_fields=["on", "at"])
    for clock in application.clocks.all():
        clock.started_on = clock.started_on - delta
        clock.paused_since = _shift(clock.paused_since, days)
        clock.stopped_on = _shift(clock.stopped_on, days)
        deadline = add_working_days(clock.started_on, clock.working_days)
        clock.due_on, clock.provisional = deadline.day, deadline.provisional
        clock.save()
    for opinion in application.opinion_requests.all():
        opinion.requested_on = opinion.requested_on - delta
        opinion.answered_on = _shift(opinion.answered_on, days)
        opinion.due_on = add_working_days(opinion.requested_on, 10).day
        opinion.save()
    review = getattr(application, "onsite_review", None)
    if review is not None:
        review.scheduled_on = review.scheduled_on - delta
        review.concluded_on = _shift(review.concluded_on, days)
        review.save()
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.APPLICATION_REDATED, application, before=before,
                 after=application_state(application), reason=f"demo: {days} days earlier")  # fmt: skip
    return application


class LicensingDemo(ProvinceBase):
    def _licensing(self) -> dict[str, Any]:
        """The licensing cases and logins of the demo province."""
        changsha = Region.objects.get(code="430100")
        counties = {c.code: c for c in self.counties}
        county = counties.get("430104") or self.counties[0]
        organizations: dict[str, Organization] = {}
        for key, serial, name in APPLICANTS:
            found = Organization.objects.filter(uscc=make_uscc(serial, county.code)).first()
            organizations[key] = found or do_create_organization(
                data={"uscc": make_uscc(serial, county.code), "name": name, "region": county.code,
                      "industry_section": "M", "industry_division": "74"},
                actor=DEMO_ACTOR,
            )  # fmt: skip
        users = self._licensing_users(changsha, organizations)
        reviewer = Actor.from_user(users["reviewer"])

        def submit(key: str, licence_type: str, track: str, particulars: dict[str, Any], **extra: Any) -> Application:
            applicant = users.get(key) or users["applicant"]
            return actions.do_submit_application(
                licence_type=licence_type, kind="FIRST", track=track, uscc=organizations[key].uscc,
                particulars=particulars, actor=Actor.from_user(applicant), **extra,
            )  # fmt: skip

        def take_to_review(application: Application) -> None:
            actions.do_accept_application(application=application, assigned_to=users["reviewer"], actor=reviewer)
            review = actions.do_schedule_onsite_review(application=application, scheduled_on=self.today, actor=reviewer)
            actions.do_record_onsite_review(review=review, outcome="PASSED", actor=reviewer)

        cases: dict[str, str] = {}
        # 告知承诺: granted on the spot; its post-approval check is due within three months.
        cases["commitment"] = submit("producer_commitment", "PRODUCTION", "COMMITMENT", production_particulars(),
                                     commitment_text=COMMITMENT).number  # fmt: skip
        # General CMA case waiting on a department's opinion (the other has answered).
        waiting = submit("lab_opinion", "CMA", "GENERAL", cma_particulars(lab_name=organizations["lab_opinion"].name))
        actions.do_accept_application(application=waiting, assigned_to=users["reviewer"], actor=reviewer)
        opinions = actions.do_request_opinions(application=waiting, departments=list(DEPARTMENTS),
                                               question="实验室选址和危险化学品储存", actor=reviewer)  # fmt: skip
        actions.do_answer_opinion(
            opinion=opinions[1], agrees=True, text="消防设施符合要求", actor=Actor.from_user(users["fire"])
        )
        do_age_demo_case(application=waiting, days=12, actor=DEMO_ACTOR)
        cases["waiting_on_opinion"] = waiting.number
        # Overdue: reviewed six weeks ago, no decision since (20 working days have passed).
        overdue = submit("lab_overdue", "CMA", "GENERAL", cma_particulars(lab_name=organizations["lab_overdue"].name))
        take_to_review(overdue)
        do_age_demo_case(application=overdue, days=45, actor=DEMO_ACTOR)
        cases["overdue"] = overdue.number
        # Waiting to be accepted (filed yesterday).
        new = submit("lab_new", "CMA", "GENERAL", cma_particulars(lab_name=organizations["lab_new"].name))
        do_age_demo_case(application=new, days=1, actor=DEMO_ACTOR)
        cases["to_accept"] = new.number
        # Decided: granted through the whole general procedure, and refused.
        granted = submit("lab_granted", "CMA", "GENERAL", cma_particulars(lab_name=organizations["lab_granted"].name))
        take_to_review(granted)
        actions.do_decide_application(application=granted, decision="GRANT", actor=reviewer)
        cases["granted"] = granted.number
        refused = submit("lab_refused", "CMA", "GENERAL", cma_particulars(lab_name=organizations["lab_refused"].name))
        actions.do_accept_application(application=refused, assigned_to=users["reviewer"], actor=reviewer)
        review = actions.do_schedule_onsite_review(application=refused, scheduled_on=self.today, actor=reviewer)
        actions.do_record_onsite_review(
            review=review, outcome="FAILED", findings="主要检测设备未经检定", actor=reviewer
        )
        reasons = "现场评审不通过：主要检测设备未经检定"
        actions.do_decide_application(application=refused, decision="REFUSE", reasons=reasons, actor=reviewer)
        cases["refused"] = refused.number
        production = submit("producer_general", "PRODUCTION", "GENERAL", production_particulars())
        take_to_review(production)
        actions.do_decide_application(application=production, decision="GRANT", actor=reviewer)
        cases["production_granted"] = production.number
        # Revoked for misconduct (C9): a CMA qualification granted, then revoked by a numbered decision; the
        # lab is barred from applying for three years, and its next application is refused.
        lab_revoked = cma_particulars(
            lab_name=organizations["lab_revoked"].name, legal_representative=REVOKED_REPRESENTATIVE
        )
        revoked = submit("lab_revoked", "CMA", "GENERAL", lab_revoked)
        take_to_review(revoked)
        actions.do_decide_application(application=revoked, decision="GRANT", actor=reviewer)
        actions.do_revoke_licence(
            licence=Licence.objects.get(granted_by=revoked), decision_number=f"湘市监认撤〔{self.today.year}〕3号",
            reason="以虚假的授权签字人资料取得资质认定（演示数据）", actor=reviewer,
        )  # fmt: skip
        try:
            submit("lab_revoked", "CMA", "GENERAL", lab_revoked)
        except ValidationFailed:
            pass  # refused, as it must be: the lab is barred until the bar ends
        else:
            raise AssertionError("the demo's revoked lab was not barred")
        cases["revoked"] = revoked.number
        self.licensing_cases = cases
        return cases

    def _licensing_users(self, region: Region, organizations: dict[str, Organization]) -> dict[str, User]:
        """applicant (the lab waiting on an opinion), producer (the 告知承诺 licence), reviewer (the licensing
        office), environment and fire (departments asked for opinions); all share DEMO_PASSWORD."""
        specs = [
            ("applicant", Role.ENTERPRISE, None, "", organizations["lab_opinion"]),
            ("producer", Role.ENTERPRISE, None, "", organizations["producer_commitment"]),
            ("reviewer", Role.OFFICER, region, LICENSING_DEPARTMENT, None),
            ("environment", Role.OFFICER, region, DEPARTMENTS[0], None),
            ("fire", Role.OFFICER, region, DEPARTMENTS[1], None),
        ]
        users: dict[str, User] = {}
        for username, role, user_region, department, organization in specs:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username, password=DEMO_PASSWORD, role=role, region=user_region,
                    organization=organization, department=department,
                    first_name=(organization.name if organization else department)[:150],
                )  # fmt: skip
            users[username] = user
        for key in organizations:
            if key not in ("lab_opinion", "producer_commitment"):
                # Each other applicant files through an account of its own (not a demo login).
                username = f"demo-{key}"
                users[key] = User.objects.filter(username=username).first() or User.objects.create_user(
                    username=username, password=None, role=Role.ENTERPRISE, organization=organizations[key]
                )
        users["lab_opinion"], users["producer_commitment"] = users["applicant"], users["producer"]
        return users
