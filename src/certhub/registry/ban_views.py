"""The back office's ban pages (C9): the list of bans decided in or about the officer's region, a ban's
page with its lifting, and the form that records a new one. Imposing and lifting ask the officer to confirm
who they are first (core.reauth, C14); a refusal stands next to the field it names, with status 422, and
changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certhub.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, is_permitted, within_scope
from certhub.core.reauth import reauth_required
from certhub.core.web import office_required, request_actor
from certhub.registry import bans
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban, may_lift
from certhub.registry.forms import BanFilterForm, BanForm, LiftBanForm
from certhub.registry.models import Ban
from certhub.registry.paging import paginate


def access_ban(request: HttpRequest, pk: int) -> Ban:
    """The ban, when the officer may see it (404 otherwise, as for one that does not exist, C14)."""
    actor = request_actor(request)
    try:
        return within_scope(bans.bans_visible_to(actor).filter(pk=pk).first(), bool, _("你的辖区内没有这条记录。"))
    except NotFound as error:
        raise Http404(error.message) from error


@office_required
@require_safe
def ban_list(request: HttpRequest) -> HttpResponse:
    """Bans decided in the officer's region or about an organization in it, newest first."""
    actor = request_actor(request)
    form = BanFilterForm(request.GET or None)
    criteria = form.criteria()
    page = paginate(request, bans.filtered(bans.bans_visible_to(actor), **criteria))
    rows = [(ban, bans.is_in_force(ban)) for ban in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "may_impose": is_permitted(actor, Permission.MANAGE_REGISTRY),
    }
    return render(request, "registry/office/bans.html", context)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@reauth_required
def ban_impose(request: HttpRequest) -> HttpResponse:
    """Record a ban by its decision (do_impose_ban)."""
    actor = request_actor(request)
    if not is_permitted(actor, Permission.MANAGE_REGISTRY):
        raise PermissionDenied(_("只有监管人员可以登记限制措施"))
    form = BanForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            organization, person = bans.ban_subject(
                organization_uscc=data["organization_uscc"],
                person_name=data["person_name"],
                person_id_number=data["person_id_number"],
            )
            ban = do_impose_ban(
                kind=data["kind"],
                organization=organization,
                person=person,
                decision_number=data["decision_number"],
                decided_on=data["decided_on"],
                authority=data["authority"],
                starts=data["starts"],
                ends=data["ends"],
                reason=data["reason"],
                legal_basis=data["legal_basis"],
                licence_type=data["licence_type"],
                actor=actor,
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(request, _("已登记：%(sentence)s。") % {"sentence": bans.ban_refusal(ban)})
            return redirect("registry:office_ban", pk=ban.pk)
    return render(request, "registry/office/ban_impose.html", {"form": form}, status=422 if form.errors else 200)


@office_required
@require_safe
def ban_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ban = access_ban(request, pk)
    return _detail(request, ban, LiftBanForm())


def _detail(request: HttpRequest, ban: Ban, form: LiftBanForm, status: int = 200) -> HttpResponse:
    actor = request_actor(request)
    in_force = bans.is_in_force(ban)
    context = {
        "ban": ban,
        "sentence": bans.ban_refusal(ban),
        "in_force": in_force,
        "may_lift": ban.lifted_on is None and may_lift(actor, ban),
        "form": form,
    }
    return render(request, "registry/office/ban.html", context, status=status)


@office_required
@require_http_methods(["POST"])
@reauth_required
def ban_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a ban by its decision (do_lift_ban): only officers of the deciding region or above it."""
    ban = access_ban(request, pk)
    form = LiftBanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_lift_ban(
                ban=ban,
                decision_number=data["decision_number"],
                lifted_on=data["lifted_on"],
                reason=data["reason"],
                actor=request_actor(request),
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_errors(error)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        else:
            messages.success(
                request,
                _("已解除：%(decision)s自%(day)s起不再执行。")
                % {"decision": ban.decision_number, "day": f"{data['lifted_on']:%Y-%m-%d}"},
            )
            return redirect("registry:office_ban", pk=ban.pk)
    return _detail(request, ban, form, status=422)
