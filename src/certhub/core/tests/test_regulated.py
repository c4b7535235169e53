"""Invariant 1: regulated records change only through actions (docs/architecture.md convention 14)."""

import ast
import datetime
import inspect
from pathlib import Path

import pytest

from certhub.core.models import AuditEvent
from certhub.core.regulated import ACTIONS, RegulatedWriteError
from certhub.registry.models import Certificate, CertificateEvent, Organization

SOURCE = Path(__file__).resolve().parents[2]
WRITE_METHODS = {"save", "bulk_create", "bulk_update", "update_or_create", "get_or_create", "delete"}


def test_saving_a_certificate_outside_an_action_is_refused_and_changes_nothing(world):
    certificate = Certificate.objects.get(pk=world.certificates["active"].pk)
    certificate.status = "WITHDRAWN"
    with pytest.raises(RegulatedWriteError, match=r"Certificate.save\(\) outside an action"):
        certificate.save()
    assert Certificate.objects.get(pk=certificate.pk).status == "ACTIVE"


@pytest.mark.parametrize(
    "write",
    [
        lambda: Certificate.objects.filter(status="ACTIVE").update(status="EXPIRED"),
        lambda: Certificate.objects.filter(status="ACTIVE").delete(),
        lambda: CertificateEvent.objects.bulk_create([]),
        lambda: Organization.objects.get_or_create(uscc="91430100000000001X"),
        lambda: Organization.objects.update_or_create(uscc="91430100000000001X"),
    ],
    ids=["update", "delete", "bulk_create", "get_or_create", "update_or_create"],
)
def test_queryset_writes_outside_an_action_are_refused(world, write):
    before = sorted(Certificate.objects.values_list("number", "status"))
    with pytest.raises(RegulatedWriteError):
        write()
    assert sorted(Certificate.objects.values_list("number", "status")) == before


def test_every_action_checks_permission_and_takes_actor_keyword_only():
    import certhub.core.actions
    import certhub.registry.actions  # noqa: F401 - registers the actions

    assert len(ACTIONS) >= 18
    for name, function in ACTIONS.items():
        source = inspect.getsource(function)
        assert "authorize(" in source, f"{name} does not call authorize()"
        assert inspect.signature(function).parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY, name


def _write_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            chain = ast.unparse(node.func.value)
            bulk_write = chain == "bulk" and attr in ("insert", "insert_rows")  # core.bulk: COPY / executemany
            if attr in WRITE_METHODS or bulk_write or (attr == "update" and ("objects" in chain or "filter(" in chain)):
                found.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {ast.unparse(node.func)}")
    return found


def test_no_code_outside_actions_writes_models():
    """Only actions modules (actions.py, or the modules of an actions/ package) and the framework that
    guards them call model write methods."""
    # The guard itself; audit rows for actions; the bulk writer and the ledger appender (both refuse to
    # run outside an action).
    # The dashboard's figures are derived data, rebuilt whole by the daily job (stats/models.py); the XLSX
    # export's `.save` is openpyxl's.
    allowed = {
        "core/regulated.py",
        "core/audit.py",
        "core/bulk.py",
        "ledger/log.py",
        "stats/aggregate.py",
        "stats/exports.py",
    }
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = str(path.relative_to(SOURCE))
        if (
            "/migrations/" in relative
            or "/tests/" in relative
            or relative.endswith("actions.py")
            or "/actions/" in relative
        ):
            continue
        if relative in allowed:
            continue
        offenders += _write_calls(path)
    assert offenders == []


def test_an_action_that_fails_half_way_leaves_nothing(world):
    """All or nothing: a bulk action whose last row is bad writes none of the rows before it."""
    from certhub.registry.actions import do_bulk_create_certificates
    from certhub.registry.testing import certificate_data

    body = world.bodies["hunan"]
    holder = world.organizations["maker"]
    rows = [certificate_data(f"BULK-{n}", holder) for n in range(3)]
    rows.append(certificate_data("BULK-3", holder, expiry_date="2020-01-01"))
    audit_before = AuditEvent.objects.count()
    from certhub.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as failure:
        do_bulk_create_certificates(body, rows, actor=world.actor("cb_hunan"))
    assert failure.value.errors == {"rows[3].expiry_date": ["有效期至（2020-01-01）须晚于发证日期（2025-03-01）"]}
    assert Certificate.objects.filter(number__startswith="BULK-").count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert datetime.date(2025, 3, 1) == world.certificates["active"].issue_date


def test_the_audit_log_is_append_only(world):
    """Outside actions no audit row can be written or changed; on PostgreSQL the database itself also
    refuses UPDATE and DELETE from any connection (docs/architecture.md convention 9)."""
    from django.db import DatabaseError, connection, transaction

    event = AuditEvent.objects.order_by("id").first()
    event.reason = "rewritten"
    with pytest.raises(RegulatedWriteError):
        event.save()
    with pytest.raises(RegulatedWriteError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    if connection.vendor == "postgresql":
        for statement in (
            "UPDATE core_auditevent SET reason = 'rewritten' WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only log"), transaction.atomic():
                connection.cursor().execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_bulk_writer_refuses_to_run_outside_an_action(world):
    from certhub.core import bulk
    from certhub.core.regulated import RegulatedWriteError

    before = Certificate.objects.count()
    with pytest.raises(RegulatedWriteError, match="Certificate bulk insert outside an action"):
        bulk.insert_rows(Certificate, [])
    with pytest.raises(RegulatedWriteError, match="Certificate bulk insert outside an action"):
        bulk.insert(Certificate, [Certificate()])
    assert Certificate.objects.count() == before
