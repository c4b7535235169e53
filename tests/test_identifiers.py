"""The identifier grammar (core/identifiers.py) and the issuing-body check of the national numbering rule
(registry/numbering.py), through every way a number comes in: the actions, the API, a submission file,
the import command; and the pages that link to a number stored before the grammar existed (C14, issue 14
finding 1)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.models import AuditEvent
from certhub.core.testing import page_text, signed_in
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv, write_jsonl
from certhub.inspections.actions import do_create_inspection_item, do_create_inspector
from certhub.inspections.models import Inspector
from certhub.registry import actions, numbering
from certhub.registry.models import Certificate, CertificateEvent, CertificationBody, Lab, TestReport
from certhub.registry.testing import SYSTEM, certificate_data
from certhub.risk.actions import do_record_penalties
from certhub.risk.models import Penalty

pytestmark = pytest.mark.django_db

SLASH = "不得含有路径分隔符“/”或“\\”"
DOTS = "不得含有“..”，也不得以“.”开头"
# Each bad input the issue names, with the exact refusal.
BAD = [
    ("HN/2026/1", SLASH),
    ("HN\\2026\\1", SLASH),
    ("ＨＮ／２０２６", SLASH),  # full-width: NFKC makes it "HN/2026"
    ("HN..2026", DOTS),
    ("..", DOTS),
    (".HN-1", DOTS),
    ("HN-2026\n1", "不得含有空格、换行或控制字符（U+000A）"),
    ("HN-2026 1", "不得含有空格、换行或控制字符（U+0020）"),
    ("HN-\x002026", "不得含有空格、换行或控制字符（U+0000）"),
    ("HN-\u202e6202", "不得含有不可见的格式字符（U+202E，如从右到左覆盖）"),
    ("HN-\u200b2026", "不得含有不可见的格式字符（U+200B，如从右到左覆盖）"),
    ("H" * 61, "长度不得超过60个字符"),
]
IDS = ["slash", "backslash", "fullwidth-slash", "dots", "only-dots", "leading-dot", "newline", "space", "nul",
       "rlo", "zero-width", "too-long"]  # fmt: skip


def registry_state() -> tuple:
    return (
        sorted(Certificate.objects.values_list("number", "status")),
        CertificateEvent.objects.count(),
        AuditEvent.objects.exclude(event_type__startswith="SUBMISSION").count(),
    )


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def test_the_grammar_keeps_real_numbers_as_written():
    for number in ("00126Q0000123R0M", "2025010701000123", "CNCA-R-2004-117", "湘市监处罚〔2025〕10号", "A?B#C"):
        assert clean_identifier(number) == number
    assert clean_identifier("  ＣＮＣＡ－Ｒ－２００４－１１７ ") == "CNCA-R-2004-117"


@pytest.mark.parametrize(("number", "message"), BAD, ids=IDS)
def test_the_certificate_action_refuses_each_bad_number(world, number, message):
    before = registry_state()
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data(number, world.organizations["maker"]),
            actor=world.actor("cb_hunan"),
        )
    assert refused.value.errors == {"number": [message]}
    assert registry_state() == before


@pytest.mark.parametrize(("number", "message"), BAD, ids=IDS)
def test_the_api_refuses_each_bad_number(client, world, number, message):
    before = registry_state()
    payload = {
        "number": number,
        "scheme": "QMS",
        "holder_uscc": world.organizations["maker"].uscc,
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
    }
    response = client.post(
        "/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=world.api_keys["cb_hunan"]
    )
    assert (response.status_code, response.json()) == (
        422,
        {"code": "validation_failed", "message": f"number: {message}", "errors": {"number": [message]}},
    )
    assert registry_state() == before


def submit(world, path):
    options = Options(mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    return submit_file(path, path.name, world.organizations["cb_hunan"], options, actor=world.actor("cb_hunan"))


def test_a_file_names_the_row_field_value_and_rule_of_each_bad_number(world, tmp_path):
    maker = world.organizations["maker"]
    rows = [certificate_row("HN-FILE-OK", maker.uscc, maker.name)]
    rows += [certificate_row(number, maker.uscc, maker.name) for number, _message in BAD]
    before = registry_state()
    submission = submit(world, write_jsonl(tmp_path / "bad.jsonl", rows))
    assert registry_state() == before
    assert submission.state == "rejected"
    found = list(submission.problems.filter(severity="error").values_list("row", "field", "message"))
    assert found == [(index + 2, "number", message) for index, (_number, message) in enumerate(BAD)]
    # The value as sent, a NUL written visibly (PostgreSQL cannot store one).
    assert submission.problems.get(row=IDS.index("nul") + 2).value == "HN-\\02026"


def test_the_import_command_refuses_a_bad_number_with_its_row(world, tmp_path):
    maker = world.organizations["maker"]
    path = write_jsonl(tmp_path / "cmd.jsonl", [certificate_row("HN/CMD/1", maker.uscc, maker.name)])
    before = registry_state()
    with pytest.raises(Exception, match=r"submission #\d+ rejected"):
        call_command("import", str(path), "--as", "CNCA-R-2004-117", "--no-progress", stdout=io.StringIO())
    assert registry_state() == before
    submission = Submission.objects.get(filename="cmd.jsonl")
    assert list(submission.problems.values_list("row", "field", "value", "message")) == [
        (1, "number", "HN/CMD/1", SLASH)
    ]


def test_every_kind_of_number_users_create_follows_the_grammar(world):
    """Approval and CMA numbers, test report numbers (one and many), penalty decision numbers, inspector
    and inspection item codes: the same rule, the field named."""
    org = world.organizations["farm"]
    counts = (CertificationBody.objects.count(), Lab.objects.count(), TestReport.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_certification_body(
            organization=org, name="x", approval_number="CNCA-R/2020-001", actor=SYSTEM
        )
    assert refused.value.errors == {"approval_number": [SLASH]}
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_lab(
            organization=org,
            name="x",
            cma_number="2318\u202e1205",
            cma_valid_from=datetime.date(2025, 1, 1),
            cma_valid_until=datetime.date(2028, 1, 1),
            decision="湘市监资认〔2025〕1号",
            actor=SYSTEM,
        )
    assert refused.value.errors == {"cma_number": ["不得含有不可见的格式字符（U+202E，如从右到左覆盖）"]}
    lab, signatory = world.labs["main"], next(iter(world.signatories.values()))
    report = {"signatory": signatory, "issue_date": datetime.date(2026, 1, 5), "conclusion": "PASS",
              "items": [{"parameter": "铅", "standard": "GB 5009.12-2023", "result": "未检出"}]}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_test_report(lab=lab, number="BG..1", actor=world.actor("lab"), **report)
    assert refused.value.errors == {"number": [DOTS]}
    with pytest.raises(ValidationFailed) as refused:
        actions.do_bulk_create_test_reports(
            lab=lab, rows=[{"number": "BG-OK-1", **report}, {"number": "BG\n2", **report}], actor=world.actor("lab")
        )
    assert refused.value.errors == {"rows[1].number": ["不得含有空格、换行或控制字符（U+000A）"]}
    assert (CertificationBody.objects.count(), Lab.objects.count(), TestReport.objects.count()) == counts
    with pytest.raises(ValidationFailed) as refused:
        do_record_penalties(
            rows=[
                {
                    "organization": org.pk,
                    "decision_number": "湘/2026/1",
                    "decided_on": "2026-01-05",
                    "authority": "长沙市市场监督管理局",
                    "reason": "无证生产",
                }
            ],
            actor=SYSTEM,
        )
    assert refused.value.errors == {"rows[0].decision_number": [SLASH]}
    assert Penalty.objects.count() == 0
    with pytest.raises(ValidationFailed) as refused:
        do_create_inspector(
            code="ZF 001", name="王五", department="市场监管", region="430100", qualifications=["ENTERPRISE"],
            actor=SYSTEM,
        )  # fmt: skip
    assert refused.value.errors["code"] == ["不得含有空格、换行或控制字符（U+0020）"]
    with pytest.raises(ValidationFailed) as refused:
        do_create_inspection_item(
            code="..items", name="x", department="市场监管", target_type="ENTERPRISE", legal_basis="x",
            method="x", default_ratio="5", region="430100", actor=SYSTEM,
        )  # fmt: skip
    assert refused.value.errors["code"] == [DOTS]


# --- the issuing body ------------------------------------------------------------------------------------


def test_the_rule_reads_the_body_code_from_the_approval_number():
    assert numbering.body_code("CNCA-R-2004-117") == "117"
    assert numbering.body_code("CNCA-RF-2005-07") == "F07"
    assert numbering.body_code("本省备案-12") is None
    assert numbering.encoded_body_code("11725Q0000123R0M") == "117"
    assert numbering.encoded_body_code("117OP2500001-1") == "117"
    assert numbering.encoded_body_code("F0724E00012R1S") == "F07"
    assert numbering.encoded_body_code("2025010701000123") is None  # CCC: the designated body's code
    assert numbering.encoded_body_code("CNCA-QMS-2025-0001") is None


def test_a_body_registers_numbers_with_its_own_code(world):
    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("11725Q0000001R0M", world.organizations["maker"]),
        actor=world.actor("cb_hunan"),
    )
    assert certificate.number == "11725Q0000001R0M"


ANOTHER = (
    "按全国认证证书编号规则，编号前缀089代表认证机构“岳阳质量认证中心有限公司”（CNCA-R-2011-089）：只能登记本机构的证书"
)
NOT_OURS = "按全国认证证书编号规则，本机构（CNCA-R-2004-117）的证书编号以117开头，收到的编号以999开头"


@pytest.mark.parametrize(("number", "message"), [("08925Q0000001R0M", ANOTHER), ("99925Q0000001R0M", NOT_OURS)])
def test_a_number_encoding_another_body_is_refused_by_action_api_and_file(client, world, tmp_path, number, message):
    maker = world.organizations["maker"]
    before = registry_state()
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_certificate(
            body=world.bodies["hunan"], data=certificate_data(number, maker), actor=world.actor("cb_hunan")
        )
    assert refused.value.errors == {"number": [message]}
    payload = {**certificate_data(number, maker)}
    response = client.post(
        "/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=world.api_keys["cb_hunan"]
    )
    assert (response.status_code, response.json()["errors"]) == (422, {"number": [message]})
    submission = submit(world, write_jsonl(tmp_path / "other.jsonl", [certificate_row(number, maker.uscc, maker.name)]))
    assert list(submission.problems.values_list("row", "field", "value", "message")) == [(1, "number", number, message)]
    assert registry_state() == before


def test_two_bodies_cannot_share_a_body_code(world):
    with pytest.raises(Conflict) as refused:
        actions.do_create_certification_body(
            organization=world.organizations["farm"], name="x", approval_number="CNCA-R-2019-117", actor=SYSTEM
        )
    assert refused.value.errors == {
        "approval_number": [
            "批准号CNCA-R-2019-117的机构代码117已由认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）使用"
        ]
    }


def set_number(certificate: Certificate, number: str) -> None:
    """A number as it may be stored from before these rules (an older release, a migrated database)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_certificate SET number = %s WHERE id = %s", [number, certificate.pk])
        cursor.execute(
            "UPDATE registry_certificatepublicrecord SET number = %s WHERE certificate_id = %s",
            [number, certificate.pk],
        )


def test_a_number_another_body_also_holds_does_not_hide_the_genuine_certificate(client, world):
    """Before the rule, another body could register the genuine number; its public lookups then answered
    409. The body the number encodes answers."""
    genuine = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("11725Q0000002R0M", world.organizations["maker"]),
        actor=world.actor("cb_hunan"),
    )
    squatter = actions.do_create_certificate(
        body=world.bodies["yueyang"],
        data=certificate_data("YY-2025-0002", world.organizations["hengyang"]),
        actor=world.actor("cb_yueyang"),
    )
    set_number(squatter, "11725Q0000002R0M")
    response = client.get("/api/v1/certificates/11725Q0000002R0M")
    assert (response.status_code, response.json()["certification_body"]["approval_number"]) == (
        200,
        "CNCA-R-2004-117",
    )
    trace = client.get("/api/v1/trace/certificate/11725Q0000002R0M")
    assert (trace.status_code, trace.json()["certification_body"]["approval_number"]) == (200, "CNCA-R-2004-117")
    page = client.get("/certificates/11725Q0000002R0M/")
    assert page.status_code == 200
    assert page.context["certificate"].pk == genuine.pk
    # A number outside the rule names no body: the caller still chooses.
    assert client.get("/api/v1/certificates/CNCA-QMS-2025-0001").status_code == 409


# --- numbers stored before the grammar --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["HN/2026/7", "HN\n7", "HN?7#x"], ids=["slash", "newline", "query-chars"])
def test_pages_linking_a_stored_odd_number_render_and_reach_it(client, world, number):
    maker = world.organizations["maker"]
    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"], data=certificate_data("HN-ODD-1", maker), actor=world.actor("cb_hunan")
    )
    set_number(certificate, number)
    for url, params in (
        ("/certificates/", {"q": maker.uscc}),
        ("/procurement/", {"uscc": maker.uscc}),
        (f"/trace/organization/{maker.uscc}/", {}),
    ):
        assert client.get(url, params).status_code == 200, url
    page = client.get(reverse("registry:certificate", args=[number]))
    assert (page.status_code, page.context["certificate"].pk) == (200, certificate.pk)
    trace = client.get(reverse("trace:certificate", args=[number]))
    assert trace.status_code == 200


# --- forms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [("ZF/4301", SLASH), ("ZF..4301", DOTS), ("ZF\u202e4301", "不得含有不可见的格式字符（U+202E，如从右到左覆盖）"),
     ("ZF 4301", "不得含有空格、换行或控制字符（U+0020）")],
    ids=["slash", "dots", "rlo", "space"],
)  # fmt: skip
def test_the_inspector_form_names_the_rule_next_to_the_code(client, world, code, message):
    signed_in(client, world, "officer_changsha")
    before = Inspector.objects.count()
    response = client.post(
        "/inspections/office/inspectors/",
        {"code": code, "name": "赵刚", "department": "市场监管", "region": "430105", "qualifications": ["LAB"],
         "available": "on"},
    )  # fmt: skip
    assert (response.status_code, dict(response.context["form"].errors)) == (422, {"code": [message]})
    assert Inspector.objects.count() == before


def test_the_upload_form_names_the_row_and_rule_of_a_bad_number(client, world, tmp_path):
    maker = world.organizations["maker"]
    path = write_csv(tmp_path / "u.csv", [certificate_row("HN\\UP\\1", maker.uscc, maker.name)])
    before = registry_state()
    signed_in(client, world, "cb_hunan")
    with path.open("rb") as file:
        response = client.post("/submissions/new/", {"kind": "certificates", "mode": "all", "file": file})
    submission = Submission.objects.get(filename="u.csv")
    assert response.status_code == 302
    assert list(submission.problems.values_list("row", "field", "value", "message")) == [
        (2, "number", "HN\\UP\\1", SLASH)
    ]
    assert "2 number HN\\UP\\1 错误 " + SLASH in page_text(client.get(f"/submissions/{submission.pk}/"))
    assert registry_state() == before


def test_a_labs_report_file_names_the_row_and_rule_of_a_bad_report_number(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "报告编号,签发日期,授权签字人,检验结论,检测项目,检测依据\r\n"
        "BG-OK-1,2026-11-02,周敏,合格,铅,GB 5009.12-2023\r\n"
        "BG\u202e-2,2026-11-02,周敏,合格,铅,GB 5009.12-2023\r\n",
        encoding="utf-8",
    )
    before = TestReport.objects.count()
    with pytest.raises(Exception, match=r"submission #\d+ rejected"):
        call_command(
            "import", str(path), "--as", "231812050341", "--kind", "reports", "--no-progress", stdout=io.StringIO()
        )
    submission = Submission.objects.get(filename="r.csv")
    assert list(submission.problems.values_list("row", "field", "message")) == [
        (3, "report_number", "不得含有不可见的格式字符（U+202E，如从右到左覆盖）")
    ]
    assert TestReport.objects.count() == before
