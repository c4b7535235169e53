"""User pages (C14): administrators and officers list and filter the users they administer, create users
(who set their own password from a one-time link), change their role, region and department, deactivate
and reactivate them and reset their second factors; administrators issue, rotate and revoke organizations'
API keys. Views parse, call the actions and render (docs/architecture.md convention 7); a user or an
organization outside the actor's scope answers 404, as a missing one does."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.accounts.users import actions, queries
from certhub.accounts.users.forms import (
    ApiKeyIssueForm,
    AssignmentForm,
    InspectorLinkForm,
    ReasonForm,
    UserCreateForm,
    UserFilterForm,
)
from certhub.core import actions as key_actions
from certhub.core.errors import Conflict
from certhub.core.models import User
from certhub.core.permissions import Permission, is_permitted
from certhub.core.reauth import reauth_required
from certhub.core.web import page_of, permitted, pressed, request_actor, submitted
from certhub.inspections import actions as inspection_actions
from certhub.inspections.models import Inspector

View = Callable[..., HttpResponse]


def administrators_required(view: View) -> View:
    """Signed in (else the sign-in page) and administering users (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not queries.may_manage_users(request_actor(request)):
            raise PermissionDenied(_("用户管理仅对系统管理员和监管人员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


@administrators_required
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = UserFilterForm(request.GET or None)
    users = queries.filtered_users(actor, **form.criteria())
    can_keys = is_permitted(actor, Permission.MANAGE_API_KEYS)
    context = {"form": form, "page": page_of(request, users), "can_keys": can_keys}
    return render(request, "accounts/users/user_list.html", context)


@administrators_required
@require_http_methods(["GET", "HEAD", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = UserCreateForm(request.POST if request.method == "POST" else None, actor=actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    user = submitted(
        form,
        lambda: actions.do_create_user(
            username=data["username"],
            name=data["name"],
            email=data["email"],
            role=data["role"],
            region=data["region"] or None,
            department=data["department"],
            organization=data["organization"],
            inspector=data["inspector"],
            actor=actor,
        ),
    )
    if user is not None:
        messages.success(
            request, _("已创建用户%(username)s，设置密码的链接已发往其电子邮箱。") % {"username": user.username}
        )
        return redirect("accounts:users_detail", pk=user.pk)
    status = 422 if form.errors else 200
    return render(request, "accounts/users/user_create.html", {"form": form}, status=status)


def _assignment_initial(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "region": user.region_id or "",
        "department": user.department,
        "organization": user.organization.uscc if user.organization else "",
    }


def _render_detail(request: HttpRequest, user: User, **forms: Any) -> HttpResponse:
    actor = request_actor(request)
    context = {
        "account": user,
        "change_form": forms.get("change_form") or AssignmentForm(initial=_assignment_initial(user), actor=actor),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "is_self": actor.user_id == user.pk,
        "can_keys": user.organization is not None and is_permitted(actor, Permission.MANAGE_API_KEYS),
        "inspector": Inspector.objects.filter(user=user).first(),
        "link_form": forms.get("link_form") or InspectorLinkForm(actor=actor),
        "linkable": user.role in queries.REGION_ROLES,
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "accounts/users/user_detail.html", context, status=status)


@administrators_required
@require_safe
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, permitted(lambda: queries.access_user(request_actor(request), pk)))


@administrators_required
@reauth_required
@require_POST
def user_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    user = permitted(lambda: queries.access_user(actor, pk))
    form = AssignmentForm(request.POST, actor=actor)
    data = form.cleaned_data if form.is_valid() else {}
    if submitted(
        form,
        lambda: actions.do_change_user(
            user=user,
            role=data["role"],
            region=data["region"] or None,
            department=data["department"],
            organization=data["organization"],
            actor=actor,
        ),
        reload=user,
    ):
        messages.success(request, _("用户%(username)s的角色和辖区已更新。") % {"username": user.username})
        return redirect("accounts:users_detail", pk=user.pk)
    return _render_detail(request, user, change_form=form)


@administrators_required
@require_POST
def user_link_inspector(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an entry of the inspector pool its sign-in: this account (谁检查、谁录入)."""
    actor = request_actor(request)
    user = permitted(lambda: queries.access_user(actor, pk))
    form = InspectorLinkForm(request.POST, actor=actor)
    if submitted(
        form,
        lambda: inspection_actions.do_link_inspector_user(
            inspector=form.cleaned_data["inspector"], user=user, actor=actor
        ),
    ):
        messages.success(request, _("用户%(username)s已关联名录库中的检查人员。") % {"username": user.username})
        return redirect("accounts:users_detail", pk=user.pk)
    return _render_detail(request, user, link_form=form)


def _with_reason(request: HttpRequest, pk: int, act: Callable[..., object], done: str) -> HttpResponse:
    actor = request_actor(request)
    user = permitted(lambda: queries.access_user(actor, pk))
    form = ReasonForm(request.POST)
    if submitted(form, lambda: act(user=user, reason=form.cleaned_data["reason"], actor=actor), reload=user):
        messages.success(request, done % {"username": user.username})
        return redirect("accounts:users_detail", pk=user.pk)
    return _render_detail(request, user, reason_form=form)


@administrators_required
@reauth_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, actions.do_deactivate_user, _("用户%(username)s已停用。"))


@administrators_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, actions.do_reactivate_user, _("用户%(username)s已恢复启用。"))


@administrators_required
@reauth_required
@require_POST
def user_reset_second_factors(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request,
        pk,
        actions.do_reset_second_factors,
        _("用户%(username)s的第二因素已全部删除，下次登录时须重新绑定。"),
    )


# ------------------------------------------------------------------ API keys of an organization


def key_managers_required(view: View) -> View:
    """Signed in and managing API keys (administrators, core.permissions), else 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_permitted(request_actor(request), Permission.MANAGE_API_KEYS):
            raise PermissionDenied(_("接口密钥仅由系统管理员签发、轮换和吊销。"))
        return view(request, *args, **kwargs)

    return wrapper


def _render_keys(
    request: HttpRequest, uscc: str, form: ApiKeyIssueForm | None = None, secret: str = ""
) -> HttpResponse:
    organization = permitted(lambda: queries.access_organization(request_actor(request), uscc))
    context = {
        "organization": organization,
        "keys": queries.keys_of(organization),
        "form": form or ApiKeyIssueForm(),
        "secret": secret,
    }
    status = 422 if form is not None and form.errors else 200
    return render(request, "accounts/users/organization_keys.html", context, status=status)


@key_managers_required
@require_safe
def organization_keys(request: HttpRequest, uscc: str) -> HttpResponse:
    return _render_keys(request, uscc)


@key_managers_required
@reauth_required
@require_POST
def organization_key_issue(request: HttpRequest, uscc: str) -> HttpResponse:
    actor = request_actor(request)
    organization = permitted(lambda: queries.access_organization(actor, uscc))
    form = ApiKeyIssueForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    issued = submitted(
        form,
        lambda: key_actions.do_issue_api_key(
            organization=organization,
            name=data["name"],
            role=data["role"],
            rate_limit=data["rate_limit"],
            scopes=data["scopes"] or None,
            days=data["days"],
            actor=actor,
        ),
    )
    if issued is None:
        return _render_keys(request, uscc, form=form)
    key, secret = issued
    # The secret is shown once, on this answer only (never stored, never redirected through a message).
    messages.success(request, _("已签发接口密钥%(prefix)s。") % {"prefix": key.prefix})
    return _render_keys(request, uscc, secret=secret)


@key_managers_required
@reauth_required
@require_POST
def organization_key_rotate(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    actor = request_actor(request)
    organization = permitted(lambda: queries.access_organization(actor, uscc))
    key = permitted(lambda: queries.access_key(organization, pk))
    try:
        successor, secret = permitted(lambda: key_actions.do_rotate_api_key(key=key, actor=actor))
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("accounts:users_keys", uscc=uscc)
    key.refresh_from_db()
    until = timezone.localtime(key.expires_at)
    messages.success(
        request,
        _("已签发%(old)s的继任密钥%(new)s；%(old)s在%(until)s前仍可使用。")
        % {"old": key.prefix, "new": successor.prefix, "until": f"{until:%Y-%m-%d %H:%M}"},
    )
    return _render_keys(request, uscc, secret=secret)


@key_managers_required
@reauth_required
@require_POST
def organization_key_revoke(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    actor = request_actor(request)
    organization = permitted(lambda: queries.access_organization(actor, uscc))
    key = permitted(lambda: queries.access_key(organization, pk))
    pressed(
        request,
        lambda: key_actions.do_revoke_api_key(key=key, actor=actor),
        _("接口密钥%(prefix)s已吊销。") % {"prefix": key.prefix},
    )
    return redirect("accounts:users_keys", uscc=uscc)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A new user's one-time link: they choose their own password (the link then stops working)."""

    template_name = "accounts/users/set_password.html"
    success_url = reverse_lazy("portal:login")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("密码已设置，请登录。"))
        return super().form_valid(form)
