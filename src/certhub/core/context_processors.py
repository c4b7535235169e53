"""Template context: the acting role, so templates show the right navigation."""

from typing import Any

from django.http import HttpRequest

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.permissions import Permission, is_permitted


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_view_office": False}
    actor = Actor.from_user(user)
    return {
        "actor": actor,
        "can_view_office": is_permitted(actor, Permission.VIEW_OFFICE),
        # Who sees the submissions pages (exchange.views.READERS).
        "submission_roles": (Role.CERTIFICATION_BODY, Role.LAB, Role.OFFICER, Role.ADMINISTRATOR),
    }
