"""Office pages of CCC market control (C7), for officers and enforcement inspectors of the region (and
administrators): the market checks with their filters, a check with its verdict and reason (and, for a
violation, the button that opens or joins a case — a page of the cases app), the forged numbers grouped, and
the campaigns (list, a new one, one with its tally). Views parse, call the queries and actions, and render
(docs/architecture.md convention 7); another region's check or campaign is a 404 like a missing one (C14)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.permissions import Permission, is_permitted
from certhub.core.web import View, page_of, permitted, request_actor, submitted
from certhub.market import queries
from certhub.market.actions import do_create_campaign
from certhub.market.choices import NEGATIVE, Verdict
from certhub.market.office_forms import CampaignForm, CheckFilterForm

PER_PAGE = 50


def market_pages_required(view: View) -> View:
    """Signed in (else the login page) and recording market checks — an officer or an enforcement inspector
    — or an administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_permitted(request_actor(request), Permission.RECORD_MARKET_CHECK):
            raise PermissionDenied(_("市场检查页面仅对监管人员和执法检查人员开放。"))
        return view(request, *args, **kwargs)

    return wrapper


# ------------------------------------------------------------------ checks


@market_pages_required
@require_safe
def check_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = CheckFilterForm(request.GET or None, campaigns=list(queries.campaigns_visible_to(actor)[:200]))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = queries.CheckFilter(
        verdict=data.get("verdict") or "",
        campaign=form.chosen_campaign(),
        channel=data.get("channel") or "",
        since=data.get("since"),
        until=data.get("until"),
        number=(data.get("number") or "").strip(),
    )
    page = page_of(request, queries.filtered_checks(actor, filters), PER_PAGE)
    return render(
        request, "market/office/checks.html", {"form": form, "page": page, "negative": [str(v) for v in NEGATIVE]}
    )


@market_pages_required
@require_safe
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    check = permitted(lambda: queries.access_market_check(actor, pk))
    context = {
        "check": check,
        "negative": check.verdict in NEGATIVE,
        "forged": check.verdict == Verdict.FORGED_NUMBER,
        # The case opened from the check, or the case it was joined to (the cases app's reverse relations).
        "cases": list(check.cases.all()) + [m.case for m in check.joined_measures.select_related("case")],
        "may_open_case": is_permitted(actor, Permission.HANDLE_CASES, region_code=check.region_code),
        "subject": check.producer or check.shop_organization,
    }
    return render(request, "market/office/check.html", context)


@market_pages_required
@require_safe
def forged_numbers(request: HttpRequest) -> HttpResponse:
    """Claimed numbers the registries do not hold, grouped: how often and in how many shops each was seen."""
    page = page_of(request, queries.forged_numbers(request_actor(request)), PER_PAGE)
    return render(request, "market/office/forged_numbers.html", {"page": page})


# ------------------------------------------------------------------ campaigns


@market_pages_required
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = page_of(request, queries.campaigns_visible_to(actor), PER_PAGE)
    context = {"page": page, "may_create": is_permitted(actor, Permission.MANAGE_MARKET_CAMPAIGNS)}
    return render(request, "market/office/campaigns.html", context)


@market_pages_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not is_permitted(actor, Permission.MANAGE_MARKET_CAMPAIGNS):
        raise PermissionDenied(_("只有监管人员可以制定专项整治。"))
    initial = {"region_code": actor.region_code or ""}
    form = CampaignForm(request.POST if request.method == "POST" else None, initial=initial)
    campaign = submitted(
        form,
        lambda: do_create_campaign(
            name=form.cleaned_data["name"],
            region_code=form.cleaned_data["region_code"],
            product_codes=form.codes(),
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            description=form.cleaned_data["description"],
            actor=actor,
        ),
    )
    if campaign is not None:
        messages.success(request, _("已创建专项整治“%(name)s”。") % {"name": campaign.name})
        return redirect("market:campaign_detail", pk=campaign.pk)
    status = 422 if form.errors else 200
    return render(request, "market/office/campaign_form.html", {"form": form}, status=status)


@market_pages_required
@require_safe
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = permitted(lambda: queries.access_campaign(actor, pk))
    tally = queries.campaign_tally(campaign)
    rows = [(Verdict(verdict), count, verdict in NEGATIVE) for verdict, count in tally["by_verdict"].items()]
    may_export = is_permitted(actor, Permission.VIEW_STATISTICS, region_code=campaign.region_code)
    context = {"campaign": campaign, "tally": tally, "rows": rows, "may_export": may_export}
    return render(request, "market/office/campaign.html", context)
