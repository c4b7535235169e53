"""The lean single-record path (registry.certificate_rows): how many statements a certificate status change
and a certificate creation send, and that the rows they leave are the ones the ORM path left (the public
record, the status events, the audit row). Counts only: timings are bench/actions.py's."""

import datetime

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.models import AuditEvent
from certhub.registry.actions import do_change_certificate_status, do_create_certificate
from certhub.registry.models import Certificate, CertificatePublicRecord
from certhub.registry.queries import public_certificate_record
from certhub.registry.testing import certificate_data

# Statements an action sends besides the ledger's append (its own count depends on what this process
# appended before: core.regulated's end hook, ledger.log) and the test's savepoints.
# A status change: the certificate read and locked with its related rows (and, on PostgreSQL, its history),
# then its four rows (status event, certificate, public record, audit row): in one statement on PostgreSQL;
# SQLite, in process, reads the history and writes each row on its own.
STATUS_CHANGE_STATEMENTS = {"postgresql": 2, "sqlite": 6}
# A creation: one read of what it names (scheme, holder, whether the number is taken), then its four rows
# (certificate, first status event, public record, audit row): in one statement on PostgreSQL.
CREATION_STATEMENTS = {"postgresql": 2, "sqlite": 5}


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "ledger_" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN"))
    ]


def stored_document(certificate: Certificate) -> dict:
    return orjson.loads(bytes(CertificatePublicRecord.objects.get(certificate=certificate).document))


@pytest.mark.django_db
def test_a_status_change_sends_a_fixed_number_of_statements(world):
    # As the API finds it: no related row loaded.
    certificate = Certificate.objects.get(pk=world.certificates["active"].pk)
    with CaptureQueriesContext(connection) as captured:
        do_change_certificate_status(
            certificate=certificate,
            to_status="SUSPENDED",
            effective_date=datetime.date(2026, 1, 5),
            reason="监督审核不通过",
            actor=world.actor("cb_hunan"),
        )
    assert len(statements(captured)) == STATUS_CHANGE_STATEMENTS[connection.vendor], "\n".join(statements(captured))
    # The stored record is the one the ORM builds from the rows now registered.
    fresh = Certificate.objects.select_related("scheme", "certification_body", "holder__region", "ccc_product").get(
        pk=certificate.pk
    )
    assert stored_document(fresh) == orjson.loads(orjson.dumps(public_certificate_record(fresh)))
    assert [e.to_status for e in fresh.events.order_by("recorded_at", "id")] == ["ACTIVE", "SUSPENDED"]
    audit = AuditEvent.objects.filter(subject_type="registry.certificate", subject_id=str(fresh.pk)).last()
    assert (audit.event_type, audit.reason) == ("CERTIFICATE_STATUS_CHANGED", "监督审核不通过")
    assert (audit.before["status"], audit.after["status"], audit.after["status_changed_on"]) == (
        "ACTIVE",
        "SUSPENDED",
        "2026-01-05",
    )


@pytest.mark.django_db
def test_a_creation_sends_a_fixed_number_of_statements(world):
    body, holder = world.bodies["hunan"], world.organizations["maker"]
    with CaptureQueriesContext(connection) as captured:
        certificate = do_create_certificate(
            body=body, data=certificate_data("LEAN-1", holder), actor=world.actor("cb_hunan")
        )
    assert len(statements(captured)) == CREATION_STATEMENTS[connection.vendor], "\n".join(statements(captured))
    fresh = Certificate.objects.select_related("scheme", "certification_body", "holder__region", "ccc_product").get(
        pk=certificate.pk
    )
    assert stored_document(fresh) == orjson.loads(orjson.dumps(public_certificate_record(fresh)))
    audit = AuditEvent.objects.get(subject_type="registry.certificate", subject_id=str(fresh.pk))
    assert audit.before is None and audit.after["number"] == "LEAN-1" and audit.after["holder_id"] == holder.pk


@pytest.mark.django_db
def test_a_creation_finds_a_ccc_product_by_any_of_its_codes(world):
    """熔断体 is listed under 0205 and 0207: a single creation finds it by either, as a batch does."""
    from certhub.registry.models import CccProduct

    product = next(p for p in CccProduct.objects.all() if p.codes and len(p.codes) > 1)
    other = next(code for code in product.codes if code != product.code)
    certificate = do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("LEAN-CCC", world.organizations["maker"], scheme="CCC", ccc_product=other),
        actor=world.actor("cb_hunan"),
    )
    assert Certificate.objects.get(pk=certificate.pk).ccc_product_id == product.pk
