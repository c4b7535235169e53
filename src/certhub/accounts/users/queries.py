"""Reads of the user pages (C14): the users an actor may administer, fetched so that one outside their
scope answers exactly as one that does not exist (404: existence does not leak, docs/architecture.md
convention 11)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.core.models import ApiKey, Region, User
from certhub.core.permissions import Permission, is_permitted
from certhub.inspections.models import Inspector
from certhub.registry.models import Organization

# The roles an officer may give (C14): never an administrator, never beyond their region (the region and
# the organization must lie inside it, the action's check).
OFFICER_GRANTS = (Role.OFFICER, Role.INSPECTOR, Role.CERTIFICATION_BODY, Role.LAB, Role.ENTERPRISE)
# Roles bound to a region (their scope) and roles bound to an organization (theirs).
REGION_ROLES = (Role.OFFICER, Role.INSPECTOR)
ORGANIZATION_ROLES = (Role.CERTIFICATION_BODY, Role.LAB, Role.ENTERPRISE)


def may_manage_users(actor: Actor) -> bool:
    return is_permitted(actor, Permission.MANAGE_USERS)


def grantable_roles(actor: Actor) -> list[Role]:
    """The roles `actor` may give, in the vocabulary's order."""
    if actor.role == Role.ADMINISTRATOR:
        return list(Role)
    if may_manage_users(actor):
        return [role for role in Role if role in OFFICER_GRANTS]
    return []


def user_scope(user: User) -> str | None:
    """Where a user belongs, for the officers who administer them: their region, else their organization's."""
    if user.region_id:
        return str(user.region_id)
    if user.organization_id and user.organization is not None:
        return str(user.organization.region_id)
    return None


def users_visible_to(actor: Actor) -> QuerySet[User]:
    """The users `actor` may administer: everyone for an administrator; for an officer, the users of their
    region or of organizations in it, administrators never; nobody for anyone else."""
    users = User.objects.select_related("region", "organization").order_by("username")
    if actor.role == Role.ADMINISTRATOR:
        return users
    prefix = actor.region_prefix if may_manage_users(actor) else None
    if not prefix:
        return users.none()
    in_region = Q(region__code__startswith=prefix) | Q(
        region__isnull=True, organization__region__code__startswith=prefix
    )
    return users.filter(in_region).exclude(role=Role.ADMINISTRATOR).exclude(is_superuser=True)


def filtered_users(actor: Actor, *, q: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    """The list page's filters: a name or username fragment, a role, active or not."""
    users = users_visible_to(actor)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(department__icontains=q))
    if role:
        users = users.filter(role=role)
    if active in ("yes", "no"):
        users = users.filter(is_active=active == "yes")
    return users


def access_user(actor: Actor, pk: int) -> User:
    """A user `actor` may administer; any other answers as a missing one."""
    user = users_visible_to(actor).filter(pk=pk).first()
    if user is None:
        raise NotFound(_("没有这个用户。"))
    return user


def regions_for(actor: Actor) -> list[Region]:
    """The regions `actor` may give: all for an administrator, their own and below for an officer."""
    if actor.role == Role.ADMINISTRATOR:
        return list(Region.objects.order_by("code"))
    prefix = actor.region_prefix
    if not prefix:
        return []
    return list(Region.objects.filter(code__startswith=prefix).order_by("code"))


def unlinked_inspectors(actor: Actor) -> QuerySet[Inspector]:
    """Inspectors in the pool without a sign-in, in `actor`'s region: those a new account may be linked to."""
    inspectors = Inspector.objects.filter(user__isnull=True).select_related("region").order_by("code")
    if actor.role == Role.ADMINISTRATOR:
        return inspectors
    prefix = actor.region_prefix
    return inspectors.filter(region__code__startswith=prefix) if prefix else inspectors.none()


def access_organization(actor: Actor, uscc: str) -> Organization:
    """An organization whose API keys `actor` manages; any other answers as a missing one."""
    organization = Organization.objects.filter(uscc=uscc).first()
    if organization is None or not is_permitted(
        actor, Permission.MANAGE_API_KEYS, organization_id=organization.pk, region_code=organization.region_id
    ):
        raise NotFound(_("没有统一社会信用代码为“%(uscc)s”的机构。") % {"uscc": uscc[:40]})
    return organization


def keys_of(organization: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=organization).select_related("replaced_by").order_by("-created_at")


def access_key(organization: Organization, pk: int) -> ApiKey:
    key = keys_of(organization).filter(pk=pk).first()
    if key is None:
        raise NotFound(_("没有这个接口密钥。"))
    return key
