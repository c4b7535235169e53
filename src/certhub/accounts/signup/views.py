"""Pages of sign-up and organization links (C8 一网通办): the applicant's on a phone — sign up, confirm the
e-mail address, link the account to an organization by a code or an officer's decision — and the officers'
list of requests to decide, on a desktop. Views parse, call the actions and render (docs/architecture.md
convention 7)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.accounts.models import LinkMethod
from certhub.accounts.signup import actions, queries
from certhub.accounts.signup.forms import LinkCodeForm, LinkRequestForm, RefusalForm, SignUpForm
from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import User
from certhub.core.ratelimit import client_address, count_request
from certhub.core.reauth import reauth_required
from certhub.core.web import office_required, permitted, request_actor, submitted

View = Callable[..., HttpResponse]


def _too_many(request: HttpRequest) -> int:
    """Seconds to wait when this sign-up is over a limit, per client address or per e-mail address
    (core.ratelimit's counters: every server process counts together); 0 to go ahead."""
    waits = [0]
    limit = settings.CERTHUB_SIGNUP_RATE_LIMIT
    if limit > 0:
        decision = count_request(f"signup:{client_address(request)}", limit)
        waits.append(0 if decision.allowed else decision.retry_after)
    email = request.POST.get("email", "").strip().lower()
    limit = settings.CERTHUB_SIGNUP_EMAIL_RATE_LIMIT
    if email and limit > 0:
        # By digest: the counter table keeps no address.
        decision = count_request(f"signup-email:{hashlib.sha256(email.encode()).hexdigest()[:40]}", limit)
        waits.append(0 if decision.allowed else decision.retry_after)
    return max(waits)


@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """A person creates an enterprise account. A new address and one that already has an account get the
    same answer (C14: nobody learns from this page whether an address is registered)."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)  # where the account lands (an unlinked one: its link page)
    form = SignUpForm(request.POST if request.method == "POST" else None)
    refusal, status = "", 200
    if form.is_bound:
        seconds = _too_many(request)
        if seconds:
            refusal = _("提交过于频繁，请在%(seconds)d秒后再试。") % {"seconds": seconds}
            response = render(request, "accounts/signup/sign_up.html", {"form": form, "refusal": refusal}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        data = form.cleaned_data if form.is_valid() else {}
        done = submitted(
            form,
            lambda: (
                actions.do_sign_up(
                    username=data["username"],
                    name=data["name"],
                    email=data["email"],
                    password=data["password"],
                    accepted_terms=data["accepted_terms"],
                    actor=request_actor(request),
                )
                or True
            ),
        )
        if done is not None:
            return redirect("accounts:signup_sent")
        status = 422
    return render(request, "accounts/signup/sign_up.html", {"form": form, "refusal": refusal}, status=status)


@require_safe
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup/sent.html")


@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup/terms.html", {"version": actions.TERMS_VERSION})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: a page with one button (a GET changes nothing, so that mail
    scanners opening links do not confirm for the person)."""
    problem = ""
    try:
        user = actions.account_for_token(token)
    except ValidationFailed as error:
        user, problem = None, error.errors["token"][0]
    if user is not None and request.method == "POST":
        try:
            actions.do_confirm_email(user=user, actor=Actor.from_user(user))
        except Conflict as error:
            messages.info(request, error.message)
            return redirect("portal:login")
        messages.success(request, _("电子邮箱已确认。请登录，然后关联你所在的机构。"))
        return redirect("portal:login")
    if user is not None and queries.email_confirmed(user):
        messages.info(request, _("电子邮箱已确认，请直接登录。"))
        return redirect("portal:login")
    return render(request, "accounts/signup/confirm.html", {"problem": problem}, status=422 if problem else 200)


def enterprise_required(view: View) -> View:
    """Signed in (else the sign-in page) as an enterprise account (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request_actor(request).role != Role.ENTERPRISE:
            raise PermissionDenied(_("关联机构仅对企业账号开放。"))
        return view(request, *args, **kwargs)

    return wrapper


def _render_organization(request: HttpRequest, **forms: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pending = queries.pending_link_request(user)
    context = {
        "account": user,
        "confirmed": queries.email_confirmed(user),
        "pending": pending,
        "masked": queries.mask_email(pending.organization.contact_email)
        if pending is not None and pending.method == LinkMethod.CODE
        else "",
        "refused": queries.last_refused_request(user) if pending is None and user.organization_id is None else None,
        "request_form": forms.get("request_form") or LinkRequestForm(),
        "code_form": forms.get("code_form") or LinkCodeForm(),
    }
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "accounts/signup/organization.html", context, status=status)


@enterprise_required
@require_safe
def organization(request: HttpRequest) -> HttpResponse:
    """The account's organization: linked, being linked, or the form to ask."""
    return _render_organization(request)


@enterprise_required
@require_POST
def organization_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    link = submitted(
        form,
        lambda: actions.do_request_organization_link(
            uscc=data["uscc"], method=data["method"], note=data["note"], actor=request_actor(request)
        ),
    )
    if link is None:
        return _render_organization(request, request_form=form)
    if link.method == LinkMethod.CODE:
        messages.success(
            request,
            _("验证码已发送至该机构登记的联系邮箱%(masked)s，请向机构索取后在下面填写。")
            % {"masked": queries.mask_email(link.organization.contact_email)},
        )
    else:
        messages.success(
            request,
            _("申请已提交，由机构所在地（%(region)s）的监管人员审核。") % {"region": link.organization.region.name},
        )
    return redirect("accounts:organization")


@enterprise_required
@require_POST
def organization_code(request: HttpRequest) -> HttpResponse:
    form = LinkCodeForm(request.POST)
    pending = queries.pending_link_request(request.user)  # type: ignore[arg-type]
    if pending is None:
        messages.error(request, _("没有待确认的关联申请，请重新申请。"))
        return redirect("accounts:organization")
    code = form.cleaned_data["code"] if form.is_valid() else ""
    link = submitted(
        form,
        lambda: actions.confirm_organization_link(link_request=pending, code=code, actor=request_actor(request)),
    )
    if link is None:
        return _render_organization(request, code_form=form)
    messages.success(request, _("已关联%(name)s，现在可以代表该机构在线办理业务。") % {"name": link.organization.name})
    return redirect("accounts:organization")


@enterprise_required
@require_POST
def organization_unlink(request: HttpRequest) -> HttpResponse:
    try:
        permitted(lambda: actions.do_unlink_organization(actor=request_actor(request)))
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已解除关联。本账号不再代表任何机构。"))
    return redirect("accounts:organization")


# ------------------------------------------------------------------ the officers' side


def deciders_required(view: View) -> View:
    @office_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not queries.may_decide_links(request_actor(request)):
            raise PermissionDenied(_("机构关联申请由监管人员审核。"))
        return view(request, *args, **kwargs)

    return wrapper


def _render_requests(request: HttpRequest, refusal_form: RefusalForm | None = None, refusing: int = 0) -> HttpResponse:
    actor = request_actor(request)
    context = {
        "requests": queries.link_requests_visible_to(actor)[:200],
        "refusal_form": refusal_form or RefusalForm(),
        "refusing": refusing,
    }
    return render(request, "accounts/signup/requests.html", context, status=422 if refusal_form else 200)


@deciders_required
@require_safe
def link_requests(request: HttpRequest) -> HttpResponse:
    return _render_requests(request)


@deciders_required
@reauth_required
@require_POST
def link_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    link = permitted(lambda: queries.access_link_request(actor, pk))
    try:
        permitted(lambda: actions.do_approve_organization_link(link_request=link, actor=actor))
    except (Conflict, ValidationFailed) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已批准：账号%(username)s关联%(name)s。")
            % {"username": link.user.username, "name": link.organization.name},
        )
    return redirect("accounts:link_requests")


@deciders_required
@require_POST
def link_request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    link = permitted(lambda: queries.access_link_request(actor, pk))
    form = RefusalForm(request.POST)
    done = submitted(
        form,
        lambda: actions.do_refuse_organization_link(link_request=link, reason=form.cleaned_data["reason"], actor=actor),
    )
    if done is None:
        return _render_requests(request, refusal_form=form, refusing=link.pk)
    messages.success(
        request,
        _("已驳回：账号%(username)s关联%(name)s。") % {"username": link.user.username, "name": link.organization.name},
    )
    return redirect("accounts:link_requests")
