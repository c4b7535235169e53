"""API keys with scopes, an expiry and rotation without downtime (C14, issue 14 "What to build" 3; bad input:
"an API key past its expiry or used outside its scope"): issued, rotated and revoked from the user pages and
the `apikey` command, each an action with its audit row; every writing endpoint names its scope, checked in
one place (core.api_auth); a key past its expiry answers 401 naming the moment, one outside its scope 403
naming the scope, and nothing changes."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.core.actions import do_issue_api_key, find_api_key
from certhub.core.actors import SYSTEM, Actor
from certhub.core.models import ApiKey, AuditEvent
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.testing import element_text, page_text, signed_in, table_rows
from certhub.exchange.models import Submission
from certhub.registry.models import Certificate

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
CERTIFICATE = {
    "number": "CNCA-QMS-2026-0100",
    "scheme": "QMS",
    "holder_uscc": "",
    "issue_date": "2026-02-01",
    "expiry_date": "2029-01-31",
}


LABELS = {"submit_certificates": "报送证书和证书状态", "submit_reports": "报送检验检测报告"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def state():
    return (
        Certificate.objects.count(),
        Submission.objects.count(),
        sorted(ApiKey.objects.values_list("prefix", "revoked_at", "expires_at")),
        AuditEvent.objects.count(),
    )


def write_certificate(client, world, secret):
    payload = {**CERTIFICATE, "holder_uscc": world.organizations["maker"].uscc}
    return client.post("/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=secret)


def keys_page(world):
    return f"/account/users/organizations/{world.organizations['cb_hunan'].uscc}/keys/"


def test_an_administrator_issues_a_key_with_the_roles_scopes_for_a_year(client, world, frozen):
    admin = signed_in(client, world, "admin")
    response = admin.post(
        keys_page(world) + "new/",
        {"name": "证书上报系统", "role": "CERTIFICATION_BODY", "days": "", "rate_limit": "600"},
    )
    assert response.status_code == 200
    secret = re.search(r"chk_\S+", element_text(response, "new-secret")).group(0)
    key = find_api_key(secret)
    assert (key.name, key.role, key.scopes, key.expires_at) == (
        "证书上报系统",
        "CERTIFICATION_BODY",
        ["read", "submit_certificates"],
        NOW + datetime.timedelta(days=365),
    )
    # Shown once: the list afterwards names the key, never its secret.
    listing = admin.get(keys_page(world))
    assert secret not in listing.content.decode()
    assert [row[:5] for row in table_rows(listing) if row[0] == key.prefix] == [
        [key.prefix, "证书上报系统 认证机构", "read, submit_certificates", "2027-03-02 18:00", "有效"]
    ]
    assert write_certificate(client, world, secret).status_code == 201


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"role": "ENTERPRISE", "scopes": ["submit_certificates"]},
            "scopes",
            "企业的接口密钥权限范围应为read, licensing, declarations中的一个或多个",
        ),
        ({"days": "731"}, "days", "有效期应在1到730天之间"),
    ],
)
def test_a_key_beyond_its_role_or_the_longest_life_is_refused(client, world, data, field, message):
    admin = signed_in(client, world, "admin")
    before = state()
    form = {"name": "x", "role": "CERTIFICATION_BODY", "rate_limit": "600", **data}
    response = admin.post(keys_page(world) + "new/", form)
    assert response.status_code == 422
    assert element_text(response, f"id_{field}_errors") == message
    assert state() == before
    with pytest.raises(CommandError, match=message):
        args = ["--scopes", ",".join(data["scopes"])] if "scopes" in data else ["--days", data["days"]]
        call_command(
            "apikey", "issue", "--organization", world.organizations["cb_hunan"].uscc, "--role",
            data.get("role", "CERTIFICATION_BODY"), "--name", "x", *args, stdout=io.StringIO(),
        )  # fmt: skip
    assert state() == before


def test_a_key_past_its_expiry_is_refused_with_401_naming_the_moment(client, world):
    with time_machine.travel(NOW, tick=False):
        key, secret = do_issue_api_key(
            organization=world.organizations["cb_hunan"], name="短期", role="CERTIFICATION_BODY", days=30, actor=SYSTEM
        )
    with time_machine.travel(NOW + datetime.timedelta(days=30), tick=False):
        before = state()
        for response in (
            write_certificate(client, world, secret),
            client.get("/api/v1/submissions", HTTP_X_API_KEY=secret),
            client.get("/api/v1/submissions", HTTP_AUTHORIZATION=f"Bearer {secret}"),
        ):
            assert response.status_code == 401
            assert response.json() == {
                "code": "key_expired",
                "message": f"接口密钥{key.prefix}已于2026-04-01 18:00（北京时间）到期，请使用新的密钥",
                "errors": {},
            }
        assert state() == before
    with time_machine.travel(NOW + datetime.timedelta(days=29, hours=23), tick=False):
        assert client.get("/api/v1/submissions", HTTP_X_API_KEY=secret).status_code == 200


def test_a_key_outside_its_scope_is_refused_with_403_naming_the_scope(client, world):
    key, secret = do_issue_api_key(
        organization=world.organizations["cb_hunan"],
        name="只读",
        role="CERTIFICATION_BODY",
        scopes=["read"],
        actor=SYSTEM,
    )
    before = state()
    response = write_certificate(client, world, secret)
    assert (response.status_code, response.json()) == (
        403,
        {
            "code": "forbidden",
            "message": f"接口密钥{key.prefix}没有“submit_certificates”权限范围（报送证书和证书状态）",
            "errors": {},
        },
    )
    status = client.post(
        "/api/v1/certificates/CNCA-QMS-2025-0001/status",
        {"status": "SUSPENDED", "effective_date": "2026-02-01", "reason": "x"},
        content_type="application/json",
        HTTP_X_API_KEY=secret,
    )
    assert status.status_code == 403 and "submit_certificates" in status.json()["message"]
    record = {"number": "CNCA-QMS-2026-0101"}
    for kind, scope in (("certificates", "submit_certificates"), ("reports", "submit_reports")):
        batch = client.post(
            "/api/v1/submissions",
            {"kind": kind, "records": [record]},
            content_type="application/json",
            HTTP_X_API_KEY=secret,
        )
        assert (batch.status_code, batch.json()["message"]) == (
            403,
            f"接口密钥{key.prefix}没有“{scope}”权限范围（{LABELS[scope]}）",
        )
    assert state() == before
    # Reading is its scope: its own submissions answer.
    assert client.get("/api/v1/submissions", HTTP_X_API_KEY=secret).status_code == 200


def test_rotation_issues_a_successor_and_the_old_key_works_through_the_grace_period(client, world, frozen):
    old_key = ApiKey.objects.get(prefix=find_api_key(world.api_keys["cb_hunan"]).prefix)
    admin = signed_in(client, world, "admin")
    response = admin.post(keys_page(world) + f"{old_key.pk}/rotate/")
    assert response.status_code == 200
    new_secret = re.search(r"chk_\S+", element_text(response, "new-secret")).group(0)
    successor = find_api_key(new_secret)
    old_key.refresh_from_db()
    assert (old_key.replaced_by_id, old_key.expires_at) == (successor.pk, NOW + datetime.timedelta(days=7))
    assert (successor.scopes, successor.role, successor.rate_limit) == (
        old_key.scopes,
        old_key.role,
        old_key.rate_limit,
    )
    assert successor.expires_at == NOW + datetime.timedelta(days=365)
    assert (
        f"已签发{old_key.prefix}的继任密钥{successor.prefix}；{old_key.prefix}在2026-03-09 18:00前仍可使用。"
        in page_text(response)
    )
    rotated = AuditEvent.objects.get(event_type="API_KEY_ROTATED")
    assert (rotated.subject_id, rotated.after["replaced_by_id"]) == (str(old_key.pk), successor.pk)
    # Both work during the grace period: the client switches without downtime.
    for secret in (world.api_keys["cb_hunan"], new_secret):
        assert client.get("/api/v1/submissions", HTTP_X_API_KEY=secret).status_code == 200
    frozen.move_to(NOW + datetime.timedelta(days=7, seconds=1))
    assert client.get("/api/v1/submissions", HTTP_X_API_KEY=world.api_keys["cb_hunan"]).json()["code"] == "key_expired"
    assert client.get("/api/v1/submissions", HTTP_X_API_KEY=new_secret).status_code == 200
    # A rotated key is not rotated twice (a week on, the administrator signs in again).
    admin = signed_in(client, world, "admin")
    before = state()
    again = admin.post(keys_page(world) + f"{old_key.pk}/rotate/", follow=True)
    assert f"接口密钥{old_key.prefix}已吊销、已轮换或已过期，不能再轮换" in page_text(again)
    assert state() == before


def test_revoking_stops_a_key_at_once(client, world):
    key = find_api_key(world.api_keys["cb_hunan"])
    admin = signed_in(client, world, "admin")
    response = admin.post(keys_page(world) + f"{key.pk}/revoke/", follow=True)
    assert f"接口密钥{key.prefix}已吊销。" in page_text(response)
    assert AuditEvent.objects.filter(event_type="API_KEY_REVOKED", subject_id=str(key.pk)).count() == 1
    assert client.get("/api/v1/submissions", HTTP_X_API_KEY=world.api_keys["cb_hunan"]).status_code == 401


def test_only_administrators_manage_keys(client, world):
    for username in ("officer_province", "cb_hunan"):
        page = signed_in(client, world, username).get(keys_page(world))
        assert page.status_code == 403 and "接口密钥仅由系统管理员签发、轮换和吊销。" in page.content.decode()
    missing = signed_in(client, world, "admin").get("/account/users/organizations/91430000000000000X/keys/")
    assert missing.status_code == 404


def test_the_command_rotates_a_key(world, frozen):
    key = find_api_key(world.api_keys["lab"])
    out = io.StringIO()
    call_command("apikey", "rotate", key.prefix, stdout=out)
    lines = out.getvalue().splitlines()
    successor = find_api_key(lines[-1])
    assert lines[0] == f"{key.prefix} rotated to {successor.prefix}; {key.prefix} works until 2026-03-09 10:00 UTC"
    assert (successor.scopes, successor.role) == (["read", "submit_reports"], "LAB")


def test_existing_keys_get_the_scopes_of_their_role_and_an_expiry(world, frozen):
    """The migration that introduced scopes (core 0008): no existing key is widened, none lives for ever."""
    from importlib import import_module

    migration = import_module("certhub.core.migrations.0008_users_inspector_role_api_key_scopes")
    roles = {"CERTIFICATION_BODY": "cb_hunan", "LAB": "lab"}

    # As the keys stood before scopes existed; the migration runs outside the write guard, as migrations do.
    @action
    def do_run_the_migration(*, actor: Actor) -> None:
        authorize(actor, Permission.MANAGE_API_KEYS)  # every action checks (core/tests/test_regulated.py)
        ApiKey.objects.update(scopes=[], expires_at=NOW)
        migration.scope_existing_keys(apps, None)

    do_run_the_migration(actor=SYSTEM)
    got = {role: find_api_key(world.api_keys[name]) for role, name in roles.items()}
    assert {role: (key.scopes, key.expires_at) for role, key in got.items()} == {
        "CERTIFICATION_BODY": (["read", "submit_certificates"], NOW + datetime.timedelta(days=365)),
        "LAB": (["read", "submit_reports"], NOW + datetime.timedelta(days=365)),
    }


def test_a_key_without_read_reads_as_the_public_and_is_refused_private_lists(client, world):
    """`read` is what lets a key see its organization's non-public data (its drafts, its submissions)."""
    _key, writer = do_issue_api_key(
        organization=world.organizations["cb_hunan"],
        name="只写",
        role="CERTIFICATION_BODY",
        scopes=["submit_certificates"],
        actor=SYSTEM,
    )
    draft = world.certificates["draft"].number
    assert client.get(f"/api/v1/certificates/{draft}", HTTP_X_API_KEY=world.api_keys["cb_hunan"]).status_code == 200
    assert client.get(f"/api/v1/certificates/{draft}", HTTP_X_API_KEY=writer).status_code == 404
    listing = client.get("/api/v1/submissions", HTTP_X_API_KEY=writer)
    assert (listing.status_code, listing.json()["message"]) == (
        403,
        f"接口密钥{_key.prefix}没有“read”权限范围（读取本机构的非公开数据）",
    )
    assert write_certificate(client, world, writer).status_code == 201


# Endpoints that take a body but change nothing: checking numbers, a seal or a complaint's progress is reading
# (C2 采信, C10).
READING_POSTS = {"registry.api.verify_certificate_numbers", "seal.api.verify", "complaints.api.track_complaint"}
# Writes open to anyone by design: a complaint or tip-off needs no account (C10 社会监督); a proof of work, per-address
# limits and duplicate detection guard it instead of a scope (docs/complaints.md).
PUBLIC_FILINGS = {"complaints.api.file_complaint"}
# issue 18: toolbox — the quality toolbox computes from the body and stores nothing (C12)
READING_POSTS |= {
    "toolbox.api.spc",
    "toolbox.api.capability_study",
    "toolbox.api.pareto_study",
    "toolbox.api.quality_cost_study",
}


WRITE_VERBS = ("post", "put", "patch", "delete")


def http_methods(decorator, functions) -> list[str]:
    """The write verbs a route decorator registers: `@router.post(…)`, or a module helper that returns one
    (`@_step(…)` whose body calls `router.post(…)`)."""
    import ast

    if not isinstance(decorator, ast.Call):
        return []
    if isinstance(decorator.func, ast.Attribute):
        return [decorator.func.attr] if decorator.func.attr in WRITE_VERBS else []
    helper = functions.get(decorator.func.id) if isinstance(decorator.func, ast.Name) else None
    if helper is None:
        return []
    return [
        c.func.attr
        for c in ast.walk(helper)
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr in WRITE_VERBS
    ]


def test_every_endpoint_that_writes_declares_its_scope():
    """Completeness (docs/architecture.md convention 14): every POST, PUT, PATCH or DELETE endpoint either only
    reads, or names the scope it needs through core.api_auth.require_scope (itself or in the helper it calls)."""
    import ast
    from pathlib import Path

    source = Path(__file__).resolve().parents[2]
    found = {}
    # Every app's api.py and the routers beside it (registry/ban_api.py).
    for path in sorted([*source.glob("*/api.py"), *source.glob("*/*_api.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in functions.values():
            methods = [method for d in node.decorator_list for method in http_methods(d, functions)]
            if not methods:
                continue
            # The endpoint and every module function it reaches, however deep.
            bodies, seen, todo = [], set(), [node]
            while todo:
                body = todo.pop()
                bodies.append(body)
                for c in ast.walk(body):
                    called = c.func.id if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) else None
                    if called in functions and called not in seen:
                        seen.add(called)
                        todo.append(functions[called])
            # Scoped: it names the key scope it needs, or it refuses keys altogether and writes only as the
            # signed-in person (core.api_auth.signed_in_writer).
            scoped = any(
                isinstance(c, ast.Call)
                and isinstance(c.func, ast.Name)
                and c.func.id in ("require_scope", "signed_in_writer")
                for body in bodies
                for c in ast.walk(body)
            )
            found[f"{path.parent.name}.{path.stem}.{node.name}"] = scoped
    assert found == {name: name not in READING_POSTS | PUBLIC_FILINGS for name in found}
    assert sorted(name for name, scoped in found.items() if scoped) == [
        "exchange.api.create_submission",
        "integrity.api.joint_punishment_query",
        "licensing.api.accept",
        "licensing.api.answer_materials",
        "licensing.api.answer_opinion",
        "licensing.api.assign",
        "licensing.api.conclude_review",
        "licensing.api.decide",
        "licensing.api.record_check",
        "licensing.api.record_onsite",
        "licensing.api.record_rectification",
        "licensing.api.refuse_acceptance",
        "licensing.api.request_materials",
        "licensing.api.request_opinions",
        "licensing.api.revoke",
        "licensing.api.schedule_onsite",
        "licensing.api.submit",
        "licensing.api.withdraw",
        "market.api.record_market_checks",
        "market.declaration_api.register_declaration",
        "market.declaration_api.withdraw_declaration",
        "registry.api.change_certificate_status",
        "registry.api.change_certification_body_status",
        "registry.api.correct_organization",
        "registry.api.create_certificate",
        "registry.api.declare_product",
        "registry.api.end_affiliation",
        "registry.api.set_organization_contact",
        "registry.api.start_affiliation",
        "registry.api.transfer_certificate",
        "registry.api.withdraw_product",
        "registry.ban_api.impose_ban",
        "registry.ban_api.lift_ban",
    ]
