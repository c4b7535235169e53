"""The warnings, cases and inbox pages: internal (the public gets the login page, other roles 403), scoped to
the officer's region, forms that call the actions, refusals shown on the form with nothing changed."""

import datetime
import re

import pytest
import time_machine

from certhub.cases.actions import do_assign_case, do_open_case
from certhub.cases.models import Case, Measure, Notice
from certhub.cases.tests.conftest import CITY_ECOLOGY, CITY_MARKET
from certhub.core.models import AuditEvent
from certhub.core.testing import page_text, signed_in
from certhub.risk.models import Warning

pytestmark = pytest.mark.django_db


def open_case(world, callbacks, **overrides):
    options = {
        "title": "抽查不合格整改",
        "working_days": 10,
        "departments": [CITY_MARKET],
        "actor": world.actor("officer_changsha"),
    } | overrides
    with callbacks(execute=True):
        return do_open_case(warning=world.warnings["maker"], **options)


def rows():
    return (
        Case.objects.count(),
        Measure.objects.count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
        sorted(Warning.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize(
    "url", ["/cases/", "/cases/warnings/", "/cases/inbox/", "/cases/warnings/1/", "/cases/AJ-2026-430104-0001/"]
)
def test_the_public_gets_the_login_page_and_other_roles_a_403(cases_world, client, url):
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")
    for username in ("maker", "cb_hunan", "lab"):
        assert signed_in(client, cases_world, username).get(url).status_code == 403


def test_no_public_page_shows_a_warning(cases_world, client):
    """Warnings are internal (C6): the public pages of the warned subjects do not mention them."""
    maker = cases_world.organizations["maker"]
    for url in (f"/trace/organization/{maker.uscc}/", f"/certificates/?q={maker.uscc}", "/"):
        body = client.get(url).content.decode()
        assert "风险预警" not in body and "抽查不合格" not in body, url


def test_the_warnings_list_is_scoped_ordered_and_filtered(cases_world, client):
    province = signed_in(client, cases_world, "officer_province")
    page = page_text(province.get("/cases/warnings/"))
    names = ["衡阳湘江机械制造有限公司", "长沙星城电器有限公司", "永州潇湘有机农场"]  # scores 90, 80, 45
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    assert "“长沙星城电器有限公司”自2026-03-01以来2次抽查不合格" in page
    filtered = page_text(province.get("/cases/warnings/?prefecture=430400"))
    assert "衡阳湘江机械制造有限公司" in filtered and "长沙星城电器有限公司" not in filtered

    changsha = page_text(signed_in(client, cases_world, "officer_changsha").get("/cases/warnings/"))
    assert "长沙星城电器有限公司" in changsha
    assert "衡阳湘江机械制造有限公司" not in changsha and "永州潇湘有机农场" not in changsha


def test_the_warning_page_links_the_trace_and_offers_the_departments(cases_world, client):
    warning = cases_world.warnings["maker"]
    response = signed_in(client, cases_world, "officer_changsha").get(f"/cases/warnings/{warning.pk}/")
    body = response.content.decode()
    assert f'href="/trace/organization/{warning.uscc}/"' in body
    assert f'href="/risk/organization/{warning.subject_id}/" id="risk-profile-link"' in body
    # Departments with an active officer covering Yuelu district, the title prefilled, 10 working days.
    assert re.findall(r'name="departments" value="([^"]+)"', body) == sorted(["市场监管局", CITY_MARKET, CITY_ECOLOGY])
    assert 'value="长沙星城电器有限公司风险预警处置"' in body
    assert re.search(r'name="working_days" value="10"', body)

    # Outside the officer's region the warning answers exactly as a missing one (C14: existence does not leak).
    hengyang = signed_in(client, cases_world, "officer_hengyang")
    other, missing = hengyang.get(f"/cases/warnings/{warning.pk}/"), hengyang.get("/cases/warnings/999999/")
    assert other.status_code == missing.status_code == 404
    assert page_text(other) == page_text(missing)


def test_opening_a_case_on_the_page(cases_world, client, django_capture_on_commit_callbacks, mailoutbox):
    warning = cases_world.warnings["maker"]
    officer = signed_in(client, cases_world, "officer_changsha")
    year = datetime.date.today().year
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            f"/cases/warnings/{warning.pk}/open/",
            {
                "title": "抽查不合格整改",
                "working_days": "10",
                "departments": [CITY_ECOLOGY],
                "assignee": str(cases_world.users["cs_market"].pk),
            },
        )
    number = f"AJ-{year}-430104-0001"
    assert (response.status_code, response["Location"]) == (302, f"/cases/{number}/")
    case = Case.objects.get(number=number)
    assert (case.departments, case.assignee.username, case.working_days) == ([CITY_ECOLOGY], "cs_market", 10)
    assert sorted(m.to[0] for m in mailoutbox) == ["cs_ecology@sthj.changsha.example", "cs_market@amr.changsha.example"]
    page = page_text(officer.get(f"/cases/{number}/"))
    assert "已立案" in page and "长沙星城电器有限公司" in page and "剩余10个工作日" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"working_days": "0", "departments": [CITY_MARKET]}, "处置时限应为1到60个工作日，收到“0”"),
        ({"working_days": "61", "departments": [CITY_MARKET]}, "处置时限应为1到60个工作日，收到“61”"),
        ({"working_days": "10"}, "至少选择一个责任部门"),
    ],
    ids=["0-days", "61-days", "no-department"],
)
def test_a_refused_case_shows_the_message_on_the_form_and_changes_nothing(cases_world, client, data, message):
    warning = cases_world.warnings["maker"]
    before = rows()
    response = signed_in(client, cases_world, "officer_changsha").post(
        f"/cases/warnings/{warning.pk}/open/", {"title": "抽查不合格整改", **data}
    )
    assert response.status_code == 422
    assert re.search(r'<ul class="field-errors"[^>]*><li>' + re.escape(message) + "</li>", response.content.decode())
    assert rows() == before


def test_an_officer_of_another_prefecture_cannot_open_or_see_a_case(
    cases_world, client, django_capture_on_commit_callbacks
):
    case = open_case(cases_world, django_capture_on_commit_callbacks)
    before = rows()
    hengyang = signed_in(client, cases_world, "officer_hengyang")
    # Outside the officer's region a case answers exactly as a missing one (C14: existence does not leak).
    response, missing = hengyang.get(f"/cases/{case.number}/"), hengyang.get("/cases/2099-999999/")
    assert response.status_code == missing.status_code == 404
    assert page_text(response).replace(case.number, "N") == page_text(missing).replace("2099-999999", "N")
    assert hengyang.post(f"/cases/{case.number}/close/", {"conclusion": "x"}).status_code == 404
    data = {"title": "x", "working_days": "10", "departments": ["市场监管局"]}
    assert hengyang.post(f"/cases/warnings/{cases_world.warnings['maker'].pk}/open/", data).status_code == 404
    assert case.number not in hengyang.get("/cases/").content.decode()
    assert rows() == before


def test_closing_without_measures_is_refused_on_the_page_then_measure_and_close(
    cases_world, client, django_capture_on_commit_callbacks
):
    case = open_case(cases_world, django_capture_on_commit_callbacks)
    officer = signed_in(client, cases_world, "cs_market")
    before = rows()
    refused = officer.post(f"/cases/{case.number}/close/", {"conclusion": "已整改"})
    assert refused.status_code == 422
    summary = '<div class="error-summary" role="alert"><p>案件须记录处置措施后方可办结</p></div>'
    assert summary in refused.content.decode()
    assert rows() == before

    today = datetime.date.today()
    future = officer.post(
        f"/cases/{case.number}/measures/",
        {"taken_on": (today + datetime.timedelta(days=1)).isoformat(), "description": "约谈"},
    )
    assert future.status_code == 422
    assert f"采取日期（{today + datetime.timedelta(days=1)}）不能晚于今天（{today}）" in future.content.decode()
    assert rows() == before

    done = officer.post(f"/cases/{case.number}/measures/", {"taken_on": today.isoformat(), "description": "约谈"})
    assert (done.status_code, done["Location"]) == (302, f"/cases/{case.number}/")
    with django_capture_on_commit_callbacks(execute=True):
        closed = officer.post(f"/cases/{case.number}/close/", {"conclusion": "已整改"})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.conclusion, case.measures.count()) == ("CLOSED", "已整改", 1)


def test_the_cases_list_puts_open_cases_first_and_flags_the_overdue(
    cases_world, client, django_capture_on_commit_callbacks
):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, tzinfo=datetime.UTC), tick=False):
        overdue = open_case(cases_world, django_capture_on_commit_callbacks, working_days=1)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = do_open_case(
            warning=cases_world.warnings["hengyang"],
            title="x",
            working_days=20,
            departments=["市场监管局"],
            actor=cases_world.actor("officer_province"),
        )
    page = page_text(signed_in(client, cases_world, "officer_province").get("/cases/"))
    assert page.index(overdue.number) < page.index(fresh.number)  # the earlier deadline first
    assert re.search(re.escape(overdue.number) + r".*?2026-10-08 逾期", page)
    assert re.search(re.escape(fresh.number) + r".*?剩余20个工作日", page)


def test_the_inbox_lists_unread_first_and_opening_a_notice_marks_it_read(
    cases_world, client, django_capture_on_commit_callbacks
):
    case = open_case(cases_world, django_capture_on_commit_callbacks)
    officer = signed_in(client, cases_world, "cs_market")
    assert "通报（1条未读）" in page_text(officer.get("/office/"))
    with django_capture_on_commit_callbacks(execute=True):
        do_assign_case(case=case, assignee=cases_world.users["cs_market"], actor=cases_world.actor("officer_changsha"))
    inbox = officer.get("/cases/inbox/")
    assert "2条未读" in page_text(inbox)
    assert re.findall(r"【(立案通报|案件指派)】", inbox.content.decode()) == ["案件指派", "立案通报"]  # newest first

    # Opening the newer one marks it read and lands on its case; the older, unread, now comes first.
    assigned = Notice.objects.get(recipient=cases_world.users["cs_market"], kind="CASE_ASSIGNED")
    opened = datetime.datetime(2026, 11, 30, 2, 15, tzinfo=datetime.UTC)
    with time_machine.travel(opened, tick=False):
        response = officer.post(f"/cases/inbox/{assigned.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.number}/")
    assigned.refresh_from_db()
    assert assigned.read_at == opened
    inbox = officer.get("/cases/inbox/")
    assert "1条未读" in page_text(inbox)
    assert re.findall(r"【(立案通报|案件指派)】", inbox.content.decode()) == ["立案通报", "案件指派"]
    assert "通报（1条未读）" in page_text(officer.get("/office/"))

    # Someone else's notice is not found, and stays unread.
    other = Notice.objects.get(recipient=cases_world.users["yuelu_market"])
    assert officer.post(f"/cases/inbox/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
