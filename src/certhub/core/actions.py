"""Core actions: issuing and revoking API keys."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import ValidationFailed
from certhub.core.models import DEFAULT_API_KEY_RATE_LIMIT, MAX_API_KEY_RATE_LIMIT, ApiKey
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action

API_KEY_PREFIX = "chk_"
# Roles an organization's key may act as; officers and administrators act only as signed-in people.
# PUBLIC is the read-only key of an organization that only consumes data — another department, a
# buyer's procurement system (C2 采信, C13): it sees what the public sees and changes nothing, but is
# known by name and has its own rate limit.
API_KEY_ROLES = (Role.CERTIFICATION_BODY, Role.LAB, Role.ENTERPRISE, Role.PUBLIC)


def api_key_digest(secret: str) -> str:
    """Keys carry 256 bits of randomness, so a plain SHA-256 digest is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


@action
def do_issue_api_key(
    *, organization: Any, name: str, role: str, rate_limit: int | None = None, actor: Actor
) -> tuple[ApiKey, str]:
    """Issue an API key to an organization; returns the row and the secret, which is shown only once.
    `rate_limit` is the requests per minute the key may make (DEFAULT_API_KEY_RATE_LIMIT if not given)."""
    authorize(actor, Permission.MANAGE_API_KEYS)
    errors: dict[str, str] = {}
    if role not in API_KEY_ROLES:
        errors["role"] = _("接口密钥角色应为%(roles)s之一") % {"roles": ", ".join(API_KEY_ROLES)}
    if not name.strip():
        errors["name"] = _("必填")
    limit = DEFAULT_API_KEY_RATE_LIMIT if rate_limit is None else rate_limit
    if not 1 <= limit <= MAX_API_KEY_RATE_LIMIT:
        errors["rate_limit"] = _("每分钟请求上限应在1到%(max)d之间") % {"max": MAX_API_KEY_RATE_LIMIT}
    if errors:
        raise ValidationFailed(errors)
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        organization=organization,
        name=name.strip()[:100],
        prefix=prefix,
        digest=api_key_digest(secret),
        role=role,
        rate_limit=limit,
    )
    key.save()
    record_audit(
        actor,
        AuditEventType.API_KEY_ISSUED,
        key,
        before=None,
        after=snapshot(key, ["name", "prefix", "role", "rate_limit"]),
    )
    return key, secret


@action
def do_revoke_api_key(*, key: ApiKey, actor: Actor) -> ApiKey:
    authorize(actor, Permission.MANAGE_API_KEYS)
    before = snapshot(key, ["revoked_at"])
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record_audit(actor, AuditEventType.API_KEY_REVOKED, key, before=before, after=snapshot(key, ["revoked_at"]))
    return key


def find_api_key(secret: str) -> ApiKey | None:
    """Resolve a presented key to its live row, comparing digests in constant time."""
    if not secret.startswith(API_KEY_PREFIX) or "\x00" in secret:  # PostgreSQL cannot compare a NUL
        return None
    prefix = secret[len(API_KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("organization").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.digest, api_key_digest(secret)):
        return None
    return key
