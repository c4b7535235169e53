"""Who is acting: a signed-in user, an organization's API key, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

from certhub.core.choices import RegionLevel, Role
from certhub.core.models import region_prefix

if TYPE_CHECKING:
    from certhub.core.models import ApiKey, User


@dataclass(frozen=True)
class Actor:
    """The subject of a permission check and the author of an audit row."""

    role: str
    label: str
    user_id: int | None = None
    organization_id: int | None = None
    region_code: str | None = None
    region_level: str | None = None
    department: str = ""
    api_key_id: int | None = None

    @property
    def region_prefix(self) -> str | None:
        if not self.region_code or not self.region_level:
            return None
        return region_prefix(self.region_code, self.region_level)

    def covers_region(self, region_code: str | None) -> bool:
        """True when `region_code` lies within this actor's region (officers are scoped by region)."""
        prefix = self.region_prefix
        return bool(prefix and region_code and region_code.startswith(prefix))

    @classmethod
    def from_user(cls, user: User | AnonymousUser) -> Actor:
        if isinstance(user, AnonymousUser) or not user.is_authenticated:
            return ANONYMOUS
        region = user.region
        role = Role.ADMINISTRATOR if user.is_superuser else user.role
        return cls(
            role=role,
            label=user.get_username(),
            user_id=user.pk,
            organization_id=user.organization_id,
            region_code=region.code if region else None,
            region_level=region.level if region else None,
            department=user.department,
        )

    @classmethod
    def from_api_key(cls, key: ApiKey) -> Actor:
        return cls(
            role=key.role,
            label=f"api-key:{key.prefix}",
            organization_id=key.organization_id,
            api_key_id=key.pk,
        )


ANONYMOUS = Actor(role=Role.PUBLIC, label="anonymous")
# Reference-data loads and the demo generator act as the system, with a province-wide scope.
SYSTEM = Actor(role=Role.ADMINISTRATOR, label="system", region_level=RegionLevel.PROVINCE)
