"""`certhub demo --size small|medium|large`: create the synthetic demo province."""

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from certhub.core.actors import SYSTEM
from certhub.demo.generator import DEMO_PASSWORD, SIZES, DemoProvince, iter_logins
from certhub.registry.models import Certificate
from certhub.seal.actions import ensure_signing_key


class Command(BaseCommand):
    help = "Create the demo province (small: 2,000 organizations; large: 300,000 and 1,000,000 certificates)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when certificates exist")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo's logins share a public password, and its province is invented (C14).
            raise CommandError(
                "certhub demo refuses to run under CERTHUB_ENV=production: "
                "it makes logins with a public password and an invented province"
            )
        if options["if_empty"] and Certificate.objects.exists():
            self.stdout.write("演示数据已存在 · demo data already present")
        else:
            started = time.monotonic()

            def progress(iterable: Any, **kwargs: Any) -> Any:
                if options["no_progress"]:
                    return iterable
                return tqdm(iterable, file=sys.stderr, dynamic_ncols=True, **kwargs)

            counts = DemoProvince(SIZES[options["size"]], seed=options["seed"], progress=progress).run()
            # Fresh statistics after a bulk load, so the planners pick the indexes searches rely on.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            elapsed = time.monotonic() - started
            self.stdout.write(", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" ({elapsed:.0f} s)")
        # Certificate pages carry a signed QR code (docs/seals.md): make sure there is a key to sign with.
        self.stdout.write(f"防伪签章密钥 · seal signing key: {ensure_signing_key(actor=SYSTEM).kid}")
        self.stdout.write(f"演示账号 · demo logins (password / 密码: {DEMO_PASSWORD})")
        for username, role, label in iter_logins():
            self.stdout.write(f"  {username:<14} {role:<10} {label}")
        # Demo users sign in as real ones do (C14): office roles enrol a second factor at their first sign-in.
        self.stdout.write(
            "首次登录时，监管人员、管理员、认证机构和检验检测机构账号须绑定认证器应用（如 FreeOTP、Google "
            "Authenticator）或通行密钥，并保存恢复码。\n"
            "At the first sign-in, officers, administrators, bodies and labs set up an authenticator app (e.g. "
            "FreeOTP, Google Authenticator) or a passkey, and keep the recovery codes. Passkeys need the address "
            "in CERTHUB_SITE_URL (default http://localhost:8000)."
        )
