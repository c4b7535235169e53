"""The demo province's complaints and tip-offs (C10): one in every state — received, accepted and in
mediation, refused with its reason, mediated, substantiated (with the case opened from it, so that the
subject's risk score and trace show it), not substantiated — one forwarded to another region with its
clock kept, and one overdue on the officers' due list. Filed by the public and handled by the province's
officer through the complaint and case actions, today; those that must look older are then moved back in
time by one demo action (do_age_demo_complaint), which shifts their dates and counts their periods again."""

from __future__ import annotations

import datetime
from typing import Any

from certhub.cases.actions import do_open_case_from_complaint
from certhub.complaints import actions, periods
from certhub.complaints.actions import AUDIT_FIELDS
from certhub.complaints.models import Complaint
from certhub.core.actors import ANONYMOUS, Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, RegionLevel
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.demo.generator.base import ProvinceBase
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Organization


@action
def do_age_demo_complaint(*, complaint: Complaint, days: int, actor: Actor) -> Complaint:
    """Demo data only: move an open complaint's dates `days` back, as if it had been filed then; its
    running period is counted again from the shifted start."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = snapshot(complaint, AUDIT_FIELDS)
    delta = datetime.timedelta(days=days)
    complaint.received_on -= delta
    complaint.received_at -= delta
    if complaint.accepted_on is not None:
        complaint.accepted_on -= delta
    if complaint.due_step:
        start = complaint.accepted_on if complaint.due_step == "MEDIATION" else complaint.received_on
        assert start is not None
        periods.set_clock(complaint, complaint.due_step, start)
    complaint.save()
    for event in complaint.events.all():
        event.on, event.at = event.on - delta, event.at - delta
        event.save(update_fields=["on", "at"])
    record_audit(actor, AuditEventType.COMPLAINT_REDATED, complaint, before=before,
                 after=snapshot(complaint, AUDIT_FIELDS), reason=f"demo: {days} days earlier")  # fmt: skip
    return complaint


class ComplaintsDemo(ProvinceBase):
    def _complaints(self) -> dict[str, Complaint]:
        """The demo's complaints (see the module docstring); the organization with the substantiated one is
        planted for the complaints_substantiated detector."""
        officer = Actor.from_user(User.objects.get(username="officer"))
        county_codes = sorted({c.code for c in self.counties})
        subjects = list(
            Organization.objects.filter(uscc__in=self.holder_usccs[10:40], region_id__in=county_codes).order_by("uscc")[
                :7
            ]
        )
        names = [o.name for o in subjects]
        made: dict[str, Complaint] = {}

        def file(key: str, kind: str, subject: int, text: str, **extra: Any) -> Complaint:
            complaint, _code = actions.do_file_complaint(
                kind=kind, subject_name=names[subject], text=text, actor=ANONYMOUS, **extra
            )
            made[key] = complaint
            return complaint

        file("received", "TIP_OFF", 0, "产品包装上印有CCC标志，但在官网查不到该型号的认证证书。", product="电热水壶")
        accepted = file(
            "mediation", "COMPLAINT", 1, "购买的空气净化器与认证证书上的型号不符，要求退货。",
            product="空气净化器", wants_reply=True, contact_phone="13800000000",
        )  # fmt: skip
        actions.do_accept_complaint(complaint=accepted, note="已受理，组织双方调解。", actor=officer)
        refused = file("refused", "COMPLAINT", 2, "商家服务态度差。")
        actions.do_refuse_complaint(
            complaint=refused, reason="不属于认证认可监管职责范围，请向当地消费者协会反映。", actor=officer
        )
        mediated = file("mediated", "COMPLAINT", 3, "电动自行车充电器无3C标志，要求赔偿。", product="充电器")
        actions.do_accept_complaint(complaint=mediated, actor=officer)
        actions.do_conclude_complaint(
            complaint=mediated, outcome="MEDIATED", note="双方达成调解协议：商家退货并赔偿。", actor=officer
        )
        substantiated = file(
            "substantiated", "TIP_OFF", 4, "门店展示的质量管理体系认证证书编号在官网查不到，疑似伪造。",
            certificate_number="CNCA-QMS-DEMO-9999",
        )  # fmt: skip
        actions.do_accept_complaint(complaint=substantiated, actor=officer)
        actions.do_conclude_complaint(
            complaint=substantiated,
            outcome="SUBSTANTIATED",
            note="经核查，该证书编号在登记库和发证机构均无记录，属伪造认证证书，已立案查处。",
            actor=officer,
        )
        do_open_case_from_complaint(
            complaint=substantiated,
            title=f"{names[4]}伪造认证证书",
            working_days=20,
            departments=[officer.department],
            actor=officer,
        )
        self.planted.setdefault("complaints_substantiated", set()).add((GradedSubject.ORGANIZATION, subjects[4].pk))
        unfounded = file("not_substantiated", "TIP_OFF", 5, "怀疑该企业的检验报告是代签的。")
        actions.do_accept_complaint(complaint=unfounded, actor=officer)
        actions.do_conclude_complaint(
            complaint=unfounded, outcome="NOT_SUBSTANTIATED", note="经核查，报告由授权签字人本人签发。", actor=officer
        )
        forwarded = file("forwarded", "TIP_OFF", 6, "分店销售的安全帽无生产许可证编号。", product="安全帽")
        elsewhere = (
            Region.objects.filter(level=RegionLevel.COUNTY).exclude(code=forwarded.region_code).order_by("code").first()
        )
        assert elsewhere is not None
        actions.do_forward_complaint(
            complaint=forwarded, region_code=elsewhere.code, reason="分店位于该地区。", actor=officer
        )
        overdue = file("overdue", "TIP_OFF", 0, "同一企业的另一批产品也贴有伪造的认证标志。", product="电饭煲")
        made["overdue"] = do_age_demo_complaint(complaint=overdue, days=40, actor=officer)
        return made
