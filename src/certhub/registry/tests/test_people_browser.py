"""People and the labs' data migration in a real browser (Debian's Chromium through Playwright), at an office
desk: an officer records a lab's new technical manager and ends the affiliation; an administrator uploads a
migration file, sees every problem of a bad one, then imports a good one (C1, C8)."""

from __future__ import annotations

import datetime
import re

import pytest

from certhub.core.testing import assert_accessible, sign_in
from certhub.registry.models import Affiliation, Lab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
NUMBER = "430102198001011233"


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


def test_an_officer_records_and_ends_a_technical_manager(live_server, live_world, desk):
    sign_in(desk, live_server.url, "officer_changsha", live_world.PASSWORD)
    desk.goto(f"{live_server.url}/office/organizations/")
    desk.get_by_role("link", name="湖南省产品质量检验检测研究院").first.click()
    desk.get_by_role("link", name="关键人员").click()
    assert_accessible(desk, context="an organization's key people")
    desk.get_by_label("姓名").fill("刘建国")
    desk.get_by_label("身份证件号码").fill(NUMBER[:-1] + "4")  # a wrong check character
    desk.get_by_label("角色").select_option("TECHNICAL_MANAGER")
    desk.get_by_label("起始日期").fill("2024-03-01")
    desk.get_by_role("button", name="登记任职").click()
    desk.wait_for_load_state()
    assert desk.locator("#id_id_number_errors").inner_text() == "身份证号码校验位不正确"
    assert desk.get_by_label("身份证件号码").input_value() == ""  # never sent back
    assert NUMBER[:-1] not in desk.content()
    assert_accessible(desk, context="the start form with an error")
    desk.console_errors.clear()  # Chromium logs the refused form's 422
    desk.get_by_label("身份证件号码").fill(NUMBER)
    desk.get_by_role("button", name="登记任职").click()
    desk.wait_for_load_state()
    assert desk.locator(".message").inner_text() == "已登记：刘建国自2024-03-01起任技术负责人。"
    row = desk.locator("#key-people tbody tr", has_text="刘建国")
    row.get_by_role("link", name="登记离任").click()
    assert_accessible(desk, context="the end-of-affiliation form")
    desk.get_by_label("离任日期").fill("2025-06-30")
    desk.get_by_label("原因").fill("调离")
    desk.get_by_role("button", name="登记离任").click()
    desk.wait_for_url(re.compile(r"/office/organizations/\d+/people/$"))
    assert desk.locator(".message").inner_text() == "已登记：刘建国于2025-06-30离任技术负责人。"
    desk.get_by_role("link", name="刘建国").click()
    assert desk.locator("#affiliations tbody tr").all_inner_texts() == [
        "湖南省产品质量检验检测研究院\t技术负责人\t2024-03-01\t2025-06-30\t—\t—"
    ]
    assert_accessible(desk, context="a person's affiliations")
    assert NUMBER not in desk.content()
    assert Affiliation.objects.get(person__name="刘建国").end == datetime.date(2025, 6, 30)
    assert desk.console_errors == []


def workbook(uscc: str, standard: str) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    labs = book.create_sheet("机构", 0)
    labs.append(["统一社会信用代码", "名称", "资质认定证书编号", "发证日期", "有效期至", "许可决定"])
    labs.append([uscc, "星城电器检测中心", "241812050001", "2024-01-10", "2030-01-09", "国认监认字〔2024〕5号"])
    scope = book.create_sheet("资质认定范围")
    scope.append(["资质认定证书编号", "领域", "检测对象", "项目/参数", "依据标准/方法", "批准日期", "许可决定"])
    scope.append(["241812050001", "电器", "家用电器", "泄漏电流", standard, "2024-01-10", "国认监认字〔2024〕5号"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_administrator_uploads_a_migration_file_with_its_progress(live_server, live_world, desk, tmp_path):
    sign_in(desk, live_server.url, "admin", live_world.PASSWORD)
    desk.goto(f"{live_server.url}/submissions/labs-migration/")
    assert_accessible(desk, context="the data-migration page")
    bad = tmp_path / "labs-bad.xlsx"
    bad.write_bytes(workbook(live_world.organizations["maker"].uscc, "GB ABC"))
    desk.get_by_label("文件", exact=True).set_input_files(str(bad))
    desk.get_by_role("button", name="上传并导入").click()
    desk.locator("#problems").wait_for()
    assert desk.locator("#problems tbody tr").all_inner_texts() == [
        "资质认定范围\t2\t依据标准/方法\t“GB ABC”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"
    ]
    assert Lab.objects.filter(cma_number="241812050001").count() == 0
    assert_accessible(desk, context="the data-migration page with problems")
    good = tmp_path / "labs.xlsx"
    good.write_bytes(workbook(live_world.organizations["maker"].uscc, "GB 4706.1-2005"))
    desk.get_by_label("文件", exact=True).set_input_files(str(good))
    desk.get_by_role("button", name="上传并导入").click()
    # upload.js shows the bar while the file goes up and the server checks it, then follows the redirect.
    desk.wait_for_url(re.compile(r"/submissions/labs-migration/\?result="))
    assert desk.locator(".migration-result").inner_text() == (
        "已导入：1个机构、1条资质认定范围、0名授权签字人、0名关键人员（新登记人员0名）"
    )
    lab = Lab.objects.get(cma_number="241812050001")
    assert list(lab.scope.values_list("parameter", "standard", "decision")) == [
        ("泄漏电流", "GB 4706.1-2005", "国认监认字〔2024〕5号")
    ]
    assert_accessible(desk, context="the data-migration page after an import")
