"""Labs' test report metadata as a submission: one row per tested item, grouped by adjacent report number."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.models import AuditEvent
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.registry.models import TestReport

pytestmark = pytest.mark.django_db

HEADER = "报告编号,签发日期,授权签字人,检验结论,委托单位统一社会信用代码,样品名称,检测项目,检测依据,检测结果\r\n"


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def submit(world, tmp_path, text: str, mode: str = SubmissionMode.ALL_OR_NOTHING, name: str = "reports.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    options = Options(kind="reports", mode=mode, channel=SubmissionChannel.COMMAND)
    return submit_file(path, name, world.organizations["lab"], options, actor=world.actor("lab"))


def problems(submission):
    return list(submission.problems.filter(severity="error").values_list("row", "field", "value", "message"))


def test_reports_are_grouped_created_once_and_unchanged_when_resubmitted(world, tmp_path):
    maker = world.organizations["maker"].uscc
    text = (
        HEADER
        + f"BG-2026-0101,2026-11-02,周敏,合格,{maker},电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
        + f"BG-2026-0101,2026-11-02,周敏,合格,{maker},电饭锅,泄漏电流,GB 4706.1-2005,0.12 mA\r\n"
        + "BG-2026-0102,2026-11-03,周敏,不合格,,电水壶,绝缘电阻,GB 4706.1-2005,不符合\r\n"
    )
    audits = AuditEvent.objects.filter(event_type="TEST_REPORT_CREATED").count()
    first = submit(world, tmp_path, text)
    assert (first.state, first.created_count, first.rejected_count) == ("applied", 3, 0)
    report = TestReport.objects.get(lab=world.labs["main"], number="BG-2026-0101")
    assert (report.issue_date, report.conclusion, report.client_id, report.product, report.signatory_id) == (
        datetime.date(2026, 11, 2),
        "PASS",
        world.organizations["maker"].pk,
        "电饭锅",
        world.signatories["zhou"].pk,
    )
    assert list(report.items.values_list("parameter", "result")) == [("绝缘电阻", "符合"), ("泄漏电流", "0.12 mA")]
    assert TestReport.objects.get(number="BG-2026-0102").conclusion == "FAIL"
    assert AuditEvent.objects.filter(event_type="TEST_REPORT_CREATED").count() == audits + 2
    again = submit(world, tmp_path, text, name="again.csv")
    assert (again.state, again.created_count, again.unchanged_count) == ("applied", 0, 3)


def test_report_rows_are_checked_and_a_registered_report_is_never_amended(world, tmp_path):
    submit(world, tmp_path, HEADER + "BG-2026-0201,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n")
    text = (
        HEADER
        + "BG-2026-0201,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,不符合\r\n"
        + "BG-2026-0202,2026-11-02,李雷,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
        + "BG-2026-0203,2026-11-02,周敏,良好,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
        + "BG-2026-0204,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
        + "BG-2026-0204,2026-11-05,周敏,合格,,电饭锅,泄漏电流,GB 4706.1-2005,符合\r\n"
        + "BG-2026-0205,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
        + "BG-2026-0202,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n"
    )
    before = TestReport.objects.count()
    submission = submit(world, tmp_path, text, name="bad.csv")
    assert TestReport.objects.count() == before
    assert (submission.state, submission.rejected_count) == ("rejected", 6)
    assert problems(submission) == [
        (
            2,
            "report_number",
            "BG-2026-0201",
            "报告BG-2026-0201已登记且内容不同：报告不可修改，更正后的报告请使用新编号",
        ),
        (3, "signatory", "李雷", "“李雷”不是本机构的授权签字人"),
        (4, "conclusion", "良好", "结论应为PASS/FAIL/INFORMATIVE或合格/不合格/仅提供数据"),
        (6, "issue_date", "2026-11-05", "与本报告第5行的“issue_date”不一致"),
        (8, "report_number", "BG-2026-0202", "报告编号已在第3行出现：同一报告的各行须相邻，不同报告不得同号"),
    ]
    valid = submit(world, tmp_path, text, mode=SubmissionMode.VALID_ROWS, name="valid.csv")
    assert (valid.created_count, valid.rejected_count) == (1, 6)
    assert TestReport.objects.filter(number="BG-2026-0205").exists()
