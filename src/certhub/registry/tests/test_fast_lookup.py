"""The lean public lookup (registry.fast_lookup) answers exactly as the Django view does, and never serves a
stale record: the stored public document is rebuilt by the same action that changes the certificate."""

import asyncio
import datetime

import httpx
import pytest
from django.core.handlers.asgi import ASGIHandler

from certhub.asgi import django_application
from certhub.registry import actions
from certhub.registry.fast_lookup import FastCertificateLookup

pytestmark = pytest.mark.django_db(transaction=True)


DJANGO_CALLS: list[str] = []


def counting(django):
    async def counting_django(scope, receive, send):
        DJANGO_CALLS.append(scope["path"])
        await django(scope, receive, send)

    return counting_django


def fetch(paths, *, force_django=False, headers=None, django=django_application):
    """GET each path through a fresh ASGI stack; a cookie makes the fast path step aside. `django`: a
    Django application made after the test changed settings its middleware reads once."""
    application = FastCertificateLookup(counting(django))
    headers = {**(headers or {}), **({"Cookie": "certhub=1"} if force_django else {})}
    DJANGO_CALLS.clear()

    async def run():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://certhub.test") as client:
            return [await client.get(path, headers=headers) for path in paths]

    return asyncio.run(run())


def test_fast_and_django_paths_give_identical_records(world):
    numbers = ["CNCA-QMS-2025-0002", "CNCA-EMS-2024-0004", "2025010701000123"]
    paths = [f"/api/v1/certificates/{n}" for n in numbers]
    fast = fetch(paths)
    assert DJANGO_CALLS == []  # answered by the fast path alone
    django = fetch(paths, force_django=True)
    assert paths == DJANGO_CALLS
    for fast_response, django_response in zip(fast, django, strict=True):
        assert fast_response.status_code == django_response.status_code == 200
        assert fast_response.json() == django_response.json()
        assert fast_response.headers["content-security-policy"] == django_response.headers["content-security-policy"]
    assert [r.json()["status"] for r in fast] == ["SUSPENDED", "WITHDRAWN", "ACTIVE"]


def test_unknown_draft_and_ambiguous_numbers_fall_through_to_django(world):
    unknown, draft, ambiguous = fetch(
        [
            "/api/v1/certificates/NOPE-1",
            "/api/v1/certificates/CNCA-QMS-2025-0003",
            "/api/v1/certificates/CNCA-QMS-2025-0001",
        ]
    )
    assert (unknown.status_code, unknown.json()["message"]) == (404, "登记库中没有编号为“NOPE-1”的证书")
    assert draft.status_code == 404
    assert ambiguous.status_code == 409


def test_a_status_change_is_visible_on_the_fast_path_at_once(world):
    path = "/api/v1/certificates/2025010701000123"
    (before,) = fetch([path])
    assert before.json()["status"] == "ACTIVE"
    actions.do_change_certificate_status(
        certificate=world.certificates["ccc"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 11, 1),
        reason="国家监督抽查不合格",
        actor=world.actor("cb_hunan"),
    )
    (after,) = fetch([path])
    assert after.json()["status"] == "SUSPENDED"
    assert after.json()["history"][-1]["reason"] == "国家监督抽查不合格"


def test_lifespan_messages_are_answered():
    sent = []
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive():
        return next(incoming)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(FastCertificateLookup(counting(django_application))({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def comparable(response):
    """A response's headers, but for the length (the body already fixes it) and the language ones: the lean
    answer is data, the same in every language, and a cookie always sends the request to Django."""
    return {k: v for k, v in response.headers.items() if k not in {"content-length", "content-language", "vary"}}


def test_the_lean_path_sends_every_header_django_sends(world):
    path = ["/api/v1/certificates/2025010701000123"]
    (fast,) = fetch(path)
    (django,) = fetch(path, force_django=True)
    assert comparable(fast) == comparable(django)
    assert "strict-transport-security" not in fast.headers  # no HSTS in development


@pytest.fixture
def production_security(settings):
    """The security settings CERTHUB_ENV=production turns on, behind a proxy that ends TLS."""
    settings.ALLOWED_HOSTS = ["certhub.test"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_SSL_HOST = "certhub.test"
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return ASGIHandler()  # Django's middleware reads these settings when it is made


def test_in_production_the_lean_path_answers_https_with_hsts_as_django_does(world, production_security):
    path = ["/api/v1/certificates/2025010701000123"]
    (fast,) = fetch(path, headers={"X-Forwarded-Proto": "https"}, django=production_security)
    assert DJANGO_CALLS == []
    (django,) = fetch(path, force_django=True, headers={"X-Forwarded-Proto": "https"}, django=production_security)
    assert path == DJANGO_CALLS
    assert fast.status_code == django.status_code == 200
    assert fast.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert comparable(fast) == comparable(django)
    assert fast.json() == django.json()


def test_in_production_plain_http_is_redirected_by_django_not_answered(world, production_security):
    path = "/api/v1/certificates/2025010701000123"
    (plain,) = fetch([path], django=production_security)
    assert [path] == DJANGO_CALLS
    (forwarded_http,) = fetch([path], headers={"X-Forwarded-Proto": "http"}, django=production_security)
    assert [path] == DJANGO_CALLS
    for response in (plain, forwarded_http):
        assert response.status_code == 301
        assert response.headers["location"] == f"https://certhub.test{path}"


def test_a_host_django_refuses_is_not_answered_by_the_lean_path(world, production_security):
    path = "/api/v1/certificates/2025010701000123"
    headers = {"X-Forwarded-Proto": "https", "Host": "attacker.example"}
    (forged,) = fetch([path], headers=headers, django=production_security)
    assert [path] == DJANGO_CALLS
    assert forged.status_code == 400
    assert forged.content != b""
