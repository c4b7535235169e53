"""Request limits per minute for API v1 (C2: the registry is reused by other departments' and buyers'
systems, so one client must not crowd out the others).

- Every API request made with a key counts against that key's own limit (`ApiKey.rate_limit`),
  whatever the endpoint: `ApiRateLimitMiddleware`.
- Anonymous calls to the bulk reuse endpoints (batch verify, organization matching, the procurement
  check) count against a limit per client address, `CERTHUB_ANONYMOUS_RATE_LIMIT`: `limit_anonymous`.

Windows are fixed minutes. The counters live in the database (`core.ApiRateCounter`), one atomic
upsert per request, so that every server process — granian runs one per core — counts together; a
process-local cache would let each worker grant the full limit. No rate-limit package fits: they count
in a cache through `incr`, which Django's database cache implements as a read then a write (two
workers can both read 9 and both write 10), and the others need Redis or memcached, which a
one-machine install does not have.

Answers carry `X-RateLimit-Limit` and `X-RateLimit-Remaining`; a refusal is HTTP 429 with
`Retry-After` (seconds) and the API's error body, code `rate_limited`."""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from certhub.core.api_auth import expired_body, presented_key, resolved_api_key, unauthenticated_body
from certhub.core.models import ApiRateCounter

WINDOW_SECONDS = 60
# Tests replace this to move between windows without sleeping.
clock: Callable[[], float] = time.time

# One statement, so concurrent requests in different processes never lose a count (SQLite ≥ 3.35 and
# PostgreSQL both have INSERT … ON CONFLICT … RETURNING).
COUNT = (
    "INSERT INTO core_apiratecounter (bucket, window_start, hits) VALUES (%s, %s, 1) "
    "ON CONFLICT (bucket, window_start) DO UPDATE SET hits = core_apiratecounter.hits + 1 "
    "RETURNING hits"
)
# Only the current window matters; the previous one is kept for a process whose clock lags a little.
PRUNE = "DELETE FROM core_apiratecounter WHERE window_start < %s"


@dataclass(frozen=True)
class Decision:
    """The outcome of counting one request: its number in the window, the limit and when the window ends."""

    limit: int
    hits: int
    window_end: int
    now: float

    @property
    def allowed(self) -> bool:
        return self.hits <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.hits)

    @property
    def retry_after(self) -> int:
        """Whole seconds until the next window opens (at least 1)."""
        return max(1, math.ceil(self.window_end - self.now))


def count_request(bucket: str, limit: int, *, now: float | None = None) -> Decision:
    """Count one request for `bucket` in the current window and decide it against `limit`."""
    now = clock() if now is None else now
    window_start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    database = router.db_for_write(ApiRateCounter)  # the primary, never a read replica
    with connections[database].cursor() as cursor:
        cursor.execute(COUNT, [bucket[:80], window_start])
        hits = int(cursor.fetchone()[0])
        if hits == 1:  # the bucket's first request this window: clear out windows that have passed
            cursor.execute(PRUNE, [window_start - WINDOW_SECONDS])
    return Decision(limit=limit, hits=hits, window_end=window_start + WINDOW_SECONDS, now=now)


def with_limit_headers(response: HttpResponse, decision: Decision) -> HttpResponse:
    response["X-RateLimit-Limit"] = str(decision.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    if not decision.allowed:
        response["Retry-After"] = str(decision.retry_after)
    return response


def too_many_requests(decision: Decision) -> HttpResponse:
    """HTTP 429 in the API's error shape."""
    message = _("请求过于频繁：每分钟最多%(limit)d次，请在%(seconds)d秒后重试") % {
        "limit": decision.limit,
        "seconds": decision.retry_after,
    }
    response = JsonResponse({"code": "rate_limited", "message": message, "errors": {}}, status=429)
    return with_limit_headers(response, decision)


def client_address(request: HttpRequest) -> str:
    """The caller's address (C14: per-address limits must not be escapable by a header the caller writes).

    Behind reverse proxies every request comes from the nearest proxy, so the header they set
    (CERTHUB_CLIENT_IP_HEADER, e.g. X-Real-IP or X-Forwarded-For) is read instead. Each proxy appends the
    address it saw, so the client is the right-most entry none of ours wrote — the right-most untrusted hop —
    and whatever a client put to its left is ignored. Our proxies are CERTHUB_TRUSTED_PROXIES: a count (the
    right-most N entries are theirs) or their addresses and networks (entries, and the connection, from them
    are skipped; a connection from elsewhere did not come through them, so the header is not read). The
    client's entry must be an IP address; a missing, short or malformed header falls back to the connection's
    address, so junk never buys a fresh budget."""
    connection = str(request.META.get("REMOTE_ADDR") or "unknown")[:64]
    header = settings.CERTHUB_CLIENT_IP_HEADER
    if not header:
        return connection
    entries = [entry.strip() for entry in request.headers.get(header, "").split(",")]
    trusted = settings.CERTHUB_TRUSTED_PROXIES
    try:
        if isinstance(trusted, int):
            return str(ipaddress.ip_address(entries[-trusted])) if len(entries) >= trusted else connection
        if not _within(ipaddress.ip_address(connection), trusted):
            return connection
        for entry in reversed(entries):
            address = ipaddress.ip_address(entry)
            if not _within(address, trusted):
                return str(address)
    except ValueError:
        pass
    return connection


def _within(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Any) -> bool:
    return any(address.version == network.version and address in network for network in networks)


class ApiRateLimitMiddleware:
    """Counts every API request made with a key against the key's limit, before anything else runs.
    A key that is wrong, revoked or expired is refused with 401 here, on every endpoint (never ignored)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        secret = presented_key(request)
        if not secret:
            return self.get_response(request)
        key = resolved_api_key(request, secret)
        if key is None:
            return JsonResponse(unauthenticated_body(), status=401)
        if key.is_expired():
            return JsonResponse(expired_body(key), status=401)
        decision = count_request(f"key:{key.pk}", key.rate_limit)
        if not decision.allowed:
            return too_many_requests(decision)
        return with_limit_headers(self.get_response(request), decision)


def limit_per_address(
    budget: str, setting: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator counting anonymous calls (no key, nobody signed in) against their client address
    in the named budget, `setting` calls a minute (0 turns it off); the endpoints carrying the same budget
    share it."""

    def decorate(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            limit = getattr(settings, setting)
            user = getattr(request, "user", None)
            if limit <= 0 or presented_key(request) or (user is not None and user.is_authenticated):
                return run(request, *args, **kwargs)
            decision = count_request(f"{budget}:{client_address(request)}", limit)
            if not decision.allowed:
                return too_many_requests(decision)
            return with_limit_headers(run(request, *args, **kwargs), decision)

        return wrapper

    return decorate


# For `ninja.decorators.decorate_view` on the reuse endpoints: counted before the parameters are even
# parsed; CERTHUB_ANONYMOUS_RATE_LIMIT a minute per address.
limit_anonymous = limit_per_address("ip", "CERTHUB_ANONYMOUS_RATE_LIMIT")
