"""The on-site check (C7, 现场检查): an inspector or officer in a shop, on a phone, scans a product's barcode
with the camera (or types the digits) and types what its label shows — the certificate or self-declaration
number, product, model — and sees at once whether it may be sold: the verdict, its reason, and for a violation
a button that opens a case (officers). One product is one listing through the same engine as the platforms'
batches (do_check_listings, channel "onsite", source "page"). After the check the page shows its result above
an empty form for the next product of the same shop (post/redirect/get: reloading does not check twice).
Views validate and orchestrate only (docs/architecture.md convention 7)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel
from certhub.core.models import Region
from certhub.core.permissions import Permission, is_permitted
from certhub.core.web import permitted, request_actor, submitted
from certhub.market.actions import do_check_listings
from certhub.market.choices import NEGATIVE, BatchSource, CheckChannel, Verdict
from certhub.market.models import Campaign, MarketCheck
from certhub.market.onsite_forms import OnsiteCheckForm
from certhub.market.queries import access_market_check

# The site's policy turns the camera off everywhere (core.middleware); this page may use it, for our own origin
# only, to read a product's barcode (as seal's /verify/ does for a QR code).
CAMERA_POLICY = "camera=(self), microphone=(), geolocation=()"

# How each verdict is shown: the portal's status tones (portal.css), so that the colour says "may be sold"
# (valid), "a violation" (revoked), "nothing to do" (ended) or "a person decides" (unknown).
TONES = {
    Verdict.COVERED: "valid",
    Verdict.NOT_IN_CATALOGUE: "ended",
    Verdict.NEEDS_PERSON: "unknown",
    **{verdict: "revoked" for verdict in NEGATIVE},
}


def _actor_region(actor: Actor) -> str:
    """Where an on-site check is recorded: the region the officer or inspector is posted to (an administrator,
    posted nowhere, records for the province)."""
    if actor.region_code:
        return actor.region_code
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    assert province is not None, "the regions are reference data (core/data/regions)"
    return province.code


def _open_campaigns(region_code: str) -> QuerySet[Campaign]:
    """The campaigns running today that cover the place of the check (a campaign of the province or of the
    prefecture covers its counties)."""
    today = timezone.localdate()
    prefixes = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    return Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today, region_code__in=prefixes).order_by(
        "-starts_on", "id"
    )


def _result(actor: Actor, check: MarketCheck) -> dict[str, Any]:
    negative = check.verdict in NEGATIVE
    return {
        "check": check,
        "tone": TONES.get(Verdict(check.verdict), "unknown"),
        "negative": negative,
        "can_open_case": negative and is_permitted(actor, Permission.HANDLE_CASES, region_code=check.region_code),
        # A case is about an organization in the registry: the producer, else the shop's operator.
        "traced": check.producer_id is not None or check.shop_organization_id is not None,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def onsite_check(request: HttpRequest) -> HttpResponse:
    """The form; after a check, its result (?check=<id>) above the form for the next product."""
    actor = request_actor(request)
    if not is_permitted(actor, Permission.RECORD_MARKET_CHECK):
        raise PermissionDenied(_("现场检查仅对监管人员和执法检查人员开放。"))
    region_code = _actor_region(actor)
    campaigns = list(_open_campaigns(region_code))
    context: dict[str, Any] = {}
    initial: dict[str, str] = {}
    if request.method != "POST" and request.GET.get("check"):
        pk = request.GET["check"]
        if not pk.isdigit():
            raise Http404(_("没有这条市场检查记录。"))
        check = permitted(lambda: access_market_check(actor, int(pk)))
        context.update(_result(actor, check))
        # The next product is most often from the same shop and campaign.
        initial = {"shop": check.shop, "campaign": str(check.campaign_id or "")}
        if check.shop_organization is not None:
            initial["shop_uscc"] = check.shop_organization.uscc
    form = OnsiteCheckForm(request.POST if request.method == "POST" else None, campaigns=campaigns, initial=initial)
    batch = submitted(
        form,
        lambda: do_check_listings(
            listings=[form.listing()],
            channel=CheckChannel.ONSITE,
            region_code=region_code,
            source=BatchSource.PAGE,
            campaign=form.chosen_campaign(),
            actor=actor,
        ),
    )
    if batch is not None:
        recorded = batch.checks.order_by("row").first()
        assert recorded is not None, "a batch of one listing has its one check"
        return redirect(f"{reverse('market:onsite')}?check={recorded.pk}#onsite-result")
    context.update(form=form, campaigns=campaigns)
    response = render(request, "market/onsite.html", context, status=422 if form.errors else 200)
    response["Permissions-Policy"] = CAMERA_POLICY
    return response
