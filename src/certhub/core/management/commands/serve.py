"""`certhub serve`: serve CertHub over HTTP with granian (ASGI), the way production does."""

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the ASGI application with granian."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CERTHUB_WORKERS", "1")))

    def handle(self, *args: Any, **options: Any) -> None:
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or shutil.which("granian")
        if granian is None:
            raise CommandError("granian is not installed (it is in requirements/production.txt)")
        self.stdout.write(f"CertHub: http://{options['host']}:{options['port']}/  (Ctrl-C to stop)")
        self.stdout.flush()
        argv = [
            granian,
            "--interface",
            "asgi",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--no-ws",
            "certhub.asgi:application",
        ]
        os.execv(granian, argv)  # noqa: S606 - replaces this process with the server
