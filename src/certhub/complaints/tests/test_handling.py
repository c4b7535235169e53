"""How officers handle complaints and tip-offs (C10): the statutory periods as data (acceptance within 7
working days, mediation within 45 of acceptance, a tip-off checked within 15, extendable once by 15), the
due and overdue list scoped by region, forwarding to another region with the clock kept, refusal with its
reason, the outcomes, the complainant's view with the query code, the reminders command, opening a case from
a substantiated complaint, and what the trace, the archive and the risk detector read."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.management import call_command

from certhub.cases.actions import do_join_case_from_complaint, do_open_case_from_complaint
from certhub.cases.models import Case
from certhub.complaints import actions, queries
from certhub.complaints.choices import ComplaintState, ComplaintStep
from certhub.complaints.models import Complaint
from certhub.complaints.testing import file_complaint
from certhub.complaints.tests.conftest import on_day
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, signed_in, table_rows
from certhub.risk.detectors import complaints_substantiated

MONDAY = datetime.date(2026, 3, 2)


def test_the_query_code_is_kept_only_as_a_hash_and_the_audit_row_keeps_no_personal_data(world):
    complaint, code = file_complaint(contact_phone="13800000000", wants_reply=True)
    assert code not in complaint.query_code_hash
    assert check_password(code, complaint.query_code_hash)
    audit = AuditEvent.objects.get(event_type="COMPLAINT_FILED")
    assert audit.actor_role == "PUBLIC"
    assert "13800000000" not in str(audit.after) and complaint.text not in str(audit.after)
    assert audit.after["number"] == complaint.number


def test_a_complaint_is_accepted_within_7_working_days_then_mediated_within_45(world):
    officer = world.actor("officer_changsha")
    with on_day(MONDAY):
        complaint, _code = file_complaint(kind="COMPLAINT")
    assert (complaint.due_step, complaint.due_on) == (ComplaintStep.ACCEPTANCE, datetime.date(2026, 3, 11))
    with on_day(MONDAY + datetime.timedelta(days=1)):
        complaint = actions.do_accept_complaint(complaint=complaint, actor=officer)
    assert (complaint.state, complaint.due_step, complaint.due_on) == (
        ComplaintState.ACCEPTED,
        ComplaintStep.MEDIATION,
        datetime.date(2026, 5, 9),
    )
    complaint = actions.do_conclude_complaint(
        complaint=complaint, outcome="MEDIATED", note="双方达成调解协议，门店退货并赔偿。", actor=officer
    )
    assert (complaint.state, complaint.due_on, complaint.outcome_note) == (
        ComplaintState.MEDIATED,
        None,
        "双方达成调解协议，门店退货并赔偿。",
    )


def test_a_tip_off_is_checked_within_15_working_days_extended_once_by_15(world):
    officer = world.actor("officer_changsha")
    with on_day(MONDAY):
        complaint, _code = file_complaint()
        assert complaint.due_on == datetime.date(2026, 3, 23)
        complaint = actions.do_extend_verification(complaint=complaint, reason="需委托检验", actor=officer)
    assert (complaint.due_on, complaint.extended) == (datetime.date(2026, 4, 14), True)
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        actions.do_extend_verification(complaint=complaint, reason="再延长", actor=officer)
    assert refused.value.message == f"举报{complaint.number}的核查期限已延长过一次"
    with pytest.raises(ValidationFailed) as mediated:
        actions.do_accept_complaint(complaint=complaint, actor=officer)
        actions.do_conclude_complaint(complaint=complaint, outcome="MEDIATED", note="调解", actor=officer)
    assert mediated.value.errors == {"outcome": ["举报不经调解：请选择查证属实或查证不属实"]}
    assert AuditEvent.objects.count() == before + 1  # the acceptance only


def test_forwarding_keeps_the_clock_and_moves_the_complaint_to_the_other_region(client, world):
    with on_day(MONDAY):
        complaint, _code = file_complaint()
    due = complaint.due_on
    with on_day(MONDAY + datetime.timedelta(days=3)):
        complaint = actions.do_forward_complaint(
            complaint=complaint,
            region_code="430405",
            reason="门店实际位于衡阳市珠晖区",
            actor=world.actor("officer_changsha"),
        )
    assert (complaint.region_code, complaint.due_on, complaint.due_step) == ("430405", due, ComplaintStep.VERIFICATION)
    event = complaint.events.get(step=ComplaintStep.FORWARDED)
    assert (event.from_region, event.to_region, event.note) == (
        "430104",
        "430405",
        "移送珠晖区办理：门店实际位于衡阳市珠晖区",
    )
    # The Changsha officer no longer sees it; the Hengyang officer has it on the due list with the same day.
    changsha = signed_in(client, world, "officer_changsha")
    assert changsha.get(f"/complaints/office/{complaint.number}/").status_code == 404
    hengyang = signed_in(client.__class__(), world, "officer_hengyang")
    rows = table_rows(hengyang.get("/complaints/office/"))
    assert [row[2].split()[0] for row in rows] == [complaint.number]
    assert rows[0][0].startswith(due.isoformat())


def test_forwarding_to_an_unknown_region_or_the_same_one_is_refused(world):
    complaint, _code = file_complaint()
    officer = world.actor("officer_changsha")
    for region, message in (
        ("999999", "未知的行政区划代码“999999”"),
        ("430104", "投诉举报已由该地区办理，请选择另一地区"),
    ):
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationFailed) as refused:
            actions.do_forward_complaint(complaint=complaint, region_code=region, reason="移送", actor=officer)
        assert refused.value.errors == {"region_code": [message]}
        assert AuditEvent.objects.count() == before
    complaint.refresh_from_db()
    assert complaint.region_code == "430104"


def test_an_officer_of_another_region_may_not_handle_it(client, world):
    complaint, _code = file_complaint()
    before = AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        actions.do_accept_complaint(complaint=complaint, actor=world.actor("officer_hengyang"))
    page = signed_in(client, world, "officer_hengyang").post(f"/complaints/office/{complaint.number}/accept/", {})
    assert page.status_code == 404
    assert AuditEvent.objects.count() == before
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED


def test_a_refusal_needs_its_reason_and_the_complainant_reads_it(client, world, django_capture_on_commit_callbacks):
    complaint, code = file_complaint(contact_email="gongzhong@example.cn", wants_reply=True)
    officer = signed_in(client, world, "officer_changsha")
    refused = officer.post(f"/complaints/office/{complaint.number}/refuse/", {"reason": ""})
    assert refused.status_code == 422
    assert element_text(refused, "id_reason_errors") == "请写明不予受理的理由"
    reason = "不属于本部门职责范围，请向当地消费者协会反映。"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = officer.post(f"/complaints/office/{complaint.number}/refuse/", {"reason": reason})
    assert done.status_code == 302
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["gongzhong@example.cn"], f"投诉举报{complaint.number}办理结果")
    ]
    complaint.refresh_from_db()
    assert (complaint.state, complaint.outcome_note, complaint.due_on) == (ComplaintState.REFUSED, reason, None)
    public = client.__class__().post("/complaints/track/", {"number": complaint.number, "code": code})
    assert element_text(public, "complaint-state") == "不予受理"
    assert element_text(public, "complaint-outcome") == reason


def test_the_due_list_shows_the_region_s_open_complaints_and_the_overdue_filter(client, world):
    with on_day(MONDAY):
        old, _code = file_complaint()
    with on_day(datetime.date(2026, 3, 20)):
        new, _code = file_complaint(text="另一门店也展示同一编号的证书。")
        file_complaint(subject_name="衡阳湘江机械制造有限公司", certificate_number="", text="衡阳的事")
    with on_day(datetime.date(2026, 3, 25)):
        officer = signed_in(client, world, "officer_changsha")
        everything = table_rows(officer.get("/complaints/office/"))
        overdue = table_rows(officer.get("/complaints/office/?overdue=on"))
    assert [row[2].split()[0] for row in everything] == [old.number, new.number]
    assert everything[0][0] == "2026-03-23 逾期"
    assert [row[2].split()[0] for row in overdue] == [old.number]


def test_the_reminders_command_tells_the_officers_once_a_day(world, django_capture_on_commit_callbacks):
    world.users["officer_changsha"].email = "changsha@example.cn"
    world.users["officer_changsha"].save()
    with on_day(MONDAY):
        complaint, _code = file_complaint()
    mail.outbox.clear()
    with on_day(datetime.date(2026, 3, 19)):  # two working days before 2026-03-23
        with django_capture_on_commit_callbacks(execute=True):
            call_command("complaints", "remind", stdout=(out := io.StringIO()))
        assert out.getvalue() == f"1 complaints reminded of\n  {complaint.number}  430104  due 2026-03-23\n"
        assert [(m.to, m.subject) for m in mail.outbox] == [
            (["changsha@example.cn"], f"【提醒】投诉举报{complaint.number}将于2026-03-23到期")
        ]
        with django_capture_on_commit_callbacks(execute=True):
            call_command("complaints", "remind", stdout=(again := io.StringIO()))
        assert again.getvalue() == "0 complaints reminded of\n"
    assert len(mail.outbox) == 1
    with on_day(datetime.date(2026, 3, 24)), django_capture_on_commit_callbacks(execute=True):
        call_command("complaints", "remind", stdout=io.StringIO())
    assert mail.outbox[-1].subject == f"【逾期】投诉举报{complaint.number}已超过办理期限2026-03-23"


def test_a_case_is_opened_only_from_a_substantiated_complaint_and_only_once(world):
    officer = world.actor("officer_changsha")
    complaint, _code = file_complaint()
    arguments = {"title": "伪造认证证书", "working_days": 10, "departments": ["市场监管局"], "actor": officer}
    with pytest.raises(Conflict) as early:
        do_open_case_from_complaint(complaint=complaint, **arguments)
    assert early.value.message == f"投诉举报{complaint.number}当前为“已收到，待受理”，查证属实后才能立案"
    actions.do_accept_complaint(complaint=complaint, actor=officer)
    actions.do_conclude_complaint(complaint=complaint, outcome="SUBSTANTIATED", note="查实伪造。", actor=officer)
    case = do_open_case_from_complaint(complaint=complaint, **arguments)
    assert (case.complaint_id, case.subject_type, case.uscc) == (
        complaint.pk,
        "organization",
        world.organizations["maker"].uscc,
    )
    with pytest.raises(Conflict) as twice:
        do_open_case_from_complaint(complaint=complaint, **arguments)
    assert twice.value.message == f"投诉举报{complaint.number}已立案：{case.number}"
    assert Case.objects.count() == 1


def test_substantiated_complaints_feed_the_detector_the_archive_and_the_trace(client, world):
    officer = world.actor("officer_changsha")
    maker = world.organizations["maker"]
    with on_day(MONDAY):
        complaint, _code = file_complaint()
        actions.do_accept_complaint(complaint=complaint, actor=officer)
        actions.do_conclude_complaint(complaint=complaint, outcome="SUBSTANTIATED", note="查实伪造。", actor=officer)
        lab_complaint, _code = file_complaint(subject_name="231812050341", certificate_number="", text="报告造假")
        actions.do_accept_complaint(complaint=lab_complaint, actor=officer)
        actions.do_conclude_complaint(complaint=lab_complaint, outcome="SUBSTANTIATED", note="查实。", actor=officer)
        not_substantiated, _code = file_complaint(text="第三件")
        actions.do_accept_complaint(complaint=not_substantiated, actor=officer)
        actions.do_conclude_complaint(
            complaint=not_substantiated, outcome="NOT_SUBSTANTIATED", note="未查实。", actor=officer
        )
    findings = complaints_substantiated(today=MONDAY)
    assert [(f.subject_type, f.subject_id, f.count, f.explanation) for f in findings] == [
        (
            "organization",
            maker.pk,
            1,
            f"长沙星城电器有限公司（{maker.uscc}）近3年有1件投诉举报查证属实，最早在2026-03-02办结",
        ),
        (
            "lab",
            world.labs["main"].pk,
            1,
            "湖南省产品质量检验检测研究院（231812050341）近3年有1件投诉举报查证属实，最早在2026-03-02办结",
        ),
    ]
    assert queries.substantiated_for_archive([maker.pk]) == [
        {
            "kind": "complaint",
            "date": MONDAY,
            "organization_id": maker.pk,
            "lab_id": None,
            "certification_body_id": None,
            "legal_basis": queries.LEGAL_BASIS,
            "source": f"complaints.Complaint:{complaint.pk}",
            "title": "举报查证属实",
            "text": "查实伪造。",
        }
    ]
    officer_trace = signed_in(client, world, "officer_changsha").get(f"/api/v1/trace/organization/{maker.uscc}").json()
    assert officer_trace["complaints"] == [
        {
            "kind": "TIP_OFF",
            "kind_label": "举报",
            "received_on": "2026-03-02",
            "concluded_on": "2026-03-02",
            "outcome": "SUBSTANTIATED",
            "outcome_label": "查证属实",
            "outcome_note": "查实伪造。",
        }
    ]
    public_trace = client.__class__().get(f"/api/v1/trace/organization/{maker.uscc}").json()
    assert public_trace["complaints"] == []
    assert Complaint.objects.filter(state=ComplaintState.SUBSTANTIATED).count() == 2


def test_a_substantiated_complaint_joins_an_open_case_about_the_same_organization(client, world):
    officer = world.actor("officer_changsha")

    def substantiated(text: str, by=officer, **overrides):
        complaint, _code = file_complaint(text=text, **overrides)
        actions.do_accept_complaint(complaint=complaint, actor=by)
        return actions.do_conclude_complaint(complaint=complaint, outcome="SUBSTANTIATED", note="查实。", actor=by)

    first = substantiated("第一件")
    case = do_open_case_from_complaint(
        complaint=first, title="伪造认证证书", working_days=10, departments=["市场监管局"], actor=officer
    )
    second = substantiated("第二件：另一门店也展示同一伪造证书。")
    page = signed_in(client, world, "officer_changsha")
    form = page.get(f"/cases/complaints/{second.number}/open/")
    assert element_text(form, "id_case").strip() == f"{case.number} 伪造认证证书"
    joined = page.post(f"/cases/complaints/{second.number}/join/", {"case": case.number})
    assert (joined.status_code, joined["Location"]) == (302, f"/cases/{case.number}/")
    assert [m.description for m in case.measures.all()] == [f"并案：投诉举报{second.number}查证属实。查实。"]
    assert [e.note for e in second.events.filter(step=ComplaintStep.CASE_JOINED)] == ["已并案查处"]
    before = (AuditEvent.objects.count(), case.measures.count())
    with pytest.raises(Conflict) as again:
        do_join_case_from_complaint(complaint=second, case=case, actor=officer)
    assert again.value.message == f"投诉举报{second.number}已立案：已并案"
    province = world.actor("officer_province")
    other = substantiated("衡阳的门店", by=province, subject_name="衡阳湘江机械制造有限公司", certificate_number="")
    with pytest.raises(ValidationFailed) as elsewhere:
        do_join_case_from_complaint(complaint=other, case=case, actor=province)
    assert elsewhere.value.errors == {"case": [f"案件{case.number}的对象不是该投诉举报的对象"]}
    # The Hengyang tip-off's filing, acceptance and conclusion wrote their rows; the refused joins wrote none.
    assert (AuditEvent.objects.count(), case.measures.count()) == (before[0] + 3, before[1])
