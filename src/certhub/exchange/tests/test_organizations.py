"""Market registration's organizations file through the submission pipeline (C1): idempotent by credit
code, former names kept, audit rows and ledger entries, the officer's region as the submission's scope,
and every bad input refused with row, field and reason, nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from certhub.core.audit import snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent
from certhub.exchange.choices import SubmissionChannel, SubmissionKind, SubmissionMode, SubmissionState
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import write_jsonl
from certhub.ledger.models import Entry
from certhub.registry.models import Organization, OrganizationName
from certhub.registry.testing import make_uscc

pytestmark = pytest.mark.django_db

HEADER = [
    "统一社会信用代码",
    "名称",
    "行政区划代码",
    "住所",
    "行业门类",
    "行业大类",
    "规模以上工业企业",
    "登记状态",
]
GOOD_A = make_uscc(501, "430104")
GOOD_B = make_uscc(502, "430105")


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def write_rows(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def submit(world, path: Path, user: str = "officer_changsha", mode: str = SubmissionMode.ALL_OR_NOTHING):
    actor = world.actor(user)
    from certhub.exchange.views import officer_region

    options = Options(
        kind=SubmissionKind.ORGANIZATIONS, mode=mode, channel=SubmissionChannel.COMMAND, region=officer_region(actor)
    )
    return submit_file(path, path.name, None, options, actor=actor)


def errors(submission) -> list[tuple]:
    return list(submission.problems.filter(severity="error").values_list("row", "field", "value", "message"))


def registry_state() -> tuple:
    return (
        sorted(Organization.objects.values_list("uscc", "name", "region_id", "registration_status")),
        OrganizationName.objects.count(),
        AuditEvent.objects.filter(event_type__startswith="ORGANIZATION").count(),
    )


def test_create_then_unchanged_then_updated_with_former_name_audit_and_ledger(world, tmp_path):
    rows = [
        [GOOD_A, "长沙岳麓示例电器有限公司", "430104", "长沙市岳麓区示例路1号", "C", "38", "是", "存续"],
        [GOOD_B, "长沙开福示例食品有限公司", "430105", "", "C", "14", "否", "IN_BUSINESS"],
    ]
    first = submit(world, write_rows(tmp_path / "orgs.csv", rows))
    assert (first.state, first.created_count, first.updated_count, first.unchanged_count) == ("applied", 2, 0, 0)
    assert first.organization_id is None and first.region_id == "430100"
    a = Organization.objects.get(uscc=GOOD_A)
    assert (a.name, a.region_id, a.address, a.above_designated_size, a.registration_status) == (
        "长沙岳麓示例电器有限公司", "430104", "长沙市岳麓区示例路1号", True, "IN_BUSINESS",
    )  # fmt: skip
    created = AuditEvent.objects.filter(event_type=AuditEventType.ORGANIZATION_CREATED, subject_id=str(a.pk)).get()
    assert created.after == snapshot(a) and created.actor_label == "officer_changsha"
    assert Entry.objects.filter(audit_id=created.pk).count() == 1

    again = submit(world, write_rows(tmp_path / "orgs2.csv", rows))
    assert (again.state, again.created_count, again.updated_count, again.unchanged_count) == ("applied", 0, 0, 2)

    rows[0][1] = "长沙岳麓新名电器有限公司"
    rows[1][7] = "注销"
    audits = AuditEvent.objects.filter(event_type=AuditEventType.ORGANIZATION_UPDATED).count()
    changed = submit(world, write_rows(tmp_path / "orgs3.csv", rows))
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 2, 0)
    a.refresh_from_db()
    assert a.name == "长沙岳麓新名电器有限公司"
    assert Organization.objects.get(uscc=GOOD_B).registration_status == "DEREGISTERED"
    former = OrganizationName.objects.get(organization=a)
    assert (former.name, former.used_from, former.used_until.isoformat() >= "2026-01-01") == (
        "长沙岳麓示例电器有限公司", None, True,
    )  # fmt: skip
    updates = AuditEvent.objects.filter(event_type=AuditEventType.ORGANIZATION_UPDATED).order_by("id")
    assert updates.count() == audits + 2
    update = updates.get(subject_id=str(a.pk))
    assert (update.before["name"], update.after["name"]) == ("长沙岳麓示例电器有限公司", "长沙岳麓新名电器有限公司")
    assert Entry.objects.filter(audit_id=update.pk).count() == 1


def test_xlsx_and_jsonl_with_english_keys(world, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "region_code", "registration_status", "above_designated_size"])
    sheet.append([GOOD_A, "长沙岳麓示例电器有限公司", "430104", "吊销", 1])
    book.save(tmp_path / "orgs.xlsx")
    first = submit(world, tmp_path / "orgs.xlsx")
    assert (first.state, first.created_count) == ("applied", 1)
    organization = Organization.objects.get(uscc=GOOD_A)
    assert (organization.registration_status, organization.above_designated_size) == ("LICENCE_REVOKED", True)
    lines = write_jsonl(
        tmp_path / "orgs.jsonl",
        [{"credit_code": GOOD_B, "名称": "长沙开福示例食品有限公司", "region": "430105", "status": "DEREGISTERED"}],
    )
    second = submit(world, lines)
    assert (second.state, second.created_count) == ("applied", 1)
    assert Organization.objects.get(uscc=GOOD_B).registration_status == "DEREGISTERED"


def test_bad_inputs_refused_by_row_and_field_nothing_written(world, tmp_path):
    bad_check_digit = GOOD_A[:-1] + ("0" if GOOD_A[-1] != "0" else "1")
    rows = [
        [bad_check_digit, "校验位错误有限公司", "430104", "", "", "", "", "存续"],
        [GOOD_A, "未知区划有限公司", "439999", "", "", "", "", "存续"],
        [GOOD_B, "状态错误有限公司", "430105", "", "", "", "", "歇业"],
        [GOOD_B, "重复代码有限公司", "430105", "", "", "", "", "存续"],
        [make_uscc(503, "430405"), "衡阳的企业有限公司", "430405", "", "", "", "", "存续"],
    ]
    before = registry_state()
    submission = submit(world, write_rows(tmp_path / "bad.csv", rows))
    assert submission.state == SubmissionState.REJECTED
    assert errors(submission) == [
        (2, "uscc", bad_check_digit, "统一社会信用代码校验位错误"),
        (3, "region_code", "439999", "未知的行政区划代码“439999”"),
        (4, "registration_status", "歇业",
         "未知的登记状态“歇业”，应为存续、吊销、注销或IN_BUSINESS、LICENCE_REVOKED、DEREGISTERED"),
        (5, "uscc", GOOD_B, "与第4行的统一社会信用代码重复"),
        (6, "region_code", "430405", "行政区划430405不在您的辖区内"),
    ]  # fmt: skip
    assert registry_state() == before


def test_valid_rows_mode_applies_only_the_valid_rows(world, tmp_path):
    rows = [
        [GOOD_A, "长沙岳麓示例电器有限公司", "430104", "", "", "", "", "存续"],
        [GOOD_B, "状态错误有限公司", "430105", "", "", "", "", "歇业"],
    ]
    submission = submit(world, write_rows(tmp_path / "mixed.csv", rows), mode=SubmissionMode.VALID_ROWS)
    assert (submission.state, submission.created_count, submission.rejected_count) == ("partial", 1, 1)
    assert list(Organization.objects.filter(uscc__in=[GOOD_A, GOOD_B]).values_list("uscc", flat=True)) == [GOOD_A]


def test_only_officers_and_administrators_file_organizations(world, tmp_path):
    path = write_rows(tmp_path / "orgs.csv", [[GOOD_A, "长沙岳麓示例电器有限公司", "430104", "", "", "", "", "存续"]])
    options = Options(kind=SubmissionKind.ORGANIZATIONS, channel=SubmissionChannel.COMMAND)
    with pytest.raises(NotPermitted):
        submit_file(path, path.name, None, options, actor=world.actor("cb_hunan"))
    assert not Organization.objects.filter(uscc=GOOD_A).exists()
    by_admin = submit(world, path, user="admin")
    assert (by_admin.state, by_admin.region_id, by_admin.created_count) == ("applied", None, 1)


def test_officer_uploads_a_file_on_the_upload_page_and_reads_its_report(client, world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certhub.core.testing import signed_in, table_rows

    rows = [
        [GOOD_A, "长沙岳麓示例电器有限公司", "430104", "", "", "", "", "存续"],
        [GOOD_B[:-1] + ("0" if GOOD_B[-1] != "0" else "1"), "乙有限公司", "430105", "", "", "", "", "存续"],
    ]
    data = write_rows(tmp_path / "orgs.csv", rows).read_bytes()
    before = registry_state()
    signed_in(client, world, "officer_changsha")
    upload = SimpleUploadedFile("orgs.csv", data, content_type="text/csv")
    response = client.post("/submissions/new/", {"kind": "organizations", "mode": "all", "file": upload})
    assert response.status_code == 302
    report = client.get(response["Location"])
    assert report.status_code == 200
    submission = report.context["submission"]
    assert (submission.state, submission.region_id, submission.organization_id) == ("rejected", "430100", None)
    assert errors(submission) == [(3, "uscc", rows[1][0], "统一社会信用代码校验位错误")]
    assert [row[:4] for row in table_rows(report)] == [["3", "uscc", rows[1][0], "错误 统一社会信用代码校验位错误"]]
    assert registry_state() == before
    listed = client.get("/submissions/")
    assert "市场主体登记信息（长沙市）" in listed.content.decode()
    # Another region's officer does not see it; the province's does.
    assert signed_in(client, world, "officer_hengyang").get(response["Location"]).status_code == 404
    assert signed_in(client, world, "officer_province").get(response["Location"]).status_code == 200


def test_the_import_command_takes_an_organizations_file_for_a_region(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad = [[GOOD_A, "长沙岳麓示例电器有限公司", "430405", "", "", "", "", "存续"]]
    before = registry_state()
    out = io.StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import", str(write_rows(tmp_path / "bad.csv", bad)), "--kind", "organizations",
                     "--region", "430100", "--no-progress", stdout=out)  # fmt: skip
    assert "row 2 region_code: 行政区划430405不在您的辖区内 [430405]" in out.getvalue()
    assert registry_state() == before
    good = [[GOOD_A, "长沙岳麓示例电器有限公司", "430104", "", "", "", "", "存续"]]
    call_command("import", str(write_rows(tmp_path / "good.csv", good)), "--kind", "organizations",
                 "--no-progress", stdout=out)  # fmt: skip
    created = AuditEvent.objects.get(event_type=AuditEventType.ORGANIZATION_CREATED, after__uscc=GOOD_A)
    assert created.actor_label == "certhub-import:organizations"


def test_the_organizations_template_is_downloadable(client):
    response = client.get("/submissions/templates/organizations.csv")
    assert response.status_code == 200
    first_line = response.content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("统一社会信用代码")


def bad_rows() -> tuple[list[list[str]], list[tuple]]:
    bad_check_digit = GOOD_A[:-1] + ("0" if GOOD_A[-1] != "0" else "1")
    rows = [
        [bad_check_digit, "校验位错误有限公司", "430104", "", "", "", "", "存续"],
        [GOOD_A, "未知区划有限公司", "439999", "", "", "", "", "存续"],
        [GOOD_B, "状态错误有限公司", "430105", "", "", "", "", "歇业"],
        [GOOD_B, "重复代码有限公司", "430105", "", "", "", "", "存续"],
    ]
    expected = [
        (2, "uscc", "统一社会信用代码校验位错误"),
        (3, "region_code", "未知的行政区划代码“439999”"),
        (4, "registration_status",
         "未知的登记状态“歇业”，应为存续、吊销、注销或IN_BUSINESS、LICENCE_REVOKED、DEREGISTERED"),
        (5, "uscc", "与第4行的统一社会信用代码重复"),
    ]  # fmt: skip
    return rows, expected


def test_the_same_bad_rows_are_refused_through_the_batch_api(client, world):
    from certhub.core.testing import signed_in

    rows, expected = bad_rows()
    records = [dict(zip(HEADER, row, strict=True)) for row in rows]
    before = registry_state()
    signed_in(client, world, "officer_changsha")
    response = client.post(
        "/api/v1/submissions", {"kind": "organizations", "records": records}, content_type="application/json"
    )
    report = response.json()
    assert (response.status_code, report["state"]) == (201, "rejected")
    # In a batch, row N is record N (there is no header row): one less than in the file.
    assert [(p["row"], p["field"], p["message"]) for p in report["problems"]] == [
        (row - 1, field, message.replace("第4行", "第3行")) for row, field, message in expected
    ]
    assert registry_state() == before


def test_the_same_bad_rows_are_refused_through_the_command(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    rows, expected = bad_rows()
    before = registry_state()
    out = io.StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import", str(write_rows(tmp_path / "bad.csv", rows)), "--kind", "organizations",
                     "--region", "430100", "--no-progress", stdout=out)  # fmt: skip
    for row, field, message in expected:
        assert f"row {row} {field}: {message}" in out.getvalue()
    assert registry_state() == before
