"""Core actions: issuing, rotating and revoking API keys (C14: scoped, expiring, rotated without downtime)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import ApiScope, AuditEventType, Role
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import DEFAULT_API_KEY_RATE_LIMIT, MAX_API_KEY_RATE_LIMIT, ApiKey
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step

API_KEY_PREFIX = "chk_"
# Roles an organization's key may act as; officers and administrators act only as signed-in people.
# PUBLIC is the read-only key of an organization that only consumes data — another department, a
# buyer's procurement system (C2 采信, C13): it sees what the public sees and changes nothing, but is
# known by name and has its own rate limit.
API_KEY_ROLES = (Role.CERTIFICATION_BODY, Role.LAB, Role.ENTERPRISE, Role.PUBLIC)
# The scopes a key may hold by role, the first its default: a body submits certificates, a lab reports,
# an enterprise or a consuming department only reads (C14 least privilege). The joint punishment query
# is for the departments that take part in 联合惩戒 (PUBLIC keys of other departments).
API_KEY_SCOPES: dict[str, tuple[ApiScope, ...]] = {
    Role.CERTIFICATION_BODY: (ApiScope.READ, ApiScope.SUBMIT_CERTIFICATES),
    Role.LAB: (ApiScope.READ, ApiScope.SUBMIT_REPORTS, ApiScope.LICENSING),
    Role.ENTERPRISE: (ApiScope.READ, ApiScope.LICENSING),
    Role.PUBLIC: (ApiScope.READ, ApiScope.JOINT_PUNISHMENT_QUERY),
}
# issue 17: declarations — a producer's key may register and withdraw its self-declarations (C7).
API_KEY_SCOPES[Role.ENTERPRISE] += (ApiScope.DECLARATIONS,)
DEFAULT_SCOPES: dict[str, tuple[ApiScope, ...]] = {
    Role.CERTIFICATION_BODY: (ApiScope.READ, ApiScope.SUBMIT_CERTIFICATES),
    Role.LAB: (ApiScope.READ, ApiScope.SUBMIT_REPORTS),
    Role.ENTERPRISE: (ApiScope.READ,),
    Role.PUBLIC: (ApiScope.READ,),
}


def api_key_digest(secret: str) -> str:
    """Keys carry 256 bits of randomness, so a plain SHA-256 digest is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _checked_key_terms(
    role: str, name: str, rate_limit: int | None, scopes: Sequence[str] | None, days: int | None
) -> tuple[int, list[str], int]:
    """The rate limit, scopes and days a new key gets, or ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    if role not in API_KEY_ROLES:
        errors["role"] = _("接口密钥角色应为%(roles)s之一") % {"roles": ", ".join(API_KEY_ROLES)}
    if not name.strip():
        errors["name"] = _("必填")
    limit = DEFAULT_API_KEY_RATE_LIMIT if rate_limit is None else rate_limit
    if not 1 <= limit <= MAX_API_KEY_RATE_LIMIT:
        errors["rate_limit"] = _("每分钟请求上限应在1到%(max)d之间") % {"max": MAX_API_KEY_RATE_LIMIT}
    allowed = API_KEY_SCOPES.get(role, ())
    chosen = list(DEFAULT_SCOPES.get(role, ()) if scopes is None else dict.fromkeys(scopes))
    if role in API_KEY_ROLES and (not chosen or any(scope not in allowed for scope in chosen)):
        errors["scopes"] = _("%(role)s的接口密钥权限范围应为%(scopes)s中的一个或多个") % {
            "role": Role(role).label,
            "scopes": ", ".join(allowed),
        }
    maximum = settings.CERTHUB_API_KEY_MAX_DAYS
    life = min(settings.CERTHUB_API_KEY_DAYS, maximum) if days is None else days
    if not 1 <= life <= maximum:
        errors["days"] = _("有效期应在1到%(max)d天之间") % {"max": maximum}
    if errors:
        raise ValidationFailed(errors)
    return limit, chosen, life


@action_step
def _new_key(
    organization: Any, name: str, role: str, limit: int, scopes: list[str], expires_at: datetime.datetime
) -> tuple[ApiKey, str]:
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        organization=organization,
        name=name.strip()[:100],
        prefix=prefix,
        digest=api_key_digest(secret),
        role=role,
        rate_limit=limit,
        scopes=scopes,
        expires_at=expires_at,
    )
    key.save()
    return key, secret


KEY_FIELDS = ["name", "prefix", "role", "rate_limit", "scopes", "expires_at", "revoked_at", "replaced_by"]


@action
def do_issue_api_key(
    *,
    organization: Any,
    name: str,
    role: str,
    rate_limit: int | None = None,
    scopes: Sequence[str] | None = None,
    days: int | None = None,
    actor: Actor,
) -> tuple[ApiKey, str]:
    """Issue an API key to an organization; returns the row and the secret, which is shown only once.
    `rate_limit` is the requests per minute the key may make (DEFAULT_API_KEY_RATE_LIMIT if not given);
    `scopes` what it may do (the role's default if not given, never beyond API_KEY_SCOPES of its role);
    `days` how long it lives (CERTHUB_API_KEY_DAYS if not given, at most CERTHUB_API_KEY_MAX_DAYS)."""
    authorize(actor, Permission.MANAGE_API_KEYS, organization_id=organization.pk, region_code=organization.region_id)
    limit, chosen, life = _checked_key_terms(role, name, rate_limit, scopes, days)
    key, secret = _new_key(organization, name, role, limit, chosen, timezone.now() + datetime.timedelta(days=life))
    record_audit(actor, AuditEventType.API_KEY_ISSUED, key, before=None, after=snapshot(key, KEY_FIELDS))
    return key, secret


@action
def do_rotate_api_key(*, key: ApiKey, days: int | None = None, actor: Actor) -> tuple[ApiKey, str]:
    """Issue a successor with the same organization, role, scopes and rate limit; the old key keeps
    working until CERTHUB_API_KEY_ROTATION_GRACE_DAYS have passed (or its own expiry, if sooner), so the
    client switches without downtime. Returns the successor and its secret (shown once)."""
    organization = key.organization
    authorize(actor, Permission.MANAGE_API_KEYS, organization_id=organization.pk, region_code=organization.region_id)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    now = timezone.now()
    if key.revoked_at is not None or key.replaced_by_id is not None or key.is_expired(now):
        raise Conflict(_("接口密钥%(prefix)s已吊销、已轮换或已过期，不能再轮换") % {"prefix": key.prefix})
    limit, chosen, life = _checked_key_terms(key.role, key.name, key.rate_limit, key.scopes, days)
    successor, secret = _new_key(organization, key.name, key.role, limit, chosen, now + datetime.timedelta(days=life))
    before = snapshot(key, KEY_FIELDS)
    key.expires_at = min(key.expires_at, now + datetime.timedelta(days=settings.CERTHUB_API_KEY_ROTATION_GRACE_DAYS))
    key.replaced_by = successor
    key.save(update_fields=["expires_at", "replaced_by"])
    # One audit row for the rotation (docs/architecture.md convention 13): the old key's new state, with the
    # successor it names.
    after = {**snapshot(key, KEY_FIELDS), "successor": snapshot(successor, KEY_FIELDS)}
    record_audit(actor, AuditEventType.API_KEY_ROTATED, key, before=before, after=after)
    return successor, secret


@action
def do_revoke_api_key(*, key: ApiKey, actor: Actor) -> ApiKey:
    """Stop a key at once (a leaked secret; an organization that no longer reuses the data)."""
    organization = key.organization
    authorize(actor, Permission.MANAGE_API_KEYS, organization_id=organization.pk, region_code=organization.region_id)
    if key.revoked_at is not None:
        raise Conflict(_("接口密钥%(prefix)s已于%(when)s吊销") % {"prefix": key.prefix, "when": key.revoked_at.date()})
    before = snapshot(key, KEY_FIELDS)
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record_audit(actor, AuditEventType.API_KEY_REVOKED, key, before=before, after=snapshot(key, KEY_FIELDS))
    return key


def find_api_key(secret: str) -> ApiKey | None:
    """Resolve a presented key to its unrevoked row (expired or not: the caller tells an expired key
    apart, core.api_auth), comparing digests in constant time."""
    if not secret.startswith(API_KEY_PREFIX) or "\x00" in secret:  # PostgreSQL cannot compare a NUL
        return None
    prefix = secret[len(API_KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("organization").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.digest, api_key_digest(secret)):
        return None
    return key
