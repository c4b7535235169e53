"""Rapid handling through its actions (C6): opening a case from a warning with its deadline in
Chinese working days, who is told (in the app and by e-mail), assigning, measures, closing, dismissing and
the deadline reminders; each refusal with its exact message and nothing changed (docs/architecture.md convention 16)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from certhub.cases.actions import (
    do_assign_case,
    do_close_case,
    do_dismiss_warning,
    do_open_case,
    do_record_measure,
    send_deadline_reminders,
)
from certhub.cases.models import Case, Measure, Notice
from certhub.cases.tests.conftest import CITY_ECOLOGY, CITY_MARKET
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.risk.models import Warning

pytestmark = pytest.mark.django_db

MAKER = "长沙星城电器有限公司"


def state():
    """Every row the cases actions may write, and the warnings' statuses."""
    return (
        list(Case.objects.order_by("id").values_list("number", "status", "assignee_id", "conclusion", "reminded_on")),
        Measure.objects.count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
        sorted(Warning.objects.values_list("subject_name", "status", "status_note")),
    )


def open_maker_case(world, callbacks, **overrides):
    options = {
        "title": "抽查不合格整改",
        "working_days": 10,
        "departments": [CITY_MARKET],
        "assignee": None,
        "actor": world.actor("officer_changsha"),
    } | overrides
    with callbacks(execute=True):
        return do_open_case(warning=world.warnings["maker"], **options)


def notices(case, kind):
    return sorted(Notice.objects.filter(case=case, kind=kind).values_list("recipient__username", flat=True))


def test_open_case_counts_working_days_across_national_day_and_tells_the_departments(
    cases_world, opening_day, django_capture_on_commit_callbacks, mailoutbox
):
    world = cases_world
    audit_before = AuditEvent.objects.count()
    case = open_maker_case(
        world, django_capture_on_commit_callbacks, departments=[CITY_MARKET], assignee=world.users["cs_ecology"]
    )

    case.refresh_from_db()
    assert case.number == "AJ-2026-430104-0001"
    # 10 working days after 09-30: 10-08, 10-09, 10-10 (worked Saturday), 10-12 … 10-16, 10-19, 10-20.
    assert (case.opened_on, case.deadline, case.deadline_provisional) == (
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 20),
        False,
    )
    assert (case.subject_name, case.uscc, case.region_code, case.title, case.departments, case.status) == (
        MAKER,
        world.organizations["maker"].uscc,
        "430104",
        "抽查不合格整改",
        [CITY_MARKET],
        "OPEN",
    )
    assert (case.opened_by, case.assignee) == (world.users["officer_changsha"], world.users["cs_ecology"])
    warning = Warning.objects.get(pk=world.warnings["maker"].pk)
    assert (warning.status, warning.status_note) == ("CASE_OPENED", "已立案：AJ-2026-430104-0001")
    events = list(AuditEvent.objects.filter(pk__gt=0).order_by("id").values_list("event_type", flat=True))
    assert events[audit_before:] == ["CASE_OPENED"]

    # The city market bureau's active officers covering Yuelu (not Furong's, not the one who left), and the
    # assignee from the ecology bureau; the e-mails go to those with an address.
    assert notices(case, "CASE_OPENED") == ["cs_ecology", "cs_market", "yuelu_market"]
    subject = f"【立案通报】AJ-2026-430104-0001 {MAKER}"
    assert sorted((m.subject, tuple(m.to)) for m in mailoutbox) == [
        (subject, ("cs_ecology@sthj.changsha.example",)),
        (subject, ("cs_market@amr.changsha.example",)),
    ]
    assert mailoutbox[0].from_email == "certhub@localhost"
    assert "处置期限：2026-10-20" in mailoutbox[0].body
    emailed = dict(Notice.objects.filter(case=case).values_list("recipient__username", "emailed_at"))
    assert {name for name, at in emailed.items() if at is not None} == {"cs_ecology", "cs_market"}
    assert emailed["yuelu_market"] is None


def test_the_serial_counts_per_year_and_region(cases_world, opening_day, django_capture_on_commit_callbacks):
    world = cases_world
    first = open_maker_case(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = do_open_case(
            warning=world.warnings["farm"],
            title="有机认证",
            working_days=5,
            departments=["市场监管局"],
            actor=world.actor("officer_province"),
        )
    assert (first.number, second.number) == ("AJ-2026-430104-0001", "AJ-2026-431102-0001")
    # 5 working days after 09-30: 10-08, 10-09, 10-10, 10-12, 10-13.
    assert second.deadline == datetime.date(2026, 10, 13)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"working_days": 0}, {"working_days": ["处置时限应为1到60个工作日，收到“0”"]}),
        ({"working_days": 61}, {"working_days": ["处置时限应为1到60个工作日，收到“61”"]}),
        ({"departments": []}, {"departments": ["至少选择一个责任部门"]}),
        (
            {"departments": ["衡阳市市场监管局"]},
            {"departments": ["“衡阳市市场监管局”不是辖区覆盖该地区的监管人员所在的部门"]},
        ),
        ({"title": "  "}, {"title": ["必填"]}),
        (
            {"assignee": "furong_market"},
            {"assignee": ["承办人furong_market不是辖区覆盖该对象所在地区（430104）的监管人员"]},
        ),
    ],
    ids=["0-days", "61-days", "no-department", "unknown-department", "no-title", "assignee-elsewhere"],
)
def test_open_case_refusals_name_the_field_and_change_nothing(
    cases_world, opening_day, overrides, errors, django_capture_on_commit_callbacks, mailoutbox
):
    world = cases_world
    if "assignee" in overrides:
        overrides["assignee"] = world.users[overrides["assignee"]]
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        open_maker_case(world, django_capture_on_commit_callbacks, **overrides)
    assert refused.value.errors == errors
    assert state() == before
    assert mailoutbox == []


def test_an_officer_of_another_prefecture_cannot_open_a_case(
    cases_world, opening_day, django_capture_on_commit_callbacks
):
    before = state()
    with pytest.raises(NotPermitted) as refused:
        open_maker_case(cases_world, django_capture_on_commit_callbacks, actor=cases_world.actor("officer_hengyang"))
    assert refused.value.message == "officer_hengyang 无权执行“处置风险预警”"
    assert state() == before


def test_a_dismissed_warning_cannot_be_reopened_nor_dismissed_again(
    cases_world, opening_day, django_capture_on_commit_callbacks
):
    world = cases_world
    warning = do_dismiss_warning(
        warning=world.warnings["maker"], reason="抽查不合格已在前次处罚中处理", actor=world.actor("officer_changsha")
    )
    assert (warning.status, warning.status_note) == ("DISMISSED", "抽查不合格已在前次处罚中处理")
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.reason, event.after["status"]) == (
        "WARNING_DISMISSED",
        "抽查不合格已在前次处罚中处理",
        "DISMISSED",
    )
    before = state()
    with pytest.raises(Conflict) as refused:
        open_maker_case(world, django_capture_on_commit_callbacks)
    assert refused.value.message == "该预警的状态为“已排除”，不能立案"
    with pytest.raises(Conflict) as again:
        do_dismiss_warning(warning=world.warnings["maker"], reason="再次排除", actor=world.actor("officer_changsha"))
    assert again.value.message == "该预警的状态为“已排除”，不能排除"
    assert state() == before


def test_dismissing_needs_a_reason(cases_world):
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        do_dismiss_warning(
            warning=cases_world.warnings["maker"], reason=" ", actor=cases_world.actor("officer_changsha")
        )
    assert refused.value.errors == {"reason": ["排除预警须说明理由"]}
    assert state() == before


def test_a_case_opened_twice_from_one_warning_is_refused(cases_world, opening_day, django_capture_on_commit_callbacks):
    open_maker_case(cases_world, django_capture_on_commit_callbacks)
    before = state()
    with pytest.raises(Conflict) as refused:
        open_maker_case(cases_world, django_capture_on_commit_callbacks)
    assert refused.value.message == "该预警的状态为“已立案处置”，不能立案"
    assert state() == before


# ------------------------------------------------------------------ assign, measures, close


def test_assigning_tells_the_assignee_only(cases_world, opening_day, django_capture_on_commit_callbacks, mailoutbox):
    world = cases_world
    case = open_maker_case(world, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_assign_case(case=case, assignee=world.users["cs_market"], actor=world.actor("officer_changsha"))
    case.refresh_from_db()
    assert case.assignee == world.users["cs_market"]
    assert notices(case, "CASE_ASSIGNED") == ["cs_market"]
    assert [(m.subject, m.to) for m in mailoutbox] == [
        (f"【案件指派】AJ-2026-430104-0001 {MAKER}", ["cs_market@amr.changsha.example"])
    ]
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.before, event.after) == (
        "CASE_ASSIGNED",
        {"assignee_id": None},
        {"assignee_id": world.users["cs_market"].pk},
    )


def test_assigning_to_an_officer_of_another_prefecture_is_refused(
    cases_world, opening_day, django_capture_on_commit_callbacks
):
    world = cases_world
    case = open_maker_case(world, django_capture_on_commit_callbacks)
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        do_assign_case(case=case, assignee=world.users["hy_market"], actor=world.actor("officer_changsha"))
    assert refused.value.errors == {"assignee": ["承办人hy_market不是辖区覆盖该对象所在地区（430104）的监管人员"]}
    assert state() == before


def test_measures_are_dated_between_the_opening_and_today(cases_world, django_capture_on_commit_callbacks):
    world = cases_world
    actor = world.actor("cs_market")
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, tzinfo=datetime.UTC), tick=False):
        case = open_maker_case(world, django_capture_on_commit_callbacks)
    with time_machine.travel(datetime.datetime(2026, 10, 9, 10, tzinfo=datetime.UTC), tick=False):
        before = state()
        refusals = {
            datetime.date(2026, 10, 10): "采取日期（2026-10-10）不能晚于今天（2026-10-09）",
            datetime.date(2026, 9, 29): "采取日期（2026-09-29）不能早于立案日期（2026-09-30）",
        }
        for day, message in refusals.items():
            with pytest.raises(ValidationFailed) as refused:
                do_record_measure(case=case, taken_on=day, description="约谈企业负责人", actor=actor)
            assert refused.value.errors == {"taken_on": [message]}
        with pytest.raises(ValidationFailed) as empty:
            do_record_measure(case=case, taken_on=datetime.date(2026, 10, 9), description="", actor=actor)
        assert empty.value.errors == {"description": ["必填"]}
        assert state() == before
        measure = do_record_measure(
            case=case, taken_on=datetime.date(2026, 10, 9), description="约谈企业负责人，责令整改", actor=actor
        )
    assert (measure.case, measure.taken_on, measure.description, measure.recorded_by) == (
        case,
        datetime.date(2026, 10, 9),
        "约谈企业负责人，责令整改",
        world.users["cs_market"],
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.subject_id, event.after) == (
        "CASE_MEASURE_RECORDED",
        str(case.pk),
        {"measure": measure.pk, "taken_on": "2026-10-09", "description": "约谈企业负责人，责令整改"},
    )


def test_a_case_is_closed_only_with_measures_and_a_conclusion(
    cases_world, opening_day, mailoutbox, django_capture_on_commit_callbacks
):
    world = cases_world
    actor = world.actor("cs_market")
    case = open_maker_case(world, django_capture_on_commit_callbacks, assignee=world.users["cs_ecology"])
    before = state()
    with pytest.raises(ValidationFailed) as no_measures:
        do_close_case(case=case, conclusion="已整改", actor=actor)
    assert no_measures.value.errors == {"measures": ["案件须记录处置措施后方可办结"]}
    assert state() == before

    do_record_measure(case=case, taken_on=datetime.date(2026, 9, 30), description="责令限期整改", actor=actor)
    before = state()
    with pytest.raises(ValidationFailed) as no_conclusion:
        do_close_case(case=case, conclusion="  ", actor=actor)
    assert no_conclusion.value.errors == {"conclusion": ["必填"]}
    assert state() == before

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_close_case(case=case, conclusion="企业已完成整改，复查合格", actor=actor)
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.conclusion) == (
        "CLOSED",
        datetime.date(2026, 9, 30),
        "企业已完成整改，复查合格",
    )
    assert notices(case, "CASE_CLOSED") == ["cs_ecology", "cs_market", "yuelu_market"]
    assert sorted(m.to[0] for m in mailoutbox) == ["cs_ecology@sthj.changsha.example", "cs_market@amr.changsha.example"]
    assert {m.subject for m in mailoutbox} == {f"【办结通报】AJ-2026-430104-0001 {MAKER}"}

    before = state()
    with pytest.raises(Conflict) as closed:
        do_record_measure(case=case, taken_on=datetime.date(2026, 9, 30), description="补记", actor=actor)
    assert closed.value.message == "案件已办结，不能再记录处置措施"
    assert state() == before


def test_an_officer_of_another_prefecture_cannot_touch_a_case(
    cases_world, opening_day, django_capture_on_commit_callbacks
):
    world = cases_world
    case = open_maker_case(world, django_capture_on_commit_callbacks)
    outsider = world.actor("hy_market")
    before = state()
    for act in (
        lambda: do_record_measure(case=case, taken_on=datetime.date(2026, 9, 30), description="x", actor=outsider),
        lambda: do_close_case(case=case, conclusion="x", actor=outsider),
        lambda: do_assign_case(case=case, assignee=world.users["hy_market"], actor=outsider),
    ):
        with pytest.raises(NotPermitted) as refused:
            act()
        assert refused.value.message == "hy_market 无权执行“处置风险预警”"
    assert state() == before


# ------------------------------------------------------------------ reminders


def test_deadline_reminders_go_once_per_case(cases_world, opening_day, django_capture_on_commit_callbacks, mailoutbox):
    world = cases_world
    case = open_maker_case(world, django_capture_on_commit_callbacks, departments=[CITY_MARKET, CITY_ECOLOGY])
    mailoutbox.clear()
    # Deadline 10-20: on 10-14 four working days remain (15, 16, 19, 20): not yet.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders(datetime.date(2026, 10, 14)) == []
    # On 10-15 three remain: reminded.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders(datetime.date(2026, 10, 15)) == [case]
    case.refresh_from_db()
    assert case.reminded_on == datetime.date(2026, 10, 15)
    assert notices(case, "DEADLINE_NEAR") == ["cs_ecology", "cs_market", "yuelu_market"]
    subject = f"【期限提醒】AJ-2026-430104-0001 {MAKER} 期限2026-10-20"
    assert sorted((m.subject, m.to[0]) for m in mailoutbox) == [
        (subject, "cs_ecology@sthj.changsha.example"),
        (subject, "cs_market@amr.changsha.example"),
    ]
    # Again the same day, and after the deadline: nothing new.
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders(datetime.date(2026, 10, 15)) == []
        assert send_deadline_reminders(datetime.date(2026, 10, 22)) == []
    assert state() == before
    assert len(mailoutbox) == 2


def test_the_remind_command_reminds_overdue_cases(cases_world, opening_day, django_capture_on_commit_callbacks, capsys):
    case = open_maker_case(cases_world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases", "remind", "--today", "2026-10-22")
    assert capsys.readouterr().out == f"AJ-2026-430104-0001  2026-10-20  {MAKER}\n1 cases reminded\n"
    assert Notice.objects.get(case=case, kind="DEADLINE_NEAR", recipient__username="cs_market").body.startswith(
        "案件已超过处置期限，请尽快办结。"
    )


def test_the_reminder_command_refuses_a_date_that_does_not_exist(db):
    from django.core.management import CommandError, call_command

    from certhub.cases.models import Notice

    with pytest.raises(CommandError, match=r"^--today: expected a date as YYYY-MM-DD, got '2026-02-30'$") as caught:
        call_command("cases", "remind", "--today", "2026-02-30")
    assert (caught.value.returncode, Notice.objects.count()) == (2, 0)
