"""Reads of sign-up and organization links (C8): whether an account's e-mail address is confirmed, the
account's own link request, and the requests an officer decides — fetched so that one outside the actor's
scope answers exactly as a missing one (docs/architecture.md convention 11)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.accounts.models import LinkMethod, LinkState, OrganizationLinkRequest, SignUp
from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.core.models import User
from certhub.core.permissions import Permission, is_permitted


def email_confirmed(user: User) -> bool:
    """An account's e-mail address is proven: confirmed after sign-up, or the account was made by an
    administrator (whose new user proved the address with the set-password link)."""
    sign_up = SignUp.objects.filter(user=user).first()
    return sign_up is None or sign_up.email_confirmed_at is not None


def mask_email(address: str) -> str:
    """What the page may say of an organization's registered contact address: its first character and its
    domain (z***@example.com), enough to recognise it, too little to learn it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def pending_link_request(user: User) -> OrganizationLinkRequest | None:
    """The account's open request, if any (a new request withdraws the one before, so there is one)."""
    return (
        OrganizationLinkRequest.objects.filter(user=user, state=LinkState.PENDING)
        .select_related("organization")
        .order_by("-created_at", "-id")
        .first()
    )


def requests_since(user: User, since: datetime.datetime) -> int:
    return OrganizationLinkRequest.objects.filter(user=user, created_at__gte=since).count()


def last_refused_request(user: User) -> OrganizationLinkRequest | None:
    """The account's last request, when an officer refused it: for the page to say why."""
    last = (
        OrganizationLinkRequest.objects.filter(user=user)
        .select_related("organization")
        .order_by("-created_at", "-id")
        .first()
    )
    return last if last is not None and last.state == LinkState.REFUSED else None


def may_decide_links(actor: Actor) -> bool:
    return is_permitted(actor, Permission.DECIDE_ORGANIZATION_LINKS)


def link_requests_visible_to(actor: Actor) -> QuerySet[OrganizationLinkRequest]:
    """The requests awaiting an officer that `actor` may decide: those of organizations in their region
    (all for an administrator), oldest first (C8: first come, first served)."""
    requests = (
        OrganizationLinkRequest.objects.filter(state=LinkState.PENDING, method=LinkMethod.OFFICER)
        .select_related("organization__region", "user")
        .order_by("created_at", "id")
    )
    if actor.role == Role.ADMINISTRATOR:
        return requests
    prefix = actor.region_prefix if may_decide_links(actor) else None
    if not prefix:
        return requests.none()
    return requests.filter(organization__region__code__startswith=prefix)


def access_link_request(actor: Actor, pk: int) -> OrganizationLinkRequest:
    """A request awaiting `actor`'s decision; any other answers as a missing one."""
    found = link_requests_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("没有这个待审核的关联申请。"))
    return found


def code_expired(link_request: OrganizationLinkRequest, now: datetime.datetime | None = None) -> bool:
    expires = link_request.code_expires_at
    return expires is None or expires <= (now or timezone.now())
