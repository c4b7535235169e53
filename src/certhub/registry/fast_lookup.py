"""The lean read path for `GET /api/v1/certificates/{number}` (C3 verify, at national scale).

Public lookups are the hottest request CertHub serves (every QR scan, every tender check). They need
no session, no permission beyond "public", and no ORM: each public certificate has its record stored
as the bytes served (registry.CertificatePublicRecord), rebuilt by the actions in the same transaction
as every change (so the stored record is the cache and can never be stale). This ASGI wrapper answers
such requests with one indexed query on the database's own async/embedded driver, and hands everything
else — authenticated calls, query strings, unknown or ambiguous numbers — to Django unchanged, so
answers are identical either way (registry/tests/test_fast_lookup.py proves it)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

import orjson
from django.conf import settings
from django.db import connections
from django.http.request import split_domain_port, validate_host
from django.utils import timezone

from certhub.core.middleware import API_VARY, SECURITY_HEADERS

PATH = re.compile(r"^/api/v1/certificates/([^/]+)$")
# registry.CertificatePublicRecord: one row per public (non-draft) certificate; with it the indexes of
# the certificate's ledger entries (C4), as the Django path adds them (ledger.queries.indexes_of).
QUERY = "SELECT r.document, ({indexes}) FROM registry_certificatepublicrecord r WHERE r.number = {param} LIMIT 2"
LEDGER_JOIN = (
    "FROM ledger_entry e JOIN core_auditevent a ON a.id = e.audit_id WHERE a.subject_type = "
    "'registry.certificate' AND a.subject_id = CAST(r.certificate_id AS TEXT)"
)
INDEXES = {
    "postgresql": f'SELECT string_agg(e."index"::text, \',\' ORDER BY e."index") {LEDGER_JOIN}',
    "sqlite": f'SELECT group_concat(i, \',\') FROM (SELECT e."index" AS i {LEDGER_JOIN} ORDER BY e."index")',  # noqa: S608
}
PASS_THROUGH_HEADERS = {b"authorization", b"x-api-key", b"cookie"}
RESPONSE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"x-frame-options", b"DENY"),
    # As every API answer (core.middleware.api_answer): only requests without a key or session come here.
    (b"vary", ", ".join(API_VARY).encode()),
    *[(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()],
    (b"cross-origin-opener-policy", b"same-origin"),  # as settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
]


def _hsts_header() -> list[tuple[bytes, bytes]]:
    """Strict-Transport-Security as django.middleware.security.SecurityMiddleware writes it."""
    if not settings.SECURE_HSTS_SECONDS:
        return []
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return [(b"strict-transport-security", value.encode())]


def live_document(stored: bytes, indexes: str | None, today_text: str) -> bytes:
    """Add today's derived flags and the ledger indexes to a stored public record (as
    registry.queries.with_live_flags does)."""
    document = orjson.loads(stored)
    due = document.get("surveillance_due")
    document["surveillance_overdue"] = bool(document["status"] == "ACTIVE" and due and due < today_text)
    document["ledger_indexes"] = [int(i) for i in indexes.split(",")] if indexes else []
    return orjson.dumps(document)


class FastCertificateLookup:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._backend: Any = None
        self._lock = asyncio.Lock()
        # What Django's SecurityMiddleware and host check would do, decided once (C14, docs/security.md):
        # a request Django would redirect to HTTPS or refuse for its Host goes to Django; a secure one
        # gets HSTS as Django would add it.
        self._redirect = bool(settings.SECURE_SSL_REDIRECT)
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self._proxy_header = proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode() if proxy else None
        self._proxy_value = proxy[1].encode() if proxy else b""
        self._hsts = _hsts_header()
        self._allowed_hosts = list(settings.ALLOWED_HOSTS)
        self._host_verdicts: dict[bytes, bool] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("query_string"):
            path = scope["path"]  # already percent-decoded by the server
            match = PATH.match(path) if "\x00" not in path else None
            if match and (extra := self._answerable(scope)) is not None:
                rows = await self._fetch(match.group(1).strip())
                if len(rows) == 1:
                    body = live_document(*rows[0], timezone.localdate().isoformat())
                    headers = [*RESPONSE_HEADERS, *extra, (b"content-length", str(len(body)).encode())]
                    await send({"type": "http.response.start", "status": 200, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _answerable(self, scope: dict[str, Any]) -> list[tuple[bytes, bytes]] | None:
        """The headers to add when the lean path may answer; None when Django must (a caller with a key,
        cookie or Authorization; a host Django would refuse; plain HTTP that Django would redirect)."""
        host = b""
        forwarded: bytes | None = None
        for name, value in scope.get("headers", ()):
            if name in PASS_THROUGH_HEADERS:
                return None
            if name == b"host":
                host = value
            elif name == self._proxy_header:
                forwarded = value
        if not self._host_allowed(host):
            return None
        # As django.http.HttpRequest.is_secure: the proxy's header when configured and present.
        if forwarded is not None:
            secure = forwarded.split(b",", 1)[0].strip() == self._proxy_value
        else:
            secure = scope.get("scheme") == "https"
        if not secure:
            return None if self._redirect else []
        return self._hsts

    def _host_allowed(self, host: bytes) -> bool:
        verdict = self._host_verdicts.get(host)
        if verdict is None:
            domain, _port = split_domain_port(host.decode("latin-1"))
            verdict = bool(domain) and validate_host(domain, self._allowed_hosts)
            if len(self._host_verdicts) < 64:  # a few real host names; junk is judged each time
                self._host_verdicts[host] = verdict
        return verdict

    async def _lifespan(self, receive: Any, send: Any) -> None:
        """Django has no lifespan support; answer the server's startup and shutdown messages here."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _fetch(self, number: str) -> list[tuple[bytes, str | None]]:
        if self._backend is None:
            async with self._lock:
                if self._backend is None:
                    self._backend = await _open_backend()
        return await self._backend(number)


async def _keep_session(connection: Any) -> None:
    return None


async def _open_backend() -> Any:
    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        import asyncpg  # lazy: the PostgreSQL driver is loaded only where PostgreSQL is the database

        options = settings_dict.get("OPTIONS", {})
        pool = await asyncpg.create_pool(
            host=settings_dict.get("HOST") or options.get("host") or None,
            port=int(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            database=settings_dict["NAME"],
            min_size=1,
            max_size=8,
            # The lookup sets no session state, so the per-release RESET ALL round trip buys nothing.
            reset=_keep_session,
        )
        statement = QUERY.format(indexes=INDEXES["postgresql"], param="$1")

        async def fetch_pg(number: str) -> list[tuple[bytes, str | None]]:
            async with pool.acquire() as connection:
                return [(bytes(r[0]), r[1]) for r in await connection.fetch(statement, number)]

        return fetch_pg

    name = str(settings_dict["NAME"])
    # Read-only, one connection per worker process; WAL lets it read while actions write.
    # (The test runner's shared in-memory database is already a URI and is opened as it is.)
    uri = name if name.startswith("file:") else f"file:{name}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=5000")
    statement = QUERY.format(indexes=INDEXES["sqlite"], param="?")

    async def fetch_sqlite(number: str) -> list[tuple[bytes, str | None]]:
        return [(bytes(r[0]), r[1]) for r in connection.execute(statement, (number,)).fetchall()]

    return fetch_sqlite
