"""Serve an ASGI app with granian for the length of a measurement, on a free loopback port."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.db import BIN, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def granian_version() -> str:
    result = subprocess.run([str(BIN / "granian"), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip().split()[-1] if result.stdout.strip() else "?"


def get(port: int, path: str, timeout: float = 10.0, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    """`granian --interface asgi TARGET` with N workers; started on enter, stopped (its whole process
    group, which is its own) on exit."""

    def __init__(
        self,
        target: str,
        *,
        database_url: str,
        workers: int,
        probe: str,
        log: Path,
        env: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.target = target
        self.extra_env = env or {}
        self.headers = headers or {}
        self.database_url = database_url
        self.workers = workers
        self.log = log
        self.probe = probe
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pgid(self) -> int:
        """The server's process group: its own (start_new_session), shared by its workers."""
        assert self.process is not None
        return self.process.pid

    def argv(self) -> list[str]:
        return [
            str(BIN / "granian"),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--http",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
            self.target,
        ]

    def __enter__(self) -> Server:
        self.port = free_port()
        env = {
            **os.environ,
            "CERTHUB_DATABASE_URL": self.database_url,
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "CERTHUB_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        env.pop("CERTHUB_DEBUG", None)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.argv(),
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last: Any = None
        answered = 0  # an app that answers, but not 200, is broken rather than starting
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target} exited ({self.process.returncode}); see {self.log}")
            try:
                status, _ = get(self.port, self.probe, timeout=5, headers=self.headers)
                if status == 200:
                    return
                last = f"HTTP {status}"
                answered += 1
                if answered >= 25:
                    break
            except OSError as error:
                last = error
            time.sleep(0.2)
        tail = self.log.read_text(errors="replace").strip().splitlines()[-15:]
        raise RuntimeError(f"{self.target}: GET {self.probe} gave {last}; the end of {self.log}:\n" + "\n".join(tail))

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # its own session and process group (start_new_session)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait()
        # granian's workers share the group: wait until none is left, so the next server has the CPUs.
        # (A zombie still counts as a member, hence the bounded loop.)
        started = time.monotonic()
        while time.monotonic() - started < 15:
            try:
                os.killpg(pgid, signal.SIGKILL if time.monotonic() - started > 10 else 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
