"""The baseline: a bare ASGI app, no framework, answering `GET /api/v1/certificates/{number}` with one
query on the same driver CertHub's read path uses (asyncpg on PostgreSQL, sqlite3 on SQLite) and the
row serialized by orjson. It is the ceiling the benchmark compares CertHub against: served by the same
server (granian) with the same number of workers, on the same database, in the same run.

    CERTHUB_DATABASE_URL=... granian --interface asgi bench.baseline_app:app
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

PREFIX = "/api/v1/certificates/"
COLUMNS = (
    "number, status, scheme_id, certification_body_id, holder_id, holder_name, scope, standards, "
    "original_issue_date, issue_date, expiry_date, last_surveillance_date, status_changed_on"
)
QUERY = f"SELECT {COLUMNS} FROM registry_certificate WHERE number = {{}} LIMIT 1"
POOL_SIZE = 8  # per worker, as certhub.registry.fast_lookup
JSON_HEADERS = [(b"content-type", b"application/json")]
NOT_FOUND = b'{"code":"not_found"}'


def parse_url(url: str) -> dict[str, Any]:
    """The parts of a CERTHUB_DATABASE_URL (`postgres://user@%2Fsocket%2Fdir:5432/name` or
    `sqlite:////absolute/path`), without lower-casing a percent-encoded socket directory."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return {"engine": "sqlite", "path": unquote(parts.path[1:])}  # as dj-database-url: sqlite:////abs
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    host, port = hostport, ""
    if ":" in hostport and hostport.rsplit(":", 1)[1].isdigit():
        host, port = hostport.rsplit(":", 1)
    return {
        "engine": "postgresql",
        "user": unquote(user) or None,
        "password": unquote(password) or None,
        "host": unquote(host) or None,
        "port": int(port) if port else None,
        "database": unquote(parts.path.lstrip("/")),
    }


async def open_backend(url: str) -> Any:
    config = parse_url(url)
    if config["engine"] == "postgresql":
        import asyncpg

        async def keep(connection: Any) -> None:
            """Nothing to reset: this app changes no session state (no SET, LISTEN, advisory locks or
            open transactions), so it skips the pool's default reset, a round trip per request."""

        pool = await asyncpg.create_pool(
            reset=keep,
            host=config["host"],
            port=config["port"],
            user=config["user"],
            password=config["password"],
            database=config["database"],
            min_size=1,
            max_size=POOL_SIZE,
        )
        statement = QUERY.format("$1")

        async def fetch_pg(number: str) -> bytes | None:
            async with pool.acquire() as connection:
                row = await connection.fetchrow(statement, number)
            return None if row is None else orjson.dumps(dict(row))

        return fetch_pg

    connection = sqlite3.connect(f"file:{config['path']}?mode=ro", uri=True, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=5000")
    statement = QUERY.format("?")
    names: list[str] = []

    async def fetch_sqlite(number: str) -> bytes | None:
        cursor = connection.execute(statement, (number,))
        row = cursor.fetchone()
        if row is None:
            return None
        if not names:
            names.extend(d[0] for d in cursor.description)
        return orjson.dumps(dict(zip(names, row, strict=True)))

    return fetch_sqlite


class Baseline:
    def __init__(self) -> None:
        self.fetch: Any = None
        self.lock = asyncio.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        body = None
        if scope["method"] == "GET" and path.startswith(PREFIX) and "/" not in path[len(PREFIX) :]:
            if self.fetch is None:
                async with self.lock:
                    if self.fetch is None:
                        self.fetch = await open_backend(os.environ["CERTHUB_DATABASE_URL"])
            body = await self.fetch(path[len(PREFIX) :])  # ASGI's path is already percent-decoded
        status = 200 if body is not None else 404
        body = body if body is not None else NOT_FOUND
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


app = Baseline()
