"""`certhub import`: the operator's way in, with the same pipeline; it names the body or lab it acts for."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from certhub.core.models import AuditEvent
from certhub.exchange.models import Submission
from certhub.exchange.testing import certificate_row, write_csv
from certhub.registry.models import Certificate, TestReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_an_operator_imports_for_a_body_and_the_audit_says_so(world, tmp_path):
    maker = world.organizations["maker"]
    path = write_csv(tmp_path / "c.csv", [certificate_row("HN-CMD-1", maker.uscc, maker.name)])
    output = run(str(path), "--as", "CNCA-R-2004-117")
    submission = Submission.objects.get(filename="c.csv")
    assert f"报送 · submission #{submission.pk}: 已全部生效 · 1 rows · created 1 · updated 0" in output
    certificate = Certificate.objects.get(number="HN-CMD-1")
    audit = AuditEvent.objects.get(event_type="CERTIFICATE_CREATED", subject_id=str(certificate.pk))
    assert (audit.actor_label, audit.actor_role, submission.channel) == (
        "certhub-import:CNCA-R-2004-117",
        "CERTIFICATION_BODY",
        "command",
    )


def test_a_lab_imports_reports_and_bad_names_and_rejections_stop_the_command(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "报告编号,签发日期,授权签字人,检验结论,检测项目,检测依据\r\n"
        "BG-CMD-1,2026-11-02,周敏,合格,铅,GB 5009.12-2023\r\n"
    )
    run(str(path), "--as", "231812050341", "--kind", "reports")
    assert list(TestReport.objects.get(number="BG-CMD-1").items.values_list("parameter", flat=True)) == ["铅"]
    with pytest.raises(CommandError, match="--as CNCA-R-0000-000: no certification body matches"):
        run(str(path), "--as", "CNCA-R-0000-000")
    header_only = tmp_path / "empty.csv"
    header_only.write_text("证书编号,认证制度,发证日期,有效期至,获证组织名称,统一社会信用代码\r\n")
    with pytest.raises(CommandError, match=r"submission #\d+ rejected"):
        run(str(header_only), "--as", "CNCA-R-2004-117")
    refused = Submission.objects.get(filename="empty.csv")
    assert (refused.state, refused.message) == ("rejected", "文件只有表头，没有数据行")
