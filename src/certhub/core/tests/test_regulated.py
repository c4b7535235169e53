"""Invariant 1: regulated records change only through actions (docs/architecture.md convention 14)."""

import ast
import datetime
import importlib
import inspect
from pathlib import Path

import pytest

from certhub.core.models import AuditEvent
from certhub.core.regulated import ACTION_STEPS, ACTIONS, RegulatedWriteError, action
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


def test_every_action_checks_permission_and_takes_keyword_only_typed_arguments():
    declared = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Name) and d.id == "action" for d in node.decorator_list
            ):
                declared.add(f"{module}.{node.name}")
                importlib.import_module(module)  # registers its actions
    assert len(declared) >= 54
    assert declared <= set(ACTIONS)
    for name, function in ACTIONS.items():
        source = inspect.getsource(function)
        assert "authorize(" in source, f"{name} does not call authorize()"
        parameters = inspect.signature(function).parameters
        assert "actor" in parameters, name
        for parameter in parameters.values():
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {parameter.name} is positional"
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}: {parameter.name} is untyped"


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("certificate: int, *, actor: object", "do_x: an action's arguments are keyword-only, not certificate"),
        ("*, certificate, actor: object", "do_x: an action's arguments are annotated, not certificate"),
        ("*, certificate: int", "do_x must take `actor` as a keyword-only argument"),
    ],
)
def test_the_action_decorator_refuses_another_convention(signature, message):
    namespace: dict[str, object] = {}
    exec(f"def do_x({signature}):\n    return None", namespace)  # noqa: S102 - a signature under test
    with pytest.raises(TypeError) as refused:
        action(namespace["do_x"])
    assert str(refused.value) == message


def _write_calls(path: Path) -> list[tuple[int, str, list[str]]]:
    """Every model write call in `path`: (line, the call, the names of the functions and classes around
    it, outermost first)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, [*scope, child.name])
                continue
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                attr = child.func.attr
                chain = ast.unparse(child.func.value)
                bulk_write = chain == "bulk" and attr in ("insert", "insert_rows")  # core.bulk: COPY / executemany
                if chain == "router":  # an API route's decorator (`@router.delete(...)`), not a write
                    visit(child, scope)
                    continue
                if (
                    attr in WRITE_METHODS
                    or bulk_write
                    or (attr == "update" and ("objects" in chain or "filter(" in chain))
                ):
                    found.append((child.lineno, ast.unparse(child.func), scope))
            visit(child, scope)

    visit(tree, [])
    return found


def _qualnames(scope: list[str], tree: ast.Module) -> list[str]:
    """The __qualname__ of each function or class around a call, outermost first (a function's locals
    are `outer.<locals>.inner`)."""
    names, parts, body = [], [], tree.body
    for name in scope:
        node = next(n for n in body if getattr(n, "name", None) == name)
        parts.append(name)
        names.append(".".join(parts))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parts.append("<locals>")
        body = [n for n in ast.walk(node) if n is not node and isinstance(n, ast.FunctionDef | ast.ClassDef)]
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def writes_outside_actions(path: Path, module: str) -> list[str]:
    """The model write calls in `path` (the source of `module`) outside every function registered by
    @action (core.regulated.ACTIONS) or @action_step (ACTION_STEPS): writes no action makes."""
    calls = _write_calls(path)
    if not calls:
        return []
    importlib.import_module(module)  # registers its actions and steps
    tree = ast.parse(path.read_text(encoding="utf-8"))
    registered = ACTIONS.keys() | ACTION_STEPS.keys()
    return [
        f"{path.name}:{line}: {call}"
        for line, call, scope in calls
        if not any(f"{module}.{name}" in registered for name in _qualnames(scope, tree))
    ]


def test_no_code_outside_actions_writes_models():
    """Model write methods are called only inside actions (functions decorated @action) and the helpers
    that write for them (@action_step), in whatever module they live, and by the framework that guards
    them."""
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
        # Complaint evidence re-encoded without its metadata: the `.save` is Pillow's.
        "complaints/evidence.py",
        # A person's sign-in history and second factors are not regulated records (never in the ledger).
        "accounts/models.py",
        "accounts/signin/devices.py",
        # Test helpers that read pages and sign the test client in (a session saved, nothing regulated).
        "core/testing.py",
        # An enterprise's toolbox datasets, studies and self-assessments are its private working papers, not
        # regulated records (never audited into the public ledger: docs/architecture.md, toolbox), written by
        # plain functions with an ownership check, and by the demo; the XLSX export's `.save` is openpyxl's.
        "toolbox/actions.py",
        "toolbox/excellence.py",
        "toolbox/exports.py",
        "demo/generator/toolbox.py",
    }
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = str(path.relative_to(SOURCE))
        if "/migrations/" in relative or "/tests/" in relative or relative in allowed:
            continue
        offenders += [f"{relative}:{o.split(':', 1)[1]}" for o in writes_outside_actions(path, module_name(path))]
    assert offenders == []


def test_the_write_guard_finds_a_write_outside_an_action(tmp_path, monkeypatch):
    """The check above is not vacuous: a write in a plain function, in a method, or in a function
    decorated by a look-alike of @action is reported; one inside a real action is not."""
    probe = tmp_path / "certhub_guard_probe.py"
    monkeypatch.syspath_prepend(str(tmp_path))
    probe.write_text(
        "from certhub.core.regulated import action\n"
        "from certhub.registry.models import Certificate\n"
        "\n"
        "\n"
        "def action(func):  # noqa: F811 - a look-alike decorator does not make an action\n"
        "    return func\n"
        "\n"
        "\n"
        "@action\n"
        "def do_pretend(*, actor):\n"
        "    Certificate.objects.filter(pk=0).update(status='EXPIRED')\n"
        "\n"
        "\n"
        "def helper(certificate):\n"
        "    certificate.save()\n"
        "\n"
        "\n"
        "class Writer:\n"
        "    def write(self, certificate):\n"
        "        certificate.delete()\n",
        encoding="utf-8",
    )
    offenders = writes_outside_actions(probe, "certhub_guard_probe")
    assert [o.split(": ", 1)[1] for o in offenders] == [
        "Certificate.objects.filter(pk=0).update",
        "certificate.save",
        "certificate.delete",
    ]
    actions = SOURCE / "registry" / "actions" / "certificates.py"
    assert _write_calls(actions) and writes_outside_actions(actions, module_name(actions)) == []


def test_an_action_step_refuses_to_run_outside_an_action(world):
    from certhub.registry.certificate_writer import store_public_record

    certificate = Certificate.objects.get(pk=world.certificates["active"].pk)
    with pytest.raises(RegulatedWriteError, match=r"store_public_record\(\) outside an action"):
        store_public_record(certificate)


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
        do_bulk_create_certificates(body=body, rows=rows, actor=world.actor("cb_hunan"))
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
