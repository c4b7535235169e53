"""Pages of the self-declaration register (C7), made for the phone: the public list with its search and each
declaration's page; the producer's own list, the registration form and withdrawal; an officer of the
producer's region withdraws from the declaration's page. Parse, call the query or the action, render
(docs/architecture.md convention 7); a refusal stands next to the fields it names, with status 422."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certhub.core.choices import Role
from certhub.core.web import page_of, permitted, request_actor, submitted
from certhub.market import declarations as rules
from certhub.market.actions import do_register_declaration, do_withdraw_declaration
from certhub.market.choices import DeclarationStatus
from certhub.market.declaration_forms import DeclarationForm, DeclarationSearchForm, WithdrawalForm
from certhub.market.queries import access_declaration, declarations_of, may_withdraw, search_declarations
from certhub.registry.models import CccProduct, Organization


def _producer(request: HttpRequest) -> Organization:
    """The organization the signed-in enterprise account acts for, or a 403 page saying why there is none."""
    actor = request_actor(request)
    organization = Organization.objects.filter(pk=actor.organization_id).first() if actor.organization_id else None
    if organization is None or actor.role != Role.ENTERPRISE:
        raise PermissionDenied(_("自我声明仅由已关联生产企业的企业账号登记。请先完成账号与企业的关联。"))
    return organization


@require_safe
def declaration_list(request: HttpRequest) -> HttpResponse:
    """The public register: every declaration, newest first, searched by number, producer, product, model."""
    form = DeclarationSearchForm(request.GET or None)
    criteria = form.criteria()
    found = search_declarations(request_actor(request), **criteria)
    context = {"form": form, "page": page_of(request, found), "searched": bool(criteria)}
    return render(request, "market/declarations/list.html", context)


@require_safe
def declaration_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    declaration = permitted(lambda: access_declaration(actor, number))
    context: dict[str, Any] = {"declaration": declaration}
    if may_withdraw(actor, declaration):
        context["withdrawal"] = WithdrawalForm()
    return render(request, "market/declarations/detail.html", context)


@login_required
@require_safe
def my_declarations(request: HttpRequest) -> HttpResponse:
    organization = _producer(request)
    page = page_of(request, declarations_of(organization))
    return render(request, "market/declarations/mine.html", {"organization": organization, "page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    organization = _producer(request)
    actor = request_actor(request)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    declaration = submitted(
        form, lambda: do_register_declaration(organization=organization, **form.arguments(), actor=actor)
    )
    if declaration is not None:
        messages.success(request, _("自我声明已登记并公布，编号%(number)s。") % {"number": declaration.number})
        return redirect("market:declaration", number=declaration.number)
    declarable = CccProduct.objects.filter(mode__in=rules.self_declaration_modes()).order_by("code")
    context = {"organization": organization, "form": form, "declarable": declarable.values_list("code", "name")}
    return render(request, "market/declarations/register.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Withdraw a declaration: its producer, or an officer of its region (others get a 403 page)."""
    actor = request_actor(request)
    declaration = permitted(lambda: access_declaration(actor, number))
    if not may_withdraw(actor, declaration):
        if declaration.status != DeclarationStatus.PUBLISHED:
            messages.error(request, _("自我声明%(number)s已撤回。") % {"number": declaration.number})
            return redirect("market:declaration", number=declaration.number)
        raise PermissionDenied(_("只有声明的生产者或其所在地区的监管人员可以撤回自我声明。"))
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    withdrawn = submitted(
        form,
        lambda: do_withdraw_declaration(
            declaration=declaration,
            reason=form.cleaned_data["reason"],
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            actor=actor,
        ),
        reload=declaration,
    )
    if withdrawn is not None:
        messages.success(request, _("自我声明%(number)s已撤回。") % {"number": withdrawn.number})
        return redirect("market:declaration", number=withdrawn.number)
    context = {"declaration": declaration, "withdrawal": form}
    return render(request, "market/declarations/detail.html", context, status=422 if form.errors else 200)
