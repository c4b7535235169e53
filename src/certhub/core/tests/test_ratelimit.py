"""API rate limits (C2: the registry reused by other departments' and buyers' systems; core.ratelimit):
each key has its own budget per minute on every endpoint, anonymous calls to the reuse endpoints share
one per client address, refusals are 429 in the API's error shape and change nothing, and a new
window is open again. Time is injected (`ratelimit.clock`), so no test sleeps."""

from __future__ import annotations

import asyncio
import io
import ipaddress
import multiprocessing
import sqlite3
import threading
from concurrent.futures import ProcessPoolExecutor

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from certhub.core import ratelimit
from certhub.core.actions import do_issue_api_key, do_revoke_api_key, find_api_key
from certhub.core.actors import SYSTEM
from certhub.core.models import ApiKey, ApiRateCounter, AuditEvent
from certhub.core.testing import sign_in_client
from certhub.registry.models import Certificate, Organization
from certhub.registry.testing import make_uscc

WINDOW = 1_800_000_000  # a minute boundary (30,000,000 × 60 s)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(WINDOW + 10)
    monkeypatch.setattr(ratelimit, "clock", fixed)
    return fixed


def issue(world, organization="maker", role="PUBLIC", rate_limit=3):
    _key, secret = do_issue_api_key(
        organization=world.organizations[organization], name="采购系统", role=role, rate_limit=rate_limit, actor=SYSTEM
    )
    return secret


def limits(response):
    return (
        response.status_code,
        response.headers.get("X-RateLimit-Limit"),
        response.headers.get("X-RateLimit-Remaining"),
        response.headers.get("Retry-After"),
    )


def test_count_request_counts_within_a_window_and_starts_again_in_the_next(db):
    first = ratelimit.count_request("key:1", 2, now=WINDOW + 10)
    assert (first.hits, first.allowed, first.remaining, first.retry_after) == (1, True, 1, 50)
    second = ratelimit.count_request("key:1", 2, now=WINDOW + 59.5)
    assert (second.hits, second.allowed, second.remaining, second.retry_after) == (2, True, 0, 1)
    third = ratelimit.count_request("key:1", 2, now=WINDOW + 59.9)
    assert (third.hits, third.allowed, third.remaining, third.retry_after) == (3, False, 0, 1)
    other = ratelimit.count_request("key:2", 2, now=WINDOW + 30)
    assert (other.hits, other.allowed) == (1, True)  # every bucket counts on its own
    later = ratelimit.count_request("key:1", 2, now=WINDOW + 60)
    assert (later.hits, later.allowed, later.remaining, later.retry_after) == (1, True, 1, 60)
    rows = sorted(ApiRateCounter.objects.values_list("bucket", "window_start", "hits"))
    assert rows == [("key:1", WINDOW, 3), ("key:1", WINDOW + 60, 1), ("key:2", WINDOW, 1)]
    # Once a window is two behind, the first request of a new window clears it away.
    ratelimit.count_request("key:3", 2, now=WINDOW + 120)
    assert sorted(ApiRateCounter.objects.values_list("bucket", "window_start")) == [
        ("key:1", WINDOW + 60),
        ("key:3", WINDOW + 120),
    ]


def test_a_key_over_its_limit_gets_429_on_any_endpoint_then_the_next_window_is_open(client, world, clock):
    secret = issue(world, rate_limit=3)
    headers = {"HTTP_X_API_KEY": secret}
    answers = [
        client.get("/api/v1/schemes/QMS", **headers),
        client.get("/api/v1/certificates/CNCA-QMS-2025-0002", **headers),
        client.get("/api/v1/labs/231812050341", **headers),
    ]
    assert [limits(r) for r in answers] == [(200, "3", "2", None), (200, "3", "1", None), (200, "3", "0", None)]
    assert answers[1].json()["status"] == "SUSPENDED"
    refused = client.get("/api/v1/schemes/QMS", **headers)
    assert limits(refused) == (429, "3", "0", "50")
    assert refused.json() == {
        "code": "rate_limited",
        "message": "请求过于频繁：每分钟最多3次，请在50秒后重试",
        "errors": {},
    }
    clock.now = WINDOW + 60
    again = client.get("/api/v1/schemes/QMS", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert limits(again) == (200, "3", "2", None)
    assert again.json()["code"] == "QMS"


def test_a_refused_write_changes_nothing(client, world, clock):
    secret = issue(world, organization="cb_hunan", role="CERTIFICATION_BODY", rate_limit=1)
    assert client.get("/api/v1/schemes", HTTP_X_API_KEY=secret).status_code == 200
    before = (sorted(Certificate.objects.values_list("number", "status")), AuditEvent.objects.count())
    payload = {
        "number": "RL-2025-0001",
        "scheme": "QMS",
        "holder_uscc": world.organizations["maker"].uscc,
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
    }
    refused = client.post("/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=secret)
    assert (refused.status_code, refused.json()["code"], refused.headers["Retry-After"]) == (429, "rate_limited", "50")
    assert (sorted(Certificate.objects.values_list("number", "status")), AuditEvent.objects.count()) == before
    clock.now = WINDOW + 61
    created = client.post("/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=secret)
    assert (created.status_code, created.json()["number"]) == (201, "RL-2025-0001")


def test_keys_have_their_own_budgets(client, world, clock):
    first, second = issue(world, rate_limit=1), issue(world, organization="hengyang", rate_limit=2)
    assert limits(client.get("/api/v1/schemes", HTTP_X_API_KEY=first)) == (200, "1", "0", None)
    assert limits(client.get("/api/v1/schemes", HTTP_X_API_KEY=first)) == (429, "1", "0", "50")
    assert limits(client.get("/api/v1/schemes", HTTP_X_API_KEY=second)) == (200, "2", "1", None)


def test_wrong_and_revoked_keys_are_refused_everywhere_and_not_counted(client, world, clock):
    secret = issue(world)
    key = find_api_key(secret)
    do_revoke_api_key(key=key, actor=SYSTEM)
    body = {
        "code": "unauthenticated",
        "message": "需要有效的接口密钥（X-API-Key 或 Authorization: Bearer）",
        "errors": {},
    }
    for path in ("/api/v1/schemes", "/api/v1/procurement/check?uscc=" + world.organizations["maker"].uscc):
        revoked = client.get(path, HTTP_X_API_KEY=secret)
        assert (revoked.status_code, revoked.json()) == (401, body)
        wrong = client.get(path, HTTP_AUTHORIZATION="Bearer chk_deadbeef_nope")
        assert (wrong.status_code, wrong.json()) == (401, body)
    assert ApiRateCounter.objects.count() == 0


def test_the_fast_lookup_path_steps_aside_for_keys_so_they_are_counted(transactional_db, world, clock):
    from certhub.asgi import application

    secret = issue(world, rate_limit=2)

    async def run():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://certhub.test") as client:
            path = "/api/v1/certificates/CNCA-EMS-2024-0004"
            return [await client.get(path, headers={"X-API-Key": secret}) for _ in range(3)]

    answers = asyncio.run(run())
    assert [limits(r) for r in answers] == [(200, "2", "1", None), (200, "2", "0", None), (429, "2", "0", "50")]
    assert answers[0].json()["status"] == "WITHDRAWN"


def test_anonymous_calls_to_the_reuse_endpoints_share_a_budget_per_address(client, world, clock, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 2
    uscc = world.organizations["maker"].uscc
    first = client.get(f"/api/v1/procurement/check?uscc={uscc}")
    assert limits(first) == (200, "2", "1", None)
    assert first.json()["certified"] is True
    # A request the endpoint refuses as invalid still counts: the limit comes before any parsing.
    invalid = client.post("/api/v1/certificates/verify", {"numbers": []}, content_type="application/json")
    assert limits(invalid) == (422, "2", "0", None)
    refused = client.get("/api/v1/organizations/match?name=星城电器")
    assert limits(refused) == (429, "2", "0", "50")
    assert refused.json() == {
        "code": "rate_limited",
        "message": "请求过于频繁：每分钟最多2次，请在50秒后重试",
        "errors": {},
    }
    # Another address has its own budget; endpoints outside the reuse set are not limited for anyone.
    other = client.get("/api/v1/organizations/match?name=星城电器", REMOTE_ADDR="203.0.113.7")
    assert limits(other) == (200, "2", "1", None)
    assert limits(client.get("/api/v1/schemes")) == (200, None, None, None)
    clock.now = WINDOW + 60
    assert limits(client.get("/api/v1/organizations/match?name=星城电器")) == (200, "2", "1", None)


def test_behind_a_proxy_the_client_address_comes_from_the_named_header(client, world, clock, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 1
    settings.CERTHUB_CLIENT_IP_HEADER = "X-Real-IP"
    path = "/api/v1/organizations/match?name=星城电器"
    assert limits(client.get(path, HTTP_X_REAL_IP="198.51.100.1")) == (200, "1", "0", None)
    assert limits(client.get(path, HTTP_X_REAL_IP="198.51.100.2")) == (200, "1", "0", None)
    assert limits(client.get(path, HTTP_X_REAL_IP="198.51.100.1")) == (429, "1", "0", "50")
    assert sorted(ApiRateCounter.objects.values_list("bucket", "hits")) == [
        ("ip:198.51.100.1", 2),
        ("ip:198.51.100.2", 1),
    ]


@pytest.mark.parametrize(
    ("hops", "forwarded", "counted_as"),
    [
        # The client wrote the left-most entry; our one proxy appended what it saw: only that counts.
        (1, "203.0.113.66, 198.51.100.1", "198.51.100.1"),
        (1, "198.51.100.1", "198.51.100.1"),
        # Two proxies of ours: the outer one wrote the second entry from the right.
        (2, "203.0.113.66, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, "2001:DB8::0001", "2001:db8::1"),
        # Junk, a port, too few entries or no header: the connection's address (the proxy's), never a new budget.
        (1, "<script>", "127.0.0.1"),
        (1, "198.51.100.1:4431", "127.0.0.1"),
        (2, "198.51.100.1", "127.0.0.1"),
        (1, "", "127.0.0.1"),
    ],
)
def test_behind_proxies_only_what_our_proxies_wrote_counts(client, world, clock, settings, hops, forwarded, counted_as):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 1
    settings.CERTHUB_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CERTHUB_TRUSTED_PROXIES = hops
    path = "/api/v1/organizations/match?name=星城电器"
    assert limits(client.get(path, HTTP_X_FORWARDED_FOR=forwarded)) == (200, "1", "0", None)
    # A new left-most value (what a client controls) does not escape the limit (a header shorter than our
    # proxies would make is a misconfiguration, sent again as it was).
    again = "192.0.2.99, " + forwarded if len(forwarded.split(",")) >= hops else forwarded
    assert limits(client.get(path, HTTP_X_FORWARDED_FOR=again)) == (429, "1", "0", "50")
    assert list(ApiRateCounter.objects.values_list("bucket", "hits")) == [(f"ip:{counted_as}", 2)]


@pytest.mark.parametrize(
    "proxies, forwarded, counted_as",
    [
        # Our proxies by address: every right-most entry one of them wrote is skipped.
        ("127.0.0.1,10.0.0.0/8", "203.0.113.66, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("::1/128,127.0.0.0/8", "2001:DB8::0001", "2001:db8::1"),
        # The connection is not one of ours: it did not come through them, the header is not read.
        ("10.0.0.0/8", "198.51.100.1", "127.0.0.1"),
        # Junk where the client's entry should be: the connection's address.
        ("127.0.0.1", "<script>", "127.0.0.1"),
        ("127.0.0.1,10.0.0.0/8", "198.51.100.1:4431, 10.0.0.2", "127.0.0.1"),
    ],
)
def test_behind_proxies_known_by_address_the_right_most_untrusted_hop_counts(
    client, world, clock, settings, proxies, forwarded, counted_as
):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 1
    settings.CERTHUB_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CERTHUB_TRUSTED_PROXIES = tuple(ipaddress.ip_network(p, strict=False) for p in proxies.split(","))
    path = "/api/v1/organizations/match?name=星城电器"
    assert limits(client.get(path, HTTP_X_FORWARDED_FOR=forwarded)) == (200, "1", "0", None)
    # A new left-most value (what a client controls) does not escape the limit.
    assert limits(client.get(path, HTTP_X_FORWARDED_FOR="192.0.2.99, " + forwarded)) == (429, "1", "0", "50")
    assert list(ApiRateCounter.objects.values_list("bucket", "hits")) == [(f"ip:{counted_as}", 2)]


def test_signed_in_people_and_a_zero_limit_are_not_limited_by_address(client, world, clock, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 1
    sign_in_client(client, world.users["officer_province"])
    path = "/api/v1/organizations/match?name=星城电器"
    assert [limits(client.get(path)) for _ in range(2)] == [(200, None, None, None)] * 2
    client.logout()
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    assert [limits(client.get(path)) for _ in range(2)] == [(200, None, None, None)] * 2
    assert ApiRateCounter.objects.count() == 0


def _count_in_thread(results: list[int], n: int) -> None:
    try:
        for _ in range(n):
            results.append(ratelimit.count_request("key:shared", 10_000, now=WINDOW + 5).hits)
    finally:
        connections.close_all()


def _count_in_process(path: str, n: int) -> list[int]:
    """A server process's counting, as on a one-machine install: its own connection to a SQLite file in
    WAL mode, the same statement."""
    database = sqlite3.connect(path, timeout=30, isolation_level=None)  # WAL: set once by the test, kept in the file
    statement = ratelimit.COUNT.replace("%s", "?")
    try:
        return [database.execute(statement, ("key:shared", WINDOW)).fetchall()[0][0] for _ in range(n)]
    finally:
        database.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_counting_on_separate_connections_loses_nothing(tmp_path):
    """Server processes count on their own database connections: one atomic upsert per request means no
    two requests see the same count and none is lost."""
    if connection.vendor == "sqlite":
        # The test database is SQLite's shared in-memory one, which locks whole tables between
        # connections; an install uses a file in WAL mode, so the statement is proven there, by processes.
        path = str(tmp_path / "counters.sqlite3")
        with connection.schema_editor(collect_sql=True) as editor:
            editor.create_model(ApiRateCounter)
        with sqlite3.connect(path) as database:
            # WAL is a property of the file: set it here, once, not in four processes racing to switch it.
            database.execute("PRAGMA journal_mode=WAL")
            for statement in editor.collected_sql:
                database.execute(statement)
        with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
            results = [hit for part in pool.map(_count_in_process, [path] * 4, [25] * 4) for hit in part]
        with sqlite3.connect(path) as database:
            stored = database.execute("SELECT hits FROM core_apiratecounter").fetchall()
    else:
        results = []
        threads = [threading.Thread(target=_count_in_thread, args=(results, 25)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = list(ApiRateCounter.objects.values_list("hits"))
    assert sorted(results) == list(range(1, 101))
    assert stored == [(100,)]


def run_command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_apikey_issue_sets_the_rate_limit_and_registers_a_consuming_department(client, world, clock):
    maker = world.organizations["maker"].uscc
    output = run_command(
        "apikey", "issue", "--organization", maker, "--role", "PUBLIC", "--name", "采购核验", "--rate-limit", "120"
    )
    secret = output.splitlines()[-1]
    key = find_api_key(secret)
    until = f"{key.expires_at:%Y-%m-%d}"
    assert output.splitlines()[0] == (
        f"长沙星城电器有限公司: PUBLIC key {key.prefix}, 120 requests/min, scopes read, until {until}"
    )
    assert (key.role, key.rate_limit, key.scopes) == ("PUBLIC", 120, ["read"])
    assert f"{key.prefix}  PUBLIC               采购核验  (live)  120/min  read  until {until}" in run_command(
        "apikey", "list", "--organization", maker
    )
    issued = AuditEvent.objects.filter(event_type="API_KEY_ISSUED", subject_id=str(key.pk)).get()
    assert issued.after == {
        "name": "采购核验",
        "prefix": key.prefix,
        "role": "PUBLIC",
        "rate_limit": 120,
        "scopes": ["read"],
        "expires_at": key.expires_at.isoformat(),
        "revoked_at": None,
        "replaced_by_id": None,
    }
    keys_before = ApiKey.objects.count()
    with pytest.raises(CommandError, match="每分钟请求上限应在1到1000000之间"):
        run_command("apikey", "issue", "--organization", maker, "--role", "PUBLIC", "--name", "x", "--rate-limit", "0")
    assert ApiKey.objects.count() == keys_before

    # A provincial department that holds no certificate: registered, then given a read-only key.
    department = make_uscc(77, "430000", department="1", category="1")
    output = run_command(
        "apikey",
        "issue",
        "--organization",
        department,
        "--role",
        "PUBLIC",
        "--name",
        "采信",
        "--register",
        "湖南省财政厅",
        "--region",
        "430000",
    )
    assert output.splitlines()[0] == f"registered 湖南省财政厅 ({department})"
    department_row = ApiKey.objects.get(organization__uscc=department)
    assert output.splitlines()[1].endswith(  # the defaults
        f", 600 requests/min, scopes read, until {department_row.expires_at:%Y-%m-%d}"
    )
    assert Organization.objects.get(uscc=department).name == "湖南省财政厅"
    department_key = output.splitlines()[-1]
    verified = client.post(
        "/api/v1/certificates/verify",
        {"numbers": ["CNCA-QMS-2025-0002"]},
        content_type="application/json",
        HTTP_X_API_KEY=department_key,
    )
    assert (verified.status_code, verified.json()["results"][0]["status"]) == (200, "SUSPENDED")
    assert verified.headers["X-RateLimit-Limit"] == "600"
    # Read-only: it may not register certificates.
    payload = {
        "number": "X-1",
        "scheme": "QMS",
        "holder_uscc": maker,
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
    }
    write = client.post("/api/v1/certificates", payload, content_type="application/json", HTTP_X_API_KEY=department_key)
    assert (write.status_code, write.json()["message"]) == (403, "只有认证机构的接口密钥可以登记证书")
    assert not Certificate.objects.filter(number="X-1").exists()
    with pytest.raises(CommandError, match="--register needs --region"):
        run_command(
            "apikey",
            "issue",
            "--organization",
            make_uscc(78, "430000", department="1"),
            "--role",
            "PUBLIC",
            "--name",
            "x",
            "--register",
            "某厅",
        )


@pytest.mark.parametrize("value", ["0", "two", "-1", "10.0.0.0/33", "10.0.0.1,"])
def test_a_wrong_count_of_trusted_proxies_stops_the_start(value):
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "certhub", "check"],
        env={**os.environ, "CERTHUB_TRUSTED_PROXIES": value},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        "CERTHUB_TRUSTED_PROXIES must be a whole number, 1 or more (the proxies in front of CertHub), or "
        f"their addresses or networks, comma-separated (10.0.0.0/8,192.0.2.7), not {value!r}" in done.stderr
    )
