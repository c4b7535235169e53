"""Submissions end to end through the pipeline: formats, validation, the two modes, idempotence, bad input."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest

from certhub.core.choices import AuditEventType
from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.models import Submission, SubmissionProblem
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv, write_jsonl
from certhub.registry.models import Certificate, CertificateEvent, CertificatePublicRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def state_of_registry() -> tuple:
    """Everything a refused submission must leave as it was."""
    return (
        Certificate.objects.count(),
        CertificateEvent.objects.count(),
        CertificatePublicRecord.objects.count(),
        AuditEvent.objects.exclude(event_type__startswith="SUBMISSION").count(),
        sorted(Certificate.objects.values_list("number", "status", "scope")),
    )


def submit(world, path: Path, mode: str = SubmissionMode.ALL_OR_NOTHING, user: str = "cb_hunan", **kwargs):
    options = Options(mode=mode, channel=SubmissionChannel.COMMAND, **kwargs)
    return submit_file(path, path.name, world.organizations["cb_hunan"], options, actor=world.actor(user))


def problems(submission: Submission, severity: str = "error") -> list[tuple]:
    return list(submission.problems.filter(severity=severity).values_list("row", "field", "value", "message"))


def three_rows(world) -> list[dict]:
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    return [
        certificate_row("HN-QMS-2026-0101", maker.uscc, maker.name),
        certificate_row("HN-QMS-2026-0102", hengyang.uscc, hengyang.name, scope="机械零件加工"),
        certificate_row(
            "HN-CCC-2026-0103",
            maker.uscc,
            maker.name,
            scheme="CCC",
            ccc_product="0701",
            scope="家用电冰箱",
            product_name="家用电冰箱",
            product_model="BCD-300",
            trademark="星城",
            manufacturer=maker.name,
            factory="长沙星城电器有限公司一厂",
            certification_mode="型式试验+初始工厂检查+获证后监督",
            sites="长沙市雨花区A路1号；长沙市雨花区B路2号",
        ),
    ]


def test_a_valid_file_is_applied_through_the_actions_and_a_resubmission_changes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "certificates.csv", three_rows(world), chinese=True)
    audit_before = AuditEvent.objects.filter(event_type=AuditEventType.CERTIFICATE_CREATED).count()

    first = submit(world, path)

    assert (
        first.state,
        first.total_rows,
        first.created_count,
        first.updated_count,
        first.unchanged_count,
        first.rejected_count,
        first.encoding,
        first.file_format,
    ) == ("applied", 3, 3, 0, 0, 0, "utf-8", "csv")
    ccc = Certificate.objects.get(certification_body=world.bodies["hunan"], number="HN-CCC-2026-0103")
    assert (ccc.status, ccc.scheme.code, ccc.ccc_product.code, ccc.issue_date, ccc.expiry_date) == (
        "ACTIVE",
        "CCC",
        "0701",
        datetime.date(2026, 10, 8),
        datetime.date(2029, 10, 7),
    )
    assert ccc.products == [{"name": "家用电冰箱", "model": "BCD-300", "trademark": "星城"}]
    assert ccc.sites == [{"address": "长沙市雨花区A路1号"}, {"address": "长沙市雨花区B路2号"}]
    assert ccc.particulars == {
        "manufacturer": "长沙星城电器有限公司",
        "factory": "长沙星城电器有限公司一厂",
        "certification_mode": "型式试验+初始工厂检查+获证后监督",
        "accreditation_body": "CNAS",
    }
    # Late reporting is measured from the issue date to the day it arrived.
    assert ccc.reporting_lag_days == (datetime.date.today() - datetime.date(2026, 10, 8)).days
    assert AuditEvent.objects.filter(event_type=AuditEventType.CERTIFICATE_CREATED).count() == audit_before + 3
    assert CertificatePublicRecord.objects.filter(number__startswith="HN-").count() == 3
    before = state_of_registry()

    again = submit(world, path)

    assert (again.state, again.created_count, again.updated_count, again.unchanged_count) == ("applied", 0, 0, 3)
    assert state_of_registry() == before
    assert again.sha256 == first.sha256 and again.pk != first.pk


def test_a_changed_row_goes_through_update_and_status_change_and_only_it_changes(world, tmp_path):
    rows = three_rows(world)
    submit(world, write_csv(tmp_path / "v1.csv", rows))
    rows[1].update(scope="机械零件加工及装配", status="暂停", status_date="2026-11-20", status_reason="监督审核不合格")
    updated_at = dict(Certificate.objects.filter(number__startswith="HN-").values_list("number", "updated_at"))

    second = submit(world, write_csv(tmp_path / "v2.csv", rows))

    assert (second.state, second.created_count, second.updated_count, second.unchanged_count) == ("applied", 0, 1, 2)
    changed = Certificate.objects.get(number="HN-QMS-2026-0102")
    assert (changed.scope, changed.status, changed.status_changed_on) == (
        "机械零件加工及装配",
        "SUSPENDED",
        datetime.date(2026, 11, 20),
    )
    assert list(changed.events.values_list("from_status", "to_status", "reason")) == [
        ("", "ACTIVE", "发证"),
        ("ACTIVE", "SUSPENDED", "监督审核不合格"),
    ]
    kinds = list(
        AuditEvent.objects.filter(subject_id=str(changed.pk), subject_type="registry.certificate").values_list(
            "event_type", flat=True
        )
    )
    assert kinds == ["CERTIFICATE_CREATED", "CERTIFICATE_UPDATED", "CERTIFICATE_STATUS_CHANGED"]
    untouched = dict(
        Certificate.objects.filter(number__in=["HN-QMS-2026-0101", "HN-CCC-2026-0103"]).values_list(
            "number", "updated_at"
        )
    )
    assert untouched == {k: v for k, v in updated_at.items() if k != "HN-QMS-2026-0102"}


def test_all_or_nothing_rejects_the_whole_file_and_names_row_field_value_and_reason(world, tmp_path):
    rows = three_rows(world)
    rows[0]["entity_id"] = "91430100MA4L0K3T42"  # wrong check digit
    rows[1]["expiry_date"] = "2025-01-01"  # before the issue date
    rows.append(dict(rows[2]))  # the same number twice
    withdrawn = world.certificates["withdrawn"]
    rows.append(
        certificate_row(
            withdrawn.number,
            withdrawn.holder.uscc,
            withdrawn.holder.name,
            scheme="EMS",
            issue_date="2024-01-10",
            expiry_date="2027-01-09",
            status="ACTIVE",
        )
    )
    before = state_of_registry()

    submission = submit(world, write_csv(tmp_path / "bad.csv", rows))

    assert state_of_registry() == before
    assert (submission.state, submission.total_rows, submission.rejected_count) == ("rejected", 5, 4)
    assert submission.message == "4行有错误，本次报送未生效：请改正后重新报送"
    assert problems(submission) == [
        (2, "entity_id", "91430100MA4L0K3T42", "统一社会信用代码校验位错误"),
        (3, "expiry_date", "2025-01-01", "有效期至（2025-01-01）须晚于发证日期（2026-10-08）"),
        (5, "number", "HN-CCC-2026-0103", "与第4行的证书编号重复"),
        (6, "status", "ACTIVE", "证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）"),
    ]
    assert Submission.objects.filter(organization=world.organizations["cb_hunan"], state="rejected").count() == 1


def test_apply_valid_rows_applies_exactly_the_valid_ones_and_fixing_applies_exactly_the_fixed(world, tmp_path):
    rows = three_rows(world)
    rows[1]["issue_date"] = "2026-13-01"
    first = submit(world, write_csv(tmp_path / "a.csv", rows), mode=SubmissionMode.VALID_ROWS)
    assert (first.state, first.created_count, first.rejected_count) == ("partial", 2, 1)
    assert problems(first) == [(3, "issue_date", "2026-13-01", "日期格式应为YYYY-MM-DD，收到“2026-13-01”")]
    assert not Certificate.objects.filter(number="HN-QMS-2026-0102").exists()

    rows[1]["issue_date"] = "2026-10-08"
    fixed = submit(world, write_csv(tmp_path / "b.csv", rows))

    assert (fixed.state, fixed.created_count, fixed.unchanged_count, fixed.rejected_count) == ("applied", 1, 2, 0)
    assert Certificate.objects.get(number="HN-QMS-2026-0102").scope == "机械零件加工"


def test_gb18030_files_are_detected_and_reported(world, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", three_rows(world), encoding="gb18030", chinese=True)
    submission = submit(world, path)
    assert (submission.state, submission.encoding, submission.created_count) == ("applied", "gb18030", 3)
    assert Certificate.objects.get(number="HN-QMS-2026-0102").holder_name == "衡阳湘江机械制造有限公司"


def test_utf8_with_bom_from_excel(world, tmp_path):
    path = write_csv(tmp_path / "bom.csv", three_rows(world), encoding="utf-8-sig", chinese=True)
    submission = submit(world, path)
    assert (submission.state, submission.encoding, submission.created_count) == ("applied", "utf-8-sig", 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (
            "证书编号,状态\r\nX,ACTIVE\r\n".encode()[:0] + b"number,issue_date\r\n\xff\xfe\xfa,2026\r\n",
            "文件编码无法识别：第2行（文件第20字节，0xFF）既不是UTF-8也不是GB18030/GBK：请另存为UTF-8",
        ),
        ("\ufeff证书编号".encode("utf-16"), "文件为UTF-16编码：请另存为“CSV UTF-8（逗号分隔）”"),
    ],
)
def test_files_refused_whole_are_recorded_with_the_reason(world, tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    before = state_of_registry()
    submission = submit(world, path)
    assert state_of_registry() == before
    assert (submission.state, submission.message) == ("rejected", message)
    assert problems(submission) == [(0, "", "", message)]


def test_unknown_and_missing_columns_are_named(world, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(
        "证书编号,认证制度,颜色,发证日期,有效期至,统一社会信用代码,证书编号\r\nA,QMS,红,2026-01-01,2027-01-01,X,A\r\n"
    )
    submission = submit(world, path)
    assert submission.state == "rejected"
    assert problems(submission) == [
        (0, "第3列", "颜色", "未知的列“颜色”：请使用模板中的列名（中文或英文）"),
        (0, "第7列", "证书编号", "列“证书编号”与第1列重复"),
        (0, "entity_name", "", "缺少必填列“获证组织名称”（entity_name）"),
    ]


def test_a_row_for_another_bodys_certificate_is_refused(world, tmp_path):
    theirs = world.certificates["yueyang"]
    hengyang = world.organizations["hengyang"]
    rows = [
        certificate_row(theirs.number + "-X", hengyang.uscc, hengyang.name, certification_body="CNCA-R-2011-089"),
        certificate_row("HN-QMS-2026-0999", hengyang.uscc, hengyang.name),
    ]
    submission = submit(world, write_csv(tmp_path / "theirs.csv", rows), mode=SubmissionMode.VALID_ROWS)
    assert (submission.state, submission.created_count, submission.rejected_count) == ("partial", 1, 1)
    assert problems(submission) == [
        (
            2,
            "certification_body",
            "CNCA-R-2011-089",
            "本行属于认证机构“CNCA-R-2011-089”，报送机构为“湖南标准认证有限公司”：只能报送本机构的证书",
        ),
    ]


def test_a_status_file_for_a_certificate_the_body_does_not_hold(world, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        "证书编号,证书状态,状态日期,状态原因\r\n"
        f"{world.certificates['active'].number},SUSPENDED,2026-11-01,监督抽查不合格\r\n"
        "NO-SUCH-1,SUSPENDED,2026-11-01,监督抽查不合格\r\n"
        f"{world.certificates['withdrawn'].number},有效,2026-11-01,恢复\r\n"
    )
    before = state_of_registry()
    submission = submit(world, path, kind="status")
    assert state_of_registry() == before
    assert problems(submission) == [
        (3, "number", "NO-SUCH-1", "本机构没有编号为NO-SUCH-1的证书"),
        (4, "status", "有效", "证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）"),
    ]
    applied = submit(world, path, kind="status", mode=SubmissionMode.VALID_ROWS)
    assert (applied.updated_count, applied.rejected_count) == (1, 2)
    active = Certificate.objects.get(pk=world.certificates["active"].pk)
    assert (active.status, active.status_changed_on) == ("SUSPENDED", datetime.date(2026, 11, 1))


def test_normalisations_are_made_and_reported(world, tmp_path):
    maker = world.organizations["maker"]
    row = certificate_row(
        "ＨＮ－ＱＭＳ－２０２６－０２０１",
        maker.uscc,
        " " + maker.name + "  ",
        issue_date="46303",
        expiry_date="2029年10月7日",
        scope="电气设备的  设计",
    )
    submission = submit(world, write_csv(tmp_path / "messy.csv", [row]))
    assert (submission.state, submission.created_count, submission.note_count) == ("applied", 1, 5)
    assert problems(submission, "note") == [
        (2, "number", "ＨＮ－ＱＭＳ－２０２６－０２０１", "全角字符已转为半角"),
        (2, "scope", "电气设备的  设计", "已去除多余空格"),
        (2, "issue_date", "46303", "Excel日期序列号已转换为2026-10-08"),
        (2, "expiry_date", "2029年10月7日", "日期已规范为2029-10-07"),
        (2, "entity_name", f" {maker.name}  ", "已去除多余空格"),
    ]
    certificate = Certificate.objects.get(number="HN-QMS-2026-0201")
    assert (certificate.issue_date, certificate.expiry_date, certificate.scope) == (
        datetime.date(2026, 10, 8),
        datetime.date(2029, 10, 7),
        "电气设备的 设计",
    )


def test_xlsx_with_date_cells_is_applied(world, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["证书编号", "认证制度", "发证日期", "有效期至", "获证组织名称", "统一社会信用代码", "商品条码"])
    maker = world.organizations["maker"]
    sheet.append(["HN-QMS-2026-0301", "QMS", datetime.datetime(2026, 10, 8), 47398, maker.name, maker.uscc, None])
    path = tmp_path / "certificates.xlsx"
    workbook.save(path)
    submission = submit(world, path)
    assert (submission.state, submission.file_format, submission.created_count) == ("applied", "xlsx", 1)
    assert problems(submission, "note") == [(2, "expiry_date", "47398", "Excel日期序列号已转换为2029-10-07")]
    assert Certificate.objects.get(number="HN-QMS-2026-0301").expiry_date == datetime.date(2029, 10, 7)


def test_an_xlsx_that_is_not_one_and_a_zip_bomb_are_refused(world, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("证书编号,认证制度\r\n")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    before = state_of_registry()
    refused = [submit(world, fake), submit(world, bomb)]
    assert state_of_registry() == before
    assert [s.state for s in refused] == ["rejected", "rejected"]
    assert refused[0].message == "不是有效的XLSX文件（无法按zip格式打开）：请用Excel另存为.xlsx"
    assert refused[1].message.startswith("XLSX解压后为67,108,875字节（压缩比")
    assert refused[1].message.endswith("疑似压缩炸弹，已拒收")


def test_a_file_over_the_size_limit_is_refused(world, tmp_path, settings):
    settings.SUBMISSION_MAX_BYTES = 200
    path = write_csv(tmp_path / "big.csv", three_rows(world))
    size = path.stat().st_size
    submission = submit(world, path)
    assert (submission.state, submission.size_bytes) == ("rejected", size)
    assert submission.message == f"文件大小{size:,}字节，超过上限200字节：请拆分后分批报送"
    assert not Path(settings.SUBMISSION_DIR).exists() or not any(Path(settings.SUBMISSION_DIR).iterdir())


def test_json_lines(world, tmp_path):
    rows = three_rows(world)
    rows[0]["sites"] = ["长沙市A路1号", "长沙市B路2号"]
    submission = submit(world, write_jsonl(tmp_path / "c.jsonl", rows))
    assert (submission.state, submission.file_format, submission.created_count) == ("applied", "jsonl", 3)
    assert Certificate.objects.get(number="HN-QMS-2026-0101").sites == [
        {"address": "长沙市A路1号"},
        {"address": "长沙市B路2号"},
    ]


def test_only_the_body_itself_may_submit_and_a_refusal_records_nothing(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", three_rows(world))
    submissions = Submission.objects.count()
    for user in ("cb_yueyang", "lab", "maker", "officer_province"):
        with pytest.raises(NotPermitted):
            submit(world, path, user=user)
    assert Submission.objects.count() == submissions
    assert SubmissionProblem.objects.count() == 0


def test_a_number_registered_between_checking_and_writing_is_planned_afresh(world, tmp_path, monkeypatch):
    """All or nothing checks the file, then writes it: a certificate the body registers in between (another
    submission, the API) makes the chunk roll back and be planned again, so it ends up unchanged."""
    from certhub.exchange import pipeline
    from certhub.registry.actions import do_create_certificate

    rows = three_rows(world)
    checked = pipeline.validate_all

    def check_then_register(*args, **kwargs):
        verdict = checked(*args, **kwargs)
        maker = world.organizations["maker"]
        data = {
            "number": "HN-QMS-2026-0101",
            "scheme": "QMS",
            "holder_uscc": maker.uscc,
            "scope": "电气设备的设计和生产",
            "standards": "GB/T 19001-2016/ISO 9001:2015",
            "issue_date": "2026-10-08",
            "expiry_date": "2029-10-07",
            "particulars": {"accreditation_body": "CNAS"},
        }
        do_create_certificate(body=world.bodies["hunan"], data=data, actor=world.actor("cb_hunan"))
        return verdict

    monkeypatch.setattr(pipeline, "validate_all", check_then_register)
    submission = submit(world, write_csv(tmp_path / "race.csv", rows))
    assert (submission.state, submission.created_count, submission.unchanged_count) == ("applied", 2, 1)
    assert sorted(Certificate.objects.filter(number__startswith="HN-").values_list("number", flat=True)) == [
        "HN-CCC-2026-0103",
        "HN-QMS-2026-0101",
        "HN-QMS-2026-0102",
    ]
