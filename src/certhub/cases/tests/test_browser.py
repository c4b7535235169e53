"""Warning → case → notice → trace in a real browser (Debian's Chromium through Playwright) on a phone, against
a live server and a small demo province: the demo's province officer follows a warning from the list to its
page, opens a case notifying the prefecture's market bureau, follows the case to the subject's trace page
(倒查追溯) and back; the prefecture officer of that bureau sees the notice in their inbox with the unread
count, opens it, lands on the case, records a measure and closes the case."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from certhub.cases.models import Case, Notice
from certhub.cases.testing import raise_warnings
from certhub.core.models import User
from certhub.core.testing import PHONE, assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.registry.models import Organization
from certhub.risk.models import Warning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warning_to_case_to_trace_and_notice_to_closing(live_server, demo_password, phone, browser):
    base = live_server.url
    city_officer = User.objects.get(username="officer_city")
    department = city_officer.department  # the demo's prefecture market bureau
    prefix = city_officer.region.prefix
    warned = set(Warning.objects.filter(status="OPEN").values_list("subject_id", flat=True))
    subject = (
        Organization.objects.filter(region__code__startswith=prefix).exclude(pk__in=warned).order_by("uscc").first()
    )
    # The highest score of the province, so that it heads the list.
    raise_warnings([subject], [100.0])
    number = f"AJ-{timezone.localdate().year}-{subject.region_id}-0001"

    # The province officer: warnings list → the warning → open a case.
    sign_in(phone, base, "officer", demo_password)
    phone.locator("#cases-card").get_by_role("link", name="风险预警与快速处置").click()
    phone.wait_for_url(re.compile(r"/cases/warnings/$"))
    first = phone.locator("#warning-table tbody tr").first
    assert f"“{subject.name}”自2026-03-01以来2次抽查不合格" in first.inner_text()
    assert fits_the_phone(phone)
    screenshot(phone, "cases-warnings-phone")
    assert_accessible(phone, context="the warnings")
    first.get_by_role("link", name=subject.name).click()
    phone.wait_for_url(re.compile(r"/cases/warnings/\d+/$"))
    assert phone.get_by_label("案由").input_value() == f"{subject.name}风险预警处置"
    assert phone.get_by_label("处置时限（工作日）").input_value() == "10"
    phone.get_by_label(department, exact=True).check()
    assert fits_the_phone(phone)
    screenshot(phone, "cases-warning-phone")
    assert_accessible(phone, context="a warning with the new case form")
    phone.get_by_role("button", name="立案").click()
    phone.wait_for_url(re.compile(rf"/cases/{number}/$"))
    assert phone.locator(".message").inner_text() == f"已立案{number}，已通报责任部门。"
    assert phone.locator("#case-status").inner_text() == "处置中"
    assert_accessible(phone, context="a new case with the message")
    assert phone.console_errors == []

    # The case links the subject's trace page (倒查追溯), and back.
    phone.get_by_role("link", name="倒查追溯：查看该对象的追溯页面").click()
    phone.wait_for_url(re.compile(rf"/trace/organization/{subject.uscc}/$"))
    assert phone.locator("h1").inner_text() == f"机构追溯 {subject.name}"
    assert_accessible(phone, context="an organization's trace")
    phone.go_back()
    phone.wait_for_url(re.compile(rf"/cases/{number}/$"))
    assert phone.locator("#case-number").inner_text() == number

    # The prefecture officer of the department notified: the inbox, the notice, the case.
    assert Notice.objects.filter(case__number=number, recipient=city_officer, read_at__isnull=True).count() == 1
    city = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    try:
        sign_in(city, base, "officer_city", demo_password)
        city.locator("#cases-card").get_by_role("link", name="通报（1条未读）").click()
        city.wait_for_url(re.compile(r"/cases/inbox/$"))
        assert city.locator("#unread-count").inner_text() == "1条未读"
        assert city.locator("#inbox-unread").inner_text() == "1"
        assert fits_the_phone(city)
        assert_accessible(city, context="the inbox")
        screenshot(city, "cases-inbox-phone")
        opened_from = timezone.now()
        city.get_by_role("button", name=f"【立案通报】{number} {subject.name}").click()
        city.wait_for_url(re.compile(rf"/cases/{number}/$"))
        opened_by = timezone.now()
        assert_accessible(city, context="a case opened from the inbox")
        assert city.locator("#inbox-unread").count() == 0  # read now

        city.get_by_label("处置措施", exact=True).fill("约谈企业负责人，责令限期整改")
        city.get_by_role("button", name="记录措施").click()
        assert city.locator(".message").inner_text() == "已记录处置措施。"
        assert_accessible(city, context="a case with a measure")
        assert "约谈企业负责人，责令限期整改" in city.locator("#measure-list").inner_text()
        city.get_by_label("办结意见").fill("企业已完成整改，复查合格")
        city.get_by_role("button", name="办结").click()
        assert city.locator(".message").inner_text() == f"案件{number}已办结，已通报责任部门。"
        assert city.locator("#case-status").inner_text() == "已办结"
        assert fits_the_phone(city)
        assert_accessible(city, context="a closed case")
        screenshot(city, "cases-case-closed-phone")
    finally:
        city.context.close()
    case = Case.objects.get(number=number)
    assert (case.status, case.conclusion, case.departments) == ("CLOSED", "企业已完成整改，复查合格", [department])
    assert case.measures.get().description == "约谈企业负责人，责令限期整改"
    # Marked read when the officer opened it: between the click and the case page's arrival.
    read_at = Notice.objects.get(case=case, recipient=city_officer, kind="CASE_OPENED").read_at
    assert opened_from <= read_at <= opened_by
