"""The general procedure of a first CMA application from submission to the lab in the registry, and the
statutory clocks across the National Day holiday of 2026 (C8)."""

import datetime

import pytest

from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.choices import ApplicationState, Decision, OnSiteOutcome, Step
from certhub.licensing.materials import CheckedMaterial
from certhub.licensing.models import Application, Clock, ClockPause, Licence
from certhub.licensing.queries import access_application, due_and_overdue
from certhub.licensing.testing import OPINION_DEPARTMENTS, cma_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry import person_ids
from certhub.registry.models import Affiliation, Lab

D = datetime.date
REPORT = CheckedMaterial(
    name="仪器设备检定证书.pdf",
    kind="pdf",
    content_type="application/pdf",
    size=1234,
    sha256="ab" * 32,
    storage_key="ab/abab",
)


def submit_cma(lic, **overrides):
    arguments = {
        "licence_type": "CMA",
        "kind": "FIRST",
        "track": "GENERAL",
        "uscc": lic.organizations["newlab"].uscc,
        "particulars": cma_particulars(),
        "actor": lic.actor("applicant"),
    }
    arguments.update(overrides)
    return actions.do_submit_application(**arguments)


def test_the_general_procedure_from_application_to_the_lab_in_the_registry(lic):
    reviewer, applicant = lic.actor("reviewer"), lic.actor("applicant")
    with on_day(D(2026, 3, 2)):
        application = submit_cma(lic)
    assert application.number == "XK-2026-000001"
    assert application.state == ApplicationState.SUBMITTED
    assert (application.next_due_step, application.next_due_on) == (Step.ACCEPTANCE, D(2026, 3, 9))
    # ID numbers are kept only as keyed digests.
    stored = application.particulars
    assert stored["legal_representative"] == {"name": "刘洋", "id_digest": person_ids.id_digest("430104198001011234")}
    assert "430104198001011234" not in str(stored)

    with on_day(D(2026, 3, 3)):
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_REVIEW
    assert application.accepted_on == D(2026, 3, 3)
    # Technical review: 45 working days from acceptance (Qingming 04-04–06 and Labour Day 05-01–05 skipped,
    # Saturday 05-09 a make-up working day).
    assert (application.next_due_step, application.next_due_on) == (Step.REVIEW, D(2026, 5, 9))

    with on_day(D(2026, 3, 4)):
        request = actions.do_request_materials(application=application, items="仪器设备检定证书", actor=reviewer)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_MATERIALS
    assert (request.due_on, application.next_due_step, application.next_due_on) == (
        D(2026, 4, 1),
        Step.MATERIALS,
        D(2026, 4, 1),
    )
    with on_day(D(2026, 3, 11)):
        actions.do_answer_materials_request(request=request, note="已补充", materials=[REPORT], actor=applicant)
    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_REVIEW
    # Paused 2026-03-04 to 03-11: five working days, so the review is due five working days later.
    assert (application.next_due_step, application.next_due_on) == (Step.REVIEW, D(2026, 5, 15))
    assert list(application.materials.values_list("name", "request_id")) == [("仪器设备检定证书.pdf", request.pk)]

    with on_day(D(2026, 3, 12)):
        opinions = actions.do_request_opinions(
            application=application, departments=list(OPINION_DEPARTMENTS), question="选址", actor=reviewer
        )
    assert [(o.department, o.due_on) for o in opinions] == [
        ("生态环境局", D(2026, 3, 26)),
        ("消防救援支队", D(2026, 3, 26)),
    ]
    with on_day(D(2026, 3, 13)):
        actions.do_answer_opinion(opinion=opinions[0], agrees=True, text="同意", actor=lic.actor("environment"))
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_OPINIONS  # still waiting for the fire brigade
    with on_day(D(2026, 3, 16)):
        actions.do_answer_opinion(opinion=opinions[1], agrees=True, text="消防验收合格", actor=lic.actor("fire"))
    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_REVIEW
    # Paused 03-12 to 03-16: two working days (03-13, 03-16).
    assert application.next_due_on == D(2026, 5, 19)

    with on_day(D(2026, 3, 17)):
        review = actions.do_schedule_onsite_review(
            application=application, scheduled_on=D(2026, 3, 20), reviewers="张工、李工", actor=reviewer
        )
    with on_day(D(2026, 3, 20)):
        actions.do_record_onsite_review(
            review=review, outcome=OnSiteOutcome.RECTIFICATION, findings="温湿度记录不全", rectification_days=10,
            actor=reviewer,
        )  # fmt: skip
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.state == ApplicationState.RECTIFICATION
    assert review.rectification_due_on == D(2026, 4, 3)
    assert (application.next_due_step, application.next_due_on) == (Step.RECTIFICATION, D(2026, 4, 3))
    with on_day(D(2026, 3, 27)):
        actions.do_record_rectification(review=review, passed=True, note="已整改", actor=reviewer)
    application.refresh_from_db()
    assert application.state == ApplicationState.REVIEW_CONCLUDED
    assert application.review_concluded_on == D(2026, 3, 27)
    # Decision: 20 working days from the review's conclusion.
    assert (application.next_due_step, application.next_due_on) == (Step.DECISION, D(2026, 4, 27))

    with on_day(D(2026, 4, 1)):
        actions.do_decide_application(
            application=application, decision=Decision.GRANT, decision_number="湘市监认〔2026〕18号", actor=reviewer
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED
    assert (application.decided_on, application.next_due_on, application.next_due_step) == (D(2026, 4, 1), None, "")

    lab = Lab.objects.get(organization=lic.organizations["newlab"])
    assert (lab.name, lab.cma_number, lab.cma_valid_from, lab.cma_valid_until, lab.decision) == (
        "长沙麓谷检测技术有限公司",
        "264300000001",
        D(2026, 4, 1),
        D(2032, 3, 31),
        "湘市监认〔2026〕18号",
    )
    assert list(lab.scope.order_by("id").values_list("parameter", "standard", "limits", "decision")) == [
        ("泄漏电流", "GB 4706.1-2005", "", "湘市监认〔2026〕18号"),
        ("镉", "GB 5009.15-2023", "只做第一法", "湘市监认〔2026〕18号"),
    ]
    signatory = lab.signatories.get()
    assert (signatory.person.name, signatory.decision, sorted(signatory.scope.values_list("parameter", flat=True))) == (
        "王磊",
        "湘市监认〔2026〕18号",
        ["泄漏电流", "镉"],
    )
    assert signatory.person.id_digest == person_ids.id_digest("430104199003033333")
    roles = sorted(
        Affiliation.objects.filter(organization=lic.organizations["newlab"]).values_list("person__name", "role")
    )
    assert roles == [("刘洋", "LEGAL_REPRESENTATIVE"), ("王磊", "SIGNATORY"), ("陈静", "TECHNICAL_MANAGER")]
    licence = Licence.objects.get(lab=lab)
    assert (licence.number, licence.status, licence.valid_until, licence.granted_by_id, licence.decision_number) == (
        "264300000001",
        "ACTIVE",
        D(2032, 3, 31),
        application.pk,
        "湘市监认〔2026〕18号",
    )
    assert [row["parameter"] for row in licence.scope] == ["泄漏电流", "镉"]
    assert list(application.events.values_list("step", flat=True)) == [
        "SUBMITTED", "ACCEPTED", "ASSIGNED", "MATERIALS_REQUESTED", "MATERIALS_ANSWERED", "OPINIONS_REQUESTED",
        "OPINION_ANSWERED", "OPINION_ANSWERED", "ONSITE_SCHEDULED", "RECTIFICATION_REQUIRED", "REVIEW_CONCLUDED",
        "GRANTED",
    ]  # fmt: skip
    # Every step is in the audit log and the ledger.
    audited = list(
        AuditEvent.objects.filter(subject_type__startswith="licensing.")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert audited == [
        "APPLICATION_SUBMITTED", "APPLICATION_ACCEPTED", "MATERIALS_REQUESTED", "MATERIALS_ANSWERED",
        "OPINIONS_REQUESTED", "OPINION_ANSWERED", "OPINION_ANSWERED", "ONSITE_REVIEW_SCHEDULED",
        "ONSITE_REVIEW_RECORDED", "RECTIFICATION_RECORDED", "LICENCE_ISSUED", "APPLICATION_DECIDED",
    ]  # fmt: skip
    assert Entry.objects.count() == AuditEvent.objects.count()
    # The applicant sees the case; an officer of another region does not.
    assert access_application(lic.actor("applicant"), application.number).pk == application.pk
    with pytest.raises(Exception, match="没有编号为XK-2026-000001的申请"):
        access_application(lic.actor("officer_hengyang"), application.number)


def test_the_clock_across_the_national_day_holiday_of_2026(lic):
    """Acceptance on 2026-09-28 with 5 working days ends on Saturday 10-10, a make-up working day, after the
    holiday of 10-01 to 10-07 and the working 10-08 and 10-09; the decision's 20 working days from 09-30
    end on 11-03, and a pause from 09-30 to 10-09 (two working days) moves them to 11-05."""
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 9, 28)):
        application = submit_cma(lic)
    assert (application.next_due_step, application.next_due_on, application.next_due_provisional) == (
        Step.ACCEPTANCE,
        D(2026, 10, 10),
        False,
    )
    # Counted Monday to Friday the deadline would have been 2026-10-05, in the middle of the holiday.
    with on_day(D(2026, 9, 30)):
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
        review = actions.do_schedule_onsite_review(application=application, scheduled_on=D(2026, 9, 30), actor=reviewer)
        actions.do_record_onsite_review(review=review, outcome=OnSiteOutcome.PASSED, actor=reviewer)
    application.refresh_from_db()
    acceptance = Clock.objects.get(application=application, step=Step.ACCEPTANCE)
    assert (acceptance.started_on, acceptance.due_on, acceptance.stopped_on) == (
        D(2026, 9, 28),
        D(2026, 10, 10),
        D(2026, 9, 30),
    )
    assert (application.next_due_step, application.next_due_on) == (Step.DECISION, D(2026, 11, 3))

    with on_day(D(2026, 9, 30)):
        [opinion] = actions.do_request_opinions(application=application, departments=["生态环境局"], actor=reviewer)
    assert opinion.due_on == D(2026, 10, 20)  # ten working days: 10-08, 09, 10, 12–16, 19, 20
    with on_day(D(2026, 10, 9)):
        actions.do_answer_opinion(opinion=opinion, agrees=True, text="同意", actor=lic.actor("environment"))
    application.refresh_from_db()
    decision = Clock.objects.get(application=application, step=Step.DECISION)
    pause = ClockPause.objects.get(clock=decision)
    assert (pause.started_on, pause.ended_on, pause.working_days) == (D(2026, 9, 30), D(2026, 10, 9), 2)
    assert (decision.due_on, application.next_due_on, application.state) == (
        D(2026, 11, 5),
        D(2026, 11, 5),
        ApplicationState.REVIEW_CONCLUDED,
    )
    # On 2026-11-06 the decision is overdue by one day and heads the officers' list.
    [item] = due_and_overdue(reviewer, D(2026, 11, 6))
    assert (item.number, item.step, item.due_on, item.overdue, item.days_overdue) == (
        application.number,
        Step.DECISION,
        D(2026, 11, 5),
        True,
        1,
    )


def test_the_due_list_puts_the_overdue_first_and_stays_in_the_officers_region(lic):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        first = submit_cma(lic)
    with on_day(D(2026, 3, 10)):
        second = actions.do_submit_application(
            licence_type="PRODUCTION", kind="FIRST", track="GENERAL", uscc=lic.organizations["producer"].uscc,
            particulars={"product_unit": "危险化学品包装物、容器", "address": "望城区",
                         "products": [{"name": "钢桶", "models": ["200L"]}]},
            actor=lic.actor("producer"),
        )  # fmt: skip
    items = due_and_overdue(reviewer, D(2026, 3, 12))
    assert [(i.number, i.due_on, i.overdue, i.days_overdue) for i in items] == [
        (first.number, D(2026, 3, 9), True, 3),
        (second.number, D(2026, 3, 17), False, 0),
    ]
    assert due_and_overdue(lic.actor("officer_hengyang"), D(2026, 3, 12)) == []
    assert due_and_overdue(lic.actor("applicant"), D(2026, 3, 12)) == []
    assert Application.objects.count() == 2


def test_the_due_list_costs_three_queries_however_many_cases(lic, django_assert_num_queries):
    """docs/architecture.md convention 15: the cases in deadline order, their applicants' names, their
    assignees' usernames."""
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        for _ in range(3):
            actions.do_accept_application(
                application=submit_cma(lic, particulars=cma_particulars()), assigned_to=lic.users["reviewer"],
                actor=reviewer,
            )  # fmt: skip
    with django_assert_num_queries(3):
        items = due_and_overdue(reviewer, D(2026, 3, 3))
    assert [(i.step, i.assigned_to, i.applicant_name) for i in items] == [
        ("REVIEW", "reviewer", "长沙麓谷检测技术有限公司")
    ] * 3
