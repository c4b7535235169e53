"""How pages of every app run (docs/architecture.md convention 7: views validate and orchestrate only): who is
asking, who may open the back office, and how a page runs an action — a record outside the actor's scope becomes a
404 page exactly like a missing one (C14), a refusal of permission a 403 page, a refusal of input stands next to
the fields it names, and lists are paged."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, is_permitted

T = TypeVar("T")
View = Callable[..., HttpResponse]
PER_PAGE = 20


def request_actor(request: HttpRequest) -> Actor:
    """The actor behind a page request: the signed-in user, or the public."""
    return Actor.from_user(request.user)


def office_required(view: View) -> View:
    """Signed in (else the login page) and holding VIEW_OFFICE (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_permitted(request_actor(request), Permission.VIEW_OFFICE):
            raise PermissionDenied(_("监管后台仅对监管人员和系统管理员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


def inspector_pages_required(view: View) -> View:
    """Signed in (else the login page) and recording inspection results — an officer or an enforcement
    inspector (else 403): the pages of one's own inspection tasks, all an inspector sees of the back office
    (C14 least privilege)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_permitted(request_actor(request), Permission.RECORD_INSPECTION_RESULT):
            raise PermissionDenied(_("检查任务页面仅对监管人员和执法检查人员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


def page_of(request: HttpRequest, rows: QuerySet[Any], per_page: int = PER_PAGE) -> Page[Any]:
    """The page `?page=` names (the nearest valid one for a bad number)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def permitted(fetch: Callable[[], T]) -> T:
    """Run a fetcher or an action, turning its NotFound (missing, or outside the actor's scope) into a 404
    page and its NotPermitted into a 403 page."""
    try:
        return fetch()
    except NotFound as error:
        raise Http404(error.message) from error
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error


def submitted(form: Any, act: Callable[[], T], *, reload: models.Model | None = None) -> T | None:
    """Run `act` (an action) when `form` is bound and valid, and give what it returns; None when the form
    was not sent or not valid, or the action refused — then the refusal stands next to the fields it names
    (and `reload` is read again: the action's transaction was rolled back, nothing changed)."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return permitted(act)
    except (ValidationFailed, Conflict) as error:
        form.add_domain_errors(error)
        if reload is not None:
            reload.refresh_from_db()
        return None


def pressed(request: HttpRequest, act: Callable[[], object], done: str) -> None:
    """A button with no form: run its action; say `done`, or why it was refused."""
    try:
        permitted(act)
    except (ValidationFailed, Conflict) as error:
        for field_messages in (error.errors or {"": [error.message]}).values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, done)
