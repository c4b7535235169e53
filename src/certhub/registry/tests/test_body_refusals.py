"""The issuing refusals of C1, one rule each (registry.certificate_rules), through every entry point that
applies — the action, the API, the office form and a submitted file row: no new certificate from a body that
is suspended, revoked or closed; none for a deregistered holder; no change of a revoked body's certificate
(back to ACTIVE or otherwise). Each refusal names its field and reason, and nothing is written."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, signed_in
from certhub.exchange.choices import SubmissionChannel, SubmissionKind, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv
from certhub.ledger.models import Entry
from certhub.registry import actions
from certhub.registry.models import Certificate, CertificateEvent, CertificatePublicRecord
from certhub.registry.testing import certificate_data

pytestmark = pytest.mark.django_db

SUSPENDED_MESSAGE = "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）的状态为暂停（SUSPENDED），不能登记新证书"
REVOKED_MESSAGE = "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）的状态为撤销（REVOKED），不能登记新证书"
ENDED_MESSAGE = "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）的状态为撤销（REVOKED），其证书不能再变更"


@pytest.fixture(autouse=True)
def archive(settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"


def registry_state() -> tuple:
    return (
        sorted(Certificate.objects.values_list("certification_body_id", "number", "status")),
        CertificateEvent.objects.count(),
        CertificatePublicRecord.objects.count(),
        AuditEvent.objects.exclude(event_type__startswith="SUBMISSION").count(),
        Entry.objects.filter(audit__event_type__startswith="CERTIFICATE").count(),
    )


def suspend(world):
    actions.do_suspend_certification_body(
        body=world.bodies["hunan"],
        effective_date=datetime.date.today(),
        reason="监督检查发现认证活动不规范",
        decision="国家认监委决定2025第5号",
        actor=world.actor("officer_province"),
    )
    world.bodies["hunan"].refresh_from_db()


def revoke(world):
    actions.do_revoke_certification_body(
        body=world.bodies["hunan"],
        effective_date=datetime.date.today(),
        reason="出具虚假认证结论",
        decision="国家认监委公告2025年第18号",
        actor=world.actor("officer_province"),
    )
    world.bodies["hunan"].refresh_from_db()


def deregister(organization) -> None:
    # Test set-up: the registration authority's status is brought by the organizations file; here the
    # column is set directly so that this file tests only the certificate rule.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_organization SET registration_status = 'DEREGISTERED' WHERE id = %s", [organization.pk]
        )


def submit(world, path: Path, kind: str = SubmissionKind.CERTIFICATES):
    options = Options(kind=kind, mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    return submit_file(path, path.name, world.organizations["cb_hunan"], options, actor=world.actor("cb_hunan"))


def errors_of(submission) -> list[tuple]:
    return list(submission.problems.filter(severity="error").values_list("row", "field", "value", "message"))


# ---------------------------------------------------------------- a body that may not issue


@pytest.mark.parametrize(("change", "message"), [(suspend, SUSPENDED_MESSAGE), (revoke, REVOKED_MESSAGE)])
def test_the_action_refuses_a_certificate_from_a_suspended_or_revoked_body(world, change, message):
    change(world)
    before = registry_state()
    with pytest.raises(ValidationFailed) as error:
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data("HN-NEW-0001", world.organizations["maker"]),
            actor=world.actor("cb_hunan"),
        )
    assert error.value.errors == {"certification_body": [message]}
    with pytest.raises(ValidationFailed) as error:
        actions.do_bulk_create_certificates(
            body=world.bodies["hunan"],
            rows=[certificate_data("HN-NEW-0002", world.organizations["maker"])],
            actor=world.actor("cb_hunan"),
        )
    assert error.value.errors == {"certification_body": [message]}
    assert registry_state() == before


def test_the_api_refuses_a_certificate_from_a_suspended_body(client, world):
    suspend(world)
    before = registry_state()
    response = client.post(
        "/api/v1/certificates",
        {
            "number": "HN-API-0001",
            "scheme": "QMS",
            "holder_uscc": world.organizations["maker"].uscc,
            "issue_date": "2025-05-01",
            "expiry_date": "2028-04-30",
        },
        content_type="application/json",
        headers={"X-API-Key": world.api_keys["cb_hunan"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"certification_body": [SUSPENDED_MESSAGE]}
    assert registry_state() == before


def test_a_file_row_from_a_revoked_body_is_refused(world, tmp_path):
    maker = world.organizations["maker"]
    revoke(world)
    before = registry_state()
    submission = submit(
        world, write_csv(tmp_path / "new.csv", [certificate_row("HN-FILE-0001", maker.uscc, maker.name)])
    )
    assert submission.state == "rejected"
    assert errors_of(submission) == [(2, "certification_body", "湖南标准认证有限公司", REVOKED_MESSAGE)]
    assert registry_state() == before


# ---------------------------------------------------------------- a deregistered holder


def test_no_certificate_for_a_deregistered_holder_by_action_api_or_file(client, world, tmp_path):
    maker = world.organizations["maker"]
    deregister(maker)
    message = f"获证组织“长沙星城电器有限公司”（{maker.uscc}）已注销（DEREGISTERED），不能获得新证书"
    before = registry_state()
    with pytest.raises(ValidationFailed) as error:
        actions.do_create_certificate(
            body=world.bodies["hunan"], data=certificate_data("HN-NEW-0003", maker), actor=world.actor("cb_hunan")
        )
    assert error.value.errors == {"holder_uscc": [message]}
    with pytest.raises(ValidationFailed) as error:
        actions.do_bulk_create_certificates(
            body=world.bodies["hunan"],
            rows=[
                certificate_data("HN-NEW-0004", world.organizations["hengyang"]),
                certificate_data("HN-NEW-0005", maker),
            ],
            actor=world.actor("cb_hunan"),
        )
    assert error.value.errors == {"rows[1].holder_uscc": [message]}
    response = client.post(
        "/api/v1/certificates",
        {
            "number": "HN-API-0002",
            "scheme": "QMS",
            "holder_uscc": maker.uscc,
            "issue_date": "2025-05-01",
            "expiry_date": "2028-04-30",
        },
        content_type="application/json",
        headers={"X-API-Key": world.api_keys["cb_hunan"]},
    )
    assert (response.status_code, response.json()["errors"]) == (422, {"holder_uscc": [message]})
    submission = submit(
        world, write_csv(tmp_path / "new.csv", [certificate_row("HN-FILE-0002", maker.uscc, maker.name)])
    )
    assert errors_of(submission) == [(2, "entity_id", maker.uscc, message)]
    assert registry_state() == before


# ---------------------------------------------------------------- a revoked body's certificate


def test_a_revoked_bodys_certificate_cannot_go_back_to_active_by_action(world):
    revoke(world)
    certificate = Certificate.objects.get(pk=world.certificates["active"].pk)
    before = registry_state()
    with pytest.raises(Conflict) as error:
        actions.do_change_certificate_status(
            certificate=certificate,
            to_status="ACTIVE",
            effective_date=datetime.date.today(),
            reason="申诉成功",
            actor=world.actor("cb_hunan"),
        )
    assert error.value.errors == {"status": [ENDED_MESSAGE]}
    with pytest.raises(Conflict) as error:
        actions.do_update_certificate(
            certificate=certificate,
            data=certificate_data("CNCA-QMS-2025-0001", world.organizations["maker"], scope="新的范围"),
            actor=world.actor("cb_hunan"),
        )
    assert error.value.errors == {"certification_body": [ENDED_MESSAGE]}
    assert registry_state() == before


def test_a_revoked_bodys_certificate_cannot_go_back_to_active_by_api(client, world):
    revoke(world)
    before = registry_state()
    response = client.post(
        "/api/v1/certificates/CNCA-QMS-2025-0001/status",
        {"status": "ACTIVE", "effective_date": str(datetime.date.today()), "reason": "申诉成功"},
        content_type="application/json",
        headers={"X-API-Key": world.api_keys["cb_hunan"]},
    )
    assert (response.status_code, response.json()["errors"]) == (409, {"status": [ENDED_MESSAGE]})
    assert registry_state() == before


def test_a_revoked_bodys_certificate_cannot_go_back_to_active_by_the_form(client, world):
    revoke(world)
    signed_in(client, world, "cb_hunan")
    before = registry_state()
    response = client.post(
        reverse("registry:office_certificate_status", args=[world.certificates["active"].pk]),
        {"to_status": "ACTIVE", "effective_date": str(datetime.date.today()), "reason": "申诉成功"},
    )
    assert response.status_code == 422
    assert element_text(response, "id_to_status_errors") == ENDED_MESSAGE
    assert registry_state() == before


def test_a_revoked_bodys_certificate_cannot_go_back_to_active_by_a_status_file(world, tmp_path):
    revoke(world)
    before = registry_state()
    path = tmp_path / "status.csv"
    path.write_text("number,status,status_date,status_reason\r\nCNCA-QMS-2025-0001,ACTIVE,2025-12-01,申诉成功\r\n")
    submission = submit(world, path, kind=SubmissionKind.STATUS)
    assert submission.state == "rejected"
    assert errors_of(submission) == [(2, "status", "ACTIVE", ENDED_MESSAGE)]
    assert registry_state() == before
