"""A lab barred for three years is refused a new CMA application with the day the bar ends (C9), in a real
browser (Debian's Chromium through Playwright) against a live server: the province officer, at a desk,
revokes the lab's qualification for misconduct from the case page with the decision's number; the lab's
applicant, on a phone, applies again for the CMA qualification and is told which decision bars it and until
when. Every page passes the axe-core check."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certhub.core.testing import assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.licensing.models import Application, Licence
from certhub.licensing.tests.test_bans import cma_on_commitment
from certhub.registry.dates import add_months
from certhub.registry.models import Ban, Lab, Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DECISION = "湘市监认撤〔2026〕7号"


def landing(organization: Organization) -> str:
    """Where an enterprise lands after signing in: its own certificates in the search (portal.queries)."""
    return f"{reverse('portal:search')}?q={organization.uscc}"


def fill_first_cma_application(phone, base: str) -> None:
    """The signed-in lab's first CMA application by the general procedure, filled in up to its signatories: the
    lab, its key people and one scope row."""
    phone.goto(base + reverse("licensing:apply"))
    phone.get_by_label("检验检测机构资质认定").check()
    phone.get_by_label("申请类型").select_option(label="首次申请")
    phone.get_by_label("一般程序").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_label("检验检测机构名称").fill("长沙麓谷检测技术有限公司")
    phone.get_by_label("检验检测场所地址").fill("湖南省长沙市岳麓区麓谷大道 8 号")
    phone.get_by_label("法定代表人", exact=True).fill("刘洋")
    phone.get_by_label("法定代表人身份证件号码").fill("430104198001011234")
    phone.get_by_label("技术负责人", exact=True).fill("陈静")
    phone.get_by_label("技术负责人身份证件号码").fill("43010419850202222X")
    row = phone.locator("#scope-rows > fieldset").first
    for label, value in zip(
        ("检测领域", "检测对象", "项目/参数", "检测标准（方法）"),
        ("电器", "家用电器", "泄漏电流", "GB 4706.1-2005"),
        strict=True,
    ):
        row.get_by_label(label).fill(value)


def test_the_officer_revokes_a_cma_and_the_lab_is_refused_a_new_application_until_the_bar_ends(
    live_server, lic, phone, browser
):
    base = live_server.url
    application = cma_on_commitment(lic)
    licence = Licence.objects.get()
    today = timezone.localdate()
    ends = add_months(today, 36)

    # ---------------------------------------------------------------- the officer revokes (desk)
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    desk_errors: list[str] = []
    desk.on("console", lambda m: desk_errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(desk, base, "reviewer", lic.PASSWORD)
        desk.goto(base + reverse("licensing:office_application", args=[application.number]))
        form = desk.locator("#revoke-form")
        assert form.locator("p.muted").inner_text() == (
            f"以欺骗、贿赂等不正当手段取得许可的，撤销许可证{licence.number}；持证人三年内不得再次申请（须再次确认身份）。"
        )
        assert_accessible(desk, context="the officer's case page with the revocation form")
        form.get_by_label("撤销决定书编号").fill(DECISION)
        form.get_by_label("撤销的事实和理由").fill("以虚假的授权签字人资料取得资质认定")
        form.get_by_role("button", name="撤销许可").click()
        desk.wait_for_url(re.compile(rf"/licensing/office/applications/{application.number}/$"))
        assert desk.locator(".message").first.inner_text() == (
            f"申请{application.number}所涉许可证已撤销，持证人在限制期内不得再次申请。"
        )
        assert desk.locator("#revoke-form").count() == 0
        assert desk_errors == []
    finally:
        desk.context.close()
    assert (Licence.objects.get().status, Lab.objects.get().status) == ("REVOKED", "REVOKED")
    assert Ban.objects.get().ends == ends

    # ---------------------------------------------------------------- the lab applies again (phone)
    sign_in(phone, base, "applicant", lic.PASSWORD, lands_on=landing(lic.organizations["newlab"]))
    fill_first_cma_application(phone, base)
    phone.get_by_role("button", name="提交申请").click()
    summary = phone.locator(".error-summary").first
    assert summary.inner_text() == (
        f"长沙麓谷检测技术有限公司已被湖南省市场监督管理局于{today:%Y-%m-%d}决定限制申请资质"
        f"（决定文号{DECISION}），至{ends:%Y-%m-%d}届满"
    )
    assert fits_the_phone(phone)
    screenshot(phone, "licensing-barred-phone")
    assert_accessible(phone, context="the CMA application refused under the bar")
    # The refusal is answered with 422, which the browser reports; nothing else (no script or CSP error).
    assert phone.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    assert Licence.objects.count() == 1


def test_a_lab_naming_a_signatory_banned_for_life_is_refused_next_to_that_signatory(live_server, lic, phone):
    """终身禁入 (C9): the lab applies on a phone with a signatory under a lifetime ban; the refusal stands next
    to that signatory's ID number with the ban's decision and "no end"; nothing is filed."""
    from certhub.core.actors import SYSTEM
    from certhub.registry.actions.bans import do_impose_ban
    from certhub.registry.actions.people import do_create_person

    banned = do_create_person(name="王磊", roles=["SIGNATORY"], id_number="430104199003033333", actor=SYSTEM)
    do_impose_ban(
        kind="LIFETIME_BAN",
        person=banned,
        decision_number="湘市监禁〔2026〕1号",
        decided_on=timezone.localdate(),
        authority="湖南省市场监督管理局",
        starts=timezone.localdate(),
        reason="出具虚假检验检测报告",
        legal_basis="检验检测机构监督管理办法 第二十六条",
        actor=SYSTEM,
    )
    base = live_server.url
    sign_in(phone, base, "applicant", lic.PASSWORD, lands_on=landing(lic.organizations["newlab"]))
    fill_first_cma_application(phone, base)
    phone.get_by_role("button", name="添加一名授权签字人").click()
    signatory = phone.locator("#signatory-rows > fieldset").first
    signatory.get_by_label("授权签字人姓名").fill("王磊")
    signatory.get_by_label("身份证件号码").fill("430104199003033333")
    signatory.get_by_label("签字范围（检测范围行号）").fill("1")
    phone.get_by_role("button", name="提交申请").click()
    refused = phone.locator("#signatory-rows > fieldset").first.locator(".field-errors")
    assert refused.inner_text() == (
        f"王磊已被湖南省市场监督管理局于{timezone.localdate():%Y-%m-%d}决定终身禁入（决定文号湘市监禁〔2026〕1号），无期限"
    )
    assert "430104199003033333" not in phone.locator("#signatory-rows").inner_text()
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the CMA application refused for a banned signatory")
    assert Application.objects.count() == 0
