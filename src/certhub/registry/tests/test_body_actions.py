"""Certification body stewardship (C1): status changes with their public history, revocation ending every
certificate of the body at once, closure shortening validity to the last audit plus one year and two
months, transfer to another body, and the issuing refusals — each refused change names its field and
writes nothing."""

from __future__ import annotations

import datetime

import orjson
import pytest
import time_machine

from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.ledger.queries import entries_of
from certhub.registry import actions
from certhub.registry.models import (
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationBody,
    CertificationBodyStatusEvent,
)
from certhub.registry.testing import certificate_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 12, 1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def counts() -> tuple[int, int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        Entry.objects.count(),
        CertificateEvent.objects.count(),
        CertificationBodyStatusEvent.objects.count(),
        Certificate.objects.exclude(status="WITHDRAWN").count(),
    )


def record(certificate: Certificate) -> dict:
    return orjson.loads(bytes(CertificatePublicRecord.objects.get(certificate=certificate).document))


def revoke(world, **overrides):
    arguments = {
        "body": world.bodies["hunan"],
        "effective_date": datetime.date(2025, 11, 20),
        "reason": "出具虚假认证结论",
        "decision": "国家认监委公告2025年第18号",
        "actor": world.actor("officer_province"),
    }
    arguments.update(overrides)
    return actions.do_revoke_certification_body(**arguments)


def test_revocation_withdraws_every_certificate_of_the_body_with_its_reason(world):
    audits, entries = AuditEvent.objects.count(), Entry.objects.count()
    result = revoke(world)
    assert result.body.status == "REVOKED"
    # active, suspended and ccc are withdrawn; the draft is cancelled; the withdrawn one stays as it was.
    assert result.certificates == 4
    statuses = dict(
        Certificate.objects.filter(certification_body=world.bodies["hunan"]).values_list("number", "status")
    )
    assert statuses == {
        "CNCA-QMS-2025-0001": "WITHDRAWN",
        "CNCA-QMS-2025-0002": "WITHDRAWN",
        "CNCA-QMS-2025-0003": "CANCELLED",
        "CNCA-EMS-2024-0004": "WITHDRAWN",
        "2025010701000123": "WITHDRAWN",
    }
    reason = (
        "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）被撤销批准（国家认监委公告2025年第18号）：出具虚假认证结论"
    )
    document = record(world.certificates["active"])
    assert document["status"] == "WITHDRAWN"
    assert document["status_date"] == "2025-11-20"
    assert document["history"][-1] == {
        "from_status": "ACTIVE",
        "to_status": "WITHDRAWN",
        "date": "2025-11-20",
        "reason": reason,
    }
    assert record(world.certificates["suspended"])["history"][-1]["from_status"] == "SUSPENDED"
    # The withdrawn certificate's history is untouched.
    assert record(world.certificates["withdrawn"])["history"][-1]["reason"] == "暂停期满未整改"
    # The other body's certificate of the same number is untouched.
    assert Certificate.objects.get(pk=world.certificates["yueyang"].pk).status == "ACTIVE"
    # One audit row and one ledger entry per certificate, plus the body's own.
    assert AuditEvent.objects.count() == audits + 5
    assert Entry.objects.count() == entries + 5
    certificate_audits = AuditEvent.objects.filter(event_type="CERTIFICATE_STATUS_CHANGED", reason=reason)
    assert sorted(int(a.subject_id) for a in certificate_audits) == sorted(
        world.certificates[k].pk for k in ("active", "suspended", "draft", "ccc")
    )
    audit = certificate_audits.get(subject_id=str(world.certificates["active"].pk))
    assert (audit.before["status"], audit.after["status"], audit.after["status_changed_on"]) == (
        "ACTIVE",
        "WITHDRAWN",
        "2025-11-20",
    )
    newest = entries_of("registry.certificate", str(world.certificates["active"].pk))[-1].document
    assert (newest["action"], newest["subject_type"], newest["subject_id"], newest["actor_role"]) == (
        "CERTIFICATE_STATUS_CHANGED",
        "registry.certificate",
        "CNCA-R-2004-117/CNCA-QMS-2025-0001",
        "OFFICER",
    )
    body_event = CertificationBodyStatusEvent.objects.get(body=world.bodies["hunan"])
    assert (body_event.from_status, body_event.to_status, body_event.decision, body_event.reason) == (
        "ACTIVE",
        "REVOKED",
        "国家认监委公告2025年第18号",
        "出具虚假认证结论",
    )


def test_a_revoked_body_cannot_be_revoked_again_or_reinstated(world):
    revoke(world)
    before = counts()
    with pytest.raises(Conflict) as error:
        actions.do_reinstate_certification_body(
            body=world.bodies["hunan"],
            effective_date=TODAY,
            reason="申诉",
            decision="无",
            actor=world.actor("officer_province"),
        )
    assert error.value.errors == {"status": ["认证机构状态不能从撤销（REVOKED）变为有效（ACTIVE）"]}
    assert counts() == before


def test_suspend_and_reinstate_keep_a_public_history(world):
    officer = world.actor("officer_province")
    body = world.bodies["hunan"]
    actions.do_suspend_certification_body(
        body=body, effective_date=datetime.date(2025, 10, 1), reason="整改", decision="认监委决定1号", actor=officer
    )
    certificates_before = list(Certificate.objects.order_by("pk").values_list("status", flat=True))
    actions.do_reinstate_certification_body(
        body=body, effective_date=datetime.date(2025, 11, 1), reason="整改完成", decision="认监委决定2号", actor=officer
    )
    assert list(Certificate.objects.order_by("pk").values_list("status", flat=True)) == certificates_before
    history = list(
        CertificationBodyStatusEvent.objects.filter(body=body).values_list("from_status", "to_status", "effective_date")
    )
    assert history == [
        ("ACTIVE", "SUSPENDED", datetime.date(2025, 10, 1)),
        ("SUSPENDED", "ACTIVE", datetime.date(2025, 11, 1)),
    ]


def test_a_status_change_needs_reason_and_decision_and_a_date_not_in_the_future(world):
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        revoke(world, reason=" ", decision="", effective_date=datetime.date(2025, 12, 2))
    assert error.value.errors == {
        "reason": ["必填"],
        "decision": ["必填"],
        "effective_date": ["生效日期不得晚于今天（2025-12-01）"],
    }
    assert counts() == before
    assert CertificationBody.objects.get(pk=world.bodies["hunan"].pk).status == "ACTIVE"


def test_an_officer_outside_the_bodys_region_may_not_revoke(world):
    from certhub.core.errors import NotPermitted

    before = counts()
    with pytest.raises(NotPermitted):
        revoke(world, actor=world.actor("officer_hengyang"))
    assert counts() == before


def test_closure_brings_expiry_forward_to_the_last_audit_plus_fourteen_months(world):
    hunan = world.actor("cb_hunan")
    old = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "CNCA-QMS-2023-0009", world.organizations["maker"], issue_date="2023-01-10", expiry_date="2026-01-09"
        ),
        actor=hunan,
    )
    actions.do_record_surveillance(
        certificate=world.certificates["ccc"], audit_date=datetime.date(2025, 6, 15), actor=hunan
    )
    result = actions.do_close_certification_body(
        body=world.bodies["hunan"],
        effective_date=datetime.date(2025, 11, 30),
        reason="公司解散",
        decision="国家认监委公告2025年第20号",
        actor=world.actor("officer_province"),
    )
    assert result.certificates == 5  # active, suspended, ccc, the old one, and the draft (cancelled)
    rows = {
        c.number: (c.status, c.expiry_date, c.status_changed_on)
        for c in Certificate.objects.filter(certification_body=world.bodies["hunan"])
    }
    assert rows["CNCA-QMS-2025-0001"] == ("ACTIVE", datetime.date(2026, 5, 1), datetime.date(2025, 3, 1))
    assert rows["CNCA-QMS-2025-0002"] == ("SUSPENDED", datetime.date(2026, 5, 1), datetime.date(2025, 9, 1))
    # Last audit 2025-06-15: valid until 2026-08-15.
    assert rows["2025010701000123"] == ("ACTIVE", datetime.date(2026, 8, 15), datetime.date(2025, 3, 1))
    # Issued 2023-01-10 and never audited since: its day (2024-03-10) has passed, so it expires at closure.
    assert rows["CNCA-QMS-2023-0009"] == ("EXPIRED", datetime.date(2024, 3, 10), datetime.date(2025, 11, 30))
    assert rows["CNCA-QMS-2025-0003"][0] == "CANCELLED"
    document = record(world.certificates["active"])
    assert document["expiry_date"] == "2026-05-01"
    assert document["history"][-1] == {
        "from_status": "ACTIVE",
        "to_status": "ACTIVE",
        "date": "2025-11-30",
        "reason": "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）注销（国家认监委公告2025年第20号）："
        "证书有效期至2026-05-01，除非转移至其他认证机构",
    }
    assert record(old)["history"][-1]["to_status"] == "EXPIRED"


def test_transfer_moves_a_certificate_to_an_active_body_with_the_scheme(world):
    certificate = world.certificates["active"]
    # Yueyang has CNCA-QMS-2025-0001 already: transfer another QMS certificate.
    other = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("CNCA-QMS-2025-0100", world.organizations["maker"]),
        actor=world.actor("cb_hunan"),
    )
    moved = actions.do_transfer_certificate(
        certificate=other,
        to_body=world.bodies["yueyang"],
        effective_date=TODAY,
        reason="获证组织申请转换认证机构",
        actor=world.actor("officer_changsha"),
    )
    moved.refresh_from_db()
    assert moved.certification_body_id == world.bodies["yueyang"].pk
    document = record(moved)
    assert document["certification_body"] == {"name": "岳阳质量认证中心有限公司", "approval_number": "CNCA-R-2011-089"}
    assert document["history"][-1] == {
        "from_status": "ACTIVE",
        "to_status": "ACTIVE",
        "date": "2025-12-01",
        "reason": "证书由认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）转移至“岳阳质量认证中心有限公司”"
        "（CNCA-R-2011-089）：获证组织申请转换认证机构",
    }
    audit = AuditEvent.objects.get(event_type="CERTIFICATE_TRANSFERRED")
    assert (audit.before["certification_body_id"], audit.after["certification_body_id"]) == (
        world.bodies["hunan"].pk,
        world.bodies["yueyang"].pk,
    )
    assert (
        entries_of("registry.certificate", str(moved.pk))[-1].document["subject_id"]
        == "CNCA-R-2011-089/CNCA-QMS-2025-0100"
    )
    # The number clash is refused: Yueyang already has CNCA-QMS-2025-0001.
    before = counts()
    with pytest.raises(Conflict) as error:
        actions.do_transfer_certificate(
            certificate=certificate,
            to_body=world.bodies["yueyang"],
            effective_date=TODAY,
            reason="转换",
            actor=world.actor("officer_changsha"),
        )
    assert error.value.errors == {"number": ["接收机构已有编号为CNCA-QMS-2025-0001的证书"]}
    assert counts() == before


def test_transfer_to_a_suspended_body_or_one_without_the_scheme_is_refused(world):
    officer = world.actor("officer_province")
    ems = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("CNCA-EMS-2025-0200", world.organizations["maker"], scheme="EMS"),
        actor=world.actor("cb_hunan"),
    )
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        actions.do_transfer_certificate(
            certificate=ems, to_body=world.bodies["yueyang"], effective_date=TODAY, reason="转换", actor=officer
        )
    assert error.value.errors == {
        "to_body": ["接收机构“岳阳质量认证中心有限公司”（CNCA-R-2011-089）未获准开展“环境管理体系认证”认证"]
    }
    actions.do_suspend_certification_body(
        body=world.bodies["yueyang"], effective_date=TODAY, reason="整改", decision="决定3号", actor=officer
    )
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        actions.do_transfer_certificate(
            certificate=world.certificates["ccc"],
            to_body=world.bodies["yueyang"],
            effective_date=TODAY,
            reason="转换",
            actor=officer,
        )
    assert error.value.errors == {
        "to_body": ["接收机构“岳阳质量认证中心有限公司”（CNCA-R-2011-089）的状态为暂停（SUSPENDED），不能接收证书"]
    }
    assert counts() == before
    assert Certificate.objects.get(pk=world.certificates["ccc"].pk).certification_body_id == world.bodies["hunan"].pk


def test_the_ledger_verifies_after_a_revocation_and_a_closure(world):
    import io

    from django.core.management import call_command

    from certhub.core.actors import SYSTEM
    from certhub.ledger import checkpoints

    revoke(world)
    actions.do_close_certification_body(
        body=world.bodies["yueyang"],
        effective_date=TODAY,
        reason="公司解散",
        decision="国家认监委公告2025年第21号",
        actor=world.actor("officer_province"),
    )
    checkpoints.current(SYSTEM)
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    assert out.getvalue().strip() == f"valid: {Entry.objects.count()} entries, 1 checkpoints"
