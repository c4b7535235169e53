"""Bans enforced where they matter (C9), each refusal naming the ban and when it ends, nothing written:
certificates (action, API, bulk action, submission file, upload page, import command), test reports
(action, bulk action, file rows), submissions, and people (action, page, API, signatory, licensing's key
people)."""

from __future__ import annotations

import datetime

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.actors import SYSTEM
from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, signed_in
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.readers import RawRow
from certhub.exchange.rows import ReportPlanner
from certhub.exchange.testing import certificate_row, write_csv
from certhub.ledger.models import Entry
from certhub.registry import person_ids
from certhub.registry.actions import (
    do_add_affiliation,
    do_authorize_signatory,
    do_bulk_create_certificates,
    do_bulk_create_test_reports,
    do_create_certificate,
    do_create_test_report,
    do_end_affiliation,
    do_start_affiliation,
)
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.actions.labs import do_add_lab_person
from certhub.registry.models import Affiliation, Certificate, CertificateEvent, Person, Signatory, TestReport
from certhub.registry.testing import certificate_data

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
NUMBER = "430102198001011233"
CB_EXIT = "湖南标准认证有限公司已被长沙市市场监督管理局于2026-03-02决定永久退出（决定文号湘市监罚〔2026〕7号），无期限"
LAB_EXIT = (
    "湖南省产品质量检验检测研究院已被长沙市市场监督管理局于2026-03-02决定永久退出"
    "（决定文号湘市监罚〔2026〕7号），无期限"
)
MAKER_BAR = (
    "长沙星城电器有限公司已被长沙市市场监督管理局于2026-03-02决定限制认证"
    "（决定文号湘市监认〔2026〕9号），至2036-03-02届满"
)
PERSON_BAN = "刘建国已被长沙市市场监督管理局于2026-03-02决定终身禁入（决定文号湘市监罚〔2026〕11号），无期限"
SUSPENDED = (
    "获证组织“衡阳湘江机械制造有限公司”的质量管理体系认证证书CNCA-QMS-2025-0002自2025-09-01起"
    "在认证机构“湖南标准认证有限公司”暂停：暂停期间不得转换认证机构"
)


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def ban(world, kind, decision, **kw):
    return do_impose_ban(
        kind=kind,
        decision_number=decision,
        decided_on=DAY,
        authority="长沙市市场监督管理局",
        starts=DAY,
        reason="出具虚假认证结论",
        legal_basis="中华人民共和国认证认可条例",
        actor=SYSTEM,
        **kw,
    )


def exit_of(world, key):
    return ban(world, "PERMANENT_EXIT", "湘市监罚〔2026〕7号", organization=world.organizations[key])


def bar_maker(world):
    return ban(
        world,
        "CERTIFICATION_BAR",
        "湘市监认〔2026〕9号",
        organization=world.organizations["maker"],
        ends=datetime.date(2036, 3, 2),
    )


def state():
    return (
        sorted(Certificate.objects.values_list("certification_body_id", "number", "status")),
        CertificateEvent.objects.count(),
        TestReport.objects.count(),
        sorted(Affiliation.objects.values_list("person__name", "organization_id", "role", "start", "end")),
        sorted(Signatory.objects.values_list("lab_id", "person_id")),
        Person.objects.count(),
        Submission.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def api_post(client, url, body, key):
    return client.post(url, orjson.dumps(body), content_type="application/json", headers={"X-API-Key": key})


# ---------------------------------------------------------------- certificates, one at a time


def test_a_body_under_permanent_exit_registers_no_certificate(world, client):
    exit_of(world, "cb_hunan")
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data("HN-2026-1", world.organizations["farm"]),
            actor=world.actor("cb_hunan"),
        )
    assert refused.value.errors == {"certification_body": [CB_EXIT]}
    payload = {**certificate_data("HN-2026-1", world.organizations["farm"])}
    response = api_post(client, "/api/v1/certificates", payload, world.api_keys["cb_hunan"])
    assert (response.status_code, response.json()["errors"]) == (422, {"certification_body": [CB_EXIT]})
    assert state() == before
    # Another body is not concerned.
    made = do_create_certificate(
        body=world.bodies["yueyang"],
        data=certificate_data("YY-2026-1", world.organizations["farm"]),
        actor=world.actor("cb_yueyang"),
    )
    assert made.status == "ACTIVE"


def test_a_holder_under_a_certification_bar_is_certified_by_no_body(world, client):
    bar_maker(world)
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        do_create_certificate(
            body=world.bodies["yueyang"],
            data=certificate_data("YY-2026-2", world.organizations["maker"]),
            actor=world.actor("cb_yueyang"),
        )
    assert refused.value.errors == {"holder_uscc": [MAKER_BAR]}
    payload = certificate_data("HN-2026-2", world.organizations["maker"])
    response = api_post(client, "/api/v1/certificates", payload, world.api_keys["cb_hunan"])
    assert (response.status_code, response.json()["errors"]) == (422, {"holder_uscc": [MAKER_BAR]})
    assert state() == before


def test_a_lifted_or_ended_bar_no_longer_refuses(world):
    from certhub.registry.actions.bans import do_lift_ban

    bar = bar_maker(world)
    do_lift_ban(ban=bar, decision_number="湘市监信修〔2026〕1号", lifted_on=DAY, reason="信用修复", actor=SYSTEM)
    made = do_create_certificate(
        body=world.bodies["yueyang"],
        data=certificate_data("YY-2026-3", world.organizations["maker"]),
        actor=world.actor("cb_yueyang"),
    )
    assert (made.holder, made.status) == (world.organizations["maker"], "ACTIVE")


def test_a_certificate_suspended_at_one_body_does_not_move_to_another(world, client):
    hengyang = world.organizations["hengyang"]
    before = state()
    data = certificate_data("YY-2026-4", hengyang, issue_date="2026-01-05", expiry_date="2029-01-04")
    with pytest.raises(ValidationFailed) as refused:
        do_create_certificate(body=world.bodies["yueyang"], data=data, actor=world.actor("cb_yueyang"))
    assert refused.value.errors == {"holder_uscc": [SUSPENDED]}
    response = api_post(client, "/api/v1/certificates", data, world.api_keys["cb_yueyang"])
    assert (response.status_code, response.json()["errors"]) == (422, {"holder_uscc": [SUSPENDED]})
    assert state() == before
    # Issued before the suspension began: no move during a suspension. Another scheme: not concerned.
    earlier = certificate_data("YY-2026-5", hengyang, issue_date="2025-08-01", expiry_date="2028-07-31")
    assert do_create_certificate(body=world.bodies["yueyang"], data=earlier, actor=world.actor("cb_yueyang")).pk
    ems = certificate_data("HN-EMS-2026-6", hengyang, scheme="EMS", issue_date="2026-01-05", expiry_date="2029-01-04")
    assert do_create_certificate(body=world.bodies["hunan"], data=ems, actor=world.actor("cb_hunan")).pk


# ---------------------------------------------------------------- certificates in bulk


def test_the_bulk_action_names_the_barred_rows_and_writes_nothing(world):
    bar_maker(world)
    hengyang, maker = world.organizations["hengyang"], world.organizations["maker"]
    rows = [
        certificate_data("YY-B-1", world.organizations["farm"]),
        certificate_data("YY-B-2", maker),
        certificate_data("YY-B-3", hengyang, issue_date="2026-01-05", expiry_date="2029-01-04"),
    ]
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        do_bulk_create_certificates(body=world.bodies["yueyang"], rows=rows, actor=world.actor("cb_yueyang"))
    assert refused.value.errors == {"rows[1].holder_uscc": [MAKER_BAR], "rows[2].holder_uscc": [SUSPENDED]}
    assert state() == before
    exit_of(world, "cb_hunan")
    with pytest.raises(ValidationFailed) as whole:
        do_bulk_create_certificates(body=world.bodies["hunan"], rows=rows[:1], actor=world.actor("cb_hunan"))
    assert whole.value.errors == {"certification_body": [CB_EXIT]}


def ban_statements(captured):
    return [q["sql"] for q in captured.captured_queries if "registry_ban" in q["sql"] or "c.status = " in q["sql"]]


def test_the_bulk_check_reads_the_bans_once_per_batch_not_once_per_row(world):
    """Whatever the batch's size, the same three statements."""
    bar_maker(world)
    farm = world.organizations["farm"]
    counts = []
    for size in (2, 40):
        rows = [certificate_data(f"YY-Q{size}-{i}", farm) for i in range(size)]
        with CaptureQueriesContext(connection) as captured:
            do_bulk_create_certificates(body=world.bodies["yueyang"], rows=rows, actor=world.actor("cb_yueyang"))
        counts.append(len(ban_statements(captured)))
    # The issuer's ban, the certification bars in force, the certificates suspended at other bodies.
    assert counts == [3, 3]


def test_the_check_can_be_switched_off_for_the_benchmark_only_in_the_bulk_path(world, settings):
    bar_maker(world)
    settings.CERTHUB_BAN_CHECKS = False
    made = do_bulk_create_certificates(
        body=world.bodies["yueyang"],
        rows=[certificate_data("YY-OFF-1", world.organizations["maker"])],
        actor=world.actor("cb_yueyang"),
    )
    assert [c.number for c in made] == ["YY-OFF-1"]
    with pytest.raises(ValidationFailed) as refused:
        do_create_certificate(
            body=world.bodies["yueyang"],
            data=certificate_data("YY-OFF-2", world.organizations["maker"]),
            actor=world.actor("cb_yueyang"),
        )
    assert refused.value.errors == {"holder_uscc": [MAKER_BAR]}


# ---------------------------------------------------------------- certificate files


def submit(world, path, user="cb_hunan", key="cb_hunan", mode=SubmissionMode.ALL_OR_NOTHING, kind="certificates"):
    options = Options(kind=kind, mode=mode, channel=SubmissionChannel.COMMAND)
    return submit_file(path, path.name, world.organizations[key], options, actor=world.actor(user))


def rows_for(world):
    maker, farm = world.organizations["maker"], world.organizations["farm"]
    return [
        certificate_row("HN-F-1", farm.uscc, farm.name),
        certificate_row("HN-F-2", maker.uscc, maker.name),
    ]


def test_a_file_row_for_a_barred_holder_is_refused_with_the_ban(world, tmp_path):
    bar_maker(world)
    maker = world.organizations["maker"]
    path = write_csv(tmp_path / "c.csv", rows_for(world))
    before = state()
    rejected = submit(world, path)
    assert rejected.state == "rejected"
    assert list(rejected.problems.filter(severity="error").values_list("row", "field", "value", "message")) == [
        (3, "entity_id", maker.uscc, MAKER_BAR)
    ]
    assert state()[:5] == before[:5]
    partly = submit(world, write_csv(tmp_path / "v.csv", rows_for(world)), mode=SubmissionMode.VALID_ROWS)
    assert (partly.created_count, partly.rejected_count) == (1, 1)
    assert list(Certificate.objects.filter(number__startswith="HN-F-").values_list("number", flat=True)) == ["HN-F-1"]


def test_a_file_row_moving_a_suspended_certificate_is_refused(world, tmp_path):
    hengyang = world.organizations["hengyang"]
    row = certificate_row("YY-F-1", hengyang.uscc, hengyang.name, issue_date="2026-01-05", expiry_date="2029-01-04")
    path = write_csv(tmp_path / "c.csv", [row])
    rejected = submit(world, path, user="cb_yueyang", key="cb_yueyang")
    assert list(rejected.problems.filter(severity="error").values_list("row", "field", "message")) == [
        (2, "entity_id", SUSPENDED)
    ]
    assert not Certificate.objects.filter(number="YY-F-1").exists()


def test_a_body_under_permanent_exit_sends_no_submission_through_any_channel(world, client, tmp_path, settings):
    exit_of(world, "cb_hunan")
    path = write_csv(tmp_path / "c.csv", rows_for(world))
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        submit(world, path)
    assert refused.value.errors == {"organization": [CB_EXIT]}
    with pytest.raises(CommandError) as command:
        call_command("import", str(path), "--as", "CNCA-R-2004-117", "--no-progress")
    assert str(command.value) == f"organization: {CB_EXIT}"
    records = [{k: v for k, v in r.items() if v} for r in rows_for(world)]
    response = api_post(
        client, "/api/v1/submissions", {"kind": "certificates", "records": records}, world.api_keys["cb_hunan"]
    )
    assert (response.status_code, response.json()["errors"]) == (422, {"organization": [CB_EXIT]})
    page = signed_in(client, world, "cb_hunan")
    with path.open("rb") as upload:
        answer = page.post("/submissions/new/", {"kind": "certificates", "mode": "all", "file": upload})
    assert answer.status_code == 422
    assert element_text(answer, "id_file_errors") == CB_EXIT
    assert state() == before
    assert not (settings.SUBMISSION_DIR.exists() and any(settings.SUBMISSION_DIR.iterdir()))


# ---------------------------------------------------------------- test reports


def report_args(world, number):
    return {
        "lab": world.labs["main"],
        "number": number,
        "signatory": world.signatories["zhou"],
        "issue_date": datetime.date(2026, 6, 1),
        "conclusion": "PASS",
        "items": [{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}],
    }


def test_a_lab_under_permanent_exit_issues_no_report(world, tmp_path):
    exit_of(world, "lab")
    before = state()
    with pytest.raises(ValidationFailed) as single:
        do_create_test_report(**report_args(world, "BG-X-1"), actor=world.actor("lab"))
    assert single.value.errors == {"lab": [LAB_EXIT]}
    args = report_args(world, "BG-X-2")
    lab = args.pop("lab")
    with pytest.raises(ValidationFailed) as batch:
        do_bulk_create_test_reports(lab=lab, rows=[args], actor=world.actor("lab"))
    assert batch.value.errors == {"lab": [LAB_EXIT]}
    path = tmp_path / "reports.csv"
    path.write_text(
        "报告编号,签发日期,授权签字人,检验结论,委托单位统一社会信用代码,样品名称,检测项目,检测依据,检测结果\r\n"
        "BG-X-3,2026-11-02,周敏,合格,,电饭锅,绝缘电阻,GB 4706.1-2005,符合\r\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as file:
        submit(world, path, user="lab", key="lab", kind="reports")
    assert file.value.errors == {"organization": [LAB_EXIT]}
    assert state() == before


def test_report_rows_planned_after_the_exit_are_refused_naming_the_ban(world):
    exit_of(world, "lab")
    values = {
        "report_number": "BG-X-4",
        "issue_date": "2026-11-02",
        "signatory": "周敏",
        "conclusion": "合格",
        "product": "电饭锅",
        "parameter": "绝缘电阻",
        "standard": "GB 4706.1-2005",
        "result": "符合",
    }
    plan = ReportPlanner(world.labs["main"]).plan([RawRow(2, values)])
    assert [(r.number, r.outcome) for r in plan.rows] == [(2, "rejected")]
    assert [(p[0], p[1], p[3]) for p in plan.problems] == [(2, "report_number", LAB_EXIT)]


# ---------------------------------------------------------------- people


@pytest.fixture
def banned(world):
    """刘建国, technical manager of the lab until 2025, then banned for life."""
    officer = world.actor("officer_changsha")
    affiliation = do_start_affiliation(
        organization=world.organizations["lab"],
        role="TECHNICAL_MANAGER",
        start=datetime.date(2020, 1, 1),
        name="刘建国",
        id_number=NUMBER,
        actor=officer,
    )
    do_end_affiliation(affiliation=affiliation, end=datetime.date(2025, 12, 31), actor=officer)
    ban(world, "LIFETIME_BAN", "湘市监罚〔2026〕11号", person=affiliation.person)
    return affiliation.person


def test_a_banned_person_is_refused_in_every_barred_role(world, banned):
    officer = world.actor("officer_changsha")
    lab, cb = world.organizations["lab"], world.organizations["cb_hunan"]
    before = state()
    for role in ("TECHNICAL_MANAGER", "SIGNATORY", "LEGAL_REPRESENTATIVE"):
        with pytest.raises(ValidationFailed) as refused:
            do_start_affiliation(
                organization=lab,
                role=role,
                start=datetime.date(2026, 6, 1),
                name="刘建国",
                id_number=NUMBER,
                actor=officer,
            )
        assert refused.value.errors == {"name": [PERSON_BAN]}
    with pytest.raises(ValidationFailed) as auditor:
        do_add_affiliation(
            person=banned, organization=cb, role="AUDITOR", start=datetime.date(2026, 6, 1), actor=officer
        )
    assert auditor.value.errors == {"person": [PERSON_BAN]}
    with pytest.raises(ValidationFailed) as signatory:
        do_authorize_signatory(
            lab=world.labs["main"],
            person=banned,
            scope=[world.scope["insulation"]],
            valid_from=datetime.date(2026, 6, 1),
            decision="湘市监认证〔2026〕5号",
            actor=officer,
        )
    assert signatory.value.errors == {"person": [PERSON_BAN]}
    with pytest.raises(ValidationFailed) as licensing:
        do_add_lab_person(
            lab=world.labs["main"],
            name="刘建国",
            role="TECHNICAL_MANAGER",
            id_digest=banned.id_digest,
            start=datetime.date(2026, 6, 1),
            decision="湘市监认证〔2026〕5号",
            actor=officer,
        )
    assert licensing.value.errors == {"name": [PERSON_BAN]}
    assert state() == before


def test_a_ban_bars_the_roles_of_bodies_and_labs_only(world, banned):
    """An enterprise's legal representative and an enforcement inspector are not roles the ban bars."""
    officer = world.actor("officer_changsha")
    maker = world.organizations["maker"]
    legal = do_add_affiliation(
        person=banned, organization=maker, role="LEGAL_REPRESENTATIVE", start=datetime.date(2026, 6, 1), actor=officer
    )
    assert (legal.person, legal.role) == (banned, "LEGAL_REPRESENTATIVE")
    assert person_ids.matches(NUMBER, banned.id_digest)


def test_the_people_page_and_api_refuse_a_banned_person(world, banned, client):
    client = signed_in(client, world, "officer_changsha")
    lab = world.organizations["lab"]
    before = state()
    url = f"/office/organizations/{lab.pk}/people/"
    form = {"name": "刘建国", "id_number": NUMBER, "role": "SIGNATORY", "start": "2026-06-01", "decision": "X-1"}
    page = client.post(url, form)
    assert page.status_code == 422
    assert element_text(page, "id_name_errors") == PERSON_BAN
    assert NUMBER not in page.content.decode()
    api = client.post(
        f"/api/v1/organizations/{lab.uscc}/affiliations",
        orjson.dumps({"name": "刘建国", "id_number": NUMBER, "role": "TECHNICAL_MANAGER", "start": "2026-06-01"}),
        content_type="application/json",
    )
    assert (api.status_code, api.json()["errors"]) == (422, {"name": [PERSON_BAN]})
    assert state() == before


# ---------------------------------------------------------------- transfers


def test_a_certificate_moves_to_no_body_under_permanent_exit_and_for_no_barred_holder(world):
    from certhub.registry.actions import do_transfer_certificate

    def transfer():
        do_transfer_certificate(
            certificate=world.certificates["active"],
            to_body=world.bodies["yueyang"],
            effective_date=datetime.date(2026, 3, 10),
            reason="获证组织申请转换认证机构",
            actor=world.actor("officer_changsha"),
        )

    bar_maker(world)
    before = state()
    with pytest.raises(ValidationFailed) as barred:
        transfer()
    assert barred.value.errors == {"to_body": [MAKER_BAR]}
    assert state() == before
    exit_of(world, "cb_yueyang")
    yueyang_exit = (
        "岳阳质量认证中心有限公司已被长沙市市场监督管理局于2026-03-02决定永久退出"
        "（决定文号湘市监罚〔2026〕7号），无期限"
    )
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        transfer()
    assert refused.value.errors == {"to_body": [yueyang_exit]}
    assert state() == before
