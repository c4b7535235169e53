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
from certhub.core.models import ApiKey
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action

API_KEY_PREFIX = "chk_"
# Roles an organization's key may act as; officers and administrators act only as signed-in people.
API_KEY_ROLES = (Role.CERTIFICATION_BODY, Role.LAB, Role.ENTERPRISE, Role.PUBLIC)


def api_key_digest(secret: str) -> str:
    """Keys carry 256 bits of randomness, so a plain SHA-256 digest is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


@action
def do_issue_api_key(organization: Any, *, name: str, role: str, actor: Actor) -> tuple[ApiKey, str]:
    """Issue an API key to an organization; returns the row and the secret, which is shown only once."""
    authorize(actor, Permission.MANAGE_API_KEYS)
    if role not in API_KEY_ROLES:
        raise ValidationFailed({"role": _("接口密钥角色应为%(r)s之一") % {"r": ", ".join(API_KEY_ROLES)}})
    if not name.strip():
        raise ValidationFailed({"name": _("必填")})
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(organization=organization, name=name.strip()[:100], prefix=prefix, digest=api_key_digest(secret),
                 role=role)  # fmt: skip
    key.save()
    record_audit(
        actor,
        AuditEventType.API_KEY_ISSUED,
        key,
        before=None,
        after=snapshot(key, ["name", "prefix", "role"]),
    )
    return key, secret


@action
def do_revoke_api_key(key: ApiKey, *, actor: Actor) -> ApiKey:
    authorize(actor, Permission.MANAGE_API_KEYS)
    before = snapshot(key, ["revoked_at"])
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record_audit(actor, AuditEventType.API_KEY_REVOKED, key, before=before, after=snapshot(key, ["revoked_at"]))
    return key


def find_api_key(secret: str) -> ApiKey | None:
    """Resolve a presented key to its live row, comparing digests in constant time."""
    if not secret.startswith(API_KEY_PREFIX):
        return None
    prefix = secret[len(API_KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("organization").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.digest, api_key_digest(secret)):
        return None
    return key
