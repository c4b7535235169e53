"""Social supervision (C10) end to end in a real browser (Debian's Chromium through Playwright) against a live
server: a member of the public, on a phone, files a tip-off about a forged certificate with a photo, anonymously,
and gets a tracking number and a query code; the officer of the subject's region finds it on the due list,
accepts it, finds it substantiated and opens a case from it; the subject's risk score and its trace show it;
the public, with the number and the code, sees the outcome. Every page passes axe-core's WCAG 2.1 AA check."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from certhub.cases.models import Case
from certhub.complaints.choices import ComplaintState, ComplaintStep
from certhub.complaints.models import Complaint
from certhub.complaints.tests.helpers import photo
from certhub.core.actors import SYSTEM
from certhub.core.testing import assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.core.uploads import open_upload
from certhub.core.workdays import add_working_days
from certhub.registry.testing import World, build_world
from certhub.risk.actions import do_run_scoring
from certhub.risk.models import Grade

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTCOME = "经核查，该店展示的证书编号在登记库和发证机构均无记录，属伪造认证证书，已立案查处。"


def test_a_tip_off_about_a_forged_certificate_is_filed_on_a_phone_substantiated_and_opens_a_case(
    live_server, phone, browser, tmp_path, settings
):
    settings.CERTHUB_UPLOAD_DIR = tmp_path / "uploads"
    settings.CERTHUB_COMPLAINT_POW_BITS = 10
    world = build_world()
    maker = world.organizations["maker"]
    base = live_server.url
    picture = tmp_path / "门店证书.jpg"
    picture.write_bytes(photo())

    # ---------------------------------------------------------------- the public files (phone)
    phone.goto(base + "/")
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="投诉举报").click()
    phone.wait_for_url(re.compile(r"/complaints/$"))
    phone.get_by_label("举报", exact=True).check()
    phone.get_by_label("证书编号").fill("CNCA-QMS-2025-9999")
    phone.get_by_label("企业、店铺或机构").fill("长沙星城电器有限公司")
    phone.get_by_label("产品").fill("家用电冰箱")
    phone.get_by_label("发生了什么").fill("门店展示的质量管理体系认证证书编号在官网查不到，疑似伪造。")
    phone.get_by_label("证据材料").set_input_files(str(picture))
    phone.locator("#proof-status").filter(has_text="人机验证已完成，可以提交。").wait_for()
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the complaint form, filled in")
    screenshot(phone, "complaints-file-phone")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/complaints/filed/$"))
    number = phone.locator("#tracking-number").inner_text()
    code = phone.locator("#query-code").inner_text()
    complaint = Complaint.objects.get(number=number)
    due = add_working_days(complaint.received_on, 15).day
    assert phone.locator("h1").inner_text() == "举报已提交"
    assert phone.locator("#due-on").inner_text() == f"{due.isoformat()}（核查并决定是否立案）"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    assert (complaint.kind, complaint.state, complaint.organization_id, complaint.region_code) == (
        "TIP_OFF",
        ComplaintState.RECEIVED,
        maker.pk,
        "430104",
    )
    assert (complaint.certificate_id, complaint.due_step, complaint.due_on) == (None, ComplaintStep.VERIFICATION, due)
    assert (complaint.contact_name, complaint.contact_phone, complaint.contact_email) == ("", "", "")
    [evidence] = complaint.evidence.all()
    assert (evidence.name, evidence.content_type) == ("门店证书.jpg", "image/jpeg")
    stored = Image.open(io.BytesIO(open_upload(evidence.sha256)))
    assert (stored.size, dict(stored.getexif())) == ((64, 48), {})
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the receipt with the tracking number")
    assert phone.console_errors == []

    # ---------------------------------------------------------------- the officer of the region (desk)
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in(desk, base, "officer_changsha", World.PASSWORD)
    desk.locator("#complaints-link").click()
    desk.wait_for_url(re.compile(r"/complaints/office/$"))
    row = desk.locator("#due-table tbody tr", has_text=number)
    assert row.locator("td").nth(1).inner_text() == "核查并决定是否立案"
    assert row.locator("td").nth(3).inner_text() == "长沙星城电器有限公司"
    assert_accessible(desk, context="the officers' complaint due list")
    row.get_by_role("link", name=number).click()
    assert desk.locator("#certificate-missing").inner_text() == "登记库中没有这个证书编号"
    assert desk.locator("#evidence-list li a").inner_text() == "门店证书.jpg"
    assert_accessible(desk, context="a received tip-off")
    desk.locator("#accept-form").get_by_role("button", name="受理").click()
    assert desk.locator(".message").first.inner_text() == f"已受理{number}。"
    desk.get_by_label("查证属实").check()
    desk.get_by_label("处理结果（投诉举报人可见）").fill(OUTCOME)
    desk.get_by_role("button", name="办结").click()
    assert desk.locator("#complaint-state").inner_text() == "查证属实"
    desk.get_by_role("link", name="由此立案").click()
    assert_accessible(desk, context="opening a case from a complaint")
    desk.get_by_label("市场监管局").check()
    desk.get_by_role("button", name="立案").click()
    case = Case.objects.get(complaint=complaint)
    desk.wait_for_url(re.compile(rf"/cases/{case.number}/$"))
    assert desk.locator("#case-complaint").inner_text() == number
    assert (case.subject_type, case.subject_id, case.uscc, case.region_code, case.title) == (
        "organization",
        maker.pk,
        maker.uscc,
        "430104",
        "长沙星城电器有限公司投诉举报查证属实",
    )

    # ---------------------------------------------------------------- risk score and trace show it
    do_run_scoring(actor=SYSTEM)
    grade = Grade.objects.get(subject_type="organization", subject_id=maker.pk)
    sentence = (
        f"长沙星城电器有限公司（{maker.uscc}）近3年有1件投诉举报查证属实，最早在{complaint.received_on.isoformat()}办结"
    )
    assert sentence in grade.basis
    desk.goto(f"{base}/risk/organization/{maker.pk}/")
    assert sentence in desk.locator("#current-grade").inner_text()
    desk.locator("#trace-link").click()
    complaints = desk.locator("#trace-complaints li").all_inner_texts()
    day = complaint.received_on.isoformat()
    assert complaints == [f"举报 · 查证属实 {day}–{day}：{OUTCOME}"]
    assert_accessible(desk, context="the organization's trace with the substantiated tip-off")

    # ---------------------------------------------------------------- the public sees the outcome (phone)
    phone.goto(base + "/complaints/track/")
    phone.get_by_label("受理编号").fill(number)
    phone.get_by_label("查询码").fill(code)
    phone.get_by_role("button", name="查询").click()
    assert phone.locator("#complaint-state").inner_text() == "查证属实"
    assert phone.locator("#complaint-outcome").inner_text() == OUTCOME
    assert phone.locator("#complaint-history li").all_inner_texts() == [
        f"{day} 提交",
        f"{day} 受理或不予受理",
        f"{day} 办结：{OUTCOME}",
        f"{day} 立案：已立案查处",
    ]
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the tracking page with the outcome")
    assert phone.console_errors == []
