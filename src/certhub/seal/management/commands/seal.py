"""`certhub seal`: manage the seal signing keys and check seals (C3 anti-forgery; docs/seals.md).

    certhub seal keys --new [--valid-until 2031-01-01]   make a signing key (it signs from now on)
    certhub seal keys --list                             every key, its window, which one signs
    certhub seal keys --retire KID [--until now|DATE]    stop a key signing (and end its seals' validity)
    certhub seal trust > trust.json                      the trust list (JWK Set), for offline checks
    certhub seal verify "QC1:…" [--keys trust.json]      exit 0 when genuine and valid, 1 with the reason
                                                         (a certificate's seal or a licence's)

`verify` needs no network: it checks against the keys in the local database, or, with --keys, against a
trust list file alone (no database is opened)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from certhub.core.actors import SYSTEM
from certhub.core.errors import DomainError
from certhub.seal.actions import do_create_seal_key, do_retire_seal_key
from certhub.seal.cose import SealError
from certhub.seal.keyfiles import key_path
from certhub.seal.models import SealKey
from certhub.seal.queries import signing_key, trust_list, trusted_keys
from certhub.seal.trust import TrustListError, VerifiedLicenceSeal, keys_from_jwk_set, verify_any_seal

CLAIM_LABELS = [
    ("number", "证书编号 · certificate"),
    ("scheme", "认证制度 · scheme"),
    ("holder_name", "获证组织 · holder"),
    ("holder_uscc", "统一社会信用代码 · USCC"),
    ("certification_body", "认证机构批准号 · body"),
    ("status", "签发时状态 · status when signed"),
    ("scope_sha256", "认证范围SHA-256 · scope digest"),
    ("ledger_index", "账本序号 · ledger index"),
    ("issued_at", "签发时间 · issued at"),
    ("expires_at", "有效期至 · expires at"),
    ("issuer", "签发方 · issuer"),
]
# A licence's seal (C8 electronic certificate): the same outer claims, the licence's own inside.
LICENCE_CLAIM_LABELS = [
    ("number", "许可证编号 · licence"),
    ("licence_type", "许可类别 · licence type"),
    ("holder_name", "持证单位 · holder"),
    ("holder_uscc", "统一社会信用代码 · USCC"),
    ("valid_from", "有效期自 · valid from"),
    ("valid_until", "有效期至 · valid until"),
    ("status", "签发时状态 · status when signed"),
    ("scope_sha256", "许可范围SHA-256 · scope digest"),
    ("ledger_index", "账本序号 · ledger index"),
    ("issued_at", "签发时间 · issued at"),
    ("expires_at", "二维码失效时间 · seal expires at"),
    ("issuer", "签发方 · issuer"),
]


def parse_moment(text: str) -> datetime.datetime:
    """`now`, a date (the start of that day, Beijing time) or an ISO 8601 date and time."""
    if text == "now":
        return timezone.now()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"not a date or time: {text!r} (use YYYY-MM-DD, an ISO 8601 time, or now)")
        moment = datetime.datetime.combine(day, datetime.time())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "Manage seal signing keys, print the trust list, and verify a seal offline."
    # `verify --keys` must run where there is nothing but the trust list file: no checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        keys = sub.add_parser("keys", help="make, list or retire signing keys")
        what = keys.add_mutually_exclusive_group(required=True)
        what.add_argument("--new", action="store_true", help="make a new signing key")
        what.add_argument("--list", action="store_true", help="list every key and its window")
        what.add_argument("--retire", metavar="KID", help="stop the key KID signing")
        keys.add_argument("--valid-until", help="with --new: seals signed with the key are refused after this")
        keys.add_argument("--until", help="with --retire: seals signed with the key are refused after this (now)")
        sub.add_parser("trust", help="print the trust list (JWK Set), as GET /api/v1/trust/keys serves it")
        verify = sub.add_parser("verify", help="verify a seal's QR text; exit 0 when genuine, 1 when not")
        verify.add_argument("text", help='the QR text ("QC1:…"), or - to read it from standard input')
        verify.add_argument("--keys", type=Path, help="a trust list file (JWK Set); no database is used")
        verify.add_argument("--at", help="check as of this time instead of now (ISO 8601)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "keys":
            self.keys(options)
        elif options["verb"] == "trust":
            self.stdout.write(json.dumps(trust_list(), ensure_ascii=False, indent=2))
        else:
            self.verify(options)

    def keys(self, options: dict[str, Any]) -> None:
        try:
            if options["new"]:
                until = parse_moment(options["valid_until"]) if options["valid_until"] else None
                key = do_create_seal_key(valid_until=until, actor=SYSTEM)
                self.stdout.write(f"新签章密钥 · new signing key {key.kid}  ({key_path(key.kid_bytes)})")
            elif options["retire"]:
                key = SealKey.objects.filter(kid=options["retire"]).first()
                if key is None:
                    raise CommandError(f"no seal key {options['retire']!r} (see: certhub seal keys --list)")
                until = parse_moment(options["until"]) if options["until"] else None
                key = do_retire_seal_key(key=key, valid_until=until, actor=SYSTEM)
                self.stdout.write(f"已停用 · retired {key.kid}")
        except DomainError as error:
            raise CommandError(error.message) from None
        if options["list"] or options["new"] or options["retire"]:
            self.list_keys()

    def list_keys(self) -> None:
        current = signing_key()
        rows = SealKey.objects.order_by("valid_from", "id")
        if not rows:
            self.stdout.write("没有签章密钥 · no seal keys (make one: certhub seal keys --new)")

        def when(moment: datetime.datetime | None) -> str:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"

        for key in rows:
            role = (
                "signing"
                if current is not None and key.pk == current.pk
                else "retired"
                if key.retired_at
                else "trusted"
            )
            self.stdout.write(
                f"{key.kid}  {role:<8} from {when(key.valid_from)}  retired {when(key.retired_at)}"
                f"  until {when(key.valid_until)}"
            )

    def verify(self, options: dict[str, Any]) -> None:
        text = sys.stdin.read() if options["text"] == "-" else options["text"]
        now = parse_moment(options["at"]) if options["at"] else timezone.now()
        issuer: str | None = settings.SEAL_ISSUER
        if options["keys"] is not None:
            try:
                keys, issuer = keys_from_jwk_set(json.loads(options["keys"].read_text(encoding="utf-8")))
            except OSError as error:
                raise CommandError(f"{options['keys']}: {error.strerror}", returncode=2) from None
            except (ValueError, TrustListError) as error:
                raise CommandError(f"{options['keys']}: {error}", returncode=2) from None
            source = str(options["keys"])
        else:
            try:
                keys = trusted_keys()
            except DatabaseError as error:
                raise CommandError(
                    f"cannot read the keys from the database ({error}); use --keys", returncode=2
                ) from None
            source = "database"
        try:
            seal = verify_any_seal(text, keys, now=now, issuer=issuer)
        except SealError as refusal:
            raise CommandError(f"invalid [{refusal.code}]: {refusal.message}", returncode=1) from None
        if isinstance(seal, VerifiedLicenceSeal):
            self.stdout.write(f"valid: 许可证防伪二维码真实 · genuine licence seal, key {seal.key.kid_text} ({source})")
            labels = LICENCE_CLAIM_LABELS
        else:
            self.stdout.write(f"valid: 防伪二维码真实 · genuine seal, key {seal.key.kid_text} ({source})")
            labels = CLAIM_LABELS
        claims = seal.claims.as_dict()
        for name, label in labels:
            if claims[name] is not None:
                self.stdout.write(f"  {label}: {claims[name]}")
