"""`certhub apikey issue|rotate|revoke|list`: manage organizations' API keys (stored hashed; shown once;
scoped and expiring, C14)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certhub.core.actions import API_KEY_ROLES, do_issue_api_key, do_revoke_api_key, do_rotate_api_key
from certhub.core.actors import SYSTEM
from certhub.core.choices import ApiScope
from certhub.core.errors import DomainError
from certhub.core.models import DEFAULT_API_KEY_RATE_LIMIT, ApiKey
from certhub.registry.actions import do_create_organization
from certhub.registry.models import Organization


class Command(BaseCommand):
    help = "Issue, rotate, revoke or list API keys of organizations."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        issue = sub.add_parser("issue", help="issue a key; the secret is printed once")
        issue.add_argument("--organization", required=True, help="the organization's credit code (USCC)")
        issue.add_argument(
            "--role",
            required=True,
            choices=list(API_KEY_ROLES),
            help="PUBLIC is the read-only key of a department or a buyer that only consumes data",
        )
        issue.add_argument("--name", required=True, help="what the key is for")
        issue.add_argument(
            "--rate-limit",
            type=int,
            default=DEFAULT_API_KEY_RATE_LIMIT,
            help=f"requests per minute the key may make (default {DEFAULT_API_KEY_RATE_LIMIT})",
        )
        issue.add_argument(
            "--scopes",
            help=f"comma-separated scopes ({', '.join(ApiScope.values)}); default: the role's usual ones",
        )
        issue.add_argument(
            "--days",
            type=int,
            help=f"days the key lives (default CERTHUB_API_KEY_DAYS, at most CERTHUB_API_KEY_MAX_DAYS="
            f"{settings.CERTHUB_API_KEY_MAX_DAYS})",
        )
        issue.add_argument(
            "--register",
            metavar="NAME",
            help="register the organization under this name first if the registry does not have it "
            "(a department or a buyer that holds no certificate); needs --region",
        )
        issue.add_argument("--region", help="GB/T 2260 code of the organization registered with --register")
        rotate = sub.add_parser(
            "rotate", help="issue a successor; the old key keeps working for the rotation grace period"
        )
        rotate.add_argument("prefix")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="list keys of an organization")
        listing.add_argument("--organization", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] in ("revoke", "rotate"):
            key = ApiKey.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
            if key is None:
                raise CommandError(f"no live key with prefix {options['prefix']}")
            try:
                if options["verb"] == "revoke":
                    do_revoke_api_key(key=key, actor=SYSTEM)
                    self.stdout.write(f"revoked {key.prefix}")
                    return
                successor, secret = do_rotate_api_key(key=key, actor=SYSTEM)
            except DomainError as error:
                raise CommandError(error.message) from error
            key.refresh_from_db()
            until = f"{key.expires_at:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(f"{key.prefix} rotated to {successor.prefix}; {key.prefix} works until {until}")
            self.stdout.write(secret)
            return
        organization = Organization.objects.filter(uscc=options["organization"].strip().upper()).first()
        if organization is None and options["verb"] == "issue" and options.get("register"):
            organization = self._register(options)
        if organization is None:
            raise CommandError(f"no organization with credit code {options['organization']}")
        if options["verb"] == "list":
            now = timezone.now()
            for key in ApiKey.objects.filter(organization=organization).order_by("created_at"):
                state = (
                    f"revoked {key.revoked_at:%Y-%m-%d}"
                    if key.revoked_at
                    else "expired"
                    if key.is_expired(now)
                    else "live"
                )
                self.stdout.write(
                    f"{key.prefix}  {key.role:<20} {key.name}  ({state})  {key.rate_limit}/min  "
                    f"{','.join(key.scopes)}  until {key.expires_at:%Y-%m-%d}"
                )
            return
        try:
            key, secret = do_issue_api_key(
                organization=organization,
                name=options["name"],
                role=options["role"],
                rate_limit=options["rate_limit"],
                scopes=[s.strip() for s in options["scopes"].split(",")] if options.get("scopes") else None,
                days=options.get("days"),
                actor=SYSTEM,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"{organization.name}: {key.role} key {key.prefix}, {key.rate_limit} requests/min, "
            f"scopes {','.join(key.scopes)}, until {key.expires_at:%Y-%m-%d}"
        )
        self.stdout.write(secret)

    def _register(self, options: dict[str, Any]) -> Organization:
        if not options.get("region"):
            raise CommandError("--register needs --region (the organization's GB/T 2260 code)")
        data = {"uscc": options["organization"], "name": options["register"], "region": options["region"]}
        try:
            organization = do_create_organization(data=data, actor=SYSTEM)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"registered {organization.name} ({organization.uscc})")
        return organization
