"""One-stop licensing (C8, 一网通办) end to end in a real browser (Debian's Chromium through Playwright) against a
live server, on a small demo province: a new lab's applicant, on a phone, applies for the CMA qualification by
the general procedure (scope rows added with the "add row" button, a signatory, a document uploaded with the
progress bar); the province officer, at a desk, accepts the case, asks for one more document; the applicant
answers with an upload; the officer records a passed on-site review and grants; the applicant downloads the
electronic certificate, whose QR code `certhub seal verify` checks offline against the trust list; and the
public lab finder shows the new lab with exactly the granted scope rows. Then a producer gets a production
licence by 告知承诺 on the spot, and its post-approval check is on the officer's due list.

The new lab registers as a person would: it signs up, confirms its e-mail address from the link in the mail,
and links its account to the demo province's 湖南麓山检测技术有限公司 with the code sent to that organization's
registered contact. The producer's account is made here, linked as an officer's confirmation would link it.
Every other step is clicked."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from certhub.core.actors import SYSTEM
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.core.testing import assert_accessible, fits_the_phone, pdf_text, screenshot, sign_in
from certhub.demo.generator.users import NEW_LAB, NEW_LAB_CONTACT
from certhub.licensing.choices import ApplicationState
from certhub.licensing.models import Application, Licence, PostApprovalCheck
from certhub.registry import actions as registry_actions
from certhub.registry.models import Lab, Organization
from certhub.registry.testing import make_uscc
from certhub.seal.actions import do_create_seal_key
from certhub.seal.queries import trust_list
from certhub.seal.tests.test_licences import qr_of_first_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    """The keys of this run (seal, person identifiers) from before the demo is built: the demo's digests — of
    the legal representative on its revoked lab's bar among them — must be checked with the same keys later."""
    settings.KEY_DIR = tmp_path / "keys"


def pdf_bytes(title: str) -> bytes:
    """A small, clean PDF (one blank page, a title)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes("营业执照")
LAB_PASSWORD = "Lushan-testing 2026 autumn"
SCOPE = [
    ("电器", "家用电器", "泄漏电流", "GB 4706.1-2005", ""),
    ("食品", "大米", "镉", "GB 5009.15-2023", "只做第一法"),
]


def new_applicant(username: str, serial: int, name: str, password: str) -> User:
    """An organization as market registration brings it, and its enterprise account, linked."""
    organization = registry_actions.do_create_organization(
        data={
            "uscc": make_uscc(serial, "430104"),
            "name": name,
            "region": "430104",
            "industry_section": "M",
            "industry_division": "74",
        },
        actor=SYSTEM,
    )
    return User.objects.create_user(
        username=username, password=password, role=Role.ENTERPRISE, organization=organization
    )


def sign_up_and_link(page, base: str, *, username: str, password: str, uscc: str) -> User:
    """A new lab's person signs up on the phone, confirms the address from the mail, signs in and links the
    account to its organization with the code the organization's registered contact receives."""
    page.goto(base + "/")
    page.get_by_role("link", name="登录").click()
    page.get_by_role("link", name="注册企业账号").click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("姓名").fill("赵敏")
    page.get_by_label("电子邮件").fill("zhaomin@lushan-testing.example")
    page.get_by_label("密码").fill(password)
    page.get_by_label("我已阅读并同意用户协议").check()
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/account/signup/sent/$"))
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["zhaomin@lushan-testing.example"]
    link = re.search(r"https?://[^/\s]+(/account/signup/confirm/\S+/)", str(confirmation.body))
    assert link is not None, confirmation.body
    page.goto(base + link.group(1))
    page.get_by_role("button", name="确认邮箱").click()
    page.wait_for_url(re.compile(r"/login/$"))
    sign_in(page, base, username, password, lands_on="/account/organization/")
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/account/organization/$"))
    code_mail = mail.outbox[-1]
    assert code_mail.to == [NEW_LAB_CONTACT]
    code = re.search(r"验证码：(\d{6})", str(code_mail.body))
    assert code is not None, code_mail.body
    page.get_by_label("验证码", exact=True).fill(code.group(1))
    page.get_by_role("button", name="确认关联").click()
    page.wait_for_url(re.compile(r"/account/organization/$"))
    assert page.locator("#link-state").inner_text() == "本账号代表“湖南麓山检测技术有限公司”办理业务。"
    return User.objects.get(username=username)


def landing(user: User) -> str:
    """Where an enterprise lands after signing in: its own certificates in the search (portal.queries)."""
    uscc = Organization.objects.values_list("uscc", flat=True).get(pk=user.organization_id)
    return f"{reverse('portal:search')}?q={uscc}"


def message(page) -> str:
    return page.locator(".message").first.inner_text()


def test_a_new_lab_is_granted_the_cma_by_the_general_procedure_and_a_producer_on_commitment(
    live_server, demo_password, phone, browser, tmp_path, settings
):
    settings.CERTHUB_UPLOAD_DIR = tmp_path / "uploads"
    seal_key = do_create_seal_key(actor=SYSTEM)
    base = live_server.url
    officer = User.objects.get(username="officer")
    document = tmp_path / "营业执照.pdf"
    document.write_bytes(PDF)
    answer = tmp_path / "计量溯源证明.pdf"
    answer.write_bytes(pdf_bytes("计量溯源证明"))

    # ---------------------------------------------------------------- a new lab registers (phone)
    applicant = sign_up_and_link(phone, base, username="lushan_lab", password=LAB_PASSWORD, uscc=NEW_LAB["uscc"])

    # ---------------------------------------------------------------- the applicant applies (phone)
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="行政许可").click()
    assert_accessible(phone, context="my applications, none yet")
    phone.get_by_role("link", name="在线申请").first.click()
    phone.get_by_label("检验检测机构资质认定").check()
    phone.get_by_label("申请类型").select_option(label="首次申请")
    phone.get_by_label("一般程序").check()
    assert_accessible(phone, context="the choice of licence, kind and track")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_label("检验检测机构名称").fill("湖南麓山检测技术有限公司")
    phone.get_by_label("检验检测场所地址").fill("湖南省长沙市岳麓区麓谷大道 8 号")
    phone.get_by_label("法定代表人", exact=True).fill("刘洋")
    phone.get_by_label("法定代表人身份证件号码").fill("430104198001011234")
    phone.get_by_label("技术负责人", exact=True).fill("陈静")
    phone.get_by_label("技术负责人身份证件号码").fill("43010419850202222X")
    for index, row in enumerate(SCOPE):
        if index:
            phone.get_by_role("button", name="添加一行检测范围").click()
        row_set = phone.locator(f"#scope-rows > fieldset:nth-child({index + 1})")
        for label, value in zip(
            ("检测领域", "检测对象", "项目/参数", "检测标准（方法）", "限制范围"), row, strict=True
        ):
            row_set.get_by_label(label).fill(value)
    phone.get_by_role("button", name="添加一名授权签字人").click()
    signatory = phone.locator("#signatory-rows > fieldset").first
    signatory.get_by_label("授权签字人姓名").fill("王磊")
    signatory.get_by_label("身份证件号码").fill("430104199003033333")
    signatory.get_by_label("签字范围（检测范围行号）").fill("1,2")
    assert fits_the_phone(phone)
    screenshot(phone, "licensing-apply-phone")
    assert_accessible(phone, context="the CMA application form with two scope rows and a signatory")
    phone.get_by_role("button", name="提交申请").click()
    application = Application.objects.get(applicant=applicant.organization)
    phone.wait_for_url(re.compile(rf"/licensing/applications/{application.number}/$"))
    assert message(phone) == f"申请{application.number}已提交，请上传申请材料。"
    assert phone.locator("#application-state").inner_text() == "已提交，待受理"
    due = application.next_due_on.isoformat()
    assert phone.locator("#awaited p").first.inner_text() == f"受理或不予受理的决定 — 许可机关（期限 {due}）"

    # The document goes up with XMLHttpRequest and its progress bar; the page follows to the case.
    phone.get_by_label("材料文件").set_input_files(str(document))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传").click()
    assert message(phone) == "已上传“营业执照.pdf”。"
    assert phone.locator("#material-table tbody tr td").first.inner_text() == "营业执照.pdf"
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the applicant's case page")

    # ---------------------------------------------------------------- the officer accepts (desk)
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    desk_errors: list[str] = []
    desk.on("console", lambda m: desk_errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(desk, base, "officer", demo_password)
        desk.locator("#licensing-link").click()
        assert_accessible(desk, context="the officers' due list")
        row = desk.locator("#due-table tbody tr", has_text=application.number)
        assert row.locator("td").nth(1).inner_text() == "受理"
        row.get_by_role("link", name=application.number).click()
        assert_accessible(desk, context="a submitted case with the acceptance forms")
        accept = desk.locator("#accept-form")
        assert accept.get_by_label("承办人").input_value() == str(officer.pk)
        accept.get_by_role("button", name="受理").click()
        assert message(desk) == f"申请{application.number}已受理。"
        assert desk.locator("#application-state").inner_text() == "审查中"
        desk.locator("#request-materials-form").get_by_label("需补充的材料").fill("计量溯源证明（设备检定/校准证书）")
        desk.get_by_role("button", name="通知补充材料").click()
        assert message(desk) == f"已通知申请{application.number}的申请人补充材料，审查时限暂停计算。"
        assert desk.locator("#application-state").inner_text() == "待补充材料"
        assert "暂停计时" in desk.locator("#clock-table").inner_text()
        assert_accessible(desk, context="a case awaiting materials")

        # ------------------------------------------------------------ the applicant answers (phone)
        phone.reload()
        assert phone.locator("#request-items").inner_text() == "计量溯源证明（设备检定/校准证书）"
        asked = application.material_requests.get()
        assert phone.locator("#awaited p").first.inner_text() == (
            f"补充材料 — 湖南麓山检测技术有限公司（期限 {asked.due_on.isoformat()}）"
        )
        assert_accessible(phone, context="a request for more documents")
        phone.get_by_label("补充的材料文件").set_input_files(str(answer))
        phone.get_by_label("补充说明").fill("已补充设备校准证书。")
        with phone.expect_navigation():
            phone.get_by_role("button", name="提交补充").click()
        assert message(phone) == "已提交补充材料，审查继续。"
        assert phone.locator("#application-state").inner_text() == "审查中"

        # ------------------------------------------------------------ on-site review and the grant (desk)
        desk.reload()
        today = timezone.localdate().isoformat()
        desk.locator("#schedule-onsite-form").get_by_label("评审日期").fill(today)
        desk.locator("#schedule-onsite-form").get_by_label("评审组").fill("张三, 李四")
        desk.get_by_role("button", name="安排评审").click()
        assert message(desk) == f"已安排申请{application.number}的现场评审。"
        result = desk.locator("#record-onsite-form")
        result.get_by_label("评审结论").select_option(label="通过")
        result.get_by_label("结论日期").fill(today)
        result.get_by_role("button", name="记录结论").click()
        assert message(desk) == f"已记录申请{application.number}的现场评审结论。"
        assert desk.locator("#application-state").inner_text() == "评审结束，待决定"
        assert_accessible(desk, context="a case waiting for its decision")
        decide = desk.locator("#decide-form")
        decide.get_by_label("决定", exact=True).select_option(label="准予许可")
        decide.get_by_label("许可决定书编号").fill("湘市监认证〔2026〕88号")
        decide.get_by_role("button", name="作出决定").click()
        assert message(desk) == f"已对申请{application.number}作出许可决定。"
        assert desk.locator("#application-state").inner_text() == "准予许可"
        assert desk_errors == []
    finally:
        desk.context.close()

    # ---------------------------------------------------------------- the certificate and the lab finder
    application.refresh_from_db()
    licence = Licence.objects.get(granted_by=application)
    lab = Lab.objects.get(organization=applicant.organization)
    assert (application.state, licence.number, lab.cma_number) == (
        ApplicationState.GRANTED,
        lab.cma_number,
        lab.cma_number,
    )
    phone.reload()
    assert phone.locator("#licence-flag h2").inner_text() == f"已准予许可，证书编号 {licence.number}"
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载电子证书（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"licence-{licence.number}.pdf"
    lines = pdf_text(pdf).splitlines()
    assert "检验检测机构资质认定证书" in lines and licence.number in lines
    assert [line for line in lines if line in {"泄漏电流", "镉"}] == ["泄漏电流", "镉"]
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(trust_list()))
    out = _run("seal", "verify", qr_of_first_page(pdf), "--keys", str(trust)).splitlines()
    assert out[0] == f"valid: 许可证防伪二维码真实 · genuine licence seal, key {seal_key.kid} ({trust})"
    assert_accessible(phone, context="a granted case with its certificate")

    # The public lab finder: found by the parameter it was granted, and its page lists exactly the scope.
    phone.goto(f"{base}/labs/")
    phone.get_by_label("检测项目/参数").fill("泄漏电流")
    phone.get_by_role("button", name="查找").click()
    phone.get_by_role("link", name="湖南麓山检测技术有限公司").click()
    phone.wait_for_url(re.compile(rf"/labs/{lab.cma_number}/$"))
    scope_rows = phone.locator("#scope-table tbody tr")
    shown = [
        tuple(cell.strip() for cell in scope_rows.nth(i).locator("td").all_inner_texts())
        for i in range(scope_rows.count())
    ]
    assert [(row[0], row[1], row[2], row[3]) for row in shown] == [row[:4] for row in SCOPE]
    assert_accessible(phone, context="the public lab page with the granted scope")

    # ---------------------------------------------------------------- a producer, by 告知承诺 (phone)
    phone.get_by_role("button", name="退出").click()
    producer = new_applicant("tongguan", 912, "长沙铜官包装容器有限公司", demo_password)
    sign_in(phone, base, "tongguan", demo_password, lands_on=landing(producer))
    phone.goto(f"{base}/licensing/apply/")
    phone.get_by_label("工业产品生产许可证").check()
    phone.get_by_label("申请类型").select_option(label="首次申请")
    phone.get_by_label("告知承诺").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_label("产品单元").fill("危险化学品包装物、容器")
    phone.get_by_label("生产地址").fill("湖南省长沙市望城区铜官大道 18 号")
    phone.get_by_label("产品名称").fill("危险化学品包装物")
    phone.get_by_label("型号规格").fill("200L 钢桶, 25L 塑料桶")
    assert phone.locator("#commitment-text").inner_text().startswith("长沙铜官包装容器有限公司（统一社会信用代码")
    phone.get_by_label("签署人").fill("赵六")
    phone.get_by_label("本单位已阅读并作出上述承诺，承诺内容真实，愿意承担承诺不实的法律责任").check()
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the 告知承诺 form")
    phone.get_by_role("button", name="签署承诺并当场取得许可").click()
    production = Licence.objects.get(holder=producer.organization)
    assert message(phone) == f"已签署告知承诺书，当场准予许可，证书编号{production.number}。"
    assert phone.locator("#application-state").inner_text() == "准予许可"
    assert phone.console_errors == []
    check = PostApprovalCheck.objects.get(licence=production)

    officer_page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    try:
        sign_in(officer_page, base, "officer", demo_password)
        officer_page.goto(f"{base}/licensing/office/?licence_type=PRODUCTION")
        row = officer_page.locator("#due-table tbody tr", has_text=production.granted_by.number)
        assert row.locator("td").nth(0).inner_text().startswith(check.due_on.isoformat())
        assert row.locator("td").nth(1).inner_text() == "告知承诺核查"
        assert_accessible(officer_page, context="the due list with the post-approval check")
    finally:
        officer_page.context.close()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
