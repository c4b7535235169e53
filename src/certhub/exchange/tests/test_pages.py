"""Submission pages: the template downloads, the report and its downloads, scoping, and (in Chromium)
a certification body uploading the template with mistakes, reading the report, fixing and resubmitting."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from certhub.core.testing import assert_accessible, page_text, sign_in, signed_in
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.fields import CERTIFICATE_COLUMNS
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv
from certhub.registry.models import Certificate


@pytest.fixture
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


@pytest.mark.django_db
def test_templates_carry_every_column_with_chinese_headers(client):
    response = client.get("/submissions/templates/certificates.csv")
    assert response["Content-Disposition"] == 'attachment; filename="certhub-certificates-template.csv"'
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == [c.zh for c in CERTIFICATE_COLUMNS]
    assert example[header.index("证书编号")] == "CQC2026010101000001"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/submissions/templates/status.xlsx").content))
    assert [c.value for c in workbook["数据"][1]] == ["证书编号", "证书状态", "状态日期", "状态原因", "认证机构"]
    assert [c.value for c in workbook["填写说明"][2]][:3] == ["证书编号", "number", "是"]
    assert client.get("/submissions/templates/secrets.csv").status_code == 404


@pytest.mark.django_db
def test_the_report_page_and_its_downloads(client, world, tmp_path, archive):
    maker = world.organizations["maker"]
    rows = [
        certificate_row("HN-PAGE-1", maker.uscc, maker.name),
        certificate_row("HN-PAGE-2", maker.uscc, maker.name, expiry_date="2020-01-01"),
    ]
    submission = submit_file(
        write_csv(tmp_path / "p.csv", rows),
        "p.csv",
        world.organizations["cb_hunan"],
        Options(mode=SubmissionMode.VALID_ROWS, channel=SubmissionChannel.UPLOAD),
        actor=world.actor("cb_hunan"),
    )
    signed_in(client, world, "cb_hunan")
    text = page_text(client.get(f"/submissions/{submission.pk}/"))
    assert "部分生效" in text
    assert "数据行数 2 新增 1 更新 0 无变化 0 退回 1 规范化 0" in text
    assert "3 expiry_date 2020-01-01 错误 有效期至（2020-01-01）须晚于发证日期（2026-10-08）" in text
    report = client.get(f"/submissions/{submission.pk}/report.csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert lines == [
        ["行号", "字段", "值", "类别", "原因"],
        ["3", "expiry_date", "2020-01-01", "错误", "有效期至（2020-01-01）须晚于发证日期（2026-10-08）"],
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/submissions/{submission.pk}/report.xlsx").content))
    assert [c.value for c in workbook["问题"][2]] == [
        3,
        "expiry_date",
        "2020-01-01",
        "错误",
        "有效期至（2020-01-01）须晚于发证日期（2026-10-08）",
    ]
    # Officers of the body's region read it; another body and an officer elsewhere do not.
    assert signed_in(client, world, "officer_changsha").get(f"/submissions/{submission.pk}/").status_code == 200
    listing = page_text(client.get("/submissions/"))
    assert "湖南标准认证有限公司" in listing and "1 / 0 / 0 / 1" in listing
    lags = list(
        Certificate.objects.filter(certification_body=world.bodies["hunan"]).values_list(
            "reporting_lag_days", flat=True
        )
    )
    late = sum(1 for lag in lags if lag > 30)
    expected = (
        f"湖南标准认证有限公司 {len(lags)} {round(sum(lags) / len(lags), 1)} {late} {round(100 * late / len(lags), 1)}%"
    )
    assert expected in listing  # reporting timeliness: the body's certificates, their mean lag, the late ones
    for username in ("cb_yueyang", "officer_hengyang"):
        assert signed_in(client, world, username).get(f"/submissions/{submission.pk}/").status_code == 404
        assert signed_in(client, world, username).get(f"/submissions/{submission.pk}/report.csv").status_code == 404
    assert signed_in(client, world, "maker").get("/submissions/").status_code == 403


@pytest.mark.django_db
def test_uploading_without_a_file_or_as_a_non_body_is_refused_and_records_nothing(client, world, archive):
    before = Submission.objects.count()
    response = signed_in(client, world, "cb_hunan").post("/submissions/new/", {"kind": "certificates", "mode": "all"})
    assert response.status_code == 422
    assert page_text(response).count("请选择要上传的文件") == 1
    lab_page = signed_in(client, world, "lab").get("/submissions/new/")
    assert lab_page.context["form"].fields["kind"].choices == [("reports", "检验检测报告")]
    # Officers file market registration's organizations (C1), nothing else.
    officer_page = signed_in(client, world, "officer_province").get("/submissions/new/")
    assert officer_page.context["form"].fields["kind"].choices == [("organizations", "机构登记信息")]
    assert signed_in(client, world, "maker").get("/submissions/new/").status_code == 403
    assert Submission.objects.count() == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_body_uploads_the_template_with_mistakes_then_fixes_them(live_server, phone, tmp_path, settings):
    from certhub.registry.testing import build_world

    settings.SUBMISSION_DIR = tmp_path / "archive"
    world = build_world()
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    sign_in(phone, live_server.url, "cb_hunan", world.PASSWORD, lands_on="/office/my-certificates/")
    phone.get_by_role("link", name="数据报送").click()
    phone.get_by_role("link", name="上传报送数据").click()
    assert_accessible(phone, context="the upload form")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="CSV").first.click()
    header = download.value.path().read_text(encoding="utf-8-sig").splitlines()[0]

    rows = [
        certificate_row("HN-WEB-0001", maker.uscc, maker.name),
        certificate_row("HN-WEB-0002", hengyang.uscc, hengyang.name, entity_id=hengyang.uscc[:-1] + "X"),
        certificate_row("HN-WEB-0003", maker.uscc, maker.name, issue_date="2026-02-30"),
        certificate_row("HN-WEB-0004", maker.uscc, maker.name, scheme="EMS"),
    ]
    keys = [c.key for c in CERTIFICATE_COLUMNS]
    upload = write_csv(tmp_path / "mine.csv", rows, header=keys)
    text = upload.read_bytes().decode()
    upload.write_bytes((header + text[text.index("\r\n") :]).encode())  # under the template's own header

    phone.get_by_label("文件").set_input_files(str(upload))
    phone.get_by_label("仅有效行生效").check()
    phone.get_by_role("button", name="上传并校验").click()
    phone.wait_for_url(re.compile(r"/submissions/\d+/$"))
    expect(phone.locator(".submission-state")).to_have_text("部分生效")
    assert phone.locator("[data-count=created]").inner_text() == "2"
    assert phone.locator("[data-count=rejected]").inner_text() == "2"
    problems = [re.split(r"[\t\n]", r) for r in phone.locator("table.problems tbody tr").all_inner_texts()]
    assert [[cell.strip() for cell in row] for row in problems] == [
        ["3", "entity_id", hengyang.uscc[:-1] + "X", "错误 统一社会信用代码校验位错误"],
        ["4", "issue_date", "2026-02-30", "错误 日期格式应为YYYY-MM-DD，收到“2026-02-30”"],
    ]
    assert_accessible(phone, context="a submission with rejected rows")
    assert sorted(Certificate.objects.filter(number__startswith="HN-WEB-").values_list("number", flat=True)) == [
        "HN-WEB-0001",
        "HN-WEB-0004",
    ]

    fixed = upload.read_bytes().decode().replace(hengyang.uscc[:-1] + "X", hengyang.uscc)
    upload.write_bytes(fixed.replace("2026-02-30", "2026-02-28").encode())
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="数据报送").click()
    phone.get_by_role("link", name="上传报送数据").click()
    phone.get_by_label("文件").set_input_files(str(upload))
    phone.get_by_role("button", name="上传并校验").click()
    phone.wait_for_url(re.compile(r"/submissions/\d+/$"))
    expect(phone.locator(".submission-state")).to_have_text("已全部生效")
    counts = {k: phone.locator(f"[data-count={k}]").inner_text() for k in ("created", "unchanged", "rejected")}
    assert counts == {"created": "2", "unchanged": "2", "rejected": "0"}
    assert_accessible(phone, context="a submission taken whole")
    assert sorted(Certificate.objects.filter(number__startswith="HN-WEB-").values_list("number", flat=True)) == [
        "HN-WEB-0001",
        "HN-WEB-0002",
        "HN-WEB-0003",
        "HN-WEB-0004",
    ]
    assert phone.console_errors == []
